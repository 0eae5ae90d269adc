"""Seeding benchmark: time ``seed_store`` for a population into SQLite and PostgreSQL.

    uv run python bench/seed_bench.py --citizens 1000000 \
        --database sqlite:///var/bench/seed.db \
        --database postgresql://postgres:postgres@127.0.0.1:5432/postgres

Targets (issue 2): 1,000,000 citizens with their results into SQLite in under 60 s, into PostgreSQL in
under 3 minutes, on a 2-core machine. Prints one Markdown table row per store.
"""

from __future__ import annotations

import argparse
import os
import time

from sqlalchemy.engine import make_url

from onceonly.common.db import make_engine
from onceonly.lookup.seeder import seed_store


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--citizens", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--processes", type=int, default=None, help="generator processes (default: cores)")
    parser.add_argument("--database", action="append", required=True, help="store URL; repeatable")
    args = parser.parse_args()
    print("| store | citizens | results | seconds | citizens/s | cores | load avg before |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for url in args.database:
        engine = make_engine(url)
        load = os.getloadavg()[0]
        start = time.perf_counter()
        report = seed_store(engine, citizens=args.citizens, seed=args.seed, processes=args.processes)
        seconds = time.perf_counter() - start
        engine.dispose()
        print(
            f"| {make_url(url).get_backend_name()} | {report.citizens:,} | {report.results:,} "
            f"| {seconds:.1f} "
            f"| {report.citizens / seconds:,.0f} | {os.cpu_count()} | {load:.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
