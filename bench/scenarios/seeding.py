"""Scenario 7, seeding: 1,000,000 citizens with their results into SQLite and into PostgreSQL.

The seeded stores are what every other scenario reads, so they are cached under var/bench/, keyed by
seed, size and a digest of the code that generates and writes them; a cache hit reports the figures
measured when the store was built (its notes say when). ``--quick`` seeds 100,000.

Beside the main stores, SQLite stores of the growth sizes (10⁵ and 10⁶ citizens; 10⁷ too with
``BENCH_LARGE=1``, about 8 minutes more; 10⁴ and 10⁵ with ``--quick``), for the lookup's growth curve;
their seeding cost per citizen is a growth curve of its own.
Writes ``var/bench/stores.json`` with the two store URLs for ``bench/stack.py`` and, under ``growth``,
the SQLite store of each growth size.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import resource
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from bench.harness import ROOT, VAR, Point, Row, load_average, write_points, write_rows
from onceonly.common.db import make_engine
from onceonly.lookup.seeder import seed_store
from onceonly.lookup.store import LookupStore

SEED = 1
# Code whose change means a different store: the cache key carries a digest of it.
_SOURCES = ("generator.py", "seeder.py", "tables.py", "catalog.py", "vietnam.py")
GOALS = {"sqlite": 60.0, "postgresql": 180.0}
SEEDING_CURVE = "seeding SQLite: wall µs per citizen"
SEEDING_CPU_CURVE = "seeding SQLite: CPU µs per citizen (seeder and its workers)"


def growth_sizes(quick: bool) -> tuple[int, ...]:
    """The store sizes of the growth curves; 10⁷ only for a long run (``BENCH_LARGE=1``)."""
    if quick:
        return (10_000, 100_000)
    if os.environ.get("BENCH_LARGE") == "1":
        return (100_000, 1_000_000, 10_000_000)
    return (100_000, 1_000_000)


@contextmanager
def _building(name: str) -> Iterator[None]:
    """Holds var/bench/<name>.lock: two runs sharing var/bench never build one store together."""
    with (VAR / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _digest() -> str:
    digest = hashlib.sha256()
    for name in _SOURCES:
        path = ROOT / "services" / "lookup" / "src" / "onceonly" / "lookup" / name
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _cpu() -> float:
    """CPU seconds of this process and of its reaped children (the seeder's generator workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed_seed(url: str, citizens: int) -> dict[str, Any]:
    engine = make_engine(url)
    load = load_average()
    start, cpu = time.perf_counter(), _cpu()
    report = seed_store(engine, citizens=citizens, seed=SEED)
    seconds = time.perf_counter() - start
    cpu = _cpu() - cpu
    engine.dispose()
    return {
        "seconds": round(seconds, 1),
        # Client side only: a PostgreSQL server's own work is not in it.
        "cpu_seconds": round(cpu, 1),
        "citizens": report.citizens,
        "results": report.results,
        "load_before": load,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def _sqlite(key: str, citizens: int) -> tuple[str, dict[str, Any], bool]:
    with _building(f"lookup-{key}"):
        return _sqlite_locked(key, citizens)


def _sqlite_locked(key: str, citizens: int) -> tuple[str, dict[str, Any], bool]:
    path = VAR / f"lookup-{key}.db"
    stamp = path.with_suffix(".json")
    url = f"sqlite:///{path}"
    if path.exists() and stamp.exists():
        return url, json.loads(stamp.read_text()), True
    building = VAR / f"lookup-{key}.building.db"
    for stale in VAR.glob(f"{building.name}*"):
        stale.unlink()
    figures = _timed_seed(f"sqlite:///{building}", citizens)
    # Fold the WAL in so the cached file stands alone.
    engine = make_engine(f"sqlite:///{building}")
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    building.rename(path)
    stamp.write_text(json.dumps(figures))
    return url, figures, False


def _postgres(key: str, citizens: int, server: str) -> tuple[str, dict[str, Any], bool]:
    with _building(f"lookup-postgres-{citizens}"):
        return _postgres_locked(key, citizens, server)


def _postgres_locked(key: str, citizens: int, server: str) -> tuple[str, dict[str, Any], bool]:
    # One database per size, so a --quick run never touches the full store.
    database = f"onceonly_bench_lookup_{citizens}"
    url = make_url(server).set(database=database).render_as_string(hide_password=False)
    stamp = VAR / f"lookup-postgres-{citizens}.json"
    maintenance = make_url(server).set(drivername="postgresql", database="postgres")
    with psycopg.connect(maintenance.render_as_string(hide_password=False), autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{database}"')
    if stamp.exists():
        cached = json.loads(stamp.read_text())
        if cached.get("key") == key:
            engine = make_engine(url)
            try:
                count = LookupStore(engine).count_citizens()
            except Exception:  # any failure means: seed again
                count = -1
            engine.dispose()
            if count == citizens:
                return url, cached, True
    stamp.unlink(missing_ok=True)
    figures = _timed_seed(url, citizens)
    stamp.write_text(json.dumps({**figures, "key": key}))
    return url, figures, False


def _row(store: str, figures: dict[str, Any], cached: bool) -> Row:
    seconds = float(figures["seconds"])
    goal = GOALS[store]
    citizens = int(figures["citizens"])
    when = f"cached store, measured {figures['measured_at']}" if cached else "measured in this run"
    return Row(
        scenario=f"seeding {citizens:,} citizens ({store})",
        throughput=seconds,
        unit="s",
        goal=f"1,000,000 citizens in < {goal:.0f} s",
        met=seconds < goal if citizens >= 1_000_000 else None,
        notes=(
            f"{citizens / seconds:,.0f} citizens/s, {figures['results']:,} results; "
            + (
                f"CPU {figures['cpu_seconds'] / citizens * 1e6:.0f} µs/citizen (seeder and workers); "
                if "cpu_seconds" in figures
                else ""
            )
            + f"load {figures['load_before']} at start; {when}"
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "BENCH_POSTGRES_URL", "postgresql://postgres:postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL server; the scenario uses its own database on it",
    )
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    citizens = 100_000 if args.quick else 1_000_000
    digest = _digest()
    VAR.mkdir(parents=True, exist_ok=True)
    rows = []
    stores: dict[str, Any] = {"sqlite": None, "postgres": None, "growth": {}}
    points = []
    # Smallest first: the main store (10⁶, or 10⁵ with --quick) is one of the growth sizes.
    for size in sorted({*growth_sizes(args.quick), citizens}):
        url, figures, cached = _sqlite(f"s{SEED}-n{size}-{digest}", size)
        stores["growth"][str(size)] = url
        run = f"store built {figures['measured_at'][:10]}" if cached else "this run"
        points.append(
            Point(SEEDING_CURVE, size, round(figures["seconds"] / size * 1e6, 2), "µs/citizen", run)
        )
        if "cpu_seconds" in figures:  # stores built before it was measured lack it
            value = round(figures["cpu_seconds"] / size * 1e6, 2)
            points.append(Point(SEEDING_CPU_CURVE, size, value, "µs/citizen", run))
        if size == citizens:
            stores["sqlite"] = url
            rows.append(_row("sqlite", figures, cached))
    if not args.no_postgres:
        url, figures, cached = _postgres(f"s{SEED}-n{citizens}-{digest}", citizens, args.postgres)
        stores["postgres"] = url
        rows.append(_row("postgresql", figures, cached))
    (VAR / "stores.json").write_text(json.dumps(stores))
    write_rows(args.out, rows)
    write_points(args.out, points)


if __name__ == "__main__":
    main()
