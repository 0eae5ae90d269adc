"""Scenario 2, lookup service: ``GetCitizen`` over gRPC with ghz, on SQLite and on PostgreSQL.

Random existing ids with the read mask of a typical procedure, 32 concurrent calls. Baseline in the same
run and on the same server: the trivial unary health ``Check``. Runs are interleaved. Beside the rates,
the server's CPU time per call (all its processes, user + system, over a run): on a shared machine it
moves much less with the load than the rates do.

Growth: ``GetCitizen`` again on the SQLite store of each growth size the seeding scenario built (10⁵ and
10⁶ citizens, 10⁷ with ``BENCH_LARGE=1``), with 20,000 ids spread over each store, as growth points:
the server's CPU per call and the p99 at each size. The store the stack serves is measured on the
stack's server; every other size on a lookup server this scenario starts (as ``bench/stack.py`` starts
it, same process count) and stops.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import statistics
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bench.harness import (
    ROOT,
    VAR,
    Point,
    Row,
    Run,
    cpu_seconds,
    ghz,
    median_run,
    ratio,
    scenario_args,
    spread,
    stack,
    write_points,
    write_rows,
)
from onceonly.common.db import make_engine
from onceonly.lookup.catalog import PROCEDURES
from onceonly.lookup.store import LookupStore

CONCURRENCY = 32
# Several connections, as several gateway processes would open: SO_REUSEPORT spreads connections, not
# calls, over the lookup's processes.
CONNECTIONS = 4
GET_CITIZEN = "onceonly.population.v1.PopulationRegistry.GetCitizen"
CHECK = "grpc.health.v1.Health.Check"
# Apart from bench/stack.py's ports (50551, 50552).
GROWTH_PORT = 50561
# More ids than the rows' 5,000, spread over the whole store, so a bigger store is read more widely.
GROWTH_IDS = 20_000
CPU_CURVE = "lookup GetCitizen (SQLite): server CPU per call"
P99_CURVE = "lookup GetCitizen (SQLite): p99 latency"


def _ghz_data(store_url: str, size: int, procedure: str) -> Path:
    """ghz's data file: ``GROWTH_IDS`` existing ids of the store, with the procedure's read mask."""
    engine = make_engine(store_url)
    ids = LookupStore(engine).sample_personal_ids(GROWTH_IDS)
    engine.dispose()
    fields = list(next(p for p in PROCEDURES if p.code == procedure).population_fields)
    path = VAR / f"ghz-get-citizen-growth-{size}.json"
    path.write_text(json.dumps([{"personal_id": pid, "read_mask": {"paths": fields}} for pid in ids]))
    return path


@contextlib.contextmanager
def _lookup_server(store_url: str, processes: int) -> Iterator[int]:
    """A lookup server on ``store_url``, started like bench/stack.py starts it; yields its pid."""
    log = (VAR / "log" / "lookup-growth.log").open("w")
    command = ["uv", "run", "--locked", "onceonly-lookup", "serve", "--database-url", store_url]
    process = subprocess.Popen(
        [*command, "--port", str(GROWTH_PORT)],
        cwd=ROOT,
        env={
            **os.environ,
            "ONCEONLY_DEV_MODE": "true",
            "ONCEONLY_LOG_LEVEL": "WARNING",
            "ONCEONLY_LOOKUP_PROCESSES": str(processes),
            "PYTHONPATH": str(ROOT),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_ready(f"127.0.0.1:{GROWTH_PORT}", process)
        yield process.pid
    finally:
        _stop_group(process)
        log.close()


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stops the server's process group, fork workers included, before the next size takes the port
    (a worker left behind would share it through SO_REUSEPORT)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        process.poll()  # reaps the group leader, so the group can vanish
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _wait_ready(target: str, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit(
                    f"lookup on the growth store exited: see {VAR / 'log' / 'lookup-growth.log'}"
                )
            try:
                stub.Check(health_pb2.HealthCheckRequest(), timeout=2)
                return
            except grpc.RpcError:
                time.sleep(0.3)
    raise SystemExit(f"lookup on the growth store not ready after {timeout} s")


def _measure(target: str, pid: int, data: Path, protoset: Path, seconds: float, repeats: int) -> list[Run]:
    runs = []
    for _ in range(repeats):
        before = cpu_seconds(pid)
        run = ghz(
            target,
            GET_CITIZEN,
            protoset=protoset,
            data_file=data,
            concurrency=CONCURRENCY,
            connections=CONNECTIONS,
            seconds=seconds,
        )
        run.extra["cpu_us_per_call"] = (cpu_seconds(pid) - before) / max(run.requests, 1) * 1e6
        runs.append(run)
    return runs


def _growth(info: dict[str, Any], seconds: float, repeats: int) -> list[Point]:
    """GetCitizen at each growth size: one point per curve and size."""
    seeded = json.loads((VAR / "stores.json").read_text())
    # bench/stack.py serves stores.json's "sqlite" store: that size is measured on the stack's server.
    served: str = seeded["sqlite"]
    stores: dict[str, str] = seeded.get("growth", {})
    protoset = Path(info["protoset"])
    points = []
    for size, url in sorted(stores.items(), key=lambda item: int(item[0])):
        data = _ghz_data(url, int(size), info["lookup_procedure"])
        with contextlib.ExitStack() as stack_:
            if url == served:
                pid, target = info["pids"]["lookup_sqlite"], f"127.0.0.1:{info['ports']['lookup_sqlite']}"
            else:
                pid = stack_.enter_context(_lookup_server(url, info["lookup_processes"]))
                target = f"127.0.0.1:{GROWTH_PORT}"
            runs = _measure(target, pid, data, protoset, seconds, repeats)
        errors = sum(r.errors for r in runs)
        # At most the calls in flight when ghz stops may fail (ghz closes their connections; with the
        # grpc.aio server they end UNAVAILABLE, not CANCELLED); more means the size did not serve.
        if errors > CONCURRENCY * len(runs):
            print(f"growth {size}: {errors} failed calls; its points are left out", flush=True)
            continue
        median = median_run(runs)
        cpu = statistics.median(r.extra["cpu_us_per_call"] for r in runs)
        n = int(size)
        points += [
            Point(CPU_CURVE, n, round(cpu, 1), "µs/call"),
            Point(P99_CURVE, n, round(median.p99_ms, 2), "ms"),
        ]
        print(f"growth {n:,} citizens: {cpu:.0f} µs/call, p99 {median.p99_ms:.2f} ms", flush=True)
    return points


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
    write_points(args.out, _growth(info, seconds, repeats))


if __name__ == "__main__":
    main()
