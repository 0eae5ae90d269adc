"""One script per scenario, each run in its own process by bench/run.sh."""
