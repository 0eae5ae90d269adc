"""Starts and stops the services the scenarios measure, on the seeded stores under var/bench/.

    python bench/stack.py up [--workers N] [--quick] [--relay process|inprocess]
    python bench/stack.py down

``up`` takes the seeded stores from ``var/bench/stores.json`` (written by the seeding scenario),
prepares the inputs (personal ids, dossier applicants, agencies and their keys), starts lookup on
SQLite and on PostgreSQL, the gateway and its outbox relay, the tracker and the two baseline apps,
each in its own process group on its own port, waits until each answers, opens the load agency's
dossiers through the gateway's API (as an intake would), and writes ``var/bench/stack.json``.
Everything goes through the packages' public functions and the services' APIs, never their
tables. ``down`` stops exactly the process groups ``up`` recorded there.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import grpc
import httpx
from google.protobuf.descriptor import FileDescriptor
from google.protobuf.descriptor_pb2 import FileDescriptorSet
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bench.harness import ROOT, STACK_FILE, VAR
from onceonly.client import AsyncGatewayClient, Intake
from onceonly.common.db import make_engine
from onceonly.common.kafka import ensure_topics
from onceonly.common.settings import KafkaSettings
from onceonly.gateway.agencies import Scope, add_agency
from onceonly.gateway.store import create_store
from onceonly.lookup.catalog import PROCEDURES
from onceonly.lookup.store import LookupStore
from onceonly.population.v1 import population_pb2

PORTS = {
    "lookup_sqlite": 50551,
    "lookup_postgres": 50552,
    "gateway": 8580,
    "hop": 8581,
    "db": 8582,
    "tracker": 8590,
}
# Bench events go to their own topic and consumer group, apart from the dev stack's and the tests'.
TOPIC = "onceonly.bench.dossier-events.v1"
TOPIC_PARTITIONS = 6
LOOKUP_PROCEDURE = "1.004873"
DOSSIER_PROCEDURE = "1.003010"
# The two results a 1.003010 dossier can reuse: a land-use right certificate, and a marriage or
# marital-status paper.
REUSABLE_RESULTS = (("land_use_right_certificate",), ("marriage_certificate", "marital_status_confirmation"))
DOSSIER_PREFIX = "BENCH-LOAD-D"
# Intakes in flight while the load agency's dossiers are opened.
INTAKE_CONCURRENCY = 32


def _inputs(sqlite_store: str, count: int) -> dict[str, Any]:
    """Random existing ids (and ghz's data file) and applicants with two reusable results."""
    engine = make_engine(sqlite_store)
    store = LookupStore(engine)
    ids = store.sample_personal_ids(count)
    random.Random(7).shuffle(ids)
    reusable = store.owners_holding(*REUSABLE_RESULTS, limit=5000)
    engine.dispose()
    fields = next(p for p in PROCEDURES if p.code == LOOKUP_PROCEDURE).population_fields
    (VAR / "ids.txt").write_text("\n".join(ids) + "\n")
    (VAR / "ghz-get-citizen.json").write_text(
        json.dumps([{"personal_id": pid, "read_mask": {"paths": list(fields)}} for pid in ids[:5000]])
    )
    (VAR / "applicants.txt").write_text("".join(f"{a}\t{r1}\t{r2}\n" for a, r1, r2 in reusable))
    return {
        "ids": str(VAR / "ids.txt"),
        "ghz_get_citizen": str(VAR / "ghz-get-citizen.json"),
        "applicants": str(VAR / "applicants.txt"),
        "applicant_count": len(reusable),
    }


def _protoset(path: Path) -> None:
    """The lookup's and health's descriptors for ghz (v0.93's reflection client cannot resolve them)."""
    files = FileDescriptorSet()
    seen: set[str] = set()

    def add(descriptor: FileDescriptor) -> None:
        if descriptor.name in seen:
            return
        seen.add(descriptor.name)
        for dependency in descriptor.dependencies:
            add(dependency)
        descriptor.CopyToProto(files.file.add())

    add(population_pb2.DESCRIPTOR)
    add(health_pb2.DESCRIPTOR)
    path.write_bytes(files.SerializeToString())


def _agencies(gateway_url: str) -> dict[str, str]:
    engine = make_engine(gateway_url)
    create_store(engine)
    keys = {}
    for code in ("BENCH-LOAD", "BENCH-PROBE"):
        _, keys[code] = add_agency(
            engine, code=code, name=f"Benchmark {code}", province="Bình Dương", scopes=list(Scope)
        )
    engine.dispose()
    return keys


async def _open_dossiers(gateway: str, key: str, ids: list[str]) -> str:
    """Open the load agency's dossiers through ``POST /v1/dossiers/{id}/intake``, one per personal
    id (the id of line n is the applicant of ``<prefix>n``), as its intake would: a data request must
    name a dossier of its agency, opened for its procedure, whose applicant is the subject. Returns
    the id prefix."""
    todo = iter(enumerate(ids, start=1))
    async with AsyncGatewayClient(base_url=gateway, api_key=key, retries=8, timeout=30.0) as client:

        async def intake() -> None:
            # One shared iterator: each worker takes the next id when its previous intake is answered.
            for n, pid in todo:
                opening = Intake(procedure_code=LOOKUP_PROCEDURE, applicant_personal_id=pid)
                await client.open_dossier(f"{DOSSIER_PREFIX}{n}", opening)

        await asyncio.gather(*(intake() for _ in range(INTAKE_CONCURRENCY)))
    return DOSSIER_PREFIX


def _topic(bootstrap: str) -> None:
    ensure_topics(KafkaSettings(bootstrap_servers=bootstrap), {TOPIC: TOPIC_PARTITIONS})


def _start(name: str, command: list[str], env: dict[str, str]) -> int:
    log = (VAR / "log" / f"{name}.log").open("w")
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        # Development mode: the bench runs with the development key and plaintext channels.
        env={**os.environ, "ONCEONLY_DEV_MODE": "true", **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return process.pid


def _wait_http(url: str, pid: int, name: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        _alive(pid, name)
        time.sleep(0.3)
    raise SystemExit(f"{name} not ready after {timeout} s; see var/bench/log/{name}.log")


def _wait_grpc(target: str, pid: int, name: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            try:
                stub.Check(health_pb2.HealthCheckRequest(), timeout=2)
                return
            except grpc.RpcError:
                _alive(pid, name)
                time.sleep(0.3)
    raise SystemExit(f"{name} not ready after {timeout} s; see var/bench/log/{name}.log")


def _alive(pid: int, name: str) -> None:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        tail = (VAR / "log" / f"{name}.log").read_text()[-3000:]
        raise SystemExit(f"{name} exited while starting:\n{tail}") from None


def up(
    sqlite_store: str,
    postgres_store: str | None,
    workers: int,
    lookup_processes: int,
    quick: bool,
    relay: str = "process",
) -> None:
    if STACK_FILE.exists():
        down()
    (VAR / "log").mkdir(parents=True, exist_ok=True)
    for stale in VAR.glob("gateway.db*"):
        stale.unlink()
    for stale in VAR.glob("tracker.db*"):
        stale.unlink()
    gateway_db = f"sqlite:///{VAR / 'gateway.db'}"
    tracker_db = f"sqlite:///{VAR / 'tracker.db'}"
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092")
    info: dict[str, Any] = {
        "ports": PORTS,
        "workers": workers,
        "lookup_processes": lookup_processes,
        "topic": TOPIC,
        "pids": {},
    }
    info.update(_inputs(sqlite_store, 20_000 if not quick else 5_000))
    info["keys"] = _agencies(gateway_db)
    _protoset(VAR / "lookup.protoset")
    info["protoset"] = str(VAR / "lookup.protoset")
    info["lookup_procedure"] = LOOKUP_PROCEDURE
    info["dossier_procedure"] = DOSSIER_PROCEDURE
    _topic(bootstrap)
    common = {
        # One log line per call costs more than the call itself at these rates; warnings still show.
        "ONCEONLY_LOG_LEVEL": "WARNING",
        "KAFKA_TOPIC": TOPIC,
        "PYTHONPATH": str(ROOT),
    }
    pids = info["pids"]
    uv = ["uv", "run", "--locked"]
    stores = {"lookup_sqlite": sqlite_store}
    if postgres_store:
        stores["lookup_postgres"] = postgres_store
    for name, url in stores.items():
        pids[name] = _start(
            name,
            [*uv, "onceonly-lookup", "serve", "--database-url", url, "--port", str(PORTS[name])],
            {**common, "ONCEONLY_LOOKUP_PROCESSES": str(lookup_processes)},
        )
    lookup_target = f"127.0.0.1:{PORTS['lookup_sqlite']}"
    gateway_env = {
        **common,
        "ONCEONLY_GATEWAY_DATABASE_URL": gateway_db,
        "ONCEONLY_GATEWAY_LOOKUP_TARGET": lookup_target,
        # The per-agency limit guards production from one runaway client; the load comes from one
        # agency here, so it would measure the limiter, not the path.
        "ONCEONLY_GATEWAY_RATE_LIMIT_PER_AGENCY": "1000000",
    }
    # As deployed: the outbox relay in a process of its own, so its CPU is counted apart from serving.
    serve = [*uv, "onceonly-gateway", "serve", "--port", str(PORTS["gateway"]), "--workers", str(workers)]
    info["relay"] = relay
    if relay == "process":
        pids["gateway"] = _start("gateway", [*serve, "--no-relay"], gateway_env)
        pids["relay"] = _start("relay", [*uv, "onceonly-gateway", "relay"], gateway_env)
    else:
        pids["gateway"] = _start("gateway", [*serve, "--relay"], gateway_env)
    pids["tracker"] = _start(
        "tracker",
        [*uv, "onceonly-tracker", "serve"],
        {
            **common,
            "ONCEONLY_TRACKER_DATABASE_URL": tracker_db,
            "ONCEONLY_TRACKER_PORT": str(PORTS["tracker"]),
            "ONCEONLY_TRACKER_CONSUMER_GROUP": f"onceonly-bench-{int(time.time())}",
        },
    )
    for name, module in (("hop", "bench.baselines.hop"), ("db", "bench.baselines.db")):
        server = ["uvicorn", "--factory", f"{module}:create_app", "--port", str(PORTS[name])]
        options = ["--workers", str(workers), "--no-access-log", "--log-level", "warning"]
        pids[name] = _start(
            name,
            [*uv, *server, *options],
            {**common, "BENCH_LOOKUP_TARGET": lookup_target, "BENCH_LOOKUP_DATABASE_URL": sqlite_store},
        )
    STACK_FILE.write_text(json.dumps(info, indent=2))
    for name in stores:
        _wait_grpc(f"127.0.0.1:{PORTS[name]}", pids[name], name)
    probes = {"gateway": "/readyz", "tracker": "/readyz", "hop": "/healthz", "db": "/healthz"}
    for name, path in probes.items():
        _wait_http(f"http://127.0.0.1:{PORTS[name]}{path}", pids[name], name)
    if "relay" in pids:
        _alive(pids["relay"], "relay")
    gateway = f"http://127.0.0.1:{PORTS['gateway']}"
    ids = [line for line in Path(info["ids"]).read_text().splitlines() if line]
    info["dossier_prefix"] = asyncio.run(_open_dossiers(gateway, info["keys"]["BENCH-LOAD"], ids))
    STACK_FILE.write_text(json.dumps(info, indent=2))
    print(f"bench stack up: {', '.join(f'{n}:{PORTS[n]}' if n in PORTS else n for n in pids)}", flush=True)


def down() -> None:
    if not STACK_FILE.exists():
        return
    pids: dict[str, int] = json.loads(STACK_FILE.read_text()).get("pids", {})
    for pid in pids.values():
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for pid in pids.values():
        while time.monotonic() < deadline:
            try:
                os.killpg(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
    STACK_FILE.unlink()
    print("bench stack down", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("up")
    start.add_argument("--workers", type=int, default=1)
    start.add_argument("--lookup-processes", type=int, default=1)
    start.add_argument("--quick", action="store_true")
    start.add_argument(
        "--relay",
        choices=("process", "inprocess"),
        default="process",
        help="the gateway's outbox relay as its own process (as deployed) or a thread of serve's",
    )
    sub.add_parser("down")
    args = parser.parse_args()
    if args.command == "up":
        stores = json.loads((VAR / "stores.json").read_text())
        up(
            stores["sqlite"],
            stores.get("postgres"),
            args.workers,
            args.lookup_processes,
            args.quick,
            args.relay,
        )
    else:
        down()


if __name__ == "__main__":
    main()
