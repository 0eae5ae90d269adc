"""Fail closed: outside ONCEONLY_DEV_MODE no service starts on a development secret or a plaintext
channel, and in every mode half a TLS configuration is refused; the refusal names the variable to set.

The settings are checked in-process; then each service's start command is run as a real process with
such a configuration, and must exit 2 before it opens a port or a store.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr

from onceonly.common.security import InsecureConfiguration, require_production_secret
from onceonly.common.settings import DEV_PSEUDONYM_KEY, KafkaSettings
from onceonly.gateway.settings import GatewaySettings
from onceonly.lookup.settings import LookupSettings
from onceonly.tracker.settings import TrackerSettings
from tests.fixtures.stack import cli
from tests.security.pki import CertificateAuthority, Issued

PRODUCTION_KAFKA = {
    "security_protocol": "SASL_SSL",
    "sasl_username": "gateway",
    "sasl_password": SecretStr("a-real-password"),
}


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("fail-closed-pki")
    ca = CertificateAuthority(directory, "onceonly")
    server: Issued = ca.issue("lookup", server=True)
    client: Issued = ca.issue("gateway", server=False)
    signing = directory / "audit-signing.pem"
    signing.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return {
        "ca": ca.cert_path,
        "cert": server.cert,
        "key": server.key,
        "ccert": client.cert,
        "ckey": client.key,
        "signing": signing,
        "checkpoints": directory / "checkpoints.jsonl",
    }


def _kafka(**fields: Any) -> KafkaSettings:
    return KafkaSettings(**{**PRODUCTION_KAFKA, **fields})


def _production_gateway(certs: dict[str, Path], **fields: Any) -> GatewaySettings:
    base: dict[str, Any] = {
        "dev_mode": False,
        "kafka": _kafka(),
        "lookup_ca_file": certs["ca"],
        "lookup_client_cert_file": certs["ccert"],
        "lookup_client_key_file": certs["ckey"],
        # The audit signing key is another check's; here it is in order.
        "audit_signing_key_file": certs["signing"],
        "audit_checkpoint_file": certs["checkpoints"],
    }
    settings = GatewaySettings(**{**base, **fields})
    settings.pseudonym.key = SecretStr("a-real-pseudonym-key")
    return settings


def _production_lookup(certs: dict[str, Path], **fields: Any) -> LookupSettings:
    base = {
        "dev_mode": False,
        "tls_cert_file": certs["cert"],
        "tls_key_file": certs["key"],
        "tls_client_ca_file": certs["ca"],
    }
    return LookupSettings(**{**base, **fields})


# Complete production settings -------------------------------------------------------------------


def test_complete_production_settings_start(certs: dict[str, Path]) -> None:
    assert _production_gateway(certs).insecure_reasons() == []
    assert _production_lookup(certs).insecure_reasons() == []
    assert TrackerSettings(dev_mode=False, kafka=_kafka(sasl_username="tracker")).insecure_reasons() == []


def test_development_mode_admits_development_secrets_and_plaintext() -> None:
    assert GatewaySettings(dev_mode=True).insecure_reasons() == []
    assert LookupSettings(dev_mode=True).insecure_reasons() == []
    assert TrackerSettings(dev_mode=True).insecure_reasons() == []


# Secrets ----------------------------------------------------------------------------------------


def test_the_gateway_refuses_the_development_pseudonym_key(certs: dict[str, Path]) -> None:
    settings = _production_gateway(certs)
    settings.pseudonym.key = SecretStr(DEV_PSEUDONYM_KEY)
    [reason] = settings.insecure_reasons()
    assert "ONCEONLY_PSEUDONYM_KEY holds the development value" in reason
    settings.pseudonym.key = SecretStr("")
    [reason] = settings.insecure_reasons()
    assert "ONCEONLY_PSEUDONYM_KEY is not set" in reason


def test_the_shared_helper_names_the_variable() -> None:
    with pytest.raises(InsecureConfiguration, match="ONCEONLY_AUDIT_SIGNING_KEY is not set"):
        require_production_secret(False, "ONCEONLY_AUDIT_SIGNING_KEY", None)
    with pytest.raises(InsecureConfiguration, match="X_KEY holds the development value"):
        require_production_secret(False, "X_KEY", SecretStr("dev"), development_value="dev")
    require_production_secret(True, "X_KEY", None)
    require_production_secret(False, "X_KEY", SecretStr("real"), development_value="dev")


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"security_protocol": "PLAINTEXT", "sasl_username": None, "sasl_password": None}, "SASL_SSL"),
        ({"sasl_password": None}, "KAFKA_SASL_PASSWORD"),
        ({"sasl_username": None}, "KAFKA_SASL_USERNAME"),
        ({"security_protocol": "SASL_PLAINTEXT"}, "unencrypted"),
        ({"security_protocol": "SSL", "sasl_username": None, "sasl_password": None}, "anonymous"),
        ({"security_protocol": "PLAINTEXT"}, "would not send them"),
    ],
)
def test_services_with_a_kafka_client_refuse_an_unauthenticated_one(
    certs: dict[str, Path], fields: dict[str, Any], named: str
) -> None:
    for settings in (
        _production_gateway(certs, kafka=_kafka(**fields)),
        TrackerSettings(dev_mode=False, kafka=_kafka(**fields)),
    ):
        reasons = settings.insecure_reasons()
        assert any(named in reason for reason in reasons), reasons


def test_lookup_refuses_to_serve_without_mutual_tls(certs: dict[str, Path]) -> None:
    [reason] = LookupSettings(dev_mode=False).insecure_reasons()
    assert "ONCEONLY_LOOKUP_TLS_CLIENT_CA_FILE" in reason
    [reason] = _production_lookup(certs, tls_client_ca_file=None).insecure_reasons()
    assert "mutual TLS" in reason
    [reason] = _production_lookup(certs, allowed_clients=[]).insecure_reasons()
    assert "ONCEONLY_LOOKUP_ALLOWED_CLIENTS" in reason


def test_the_gateway_refuses_plaintext_to_lookup(certs: dict[str, Path]) -> None:
    settings = _production_gateway(
        certs, lookup_ca_file=None, lookup_client_cert_file=None, lookup_client_key_file=None
    )
    [reason] = settings.insecure_reasons()
    assert "ONCEONLY_GATEWAY_LOOKUP_CLIENT_CERT_FILE" in reason


# Half a TLS configuration: refused in development mode too --------------------------------------

HALF_TLS: dict[str, list[tuple[dict[str, str], str]]] = {
    "gateway": [
        ({"tls_cert_file": "cert"}, "ONCEONLY_GATEWAY_TLS_KEY_FILE"),
        ({"tls_key_file": "key"}, "ONCEONLY_GATEWAY_TLS_CERT_FILE"),
        ({"lookup_client_cert_file": "ccert"}, "ONCEONLY_GATEWAY_LOOKUP_CLIENT_KEY_FILE"),
        (
            {"lookup_client_cert_file": "ccert", "lookup_client_key_file": "ckey"},
            "ONCEONLY_GATEWAY_LOOKUP_CA_FILE",
        ),
        (
            {"lookup_ca_file": "ca", "lookup_client_key_file": "ckey"},
            "ONCEONLY_GATEWAY_LOOKUP_CLIENT_CERT_FILE",
        ),
    ],
    "lookup": [
        ({"tls_cert_file": "cert"}, "ONCEONLY_LOOKUP_TLS_KEY_FILE"),
        ({"tls_key_file": "key"}, "ONCEONLY_LOOKUP_TLS_CERT_FILE"),
        ({"tls_client_ca_file": "ca"}, "ONCEONLY_LOOKUP_TLS_CERT_FILE"),
    ],
}
HALF_KAFKA_TLS = [
    ({"security_protocol": "SASL_SSL", "ssl_certfile": "ccert"}, "KAFKA_SSL_KEYFILE"),
    ({"security_protocol": "SASL_SSL", "ssl_keyfile": "ckey"}, "KAFKA_SSL_CERTFILE"),
    ({"security_protocol": "PLAINTEXT", "ssl_cafile": "ca"}, "is not TLS"),
]
SETTINGS = {"gateway": GatewaySettings, "lookup": LookupSettings, "tracker": TrackerSettings}


def _files(fields: dict[str, str], certs: dict[str, Path]) -> dict[str, Any]:
    return {name: certs.get(value, value) for name, value in fields.items()}


@pytest.mark.parametrize(
    ("service", "fields", "named"),
    [(service, fields, named) for service, cases in HALF_TLS.items() for fields, named in cases],
)
def test_half_a_tls_configuration_is_refused_even_in_development(
    certs: dict[str, Path], service: str, fields: dict[str, str], named: str
) -> None:
    settings = SETTINGS[service](dev_mode=True, **_files(fields, certs))
    reasons = settings.insecure_reasons()
    assert any(named in reason for reason in reasons), reasons


@pytest.mark.parametrize(("fields", "named"), HALF_KAFKA_TLS)
@pytest.mark.parametrize("service", ["gateway", "tracker"])
def test_half_a_kafka_tls_configuration_is_refused_even_in_development(
    certs: dict[str, Path], service: str, fields: dict[str, str], named: str
) -> None:
    kafka = KafkaSettings(**{"sasl_username": "u", "sasl_password": SecretStr("p"), **_files(fields, certs)})
    if fields["security_protocol"] == "PLAINTEXT":
        kafka = KafkaSettings(**_files(fields, certs))
    reasons = SETTINGS[service](dev_mode=True, kafka=kafka).insecure_reasons()
    assert any(named in reason for reason in reasons), reasons


def test_a_missing_certificate_file_is_named(tmp_path: Path, certs: dict[str, Path]) -> None:
    absent = tmp_path / "absent.pem"
    settings = LookupSettings(dev_mode=True, tls_cert_file=absent, tls_key_file=certs["key"])
    assert settings.insecure_reasons() == [f"ONCEONLY_LOOKUP_TLS_CERT_FILE={absent} is not a readable file"]


# The real start commands ------------------------------------------------------------------------


def _env(tmp_path: Path, **variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ONCEONLY_", "KAFKA_"))}
    # Stores that would be created if a service got as far as opening one.
    for service in ("lookup", "gateway", "tracker"):
        env[f"ONCEONLY_{service.upper()}_DATABASE_URL"] = f"sqlite:///{tmp_path / service}.db"
    return {**env, **variables}


def _start(service: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [*cli(service), "serve"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)


DEV = {"ONCEONLY_DEV_MODE": "true"}
REFUSED_STARTS: list[tuple[str, dict[str, str], tuple[str, ...]]] = [
    # Nothing configured, development mode off: every service names what to set.
    (
        "gateway",
        {},
        (
            "ONCEONLY_PSEUDONYM_KEY holds the development value",
            "KAFKA_SECURITY_PROTOCOL=PLAINTEXT",
            "ONCEONLY_GATEWAY_LOOKUP_CA_FILE",
        ),
    ),
    ("lookup", {}, ("ONCEONLY_LOOKUP_TLS_CLIENT_CA_FILE",)),
    ("tracker", {}, ("KAFKA_SECURITY_PROTOCOL=PLAINTEXT",)),
    (
        "gateway",
        {"ONCEONLY_DEV_MODE": "false", "ONCEONLY_PSEUDONYM_KEY": ""},
        ("ONCEONLY_PSEUDONYM_KEY is not",),
    ),
    # Half a TLS configuration, in development mode.
    ("gateway", {**DEV, "ONCEONLY_GATEWAY_TLS_CERT_FILE": "cert"}, ("ONCEONLY_GATEWAY_TLS_KEY_FILE",)),
    ("lookup", {**DEV, "ONCEONLY_LOOKUP_TLS_KEY_FILE": "key"}, ("ONCEONLY_LOOKUP_TLS_CERT_FILE",)),
    (
        "tracker",
        {**DEV, "KAFKA_SECURITY_PROTOCOL": "SSL", "KAFKA_SSL_CERTFILE": "ccert"},
        ("KAFKA_SSL_KEYFILE",),
    ),
]


@pytest.mark.parametrize(("service", "variables", "named"), REFUSED_STARTS)
def test_each_service_refuses_to_start(
    tmp_path: Path, certs: dict[str, Path], service: str, variables: dict[str, str], named: tuple[str, ...]
) -> None:
    files = {name: str(certs.get(value, value)) for name, value in variables.items()}
    done = _start(service, _env(tmp_path, **files))
    assert done.returncode == 2, done.stderr[-2000:]
    assert "refusing to start" in done.stderr
    for name in named:
        assert name in done.stderr, done.stderr[-2000:]
    # Refused before any store was opened.
    assert not list(tmp_path.glob("*.db"))


def test_the_relay_checks_what_it_uses_only(certs: dict[str, Path]) -> None:
    """The relay process needs the store and Kafka: it refuses an unauthenticated Kafka client, and
    does not ask for the pseudonym key, lookup's certificates or the signing key it never uses."""
    assert _production_gateway(certs).relay_reasons() == []
    bare = GatewaySettings(dev_mode=False, kafka=_kafka())
    assert bare.insecure_reasons(), "the gateway itself would be refused"
    assert bare.relay_reasons() == []
    plaintext = GatewaySettings(dev_mode=False, kafka=_kafka(security_protocol="PLAINTEXT"))
    assert any("SASL_SSL" in reason for reason in plaintext.relay_reasons()), plaintext.relay_reasons()


def test_the_relay_refuses_to_start_on_an_unauthenticated_kafka(tmp_path: Path) -> None:
    done = subprocess.run(
        [*cli("gateway"), "relay"],
        env=_env(tmp_path, ONCEONLY_DEV_MODE="false"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert "onceonly-gateway relay: refusing to start" in done.stderr
    assert "KAFKA_SECURITY_PROTOCOL=PLAINTEXT" in done.stderr
    assert not list(tmp_path.glob("*.db"))
