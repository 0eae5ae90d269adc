"""A seeded lookup store and a running lookup server, shared by the lookup tests."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from onceonly.common.db import make_engine
from onceonly.lookup.seeder import seed_store
from onceonly.lookup.server import LookupServer, build_server
from onceonly.lookup.settings import LookupSettings
from onceonly.lookup.store import LookupStore
from tests.fixtures.services import free_port

CITIZENS = 200
SEED = 20250701


@pytest.fixture(scope="session")
def seeded_sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('lookup') / 'lookup.db'}"
    seed_store(make_engine(url), citizens=CITIZENS, seed=SEED, processes=1)
    return url


@pytest.fixture(scope="session")
def seeded_store(seeded_sqlite_url: str) -> LookupStore:
    return LookupStore(make_engine(seeded_sqlite_url))


def wait_until_serving(address: str, timeout: float = 60.0) -> None:
    # Generous: on a loaded machine importing the service alone takes seconds. A fresh channel per
    # try, so a refused connection's reconnect backoff (seconds, growing) never delays the first call.
    deadline = time.monotonic() + timeout
    while True:
        with grpc.insecure_channel(address) as channel:
            try:
                status = (
                    health_pb2_grpc.HealthStub(channel)
                    .Check(health_pb2.HealthCheckRequest(), timeout=1)
                    .status
                )
                if status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"lookup on {address} did not start")
        time.sleep(0.1)


def start_server(database_url: str, **env: str) -> tuple[subprocess.Popen[bytes], str]:
    """``onceonly-lookup serve`` as a real process on a free port."""
    port = free_port()
    environment = {
        **os.environ,
        "ONCEONLY_LOOKUP_DATABASE_URL": database_url,
        "ONCEONLY_LOOKUP_PORT": str(port),
        **env,
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "onceonly-lookup"), "serve"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    address = f"127.0.0.1:{port}"
    wait_until_serving(address)
    return process, address


@contextlib.contextmanager
def running_server(settings: LookupSettings, store: LookupStore) -> Iterator[LookupServer]:
    """``build_server`` in this process, on an event loop of its own thread (the server is asyncio)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="lookup-test-loop", daemon=True)
    thread.start()
    try:
        server = asyncio.run_coroutine_threadsafe(build_server(settings, store), loop).result(30)
        try:
            yield server
        finally:
            asyncio.run_coroutine_threadsafe(server.stop(0), loop).result(30)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()


@pytest.fixture(scope="session")
def lookup_address(seeded_sqlite_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    process, address = start_server(seeded_sqlite_url)
    yield address
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="session")
def channel(lookup_address: str) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(lookup_address) as channel:
        yield channel


@pytest.fixture(scope="session")
def known_ids(seeded_store: LookupStore) -> list[str]:
    return seeded_store.sample_personal_ids(20)


def grpcurl_path() -> Path | None:
    from shutil import which

    found = which("grpcurl")
    local = Path(__file__).resolve().parents[2] / ".tools" / "bin" / "grpcurl"
    return Path(found) if found else (local if local.exists() else None)
