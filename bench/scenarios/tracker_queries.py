"""Scenario 6, queries: every ``/v1/indicators`` and breakdown shape over a national tracker store,
measured over HTTP with wrk against the real tracker app (``onceonly-tracker serve`` in its own process).

The store is written directly in bulk (``bench/tracker_data.py``): the cubes the queries read, from the
same dossier facts that the ingest scenario turns into events, plus the lookups of dossiers that never
arrived (for the stale-lookups report). Before that, a small store written the same way is compared
cell by cell with one fed the equivalent events through the ledger. Received dossiers get no per-dossier
row: no query reads them. The store is kept under var/bench between runs, keyed by size and version.

Size: 20,000,000 dossiers, the goal's (``--quick``: 1,000,000). The direct path draws counts per cube
cell, not per dossier (``bench/tracker_data.py``), which is what makes a national store buildable within
the bench budget; the store is then kept between runs.

Growth: every shape is also measured on a 2,000,000-dossier store, and with ``BENCH_LARGE=1`` on a
200,000,000-dossier one (about 15 minutes to draw); each shape family's worst p99 and CPU per request
(the tracker process's, user + system) at each size are written as growth points.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
from sqlalchemy import func, select

from bench.harness import (
    VAR,
    WRK_DIR,
    Point,
    Row,
    Run,
    cpu_seconds,
    load_average,
    write_points,
    write_rows,
    wrk,
)
from bench.tracker_data import VERSION, Model, check_consistency, write_direct
from onceonly.common.db import make_engine
from onceonly.tracker.store import CUBES

SEED = 6
GOAL_MS = 100.0


def build_store(dossiers: int) -> tuple[Path, str]:
    store = VAR / f"tracker-queries-v{VERSION}-{dossiers}.db"
    marker = store.with_suffix(".done")
    if store.exists() and marker.exists():
        return store, f"store reused ({marker.read_text().strip()})"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{store}", pool_size=1)
    started, cpu = time.perf_counter(), time.process_time()
    ghosts = write_direct(engine, Model(), dossiers, SEED)
    with engine.connect() as conn:
        cells = {
            c.table.name: conn.execute(select(func.count()).select_from(c.table)).scalar_one() for c in CUBES
        }
    engine.dispose()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    # The CPU time too: on a shared machine the wall time says as much about the neighbours.
    text = (
        f"built in {seconds:.0f} s ({cpu:.0f} s CPU) at load {load_average()}; {ghosts:,} ghost dossiers; "
        "cube rows " + ", ".join(f"{name.removeprefix('tracker_')} {n:,}" for name, n in cells.items())
    )
    marker.write_text(text + "\n")
    return store, text


def shapes(model: Model) -> dict[str, dict[str, str]]:
    agency, province = model.agencies[0]
    procedure = model.procedures[0]
    year = {"period": "2025"}
    return {
        "indicators, all time": {},
        "indicators, 2025-Q1": {"period": "2025-Q1"},
        "indicators, one province, 2025": {**year, "province": province},
        "indicators, one agency, 2025-03": {"period": "2025-03", "agency": agency},
        "indicators, top procedure, 2025": {**year, "procedure": procedure},
        "indicators, procedure + province + online": {
            **year,
            "procedure": procedure,
            "province": province,
            "channel": "online",
        },
        "breakdown by month, 2025": {**year, "by": "month"},
        "breakdown by quarter": {"by": "quarter"},
        "breakdown by year": {"by": "year"},
        "breakdown by province, 2025": {**year, "by": "province"},
        "breakdown by channel, one agency": {**year, "by": "channel", "agency": agency},
        "breakdown by jurisdiction, online": {**year, "by": "jurisdiction", "channel": "online"},
        "breakdown by agency (all ~1,000), 2025": {**year, "by": "agency"},
        "breakdown by procedure (all 400), 2025": {**year, "by": "procedure"},
        "breakdown by agency, one province": {**year, "by": "agency", "province": province},
        "breakdown by procedure, one province": {**year, "by": "procedure", "province": province},
        "breakdown by agency, top procedure": {**year, "by": "agency", "procedure": procedure},
        "breakdown by procedure, one agency, online": {
            **year,
            "by": "procedure",
            "agency": agency,
            "channel": "online",
        },
    }


def serve(store: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ONCEONLY_LOG_LEVEL": "WARNING"}
    # The tracker's own command, installed beside this interpreter.
    command = [
        str(Path(sys.executable).with_name("onceonly-tracker")),
        "serve",
        "--database-url",
        f"sqlite:///{store}",
        "--no-consumer",
        "--port",
        str(port),
    ]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 180  # a loaded machine takes most of a minute to import and migrate
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("tracker did not start")


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# The growth curves: shapes grouped by what their cost grows with.
FAMILIES = {
    "indicators": "indicators (totals)",
    "breakdown by month": "breakdown by period or small dimension",
    "breakdown by quarter": "breakdown by period or small dimension",
    "breakdown by year": "breakdown by period or small dimension",
    "breakdown by province": "breakdown by period or small dimension",
    "breakdown by channel": "breakdown by period or small dimension",
    "breakdown by jurisdiction": "breakdown by period or small dimension",
    "breakdown by agency": "breakdown by agency",
    "breakdown by procedure": "breakdown by procedure",
    "stale lookups": "stale lookups report",
    "dashboard filter values": "dashboard filter values",
}


def family(name: str) -> str:
    return next(f for prefix, f in FAMILIES.items() if name.startswith(prefix))


def urls(base: str) -> dict[str, str]:
    out = {
        name: f"{base}/v1/indicators{'/breakdown' if 'by' in q else ''}?{urlencode(q)}"
        for name, q in shapes(Model()).items()
    }
    out["stale lookups report"] = f"{base}/v1/lookups/stale?as_of=2026-01-31T00:00:00Z&days=7"
    out["dashboard filter values (/v1/dimensions)"] = f"{base}/v1/dimensions"
    return out


def measure(store: Path, seconds: float) -> dict[str, tuple[Run, float, int]]:
    """Each shape against a tracker serving ``store``: the wrk run, the tracker's CPU ms per request
    and the answer's size."""
    port = free_port()
    process = serve(store, port)
    out: dict[str, tuple[Run, float, int]] = {}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write('done = dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")\n')
    try:
        for name, url in urls(f"http://127.0.0.1:{port}").items():
            check = httpx.get(url, timeout=30)
            check.raise_for_status()
            cpu = cpu_seconds(process.pid)
            run = wrk(url, lua.name, connections=2, threads=1, seconds=seconds)
            cpu = cpu_seconds(process.pid) - cpu
            out[name] = (run, 1000 * cpu / max(1, run.requests), len(check.content))
    finally:
        Path(lua.name).unlink()
        process.terminate()
        process.wait(15)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--dossiers", type=int, help="Override the store size (development)")
    args = parser.parse_args()
    dossiers = args.dossiers or (1_000_000 if args.quick else 20_000_000)
    seconds = 2 if args.quick else 4
    sizes = [dossiers]
    if not args.quick and not args.dossiers:
        sizes = [2_000_000, dossiers] + ([200_000_000] if os.environ.get("BENCH_LARGE") == "1" else [])

    with tempfile.TemporaryDirectory() as tmp:
        a = make_engine(f"sqlite:///{tmp}/direct.db", pool_size=1)
        b = make_engine(f"sqlite:///{tmp}/events.db", pool_size=1)
        consistent = check_consistency(a, b)
        a.dispose()
        b.dispose()
    if not consistent:
        raise SystemExit("a store written directly differs from one fed the same dossiers' events")

    rows: list[Row] = []
    points: list[Point] = []
    for size in sizes:
        store, built = build_store(size)
        print(f"store {store.name}: {built}", flush=True)
        measured = measure(store, seconds if size == dossiers else 2)
        worst: dict[str, tuple[float, float]] = {}
        for name, (run, cpu_ms, size_bytes) in measured.items():
            print(
                f"{size:>11,} {name:<45} p99 {run.p99_ms:7.1f} ms  CPU {cpu_ms:6.2f} ms/request", flush=True
            )
            p99, cpu = worst.get(family(name), (0.0, 0.0))
            worst[family(name)] = (max(p99, run.p99_ms), max(cpu, cpu_ms))
            if size != dossiers:
                continue
            rows.append(
                Row.of_run(
                    run,
                    scenario=f"tracker query: {name}",
                    unit="req/s",
                    goal="p99 ≤ 100 ms",
                    met=run.p99_ms <= GOAL_MS and run.errors == 0,
                    notes=(
                        f"{dossiers:,} dossiers, cubes drawn per cell (SQLite, {built}); "
                        f"wrk 2 connections {seconds} s, "
                        f"{run.requests:,} requests, {run.errors} errors, {size_bytes:,} bytes; "
                        f"{cpu_ms:.1f} ms of tracker CPU per request; load average {run.load_before}"
                    ),
                )
            )
        for name, (p99, cpu) in worst.items():
            points.append(Point(f"query p99, {name} (ms)", size, round(p99, 2), "ms"))
            points.append(Point(f"query CPU per request, {name} (ms)", size, round(cpu, 2), "ms"))
    _ = WRK_DIR
    write_rows(Path(args.out), rows)
    write_points(Path(args.out), points)


if __name__ == "__main__":
    main()
