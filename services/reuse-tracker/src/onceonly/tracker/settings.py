"""The tracker's settings: ``ONCEONLY_TRACKER_*`` plus the shared broker and logging settings."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from onceonly.common.settings import ServiceSettings


class TrackerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ONCEONLY_TRACKER_", extra="ignore", populate_by_name=True)

    database_url: str = "sqlite:///var/tracker.db"
    host: str = "127.0.0.1"
    port: int = 8090
    consumer_group: str = "onceonly-tracker"
    # TOML file of 2025 targets; None means the Bình Dương targets shipped with the package.
    targets_file: Path | None = None
    # A lookup whose dossier receipt has not arrived after this many days is reported as stale.
    stale_lookup_days: int = 7
    # `serve` runs the consume loop in a background thread unless this is off.
    embedded_consumer: bool = True
    # Events applied per database transaction.
    batch_size: int = 2000
    # The same for `rebuild`, which replays a backlog: bigger batches sum more events into each cube row
    # and commit less often (freshness does not matter there). 50,000 events write ~28% fewer cube rows
    # than 10,000 on a national mix and hold some 50 MB of decoded events.
    rebuild_batch_size: int = 50_000
    # The embedded consumer restarts after any failure, waiting this long first, doubling up to the
    # maximum; /readyz fails while it waits, /livez (and /readyz) once the loop has shown no sign of
    # life (a poll, a batch, a retry) for consumer_stall_seconds.
    consumer_restart_seconds: float = 1.0
    consumer_restart_max_seconds: float = 60.0
    consumer_stall_seconds: float = 120.0
    # Applied event ids are kept this long (hours); unset: the topic's retention.ms as the broker has
    # it, plus the margin (unlimited retention keeps them all). See docs/RELIABILITY.md.
    applied_retention_hours: float | None = None
    applied_retention_margin_hours: float = 24.0
    applied_purge_interval_seconds: float = 3600.0
    # Bearer token an operator closes periods with over HTTP (POST /v1/periods/{period}/close); unset,
    # only `onceonly-tracker close` does.
    operator_token: SecretStr | None = None

    def insecure_reasons(self) -> list[str]:
        # The tracker reads pseudonyms and never makes one: it is not given the key. Its one channel
        # is Kafka; its HTTP API is served behind the platform's ingress.
        return self.kafka_reasons()
