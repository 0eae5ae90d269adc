"""Scenario 2, lookup service: ``GetCitizen`` over gRPC with ghz, on SQLite and on PostgreSQL.

Random existing ids with the read mask of a typical procedure, 32 concurrent calls. Baseline in the same
run and on the same server: the trivial unary health ``Check``. Runs are interleaved. Beside the rates,
the server's CPU time per call (all its processes, user + system, over a run): on a shared machine it
moves much less with the load than the rates do.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from bench.harness import (
    Row,
    Run,
    cpu_seconds,
    ghz,
    median_run,
    ratio,
    scenario_args,
    spread,
    stack,
    write_rows,
)

CONCURRENCY = 32
# Several connections, as several gateway processes would open: SO_REUSEPORT spreads connections, not
# calls, over the lookup's processes.
CONNECTIONS = 4
GET_CITIZEN = "onceonly.population.v1.PopulationRegistry.GetCitizen"
CHECK = "grpc.health.v1.Health.Check"


def main() -> None:
    args = scenario_args(__doc__)
    info = stack()
    seconds, repeats = (4, 1) if args.quick else (6, 3)
    data = Path(info["ghz_get_citizen"])
    stores = [s for s in ("lookup_sqlite", "lookup_postgres") if s in info["pids"]]
    runs: dict[tuple[str, str], list[Run]] = {}
    for _ in range(repeats):
        for store in stores:
            target = f"127.0.0.1:{info['ports'][store]}"
            for method, data_file in ((CHECK, None), (GET_CITIZEN, data)):
                before = cpu_seconds(info["pids"][store])
                run = ghz(
                    target,
                    method,
                    protoset=Path(info["protoset"]),
                    data_file=data_file,
                    concurrency=CONCURRENCY,
                    connections=CONNECTIONS,
                    seconds=seconds,
                )
                spent = cpu_seconds(info["pids"][store]) - before
                run.extra["cpu_us_per_call"] = spent / max(run.requests, 1) * 1e6
                runs.setdefault((store, method), []).append(run)
    rows = []
    for store in stores:
        name = "SQLite" if store == "lookup_sqlite" else "PostgreSQL"
        check, get = median_run(runs[(store, CHECK)]), median_run(runs[(store, GET_CITIZEN)])
        errors = sum(r.errors for r in runs[(store, GET_CITIZEN)])
        failed: dict[str, int] = {}
        for run in runs[(store, GET_CITIZEN)]:
            for status, count in run.extra["statuses"].items():
                if status not in ("OK", "Canceled"):
                    failed[status] = failed.get(status, 0) + count
        cpu = {
            method: statistics.median(r.extra["cpu_us_per_call"] for r in runs[(store, method)])
            for method in (CHECK, GET_CITIZEN)
        }
        goal_met = get.throughput >= 4000 and get.p99_ms <= 20 and get.throughput >= 0.8 * check.throughput
        rows.append(
            Row.of_run(
                get,
                scenario=f"lookup GetCitizen ({name})",
                unit="calls/s",
                baseline="health Check, same server",
                baseline_throughput=round(check.throughput, 1),
                ratio=ratio(get.throughput, check.throughput),
                goal=">= 4,000 calls/s, p99 <= 20 ms, >= 0.8 of trivial unary",
                met=goal_met if store == "lookup_sqlite" else None,
                notes=(
                    f"ghz concurrency {CONCURRENCY} over {CONNECTIONS} connections, "
                    f"{info['lookup_processes']} lookup process(es); "
                    f"{spread(runs[(store, GET_CITIZEN)])}; {errors} errors {failed or ''}; "
                    f"Check p50 {check.p50_ms:.2f} ms p99 {check.p99_ms:.2f} ms; "
                    f"server CPU per call (median): GetCitizen {cpu[GET_CITIZEN]:.0f} µs, "
                    f"Check {cpu[CHECK]:.0f} µs"
                    + ("" if store == "lookup_sqlite" else "; reported beside SQLite, goal applies to SQLite")
                ),
            )
        )
    write_rows(args.out, rows)


if __name__ == "__main__":
    main()
