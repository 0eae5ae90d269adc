"""The start every command line shares: settings from the environment with the options laid over them,
validated as one; invalid settings end the command cleanly, naming what to fix; logging set from them."""

from __future__ import annotations

import importlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pydantic import Field
from pydantic_settings import SettingsConfigDict
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from onceonly.common.cli import bootstrap, load_settings
from onceonly.common.settings import KafkaSettings, ServiceSettings
from tests.fixtures.services import free_port


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ONCEONLY_EXAMPLE_", extra="ignore", populate_by_name=True)

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=1, ge=1)
    relay_enabled: bool = True


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("HOST", "PORT", "WORKERS", "RELAY_ENABLED"):
        monkeypatch.delenv(f"ONCEONLY_EXAMPLE_{name}", raising=False)
    for name in ("ONCEONLY_LOG_LEVEL", "ONCEONLY_LOG_JSON", "ONCEONLY_DEV_MODE", "KAFKA_SECURITY_PROTOCOL"):
        monkeypatch.delenv(name, raising=False)
    # bootstrap configures the root logger: give it back as it was.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_options_given_override_the_environment_and_options_left_out_do_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ONCEONLY_EXAMPLE_HOST", "0.0.0.0")
    monkeypatch.setenv("ONCEONLY_EXAMPLE_PORT", "9000")
    monkeypatch.setenv("ONCEONLY_EXAMPLE_RELAY_ENABLED", "true")
    settings = load_settings(Settings, "onceonly-example", host=None, port=9100, relay_enabled=False)
    assert (settings.host, settings.port, settings.relay_enabled) == ("0.0.0.0", 9100, False)
    assert load_settings(Settings, "onceonly-example").port == 9000


def test_an_option_is_converted_like_its_variable() -> None:
    assert load_settings(Settings, "onceonly-example", port="9100").port == 9100


def test_an_option_out_of_bounds_is_refused_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        load_settings(Settings, "onceonly-example", workers=0)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("onceonly-example: invalid settings:\n")
    assert "  - workers (command line): Input should be greater than or equal to 1" in err
    assert "Traceback" not in err


def test_every_invalid_variable_is_named_in_one_refusal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ONCEONLY_EXAMPLE_PORT", "eighty")
    monkeypatch.setenv("ONCEONLY_EXAMPLE_WORKERS", "0")
    monkeypatch.setenv("ONCEONLY_DEV_MODE", "perhaps")
    with pytest.raises(SystemExit) as exited:
        load_settings(Settings, "onceonly-example")
    assert exited.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "onceonly-example: invalid settings:"
    assert sorted(line.split(":")[0].strip(" -") for line in lines[1:]) == [
        "ONCEONLY_DEV_MODE",
        "ONCEONLY_EXAMPLE_PORT",
        "ONCEONLY_EXAMPLE_WORKERS",
    ]


def test_the_value_refused_is_not_echoed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Settings hold secrets: a refusal names the variable, never repeats what it holds.
    monkeypatch.setenv("ONCEONLY_EXAMPLE_PORT", "s3cr3t-value")
    with pytest.raises(SystemExit):
        load_settings(Settings, "onceonly-example")
    assert "s3cr3t-value" not in capsys.readouterr().err


def test_shared_settings_read_by_their_own_class_are_named_by_their_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KAFKA_SECURITY_PROTOCOL", "TLS")
    with pytest.raises(SystemExit):
        load_settings(Settings, "onceonly-example")
    assert "  - KAFKA_SECURITY_PROTOCOL: Input should be 'PLAINTEXT'" in capsys.readouterr().err


def test_any_settings_class_takes_its_overrides_the_same_way(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "broker-a:9092")
    given = load_settings(KafkaSettings, "onceonly-example", bootstrap_servers="broker-b:9093")
    assert given.bootstrap_servers == "broker-b:9093"
    assert load_settings(KafkaSettings, "onceonly-example", bootstrap_servers=None).bootstrap_servers == (
        "broker-a:9092"
    )


def test_bootstrap_configures_logging_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONCEONLY_LOG_LEVEL", "warning")
    settings = bootstrap(Settings, "onceonly-example", port=9100)
    assert settings.port == 9100
    root = logging.getLogger()
    assert root.level == logging.WARNING
    assert len(root.handlers) == 1


async def _pid(_: Request) -> PlainTextResponse:
    return PlainTextResponse(str(os.getpid()))


def app_factory() -> Starlette:
    """What the served workers below import."""
    return Starlette(routes=[Route("/", _pid)])


SERVE = """
import sys
from onceonly.common.cli import serve_http
from onceonly.common.logging import configure_logging

configure_logging(json_output=True)
serve_http("tests.common.test_cli:app_factory", factory=True, host="127.0.0.1", port=int(sys.argv[1]),
           workers=2)
"""


@pytest.mark.slow
def test_served_workers_log_through_the_services_pipeline_and_stop_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    root = Path(__file__).resolve().parents[2]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(port)], cwd=root, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert answer.status_code == 200
        assert int(answer.text) != process.pid  # a worker answered, not the supervisor
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
    assert code == 0, log.read_text()
    # uvicorn's own logging left alone (log_config=None): its records come out as the services' JSON.
    events = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert any("Uvicorn running" in e["event"] and e["logger"] == "uvicorn.error" for e in events), events


@pytest.mark.parametrize("service", ["gateway", "lookup", "tracker"])
def test_each_services_migrate_command_checks_then_moves_its_store(
    service: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one ``migrate`` every service's command line registers: ``--check`` fails while migrations are
    pending and changes nothing, ``migrate`` applies them, and a second ``--check`` passes."""
    from typer.testing import CliRunner

    cli = importlib.import_module(f"onceonly.{service}.cli")
    monkeypatch.setenv("ONCEONLY_DEV_MODE", "true")
    monkeypatch.setenv(f"ONCEONLY_{service.upper()}_DATABASE_URL", f"sqlite:///{tmp_path}/{service}.db")
    runner = CliRunner()

    pending = runner.invoke(cli.app, ["migrate", "--check"])
    assert pending.exit_code == 1, pending.output
    assert f"onceonly-{service} migrate" in pending.output

    applied = runner.invoke(cli.app, ["migrate"])
    assert applied.exit_code == 0, applied.output
    assert "migrated from no revision to" in applied.output

    current = runner.invoke(cli.app, ["migrate", "--check"])
    assert current.exit_code == 0, current.output
    assert "this release's newest schema" in current.output
