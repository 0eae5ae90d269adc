"""Gateway settings (``ONCEONLY_GATEWAY_…``), built once in the CLI and passed to ``create_app``."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

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

    relay_enabled: bool = True
    relay_interval_seconds: float = Field(default=0.2, gt=0)
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

    # Retry-After sent with 503s while lookup is unreachable.
    unavailable_retry_after_seconds: int = Field(default=2, ge=1)
