"""Settings of the lookup service (``ONCEONLY_LOOKUP_*``), built once in the CLI and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from onceonly.common.settings import ServiceSettings


class LookupSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ONCEONLY_LOOKUP_", extra="ignore", populate_by_name=True)

    database_url: str = "sqlite:///var/lookup.db"
    host: str = "127.0.0.1"
    port: int = 50051
    # Threads serving calls; each holds at most one pooled database connection at a time.
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
