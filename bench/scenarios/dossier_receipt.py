"""Scenario 3, dossier receipt: ``POST /v1/dossiers``, a new dossier each request, with wrk.

Procedure 1.003010, the catalog's largest (four components; none has five): every component given,
two of them reused from the applicant's own valid results, so each receipt makes the gateway check
two results, the applicant's residence and the results they held (one ``CheckReceipt`` call to
lookup) and write the dossier and its event in one transaction. The hop baseline (a bare route making
one trivial gRPC call) runs interleaved with it, run by run, so outside load hits both alike; the goal
is half of that ceiling. CPU per request of the gateway's and lookup's process trees is given beside
the rates: on a shared machine it moves much less than they do.
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
    scripts = {
        "gateway": (
            "dossiers.lua",
            {
                "BENCH_APPLICANTS": info["applicants"],
                "BENCH_KEY": info["keys"]["BENCH-LOAD"],
                "BENCH_AGENCY": "BENCH-LOAD",
                "BENCH_PROCEDURE": info["dossier_procedure"],
            },
        ),
        "hop": ("citizens.lua", {"BENCH_IDS": info["ids"]}),
    }
    runs: dict[str, list[Run]] = {name: [] for name in scripts}
    processes = {name: info["pids"][name] for name in scripts} | {"lookup": info["pids"]["lookup_sqlite"]}
    for _ in range(repeats):
        for name, (script, env) in scripts.items():
            url = f"http://127.0.0.1:{info['ports'][name]}"
            before = {p: cpu_seconds(pid) for p, pid in processes.items()}
            run = wrk(url, script, connections=CONNECTIONS, seconds=seconds, env=env)
            served = max(run.requests, 1)
            run.extra["cpu_ms"] = (cpu_seconds(processes[name]) - before[name]) / served * 1000
            run.extra["lookup_cpu_ms"] = (cpu_seconds(processes["lookup"]) - before["lookup"]) / served * 1000
            runs[name].append(run)
    receipt, hop = median_run(runs["gateway"]), median_run(runs["hop"])
    errors = sum(r.errors for r in runs["gateway"])

    def cpu(name: str) -> str:
        app = statistics.median(r.extra["cpu_ms"] for r in runs[name])
        lookup = statistics.median(r.extra["lookup_cpu_ms"] for r in runs[name])
        return f"CPU per request {app:.2f} ms in the app + {lookup:.2f} ms in lookup"

    write_rows(
        args.out,
        [
            Row.of_run(
                receipt,
                scenario="dossier receipt POST /v1/dossiers (4 components, 2 reused results)",
                unit="req/s",
                baseline="bare FastAPI + gRPC health Check (hop ceiling)",
                baseline_throughput=round(hop.throughput, 1),
                ratio=ratio(receipt.throughput, hop.throughput),
                goal=">= 1,000 req/s and >= 0.5 of hop ceiling",
                met=receipt.throughput >= 1000 and receipt.throughput >= 0.5 * hop.throughput,
                notes=(
                    f"{CONNECTIONS} connections, uvicorn workers={info['workers']}; "
                    f"{spread(runs['gateway'])}; {errors} errors; {cpu('gateway')}; hop in the same run: "
                    f"{cpu('hop')}; {info['applicant_count']} applicants; the catalog has no "
                    "five-component procedure, so 1.003010's four"
                ),
            )
        ],
    )


if __name__ == "__main__":
    main()
