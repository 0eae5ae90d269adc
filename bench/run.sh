#!/usr/bin/env bash
# `make bench`: start what the scenarios need, run each one (they repeat their own runs), stop
# everything, and write bench/report.md and bench/report.json.
#   bench/run.sh [--quick]     --quick: 100,000 citizens, one short run per figure (a smoke test)
# Environment: BENCH_GATEWAY_WORKERS (uvicorn workers of the gateway and both baselines),
# BENCH_LOOKUP_PROCESSES (lookup server processes sharing its port),
# BENCH_SCENARIOS (space-separated subset), BENCH_POSTGRES_URL (server for the PostgreSQL figures),
# BENCH_LARGE=1 (a long run: growth sizes beyond a normal run's, e.g. a 10⁷-citizen store, ~10 min
# more; its growth points are kept in bench/growth/<date>-large.json for later reports; not with --quick).
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/env.sh

QUICK=()
[[ ${1:-} == --quick ]] && QUICK=(--quick)
WORKERS=${BENCH_GATEWAY_WORKERS:-2}
LOOKUP_PROCESSES=${BENCH_LOOKUP_PROCESSES:-2}
SCENARIOS=${BENCH_SCENARIOS:-seeding gateway_lookup lookup_grpc dossier_receipt freshness tracker_ingest tracker_queries}
RESULTS=bench/results
VAR=var/bench
export PYTHONPATH="$PWD"
mkdir -p "$RESULTS" "$VAR/log"
# A subset run (BENCH_SCENARIOS) replaces only its own results; the report gathers whatever is there.
for name in $SCENARIOS; do rm -f "$RESULTS/$name.json" "$RESULTS/$name.growth.json"; done
LARGE=()
if [[ ${BENCH_LARGE:-} == 1 ]]; then
  [[ ${#QUICK[@]} -eq 0 ]] || { echo "BENCH_LARGE=1 and --quick exclude each other" >&2; exit 2; }
  LARGE=(--large)
fi
export BENCH_LARGE=${BENCH_LARGE:-}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
py() { uv run --locked python "$@"; }
want() { [[ " $SCENARIOS " == *" $1 "* ]]; }

cleanup() { py bench/stack.py down || true; }
trap cleanup EXIT

started=$SECONDS
py - "$VAR/machine.json" "$WORKERS" "$LOOKUP_PROCESSES" <<'PY'
import json, os, platform, sys, time
model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
json.dump({"cpu": model, "cores": os.cpu_count(), "load_at_start": [round(x, 2) for x in os.getloadavg()],
           "python": platform.python_version(), "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
           "gateway_workers": int(sys.argv[2]), "lookup_processes": int(sys.argv[3])},
          open(sys.argv[1], "w"))
PY

STEPS=()  # "name=seconds" per step, for the report
timed() {
  local name=$1 start=$SECONDS
  shift
  "$@"
  STEPS+=("$name=$((SECONDS - start))")
}

setup() {
  tools/install.sh wrk
  tools/install.sh ghz
  deploy/local/kafka/kafka.sh up
  deploy/local/postgres/postgres.sh up
}
say "tools, Kafka and PostgreSQL"
timed setup setup

run_scenario() {
  local name=$1 script=bench/scenarios/$1.py
  if [[ ! -f $script ]]; then
    say "$name: no $script yet, skipped"
    return
  fi
  say "$name"
  local start=$SECONDS
  if ! py "$script" --out "$RESULTS/$name.json" "${QUICK[@]}" 2>&1 | tee "$VAR/log/scenario-$name.log"; then
    say "$name failed; see $VAR/log/scenario-$name.log"
  fi
  STEPS+=("$name=$((SECONDS - start))")
}

# Seeding builds (or finds cached) the stores every later scenario reads; always needed.
rm -f "$RESULTS/seeding.json" "$RESULTS/seeding.growth.json"
run_scenario seeding
[[ -f $VAR/stores.json ]] || { say "no seeded store"; exit 1; }

if want gateway_lookup || want lookup_grpc || want dossier_receipt || want freshness; then
  say "starting the bench stack (gateway workers: $WORKERS)"
  timed "stack up" py bench/stack.py up --workers "$WORKERS" --lookup-processes "$LOOKUP_PROCESSES" "${QUICK[@]}"
  for name in gateway_lookup lookup_grpc dossier_receipt freshness; do
    want "$name" && run_scenario "$name"
  done
  timed "stack down" py bench/stack.py down
fi

# The tracker scenarios bring up their own stores and processes.
for name in tracker_ingest tracker_queries; do
  want "$name" && run_scenario "$name"
done

py bench/report.py --results "$RESULTS" --machine "$VAR/machine.json" --seconds $((SECONDS - started)) \
  --steps "${STEPS[@]}" "${QUICK[@]}" "${LARGE[@]}"
say "bench/report.md written in $((SECONDS - started)) s"
