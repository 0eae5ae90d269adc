"""Scenario 3, dossier receipt: ``POST /v1/dossiers``, a new dossier each request, with wrk.

Procedure 1.003010, the catalog's largest (four components; none has five): every component given,
two of them reused from the applicant's own valid results, so each receipt makes the gateway check
two results and the applicant's residence over gRPC and write the dossier and its event in one
transaction.
"""

from __future__ import annotations

from bench.harness import Row, median_run, repeat, scenario_args, spread, stack, write_rows, wrk

CONNECTIONS = 32


def main() -> None:
    args = scenario_args(__doc__)
    info = stack()
    seconds, repeats = (5, 1) if args.quick else (8, 3)
    env = {
        "BENCH_APPLICANTS": info["applicants"],
        "BENCH_KEY": info["keys"]["BENCH-LOAD"],
        "BENCH_PROCEDURE": info["dossier_procedure"],
    }
    url = f"http://127.0.0.1:{info['ports']['gateway']}"
    runs = repeat(
        repeats, lambda: wrk(url, "dossiers.lua", connections=CONNECTIONS, seconds=seconds, env=env)
    )
    best = median_run(runs)
    errors = sum(r.errors for r in runs)
    write_rows(
        args.out,
        [
            Row.of_run(
                best,
                scenario="dossier receipt POST /v1/dossiers (4 components, 2 reused results)",
                unit="req/s",
                goal=">= 1,000 req/s",
                met=best.throughput >= 1000,
                notes=(
                    f"{CONNECTIONS} connections, uvicorn workers={info['workers']}; {spread(runs)}; "
                    f"{errors} errors; {info['applicant_count']} applicants; the catalog has no "
                    "five-component procedure, so 1.003010's four"
                ),
            )
        ],
    )


if __name__ == "__main__":
    main()
