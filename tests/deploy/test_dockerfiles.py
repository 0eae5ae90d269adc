"""deploy/docker: the Dockerfiles lint clean (hadolint) and follow the build the images rely on; the
health probe and the entrypoint the images ship work, run here against real servers."""

from __future__ import annotations

import http.server
import importlib.util
import os
import subprocess
import threading
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from types import ModuleType

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from tests.deploy.tooling import DEPLOY, ROOT, find_tool
from tests.fixtures.services import free_port

DOCKER = DEPLOY / "docker"
IMAGES = {"lookup": "onceonly-lookup", "gateway": "onceonly-gateway", "tracker": "onceonly-tracker"}


def load_healthcheck() -> ModuleType:
    spec = importlib.util.spec_from_file_location("onceonly_healthcheck", DOCKER / "healthcheck.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_hadolint_finds_nothing() -> None:
    hadolint = find_tool("hadolint", install_hint="uv sync")
    dockerfiles = sorted(DOCKER.glob("*.Dockerfile"))
    assert [f.stem for f in dockerfiles] == sorted(IMAGES)
    result = subprocess.run([hadolint, *map(str, dockerfiles)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("image", "member"), IMAGES.items())
def test_dockerfile_builds_with_uv_and_runs_unprivileged(image: str, member: str) -> None:
    text = (DOCKER / f"{image}.Dockerfile").read_text()
    assert f"uv sync --frozen --no-install-workspace --no-dev --package {member}" in text
    assert f"uv sync --locked --no-dev --no-editable --package {member}" in text
    assert "FROM ${PYTHON_IMAGE} AS builder" in text
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in text
    # The final stage gets the virtualenv only: no uv, no compiler, no sources.
    final = text.split("\nFROM ", 2)[2]
    for forbidden in ("uv ", "apt-get", "COPY . ."):
        assert forbidden not in final
    assert "USER 10001:10001" in final
    assert "HEALTHCHECK" in final
    assert f'ENTRYPOINT ["onceonly-entrypoint", "{member}"]' in final


@pytest.mark.parametrize("image", IMAGES)
def test_build_context_holds_every_member_manifest_and_its_own_sources(image: str) -> None:
    ignore = (DOCKER / f"{image}.Dockerfile.dockerignore").read_text().splitlines()
    assert ignore[ignore.index("*") :][:4] == ["*", "!uv.lock", "!pyproject.toml", "!README.md"]
    assert "!libs/*/pyproject.toml" in ignore
    assert "!services/*/pyproject.toml" in ignore
    for included in (line[1:] for line in ignore if line.startswith("!") and "*" not in line):
        assert (ROOT / included).exists(), included


class _Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/healthz" else 503)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_healthcheck_http(http_server: str) -> None:
    probe = load_healthcheck()
    assert probe.main(["onceonly-healthcheck", f"{http_server}/healthz"]) == 0
    assert probe.main(["onceonly-healthcheck", f"{http_server}/readyz"]) == 1
    assert probe.main(["onceonly-healthcheck", f"http://127.0.0.1:{free_port()}/healthz"]) == 1
    assert probe.main(["onceonly-healthcheck"]) == 2


def test_healthcheck_grpc_follows_the_health_service() -> None:
    probe = load_healthcheck()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        servicer.set("", health_pb2.HealthCheckResponse.SERVING)
        assert probe.main(["onceonly-healthcheck", f"grpc://127.0.0.1:{port}"]) == 0
        servicer.set("", health_pb2.HealthCheckResponse.NOT_SERVING)
        assert probe.main(["onceonly-healthcheck", f"grpc://127.0.0.1:{port}"]) == 1
    finally:
        server.stop(None)
    assert probe.main(["onceonly-healthcheck", f"grpc://127.0.0.1:{port}"]) == 1


def test_entrypoint_turns_file_variables_into_values(tmp_path: Path) -> None:
    secret = tmp_path / "key"
    secret.write_text("s3cret value")
    env = {"PATH": os.environ["PATH"], "ONCEONLY_PSEUDONYM_KEY_FILE": str(secret)}
    result = subprocess.run(
        [
            "sh",
            str(DOCKER / "entrypoint.sh"),
            "sh",
            "-c",
            'echo "$ONCEONLY_PSEUDONYM_KEY|${ONCEONLY_PSEUDONYM_KEY_FILE-unset}"',
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "s3cret value|unset\n"

    env["ONCEONLY_PSEUDONYM_KEY_FILE"] = str(tmp_path / "missing")
    result = subprocess.run(
        ["sh", str(DOCKER / "entrypoint.sh"), "true"], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 1
    assert "ONCEONLY_PSEUDONYM_KEY_FILE" in result.stderr
