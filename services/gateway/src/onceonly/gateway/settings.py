"""Gateway settings (``ONCEONLY_GATEWAY_…``), built once in the CLI and passed to ``create_app``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from onceonly.common.security import DEV_MODE_VARIABLE, incomplete
from onceonly.common.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ONCEONLY_GATEWAY_", extra="ignore", populate_by_name=True)

    database_url: str = "sqlite:///var/gateway.db"
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = Field(default=1, ge=1)

    lookup_target: str = "127.0.0.1:50051"
    # Per call, retries included; the caller sees a 503 once it is spent.
    grpc_deadline_seconds: float = Field(default=2.0, gt=0)
    grpc_max_attempts: int = Field(default=3, ge=1, le=5)

    # Requests per second and per agency, with a burst of one second's worth.
    rate_limit_per_agency: int = Field(default=200, ge=1)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # Procedures change rarely; keys are checked against the store's version on every request.
    catalog_ttl_seconds: float = Field(default=60.0, ge=0)

    # The outbox relay inside ``serve`` (a thread of its main process). Deployments run it as its own
    # process instead (``onceonly-gateway relay``) with this off, so the serving processes spend no CPU
    # on Kafka's producer; on, a gateway started alone still publishes what it writes.
    relay_enabled: bool = True
    relay_interval_seconds: float = Field(default=0.2, gt=0)
    # How long a relay's hold on the outbox lasts without renewal: a relay that dies hands over after it.
    relay_lease_seconds: float = Field(default=15.0, gt=0)
    # /readyz fails when the oldest unpublished outbox row is older than this.
    outbox_stale_seconds: float = Field(default=60.0, gt=0)

    # HTTPS for agency systems when both are set.
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    # TLS to lookup when the CA is set; mutual TLS when the client certificate and key are set too.
    lookup_ca_file: Path | None = None
    lookup_client_cert_file: Path | None = None
    lookup_client_key_file: Path | None = None

    # A connection must deliver a whole request (headers and body) within this many seconds of its
    # first byte, or it is closed: slow clients cannot hold connections open (slowloris).
    request_read_timeout_seconds: float = Field(default=10.0, gt=0)

    # Dates a caller sends are held to the gateway's clock: a receipt or resolution may be dated at
    # most this far ahead of it (clocks drift) ...
    clock_skew_seconds: float = Field(default=300.0, ge=0)
    # ... and a receipt dated further back than this needs the dossiers:import scope (a desk keying
    # in yesterday's paper dossiers is live; a migration from an older system is an import).
    backdate_window_days: float = Field(default=7.0, ge=0)
    # No receipt, imported or not, before this date (extreme dates are refused, not overflowed).
    earliest_receipt: date = date(2000, 1, 1)
    # Dossier bindings kept in memory per process (they never change once made).
    binding_cache_size: int = Field(default=100_000, ge=0)

    # Retry-After sent with 503s while lookup is unreachable.
    unavailable_retry_after_seconds: int = Field(default=2, ge=1)

    # The audit chain's checkpoints (onceonly.gateway.checkpoints): signed with this Ed25519 private key
    # (PEM), appended to this JSON-lines file and/or produced to this compacted Kafka topic, every so
    # many records or seconds. A key and at least one of the two are required outside development mode.
    audit_signing_key_file: Path | None = None
    audit_checkpoint_file: Path | None = None
    audit_checkpoint_topic: str | None = None
    audit_checkpoint_every_records: int = Field(default=1000, ge=1)
    audit_checkpoint_every_seconds: float = Field(default=10.0, gt=0)
    # /readyz fails while a record committed longer ago than this has no published checkpoint.
    audit_checkpoint_stale_seconds: float = Field(default=60.0, gt=0)

    def audit_reasons(self) -> list[str]:
        """Outside development mode, no signing key or nowhere to publish; in any mode, a key that is
        not an Ed25519 private key, or a readiness bound no longer than the checkpoints' interval."""
        reasons: list[str] = []
        key_file = self.audit_signing_key_file
        if key_file is None:
            if not self.dev_mode:
                reasons.append(
                    "ONCEONLY_GATEWAY_AUDIT_SIGNING_KEY_FILE is not set: the audit chain's checkpoints are "
                    "signed with an Ed25519 key the database does not hold (make one with "
                    f"`onceonly-gateway audit keygen`; {DEV_MODE_VARIABLE}=true only for development)"
                )
        elif not key_file.is_file():
            reasons.append(f"ONCEONLY_GATEWAY_AUDIT_SIGNING_KEY_FILE={key_file} is not a readable file")
        else:
            from cryptography.hazmat.primitives import serialization
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

            try:
                key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
            except (ValueError, TypeError):
                key = None
            if not isinstance(key, Ed25519PrivateKey):
                reasons.append(
                    f"ONCEONLY_GATEWAY_AUDIT_SIGNING_KEY_FILE={key_file} is not an unencrypted PEM Ed25519 "
                    "private key"
                )
        if self.audit_checkpoint_file is None and not self.audit_checkpoint_topic and not self.dev_mode:
            reasons.append(
                "ONCEONLY_GATEWAY_AUDIT_CHECKPOINT_FILE is not set, nor "
                "ONCEONLY_GATEWAY_AUDIT_CHECKPOINT_TOPIC: signed checkpoints of the audit chain must be "
                "published outside the database, to a file an auditor collects or a compacted Kafka "
                "topic an auditor reads "
                f"({DEV_MODE_VARIABLE}=true only for development)"
            )
        if self.audit_checkpoint_stale_seconds <= self.audit_checkpoint_every_seconds:
            reasons.append(
                f"ONCEONLY_GATEWAY_AUDIT_CHECKPOINT_STALE_SECONDS={self.audit_checkpoint_stale_seconds:g} "
                "must exceed ONCEONLY_GATEWAY_AUDIT_CHECKPOINT_EVERY_SECONDS="
                f"{self.audit_checkpoint_every_seconds:g}: /readyz would fail between two checkpoints"
            )
        return reasons

    def relay_reasons(self) -> list[str]:
        """What the relay alone uses: the store and Kafka (no pseudonym key, lookup or signing key)."""
        return self.kafka_reasons()

    def tls_reasons(self) -> list[str]:
        """Half a TLS configuration (refused in every mode); outside development mode, plaintext to lookup."""
        reasons = incomplete(
            "gateway HTTPS",
            {
                "ONCEONLY_GATEWAY_TLS_CERT_FILE": self.tls_cert_file,
                "ONCEONLY_GATEWAY_TLS_KEY_FILE": self.tls_key_file,
            },
        )
        reasons += incomplete(
            "the lookup client certificate",
            {
                "ONCEONLY_GATEWAY_LOOKUP_CLIENT_CERT_FILE": self.lookup_client_cert_file,
                "ONCEONLY_GATEWAY_LOOKUP_CLIENT_KEY_FILE": self.lookup_client_key_file,
            },
        )
        reasons += incomplete(
            "TLS to lookup",
            {"ONCEONLY_GATEWAY_LOOKUP_CA_FILE": self.lookup_ca_file},
            depends={
                "ONCEONLY_GATEWAY_LOOKUP_CLIENT_CERT_FILE": self.lookup_client_cert_file,
                "ONCEONLY_GATEWAY_LOOKUP_CLIENT_KEY_FILE": self.lookup_client_key_file,
            },
        )
        if not self.dev_mode and not (self.lookup_ca_file and self.lookup_client_cert_file):
            reasons.append(
                "lookup admits only callers with a client certificate: set ONCEONLY_GATEWAY_LOOKUP_CA_FILE, "
                "ONCEONLY_GATEWAY_LOOKUP_CLIENT_CERT_FILE and ONCEONLY_GATEWAY_LOOKUP_CLIENT_KEY_FILE "
                f"({DEV_MODE_VARIABLE}=true only for development)"
            )
        return reasons

    def insecure_reasons(self) -> list[str]:
        return [*super().insecure_reasons(), *self.tls_reasons(), *self.audit_reasons()]
