#!/usr/bin/env bash
# Runs the sharded build on Kubernetes (docs/CLUSTER.md): the shared volume, the Indexed Job of shards,
# then, once every shard has completed, the merge Job. Needs kubectl pointed at the cluster and namespace.
set -euo pipefail
here="$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")"

# Waits until Job $1 has the condition Complete (exit 0) or Failed (exit 1: its retries are spent).
wait_for_job() {
    local state
    while :; do
        state="$(kubectl get "job/$1" -o jsonpath='{.status.conditions[?(@.status=="True")].type}')"
        case "$state" in
            *Complete*) return 0 ;;
            *Failed*) echo "job/$1 failed: kubectl describe job/$1; kubectl logs job/$1" >&2; return 1 ;;
        esac
        sleep 30
    done
}

kubectl apply -f "$here/volume.yaml"
kubectl apply -f "$here/build-shards.yaml"
wait_for_job perfsage-kws-build
kubectl apply -f "$here/merge-job.yaml"
wait_for_job perfsage-kws-merge
kubectl logs job/perfsage-kws-merge
