#!/usr/bin/env bash
# Submits the sharded build as a Slurm job array of SHARDS tasks and the merge as a job that waits for all of
# them (afterok: it runs only if every task succeeded; --kill-on-invalid-dep=yes cancels it when one failed).
#   SHARDS=8 COUNT=50000 OUT=/shared/perfsage deploy/slurm/submit.sh
set -euo pipefail
here="$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")"
export SHARDS="${SHARDS:-4}"
if ! [[ "$SHARDS" =~ ^[1-9][0-9]*$ ]]; then
    echo "submit.sh: SHARDS must be a positive whole number, not '$SHARDS'" >&2
    exit 2
fi

# sbatch passes the environment (SHARDS, OUT, SPACE, COUNT, SEED, PERFSAGE) on to the jobs.
array_job="$(sbatch --parsable --array="0-$((SHARDS - 1))" "$here/build-shards.sbatch")"
array_job="${array_job%%;*}"   # --parsable prints "jobid" or "jobid;cluster"
merge_job="$(sbatch --parsable --dependency="afterok:$array_job" --kill-on-invalid-dep=yes "$here/merge.sbatch")"
echo "shards: job array $array_job (tasks 0-$((SHARDS - 1))); merge: job ${merge_job%%;*} after them"
