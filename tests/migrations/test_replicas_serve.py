"""Two processes of each service started at the same moment on one fresh PostgreSQL database both
come up and serve, as a Deployment of two replicas does (before migrations, one of two trackers died
in ``create_all`` with a UniqueViolation)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from onceonly.common import migrations
from onceonly.common.db import make_engine
from tests.fixtures.services import free_port, port_open
from tests.fixtures.stack import cli
from tests.migrations.stores import STORES

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

# Generous: on a loaded 2-core machine a service's imports alone can take tens of seconds.
START_TIMEOUT = 180.0


def _http_up(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


def _command(service: str, port: int) -> list[str]:
    if service == "gateway":
        return [*cli("gateway"), "serve", "--port", str(port), "--no-relay"]
    if service == "tracker":
        return [*cli("tracker"), "serve", "--port", str(port), "--no-consumer"]
    return [*cli("lookup"), "serve", "--port", str(port)]


@pytest.mark.parametrize("service", ["lookup", "gateway", "tracker"])
def test_two_replicas_started_at_once_both_serve(service: str, postgres_url: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ONCEONLY_DEV_MODE": "true",
        f"ONCEONLY_{service.upper()}_DATABASE_URL": postgres_url,
        # Nothing is looked up or consumed here: the gateway's lookup target is never called.
        "ONCEONLY_GATEWAY_LOOKUP_TARGET": f"127.0.0.1:{free_port()}",
    }
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"{service}-{i}.log" for i in range(2)]
    processes = []
    for port, log in zip(ports, logs, strict=True):
        with log.open("wb") as out:
            processes.append(
                subprocess.Popen(_command(service, port), env=env, stdout=out, stderr=subprocess.STDOUT)
            )
    try:
        up = [False, False]
        deadline = time.monotonic() + START_TIMEOUT
        while not all(up) and time.monotonic() < deadline:
            for i, (port, process) in enumerate(zip(ports, processes, strict=True)):
                assert process.poll() is None, f"replica {i} died:\n{logs[i].read_text()}"
                up[i] = up[i] or (
                    port_open("127.0.0.1", port, 0.2) if service == "lookup" else _http_up(port)
                )
            time.sleep(0.2)
        assert all(up), "\n".join(f"--- replica {i}\n{log.read_text()}" for i, log in enumerate(logs))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    store = STORES[service]
    engine = make_engine(postgres_url)
    try:
        assert migrations.current(engine, store) == migrations.head(store)
        assert migrations.compare(engine, store) == []
    finally:
        engine.dispose()
    # One replica migrated the store; the other found it at the head.
    assert sum(log.read_text().count("store migrated") for log in logs) == 1
