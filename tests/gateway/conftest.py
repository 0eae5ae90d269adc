"""Gateway fixtures: a real lookup service over a small seeded store, and gateways on real stores.

The lookup runs as a subprocess (``onceonly-lookup serve``) on a free port, seeded once per session.
Each gateway test gets its own store (``db_url``: SQLite and PostgreSQL, or ``sqlite_url``) and its
own agencies; the relay is off unless a test starts one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from onceonly.common.db import make_engine
from onceonly.gateway.agencies import Scope, add_agency
from onceonly.gateway.app import build_runtime, create_app
from onceonly.gateway.settings import GatewaySettings
from tests.fixtures.services import free_port, port_open

SEED_CITIZENS = 300
# Dossier ids begin with their agency's code; most tests' agency is HN-01.
DOSSIER = "HN-01-250801-000001"
SEED = 20250701
ALL_SCOPES = list(Scope)


def _lookup_cli() -> list[str]:
    exe = shutil.which("onceonly-lookup", path=str(Path(sys.executable).parent))
    return [exe] if exe else [sys.executable, "-m", "onceonly.lookup.cli"]


@dataclass
class LookupServer:
    """A running lookup subprocess; ``stop``/``start`` simulate an outage on the same port."""

    env: dict[str, str]
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    citizens: list[str] = field(default_factory=list)

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [*_lookup_cli(), "serve"], env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while not port_open("127.0.0.1", self.port, timeout=0.2):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"lookup did not start: {self.log_path.read_text()[-2000:]}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


@pytest.fixture(scope="session")
def lookup_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LookupServer]:
    root = tmp_path_factory.mktemp("lookup")
    port = free_port()
    env = {
        **os.environ,
        "ONCEONLY_LOOKUP_DATABASE_URL": f"sqlite:///{root / 'lookup.db'}",
        "ONCEONLY_LOOKUP_PORT": str(port),
        "ONCEONLY_LOOKUP_HOST": "127.0.0.1",
    }
    subprocess.run(
        [*_lookup_cli(), "seed", "--citizens", str(SEED_CITIZENS), "--seed", str(SEED)],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    sample = subprocess.run(
        [*_lookup_cli(), "sample", "--count", "50"], env=env, check=True, capture_output=True, text=True
    )
    server = LookupServer(env=env, port=port, log_path=root / "lookup.log")
    server.citizens = [line.split()[0] for line in sample.stdout.splitlines() if line.strip()]
    server.start()
    yield server
    server.stop()


@dataclass
class Gateway:
    """A gateway app on its own store, with a test client and helpers to register agencies."""

    client: TestClient
    engine: Engine
    settings: GatewaySettings

    def agency(self, code: str, *, province: str = "Hà Nội", scopes: list[Scope] | None = None) -> str:
        """Register an agency; returns its API key."""
        _, key = add_agency(
            self.engine, code=code, name=f"Agency {code}", province=province, scopes=scopes or ALL_SCOPES
        )
        return key

    def open(
        self, key: str, applicant: str, *, dossier: str = DOSSIER, procedure: str = "1.004873"
    ) -> dict[str, str]:
        """Open ``dossier`` for ``applicant`` (its intake); returns the headers of its data requests."""
        r = self.client.post(
            f"/v1/dossiers/{dossier}/intake",
            json={"procedure_code": procedure, "applicant_personal_id": applicant},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert r.status_code in (200, 201), r.text
        return auth(key, dossier=dossier, procedure=procedure)


def make_gateway(
    database_url: str, lookup_target: str, overrides: dict[str, Any] | None = None
) -> Iterator[Gateway]:
    settings = GatewaySettings(
        database_url=database_url, lookup_target=lookup_target, relay_enabled=False
    ).model_copy(update=overrides or {})
    engine = make_engine(database_url)
    app = create_app(settings, runtime=build_runtime(settings, engine))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Gateway(client=client, engine=engine, settings=settings)
    engine.dispose()


@pytest.fixture
def gateway(db_url: str, lookup_server: LookupServer) -> Iterator[Gateway]:
    """A gateway on SQLite and on PostgreSQL."""
    yield from make_gateway(db_url, lookup_server.target)


@pytest.fixture
def sqlite_gateway(sqlite_url: str, lookup_server: LookupServer) -> Iterator[Gateway]:
    """A gateway on SQLite only, for behaviour that does not depend on the store."""
    yield from make_gateway(sqlite_url, lookup_server.target)


def auth(key: str, *, dossier: str | None = DOSSIER, procedure: str | None = "1.004873") -> dict[str, str]:
    headers = {"Authorization": f"Bearer {key}"}
    if dossier is not None:
        headers["X-Dossier-Id"] = dossier
    if procedure is not None:
        headers["X-Procedure-Code"] = procedure
    return headers
