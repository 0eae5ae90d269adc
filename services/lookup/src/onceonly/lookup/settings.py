"""Settings of the lookup service (``ONCEONLY_LOOKUP_*``), built once in the CLI and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from onceonly.common.security import DEV_MODE_VARIABLE, incomplete
from onceonly.common.settings import ServiceSettings


class LookupSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ONCEONLY_LOOKUP_", extra="ignore", populate_by_name=True)

    database_url: str = "sqlite:///var/lookup.db"
    host: str = "127.0.0.1"
    port: int = 50051
    # Calls are served on one event loop per process; these threads run the store calls that may wait
    # (PostgreSQL, writes, listings), each holding at most one pooled database connection at a time.
    max_workers: int = 16
    # Server processes sharing the port (SO_REUSEPORT), each with its own threads and pool: one Python
    # process is bound to one core by the GIL. Needs a fixed port.
    processes: int = Field(default=1, ge=1)
    # Seconds in-flight calls get to finish after SIGTERM.
    shutdown_grace: float = 10.0
    # Added to each population-registry call, to stand in for a remote national database.
    simulated_latency_ms: float = 0.0

    # TLS: with a certificate and key the port serves TLS only; with a client CA as well, mutual TLS
    # (a client must present a certificate that CA signed, or its handshake is refused).
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    tls_client_ca_file: Path | None = None
    # Under mutual TLS, the client identities admitted (matched against the certificate's CN and
    # SANs); every other caller gets PERMISSION_DENIED. Comma-separated in the environment.
    allowed_clients: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["gateway"])
    # A second, plaintext port serving only the health service, for probes that cannot present a
    # client certificate (the kubelet's gRPC probe, container health checks); 0 = none.
    health_port: int = Field(default=0, ge=0)

    @field_validator("allowed_clients", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return [name.strip() for name in value.split(",") if name.strip()]
        return value

    @property
    def mutual_tls(self) -> bool:
        return bool(self.tls_cert_file and self.tls_key_file and self.tls_client_ca_file)

    def insecure_reasons(self) -> list[str]:
        # Lookup holds neither the pseudonym key nor a Kafka client.
        reasons = incomplete(
            "lookup TLS",
            {
                "ONCEONLY_LOOKUP_TLS_CERT_FILE": self.tls_cert_file,
                "ONCEONLY_LOOKUP_TLS_KEY_FILE": self.tls_key_file,
            },
            depends={"ONCEONLY_LOOKUP_TLS_CLIENT_CA_FILE": self.tls_client_ca_file},
        )
        if self.mutual_tls and not self.allowed_clients:
            reasons.append("ONCEONLY_LOOKUP_ALLOWED_CLIENTS is empty: no caller could ever be admitted")
        if not self.dev_mode and not self.mutual_tls:
            reasons.append(
                "lookup serves personal data only over mutual TLS: set ONCEONLY_LOOKUP_TLS_CERT_FILE, "
                "ONCEONLY_LOOKUP_TLS_KEY_FILE and ONCEONLY_LOOKUP_TLS_CLIENT_CA_FILE "
                f"({DEV_MODE_VARIABLE}=true only for development)"
            )
        return reasons
