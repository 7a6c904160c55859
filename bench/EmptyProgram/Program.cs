// Nothing: the runtime starts, runs this Main and exits 0. scripts/bench-startup divides PerfSage's start-up by this.
return 0;
