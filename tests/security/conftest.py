"""Security fixtures: the real lookup (shared with the gateway tests' helpers) and real gateway processes.

``GatewayProcess`` runs ``onceonly-gateway serve`` as a subprocess on a free loopback port with its
log captured to a file, so tests can drive it over real sockets (HTTPS, slow clients, several
workers) and read what it logged. Its data requests name a dossier the agency opened first
(``GatewayProcess.open``), as in the gateway tests (``tests.gateway.conftest.Gateway.open``).
"""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.fixtures.services import free_port
from tests.gateway.conftest import LookupServer, auth, lookup_server

__all__ = ["GatewayProcess", "LookupServer", "cli", "gateway_process", "lookup_server"]


def cli(name: str) -> list[str]:
    """The console script of ``name`` (``onceonly-gateway`` …) in this environment."""
    exe = shutil.which(name, path=str(Path(sys.executable).parent))
    module = {"onceonly-gateway": "onceonly.gateway.cli", "onceonly-lookup": "onceonly.lookup.cli"}
    return [exe] if exe else [sys.executable, "-m", module[name]]


@dataclass
class GatewayProcess:
    """``onceonly-gateway serve`` in a subprocess; ``run`` calls its other commands on the same store."""

    env: dict[str, str]
    port: int
    log_path: Path
    scheme: str = "http"
    verify: ssl.SSLContext | bool = True
    process: subprocess.Popen[bytes] | None = None
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*cli("onceonly-gateway"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=check,
        )

    def add_agency(self, code: str, scopes: str, province: str = "Hà Nội") -> str:
        done = self.run(
            "agency", "add", "--code", code, "--name", f"Agency {code}", "--province", province,
            "--scopes", scopes,
        )  # fmt: skip
        key = done.stdout.strip()
        self.keys[code] = key
        return key

    def open(
        self, client: httpx.Client, key: str, applicant: str, *, dossier: str, procedure: str
    ) -> dict[str, str]:
        """Open ``dossier`` (its intake, over ``client``); returns the headers of its data requests."""
        r = client.post(
            f"/v1/dossiers/{dossier}/intake",
            json={"procedure_code": procedure, "applicant_personal_id": applicant},
            headers=auth(key),
        )
        assert r.status_code in (200, 201), r.text
        return auth(key, dossier=dossier, procedure=procedure)

    def client(self, **kwargs: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, verify=self.verify, timeout=10, **kwargs)  # type: ignore[arg-type]

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [*cli("onceonly-gateway"), "serve"], env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 120
        while True:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gateway did not start: {self.log_path.read_text()[-3000:]}")
            try:
                with self.client() as client:
                    if client.get("/healthz").status_code == 200:
                        return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None


def gateway_env(tmp: Path, lookup: LookupServer, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "ONCEONLY_GATEWAY_DATABASE_URL": f"sqlite:///{tmp / 'gateway.db'}",
        "ONCEONLY_GATEWAY_HOST": "127.0.0.1",
        "ONCEONLY_GATEWAY_LOOKUP_TARGET": lookup.target,
        "ONCEONLY_GATEWAY_RELAY_ENABLED": "false",
        "ONCEONLY_GATEWAY_RATE_LIMIT_PER_AGENCY": "100000",
        **extra,
    }


@pytest.fixture
def gateway_process(tmp_path: Path, lookup_server: LookupServer) -> Iterator[GatewayProcess]:
    """A gateway process on SQLite, one worker, talking to the shared lookup; not started yet."""
    port = free_port()
    env = gateway_env(tmp_path, lookup_server, ONCEONLY_GATEWAY_PORT=str(port))
    gateway = GatewayProcess(env=env, port=port, log_path=tmp_path / "gateway.log")
    yield gateway
    gateway.stop()
