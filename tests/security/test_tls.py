"""TLS: the gateway serves HTTPS, and talks to lookup over mutual TLS with certificates from its
settings; lookup refuses a client with no certificate, or one signed by another CA.

The tests make their own CA (and a rogue one) with ``cryptography``; nothing leaves loopback.
"""

from __future__ import annotations

import os
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import httpx
import pytest
from google.protobuf import field_mask_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc

from onceonly.gateway.lookup_client import channel_credentials
from onceonly.gateway.problems import PROBLEM_BASE
from onceonly.population.v1 import population_pb2, population_pb2_grpc
from tests.fixtures.services import free_port, port_open
from tests.gateway.conftest import LookupServer, auth, make_gateway
from tests.security.conftest import GatewayProcess, cli, gateway_env
from tests.security.pki import CertificateAuthority, Issued

PROCEDURE = "2.000635"


@dataclass
class Pki:
    ca: CertificateAuthority
    rogue: CertificateAuthority
    lookup: Issued
    gateway_https: Issued
    gateway_client: Issued
    rogue_client: Issued


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    directory = tmp_path_factory.mktemp("pki")
    ca = CertificateAuthority(directory, "onceonly")
    rogue = CertificateAuthority(directory, "rogue")
    return Pki(
        ca=ca,
        rogue=rogue,
        lookup=ca.issue("lookup", server=True),
        gateway_https=ca.issue("gateway-https", server=True),
        # CN=gateway: the identity lookup admits by default (ONCEONLY_LOOKUP_ALLOWED_CLIENTS).
        gateway_client=ca.issue("gateway", server=False),
        rogue_client=rogue.issue("gateway-client", server=False),
    )


