"""Lookup admits only its callers: under mutual TLS, only a certificate naming an allowed client
(ONCEONLY_LOOKUP_ALLOWED_CLIENTS, by CN or SAN) may call; any other holder of a certificate from the
same CA gets PERMISSION_DENIED on every method; plaintext and foreign certificates fail the handshake.
Health and reflection stay open to certificate holders, and health alone is served in plaintext on
the probe port.

The lookup runs as a real process outside development mode, on the seeded store of the gateway tests.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest
from google.protobuf import field_mask_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from onceonly.catalog.v1 import catalog_pb2
from onceonly.gateway.lookup_client import channel_credentials
from onceonly.population.v1 import population_pb2, population_pb2_grpc
from onceonly.receipts.v1 import receipts_pb2
from onceonly.results.v1 import results_pb2
from tests.fixtures.services import free_port, port_open
from tests.gateway.conftest import LookupServer
from tests.security.conftest import cli
from tests.security.pki import CertificateAuthority, Issued

NAME = field_mask_pb2.FieldMask(paths=["full_name"])
LOOKUP_METHODS = [
    f"/{service.full_name}/{method.name}"
    for module in (population_pb2, results_pb2, catalog_pb2, receipts_pb2)
    for service in module.DESCRIPTOR.services_by_name.values()
    for method in service.methods
]


@dataclass
class Callers:
    ca: CertificateAuthority
    gateway: Issued
    tracker: Issued
    by_san: Issued
    rogue: Issued


@dataclass
class MtlsLookup:
    target: str
    health_target: str
    log: Path


@pytest.fixture(scope="module")
def callers(tmp_path_factory: pytest.TempPathFactory) -> Callers:
    directory = tmp_path_factory.mktemp("authz-pki")
    ca = CertificateAuthority(directory, "onceonly")
    rogue_ca = CertificateAuthority(directory, "rogue")
    return Callers(
        ca=ca,
        gateway=ca.issue("gateway", server=False),
        tracker=ca.issue("tracker", server=False),
        by_san=ca.issue("gateway-7f9c", server=False, dns_names=("gateway",)),
        rogue=rogue_ca.issue("gateway", server=False),
    )


@pytest.fixture(scope="module")
def mtls_lookup(
    callers: Callers, lookup_server: LookupServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MtlsLookup]:
    directory = tmp_path_factory.mktemp("authz")
    server_cert = callers.ca.issue("lookup", server=True)
    port, health_port = free_port(), free_port()
    env = {
        **lookup_server.env,
        "ONCEONLY_DEV_MODE": "false",
        "ONCEONLY_LOOKUP_PORT": str(port),
        "ONCEONLY_LOOKUP_HEALTH_PORT": str(health_port),
        "ONCEONLY_LOOKUP_TLS_CERT_FILE": str(server_cert.cert),
        "ONCEONLY_LOOKUP_TLS_KEY_FILE": str(server_cert.key),
        "ONCEONLY_LOOKUP_TLS_CLIENT_CA_FILE": str(callers.ca.cert_path),
        "ONCEONLY_LOOKUP_ALLOWED_CLIENTS": "gateway",
    }
    log = directory / "lookup.log"
    with log.open("wb") as out:
        process = subprocess.Popen([*cli("onceonly-lookup"), "serve"], env=env, stdout=out, stderr=out)
    try:
        start = time.monotonic()
        while not port_open("127.0.0.1", health_port, timeout=0.2):
            if process.poll() is not None or time.monotonic() - start > 60:
                raise RuntimeError(f"lookup did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield MtlsLookup(f"127.0.0.1:{port}", f"127.0.0.1:{health_port}", log)
    finally:
        process.terminate()
        process.wait(15)


def _channel(target: str, caller: Issued | None, ca: CertificateAuthority) -> grpc.Channel:
    if caller is None:
        return grpc.insecure_channel(target)
    credentials = channel_credentials(ca.cert_path, caller.cert, caller.key)
    assert credentials is not None
    return grpc.secure_channel(target, credentials)


def _health(channel: grpc.Channel) -> int:
    answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
    return int(answer.status)


def test_the_gateway_identity_is_admitted(
    callers: Callers, mtls_lookup: MtlsLookup, lookup_server: LookupServer
) -> None:
    for caller in (callers.gateway, callers.by_san):  # by CN, and by a SAN
        with _channel(mtls_lookup.target, caller, callers.ca) as channel:
            stub = population_pb2_grpc.PopulationRegistryStub(channel)
            answer = stub.GetCitizen(
                population_pb2.GetCitizenRequest(personal_id=lookup_server.citizens[0], read_mask=NAME),
                timeout=5,
            )
            assert answer.citizen.full_name
            batch = stub.BatchGetCitizens(
                population_pb2.BatchGetCitizensRequest(
                    personal_ids=lookup_server.citizens[:3], read_mask=NAME
                ),
                timeout=5,
            )
            assert len(batch.citizens) == 3


def test_another_certificate_of_the_same_ca_is_denied_every_method(
    callers: Callers, mtls_lookup: MtlsLookup
) -> None:
    assert "/onceonly.receipts.v1.ReceiptChecks/CheckReceipt" in LOOKUP_METHODS
    assert len(LOOKUP_METHODS) >= 10
    with _channel(mtls_lookup.target, callers.tracker, callers.ca) as channel:
        for method in LOOKUP_METHODS:
            call: grpc.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(method)
            with pytest.raises(grpc.RpcError) as refused:
                call(b"", timeout=5)
            assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED, method
        # Health and reflection stay open to any certificate the CA signed.
        assert _health(channel) == health_pb2.HealthCheckResponse.SERVING
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        [answer] = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
        listed = {service.name for service in answer.list_services_response.service}
        assert "onceonly.population.v1.PopulationRegistry" in listed
    text = mtls_lookup.log.read_text()
    assert "caller refused" in text
    assert "tracker" in text


@pytest.mark.parametrize("caller", ["plaintext", "rogue CA"])
def test_a_caller_without_a_certificate_of_the_ca_fails_the_handshake(
    callers: Callers, mtls_lookup: MtlsLookup, caller: str
) -> None:
    with _channel(
        mtls_lookup.target, None if caller == "plaintext" else callers.rogue, callers.ca
    ) as channel:
        stub = population_pb2_grpc.PopulationRegistryStub(channel)
        with pytest.raises(grpc.RpcError) as refused:
            stub.GetCitizen(population_pb2.GetCitizenRequest(personal_id="001090012345"), timeout=5)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE


def test_the_probe_port_serves_health_alone_in_plaintext(mtls_lookup: MtlsLookup) -> None:
    with grpc.insecure_channel(mtls_lookup.health_target) as channel:
        assert _health(channel) == health_pb2.HealthCheckResponse.SERVING
        stub = population_pb2_grpc.PopulationRegistryStub(channel)
        with pytest.raises(grpc.RpcError) as refused:
            stub.GetCitizen(population_pb2.GetCitizenRequest(personal_id="001090012345"), timeout=5)
        assert refused.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_the_log_says_who_may_call(mtls_lookup: MtlsLookup, lookup_server: LookupServer) -> None:
    text = mtls_lookup.log.read_text()
    assert "tls=mutual" in text
    assert "allowed_clients=['gateway']" in text
    # The development lookup (plaintext, loopback) says so.
    assert "any plaintext caller (loopback only; development mode only)" in lookup_server.log_path.read_text()
