"""A real gateway for the client: the app from ``create_app`` served by uvicorn on a loopback port,
in front of the real lookup service the gateway tests run (tests/gateway/conftest.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from onceonly.common.db import make_engine
from onceonly.gateway.agencies import Scope, add_agency
from onceonly.gateway.app import build_runtime, create_app
from onceonly.gateway.settings import GatewaySettings
from tests.fixtures.services import free_port
from tests.gateway.conftest import LookupServer, lookup_server

__all__ = ["lookup_server"]


@dataclass(frozen=True)
class LiveGateway:
    base_url: str
    api_key: str
    citizens: list[str]


@pytest.fixture
def live_gateway(tmp_path: Path, lookup_server: LookupServer) -> Iterator[LiveGateway]:
    settings = GatewaySettings(
        database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        lookup_target=lookup_server.target,
        relay_enabled=False,
    )
    engine = make_engine(settings.database_url)
    app = create_app(settings, runtime=build_runtime(settings, engine))
    _, key = add_agency(engine, code="HN-01", name="Agency HN-01", province="Hà Nội", scopes=list(Scope))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "the gateway stopped while starting"
        assert time.monotonic() < deadline, "the gateway did not start"
        time.sleep(0.05)
    yield LiveGateway(base_url=f"http://127.0.0.1:{port}", api_key=key, citizens=lookup_server.citizens)
    server.should_exit = True
    thread.join(10)
    engine.dispose()
