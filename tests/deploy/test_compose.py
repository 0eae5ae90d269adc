"""deploy/compose.yaml: the real `docker compose config` accepts it, and it keeps its promises
(start order on health, hardened service containers, secrets as files, one database per service)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from onceonly.gateway.checkpoints import Signer
from tests.deploy.tooling import DEPLOY, ROOT, compose_command

APP_SERVICES = ("lookup", "gateway", "gateway-relay", "tracker", "seed", "gateway-migrate", "tracker-migrate")
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


def test_the_outbox_relay_runs_apart_from_serving_with_the_store_and_kafka_only(
    config: dict[str, Any],
) -> None:
    services = config["services"]
    assert services["gateway"]["command"] == ["serve", "--no-relay"]
    relay = services["gateway-relay"]
    assert relay["command"] == ["relay"]
    assert relay["image"] == services["gateway"]["image"]
    env = relay["environment"]
    assert (
        env["ONCEONLY_GATEWAY_DATABASE_URL"]
        == services["gateway"]["environment"]["ONCEONLY_GATEWAY_DATABASE_URL"]
    )
    assert env["KAFKA_SASL_USERNAME"] == "gateway"
    assert _secret_names(relay) == {"gateway_db_password", "onceonly_ca", "kafka_gateway_password"}
    assert relay["depends_on"]["gateway-migrate"]["condition"] == "service_completed_successfully"


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


CHECKPOINTS = "onceonly.audit-checkpoints.v1"
# What the entrypoint leaves as paths (deploy/docker/entrypoint.sh); every other *_FILE becomes a value.
PATH_SETTINGS = ("_TLS_CERT", "_TLS_KEY", "_TLS_CLIENT_CA", "_LOOKUP_CA", "_LOOKUP_CLIENT_CERT",
                 "_LOOKUP_CLIENT_KEY", "_TARGETS", "_AUDIT_SIGNING_KEY", "_AUDIT_CHECKPOINT")  # fmt: skip


@pytest.fixture(scope="module")
def audit_config() -> dict[str, Any]:
    """The project with the on-demand `audit` profile too."""
    result = subprocess.run(
        [*compose_command(), "-f", str(DEPLOY / "compose.yaml"), "--profile", "audit", "config", "--format",
         "json"],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def _secret_names(service: dict[str, Any]) -> set[str]:
    return {s["source"] for s in service.get("secrets", [])}


def test_the_gateway_gets_its_signing_key_and_the_checkpoint_topic(config: dict[str, Any]) -> None:
    gateway = config["services"]["gateway"]
    env = gateway["environment"]
    assert env["ONCEONLY_GATEWAY_AUDIT_SIGNING_KEY_FILE"] == "/run/secrets/audit_signing_key"
    assert env["ONCEONLY_GATEWAY_AUDIT_CHECKPOINT_TOPIC"] == CHECKPOINTS
    assert "audit_signing_key" in _secret_names(gateway)
    assert config["secrets"]["audit_signing_key"]["file"].endswith("/certs/audit-signing.pem")
    # The private key reaches the gateway alone.
    for name, service in config["services"].items():
        assert ("audit_signing_key" in _secret_names(service)) == (name == "gateway"), name


def test_the_checkpoint_topic_is_compacted_with_acls_for_the_gateway_and_the_auditor(
    config: dict[str, Any],
) -> None:
    # As the shell runs it: Compose keeps "$$" (its escape) in the resolved file.
    script = "\n".join(config["services"]["kafka-topics"]["command"]).replace("$$", "$")
    assert f"checkpoints={CHECKPOINTS}" in script
    assert (
        '--topic "$checkpoints" --partitions 1 --replication-factor 1 --config cleanup.policy=compact'
        in script
    )
    assert 'acl gateway --operation Write --operation Describe --topic "$checkpoints"' in script
    assert 'acl auditor --operation Read --operation Describe --topic "$checkpoints"' in script
    # The auditor gets nothing else.
    assert [line.strip() for line in script.splitlines() if line.strip().startswith("acl auditor")] == [
        'acl auditor --operation Read --operation Describe --topic "$checkpoints"'
    ]
    assert "for user in gateway tracker auditor" in script


def test_the_auditor_verifies_from_the_topic_with_the_public_key_only(audit_config: dict[str, Any]) -> None:
    auditor = audit_config["services"]["audit-verify"]
    assert auditor["profiles"] == ["audit"]
    command = auditor["command"]
    assert command[:2] == ["audit", "verify"]
    assert command[command.index("--checkpoint-topic") + 1] == CHECKPOINTS
    assert command[command.index("--public-key") + 1] == "/run/secrets/audit_public_key"
    assert audit_config["secrets"]["audit_public_key"]["file"].endswith("/certs/audit-signing.pub.pem")
    assert auditor["environment"]["KAFKA_SASL_USERNAME"] == "auditor"
    assert "audit_signing_key" not in _secret_names(auditor)
    assert not any(k.startswith("ONCEONLY_GATEWAY_AUDIT") for k in auditor["environment"])


def test_the_gateway_starts_outside_development_mode_on_what_compose_gives_it(
    config: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gateway's resolved environment, as its entrypoint turns it into settings, with each
    /run/secrets file made by tools/make-certs.sh (environment secrets as test values): nothing is
    refused, and the checkpoints go to the topic with the key the secret holds."""
    from onceonly.gateway.checkpoints import load_private_key, open_checkpointer
    from onceonly.gateway.settings import GatewaySettings

    certs = tmp_path / "certs"
    subprocess.run([sys.executable, str(ROOT / "tools" / "make_certs.py"), str(certs)], check=True,
                   capture_output=True)  # fmt: skip
    files = {}
    for name, secret in config["secrets"].items():
        if "file" in secret:
            files[f"/run/secrets/{name}"] = str(certs / Path(secret["file"]).name)
        else:
            (tmp_path / name).write_text(SECRET_VARIABLES.get(secret["environment"], "x" * 32))
            files[f"/run/secrets/{name}"] = str(tmp_path / name)
    for variable in [v for v in os.environ if v.startswith(("ONCEONLY_", "KAFKA_"))]:
        monkeypatch.delenv(variable)
    for variable, value in config["services"]["gateway"]["environment"].items():
        if variable.endswith("_FILE") and not variable.removesuffix("_FILE").endswith(PATH_SETTINGS):
            monkeypatch.setenv(variable.removesuffix("_FILE"), Path(files[value]).read_text())
        else:
            monkeypatch.setenv(variable, files.get(value, value))
    settings = GatewaySettings()
    assert settings.dev_mode is False
    assert settings.insecure_reasons() == []
    checkpointer = open_checkpointer(settings)
    try:
        assert checkpointer.sinks == [f"topic {CHECKPOINTS}"]
        key = load_private_key(certs / "audit-signing.pem")
        assert checkpointer.signer.key_id == Signer(key).key_id
    finally:
        checkpointer.close()
