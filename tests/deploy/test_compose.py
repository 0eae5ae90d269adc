"""deploy/compose.yaml: the real `docker compose config` accepts it, and it keeps its promises
(start order on health, hardened service containers, secrets as files, one database per service)."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from tests.deploy.tooling import DEPLOY, compose_command

APP_SERVICES = ("lookup", "gateway", "tracker", "seed", "gateway-migrate", "tracker-migrate")
SECRET_VARIABLES = {
    "ONCEONLY_PSEUDONYM_KEY": "test-pseudonym-key",
    "POSTGRES_PASSWORD": "test-postgres",
    "ONCEONLY_LOOKUP_DB_PASSWORD": "test-lookup",
    "ONCEONLY_GATEWAY_DB_PASSWORD": "test-gateway",
    "ONCEONLY_TRACKER_DB_PASSWORD": "test-tracker",
}


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    """The project as Compose resolves it (anchors merged, defaults filled in)."""
    result = subprocess.run(
        [*compose_command(), "-f", str(DEPLOY / "compose.yaml"), "config", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def test_compose_config_passes_quietly() -> None:
    result = subprocess.run(
        [*compose_command(), "-f", str(DEPLOY / "compose.yaml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_the_stack_has_every_part(config: dict[str, Any]) -> None:
    assert set(config["services"]) == {"kafka", "kafka-topics", "postgres", *APP_SERVICES}
    assert config["services"]["kafka"]["image"].startswith("apache/kafka:")
    assert config["services"]["postgres"]["image"].startswith("postgres:")
    for image in (config["services"]["kafka"]["image"], config["services"]["postgres"]["image"]):
        assert image.split(":")[1][0].isdigit(), f"{image} is not pinned to a version"


def test_kafka_is_a_single_kraft_node_with_replication_one(config: dict[str, Any]) -> None:
    env = config["services"]["kafka"]["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    for key in (
        "KAFKA_DEFAULT_REPLICATION_FACTOR",
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR",
    ):
        assert env[key] == "1", key


def test_services_start_in_order_once_what_they_need_is_healthy(config: dict[str, Any]) -> None:
    services = config["services"]
    needs = {name: services[name].get("depends_on", {}) for name in services}
    assert needs["gateway"]["lookup"]["condition"] == "service_healthy"
    assert needs["gateway"]["postgres"]["condition"] == "service_healthy"
    assert needs["gateway"]["kafka-topics"]["condition"] == "service_completed_successfully"
    assert needs["lookup"]["seed"]["condition"] == "service_completed_successfully"
    assert needs["kafka-topics"]["kafka"]["condition"] == "service_healthy"
    assert needs["tracker"]["kafka-topics"]["condition"] == "service_completed_successfully"
    # The schema migrations run once, as one-shots, before the services that use the store start.
    for name in ("gateway", "tracker"):
        assert needs[name][f"{name}-migrate"]["condition"] == "service_completed_successfully"
        assert services[f"{name}-migrate"]["command"] == ["migrate"]
        assert needs[f"{name}-migrate"]["postgres"]["condition"] == "service_healthy"
    for name in ("kafka", "postgres", "lookup", "gateway", "tracker"):
        assert services[name]["healthcheck"]["test"], name


def test_service_containers_are_read_only_with_tmpfs_and_no_capabilities(config: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        service = config["services"][name]
        assert service["read_only"] is True, name
        assert "/tmp" in service["tmpfs"], name
        assert service["cap_drop"] == ["ALL"], name
        assert "no-new-privileges:true" in service["security_opt"], name


def test_secrets_are_files_not_values(config: dict[str, Any]) -> None:
    # No secret value appears anywhere in the resolved project, only the names of the variables.
    rendered = json.dumps(config)
    for value in SECRET_VARIABLES.values():
        assert value not in rendered
    assert config["secrets"]["pseudonym_key"]["environment"] == "ONCEONLY_PSEUDONYM_KEY"
    gateway = config["services"]["gateway"]
    assert gateway["environment"]["ONCEONLY_PSEUDONYM_KEY_FILE"] == "/run/secrets/pseudonym_key"
    assert "ONCEONLY_PSEUDONYM_KEY" not in gateway["environment"]
    for name in APP_SERVICES:
        url = next(
            v for k, v in config["services"][name]["environment"].items() if k.endswith("DATABASE_URL")
        )
        assert url.startswith("postgresql://")
        # No password in the URL: libpq takes it from PGPASSWORD, set from the secret file.
        assert ":" not in url.split("@")[0].removeprefix("postgresql://")


def test_each_service_has_its_own_database(config: dict[str, Any]) -> None:
    urls = {
        name: value
        for name in ("lookup", "gateway", "tracker")
        for key, value in config["services"][name]["environment"].items()
        if key.endswith("DATABASE_URL")
    }
    databases = {url.rsplit("/", 1)[1] for url in urls.values()}
    assert databases == {"onceonly_lookup", "onceonly_gateway", "onceonly_tracker"}
    init = (DEPLOY / "docker" / "postgres" / "init-databases.sh").read_text()
    assert "for service in lookup gateway tracker" in init