@pytest.fixture(scope="module")
def mtls_lookup(
    pki: Pki, lookup_server: LookupServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A second lookup process on the seeded store, serving mutual TLS only; yields its target."""
    port = free_port()
    env = {
        **lookup_server.env,
        "ONCEONLY_LOOKUP_PORT": str(port),
        "ONCEONLY_LOOKUP_TLS_CERT_FILE": str(pki.lookup.cert),
        "ONCEONLY_LOOKUP_TLS_KEY_FILE": str(pki.lookup.key),
        "ONCEONLY_LOOKUP_TLS_CLIENT_CA_FILE": str(pki.ca.cert_path),
    }
    log = tmp_path_factory.mktemp("mtls") / "lookup.log"
    with log.open("wb") as out:
        process = subprocess.Popen([*cli("onceonly-lookup"), "serve"], env=env, stdout=out, stderr=out)
    try:
        deadline = 60.0
        start = time.monotonic()
        while not port_open("127.0.0.1", port, timeout=0.2):
            if process.poll() is not None or time.monotonic() - start > deadline:
                raise RuntimeError(f"mTLS lookup did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        assert "tls=mutual" in log.read_text()
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(15)


def _health(target: str, credentials: grpc.ChannelCredentials | None) -> health_pb2.HealthCheckResponse:
    channel = (
        grpc.secure_channel(target, credentials) if credentials is not None else grpc.insecure_channel(target)
    )
    with channel:
        stub = health_pb2_grpc.HealthStub(channel)
        answer: health_pb2.HealthCheckResponse = stub.Check(health_pb2.HealthCheckRequest(), timeout=5)
        return answer


def test_lookup_answers_a_client_holding_a_certificate_from_its_ca(
    pki: Pki, mtls_lookup: str, lookup_server: LookupServer
) -> None:
    credentials = channel_credentials(pki.ca.cert_path, pki.gateway_client.cert, pki.gateway_client.key)
    assert _health(mtls_lookup, credentials).status == health_pb2.HealthCheckResponse.SERVING
    assert credentials is not None
    with grpc.secure_channel(mtls_lookup, credentials) as channel:
        citizen = population_pb2_grpc.PopulationRegistryStub(channel).GetCitizen(
            population_pb2.GetCitizenRequest(
                personal_id=lookup_server.citizens[0], read_mask=field_mask_pb2.FieldMask(paths=["full_name"])
            ),
            timeout=5,
        )
    assert citizen.citizen.full_name


@pytest.mark.parametrize("client", ["plaintext", "no certificate", "rogue CA", "server cert as client"])
def test_lookup_refuses_a_client_without_a_valid_certificate(pki: Pki, mtls_lookup: str, client: str) -> None:
    credentials = {
        "plaintext": None,
        "no certificate": channel_credentials(pki.ca.cert_path),
        "rogue CA": channel_credentials(pki.ca.cert_path, pki.rogue_client.cert, pki.rogue_client.key),
        # A certificate the CA signed, but with the wrong key for it.
        "server cert as client": channel_credentials(
            pki.ca.cert_path, pki.gateway_client.cert, pki.rogue_client.key
        ),
    }[client]
    with pytest.raises(grpc.RpcError) as refused:
        _health(mtls_lookup, credentials)
    assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


def test_the_gateway_refuses_to_trust_a_lookup_signed_by_another_ca(
    pki: Pki, mtls_lookup: str, sqlite_url: str
) -> None:
    overrides = {
        "lookup_ca_file": pki.rogue.cert_path,
        "lookup_client_cert_file": pki.gateway_client.cert,
        "lookup_client_key_file": pki.gateway_client.key,
        "grpc_deadline_seconds": 1.0,
    }
    for gw in make_gateway(sqlite_url, mtls_lookup, overrides):
        key = gw.agency("HN-01")
        r = gw.client.get("/v1/citizens/001090012345", headers=auth(key, procedure=PROCEDURE))
        # The procedure lookup already fails: a 503 problem with Retry-After, never a 500.
        assert r.status_code == 503, r.text
        assert r.json()["type"] == PROBLEM_BASE + "lookup-unavailable"
        assert r.headers["Retry-After"]


def test_half_configured_tls_is_refused_at_start(pki: Pki) -> None:
    with pytest.raises(ValueError, match="CA_FILE"):
        channel_credentials(None, pki.gateway_client.cert, pki.gateway_client.key)
    with pytest.raises(ValueError, match="both"):
        channel_credentials(pki.ca.cert_path, pki.gateway_client.cert, None)


@pytest.mark.slow
def test_the_gateway_serves_https_and_reaches_lookup_over_mutual_tls(
    pki: Pki, mtls_lookup: str, lookup_server: LookupServer, tmp_path: Path
) -> None:
    port = free_port()
    env = gateway_env(
        tmp_path,
        lookup_server,
        ONCEONLY_GATEWAY_PORT=str(port),
        ONCEONLY_GATEWAY_LOOKUP_TARGET=mtls_lookup,
        ONCEONLY_GATEWAY_TLS_CERT_FILE=str(pki.gateway_https.cert),
        ONCEONLY_GATEWAY_TLS_KEY_FILE=str(pki.gateway_https.key),
        ONCEONLY_GATEWAY_LOOKUP_CA_FILE=str(pki.ca.cert_path),
        ONCEONLY_GATEWAY_LOOKUP_CLIENT_CERT_FILE=str(pki.gateway_client.cert),
        ONCEONLY_GATEWAY_LOOKUP_CLIENT_KEY_FILE=str(pki.gateway_client.key),
    )
    trust = ssl.create_default_context(cafile=str(pki.ca.cert_path))
    gateway = GatewayProcess(
        env=env, port=port, log_path=tmp_path / "gateway.log", scheme="https", verify=trust
    )
    key = gateway.add_agency("HN-TLS", "population:read")
    gateway.start()
    try:
        with gateway.client() as client:
            ready = client.get("/readyz")
            assert ready.status_code == 200, ready.text
            assert ready.json()["checks"]["lookup"] is True
            pid = lookup_server.citizens[1]
            # The intake over HTTPS reads the catalog from lookup over mTLS; the read, the registry.
            headers = gateway.open(client, key, pid, dossier="HN-TLS-1", procedure=PROCEDURE)
            r = client.get(f"/v1/citizens/{pid}", headers=headers)
            assert r.status_code == 200, r.text
            assert r.json()["citizen"]["full_name"]
        # A client that does not trust the CA refuses the gateway's certificate...
        untrusting = ssl.create_default_context(cafile=str(pki.rogue.cert_path))
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(f"https://127.0.0.1:{port}/healthz", verify=untrusting, timeout=5)
        # ...and plain HTTP on the HTTPS port gets no answer.
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
    finally:
        gateway.stop()
    assert os.path.exists(gateway.log_path)
