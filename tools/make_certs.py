"""Certificates and Kafka credentials for deploy/compose.yaml, written to deploy/certs/ (git-ignored).

    tools/make-certs.sh [DIRECTORY]

One CA signs: lookup's server certificate (DNS lookup, localhost), the gateway's client certificate
(CN=gateway: the identity lookup admits), and the Kafka broker's (DNS kafka, localhost; key and chain
in one PEM file, Kafka's PEM keystore). Kafka's admin, gateway and tracker passwords are drawn at
random, with the broker's JAAS file and the admin's client properties that use them. Existing files
are kept: run it again after deleting the directory to rotate everything.

Beside them, made when missing (so a directory from before gets them too): the gateway's Ed25519
audit signing key pair (audit-signing.pem for the gateway alone, audit-signing.pub.pem for auditors)
and the Kafka password of the auditor's principal, which may read the audit checkpoint topic only.
"""

from __future__ import annotations

import ipaddress
import secrets
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

VALID_DAYS = 365


def _key_pem(key: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    # Readable by the containers' own users (bind-mounted secrets keep the host's mode); the
    # directory itself is private to its owner.
    path.chmod(0o644)


def _issue(
    ca_key: ec.EllipticCurvePrivateKey,
    ca: x509.Certificate,
    common_name: str,
    dns_names: list[str],
    usage: list[x509.ObjectIdentifier],
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage(usage), critical=False)
    )
    names: list[x509.GeneralName] = [x509.DNSName(name) for name in dns_names]
    if dns_names:
        names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return key, builder.sign(ca_key, hashes.SHA256())


def _audit(directory: Path) -> None:
    """The audit signing key pair and the auditor's Kafka password, where missing."""
    if not (directory / "audit-signing.pem").exists():
        key = ed25519.Ed25519PrivateKey.generate()
        _write(directory / "audit-signing.pem", _key_pem(key))
        public = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        _write(directory / "audit-signing.pub.pem", public)
        print(f"{directory}: audit signing key pair")  # noqa: T201 (a command-line tool)
    if not (directory / "kafka-auditor-password").exists():
        _write(directory / "kafka-auditor-password", secrets.token_urlsafe(24).encode())


def main(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    _audit(directory)
    if (directory / "ca.pem").exists():
        print(f"{directory}: certificates already there; delete the directory to make new ones")  # noqa: T201 (a command-line tool)
        return
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Onceonly compose CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    _write(directory / "ca.pem", ca.public_bytes(pem))
    server, client = [ExtendedKeyUsageOID.SERVER_AUTH], [ExtendedKeyUsageOID.CLIENT_AUTH]
    key, cert = _issue(ca_key, ca, "lookup", ["lookup", "localhost"], server)
    _write(directory / "lookup.pem", cert.public_bytes(pem))
    _write(directory / "lookup-key.pem", _key_pem(key))
    key, cert = _issue(ca_key, ca, "gateway", [], client)
    _write(directory / "gateway.pem", cert.public_bytes(pem))
    _write(directory / "gateway-key.pem", _key_pem(key))
    key, cert = _issue(ca_key, ca, "kafka", ["kafka", "localhost"], [*server, *client])
    _write(directory / "kafka-keystore.pem", _key_pem(key) + cert.public_bytes(pem) + ca.public_bytes(pem))

    passwords = {user: secrets.token_urlsafe(24) for user in ("admin", "gateway", "tracker")}
    for user in ("gateway", "tracker"):
        _write(directory / f"kafka-{user}-password", passwords[user].encode())
    admin = passwords["admin"]
    # PLAIN for the admin alone (the broker's own connections and the setup job); SCRAM users are
    # created by the kafka-topics job. The controller listener uses the same PLAIN login.
    plain = "org.apache.kafka.common.security.plain.PlainLoginModule"
    scram = "org.apache.kafka.common.security.scram.ScramLoginModule"
    jaas = (
        f'KafkaServer {{\n  {plain} required username="admin" password="{admin}" user_admin="{admin}";\n'
        f"  {scram} required;\n}};\n"
    )
    _write(directory / "kafka-jaas.conf", jaas.encode())
    client_properties = (
        "security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n"
        f'sasl.jaas.config={plain} required username="admin" password="{admin}";\n'
        "ssl.truststore.type=PEM\nssl.truststore.location=/run/secrets/onceonly_ca\n"
    )
    _write(directory / "kafka-admin.properties", client_properties.encode())
    print(f"{directory}: CA, lookup, gateway and kafka certificates; Kafka credentials")  # noqa: T201 (a command-line tool)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "deploy" / "certs")
