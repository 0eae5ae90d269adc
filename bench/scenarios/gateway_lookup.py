"""Scenario 1, gateway lookup: ``GET /v1/citizens/{id}`` through the full path, 32 connections, wrk.

Random existing ids from the 1,000,000-citizen store, purpose headers, one agency's key. Baselines in
the same run, on the same uvicorn and worker setup: a bare endpoint making one trivial gRPC call to
lookup (the hop's ceiling) and one reading the same row straight from the database. Targets are
interleaved run by run so a burst of outside load hits all of them alike.
"""

from __future__ import annotations

import statistics

from bench.harness import (
    Row,
    Run,
    cpu_seconds,
    median_run,
    ratio,
    scenario_args,
    spread,
    stack,
    write_rows,
    wrk,
)

CONNECTIONS = 32


def main() -> None:
    args = scenario_args(__doc__)
    info = stack()
    seconds, repeats = (5, 1) if args.quick else (8, 3)
    env = {
        "BENCH_IDS": info["ids"],
        "BENCH_KEY": info["keys"]["BENCH-LOAD"],
        "BENCH_PROCEDURE": info["lookup_procedure"],
        "BENCH_DOSSIER_PREFIX": info["dossier_prefix"],
    }
    targets = {name: f"http://127.0.0.1:{info['ports'][name]}" for name in ("hop", "db", "gateway")}
    runs: dict[str, list[Run]] = {name: [] for name in targets}
    # CPU per request of the app's processes and of lookup's, beside the rates (see cpu_seconds).
    processes = {name: info["pids"][name] for name in targets} | {"lookup": info["pids"]["lookup_sqlite"]}
    # The gateway's outbox relay, when it runs as its own process (bench/stack.py --relay process).
    if "relay" in info["pids"]:
        processes["relay"] = info["pids"]["relay"]
    for _ in range(repeats):
        for name, url in targets.items():
            before = {p: cpu_seconds(pid) for p, pid in processes.items()}
            run = wrk(url, "citizens.lua", connections=CONNECTIONS, seconds=seconds, env=env)
            served = max(run.requests, 1)
            for process in processes.keys() & {name, "lookup", "relay"}:
                spent = (cpu_seconds(processes[process]) - before[process]) / served * 1000
                run.extra["cpu_ms" if process == name else f"{process}_cpu_ms"] = spent
            runs[name].append(run)
    hop, db, gateway = (median_run(runs[n]) for n in ("hop", "db", "gateway"))
    workers = info["workers"]
    setup = f"{CONNECTIONS} connections, uvicorn workers={workers}"
    met = gateway.throughput >= 2000 and gateway.p99_ms <= 50 and gateway.throughput >= 0.8 * hop.throughput
    errors = sum(r.errors for r in runs["gateway"])

    def cpu(name: str) -> str:
        app = statistics.median(r.extra["cpu_ms"] for r in runs[name])
        lookup = statistics.median(r.extra["lookup_cpu_ms"] for r in runs[name])
        relay = ""
        if name == "gateway" and "relay" in processes:
            relay = f" + {statistics.median(r.extra['relay_cpu_ms'] for r in runs[name]):.2f} ms in its relay"
        elif name == "gateway":
            relay = " (its relay a thread of the app's)"
        return f"CPU per request {app:.2f} ms in the app{relay} + {lookup:.2f} ms in lookup"

    write_rows(
        args.out,
        [
            Row.of_run(
                gateway,
                scenario="gateway GET /v1/citizens/{id} (full path)",
                unit="req/s",
                baseline="bare FastAPI + gRPC health Check (hop ceiling)",
                baseline_throughput=round(hop.throughput, 1),
                ratio=ratio(gateway.throughput, hop.throughput),
                goal=">= 2,000 req/s, p99 <= 50 ms, >= 0.8 of hop ceiling",
                met=met,
                notes=(
                    f"{setup}; {spread(runs['gateway'])}; {errors} errors; {cpu('gateway')}; "
                    f"{ratio(gateway.throughput, db.throughput)} of the direct database read"
                ),
            ),
            Row.of_run(
                hop,
                scenario="baseline: FastAPI + gRPC health Check",
                unit="req/s",
                goal="ceiling of the HTTP-to-gRPC hop",
                notes=f"{setup}; {spread(runs['hop'])}; {cpu('hop')}",
            ),
            Row.of_run(
                db,
                scenario="baseline: FastAPI + direct SQLite row read",
                unit="req/s",
                goal="the same row with no hop and no audit",
                notes=f"{setup}; {spread(runs['db'])}; {cpu('db')}",
            ),
        ],
    )


if __name__ == "__main__":
    main()
