"""The one Kafka client factory (kafka-python 3.x): producers, consumers, admin, topics.

Every client in the project is made here, from :class:`~onceonly.common.settings.KafkaSettings`, so
delivery guarantees and authentication (TLS, SASL/SCRAM: ``security_config``) are decided once:
producers are idempotent with ``acks=all`` (no loss, no duplicates on retry, order kept per
partition); consumers never auto-commit (the consume loop commits after its database transaction).
Clients are built when called, never at import.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import KafkaError, KafkaTimeoutError, TopicAlreadyExistsError

from onceonly.common.logging import get_logger
from onceonly.common.settings import KafkaSettings

log = get_logger(__name__)

# The dossier-event topic's shape when this code creates it; production topics are declared by the
# platform (see docs/KAFKA.md) with replication 3 and min ISR 2.
DEFAULT_PARTITIONS = 6

# Fast reconnection: the default ceiling (30 s) would leave a client idle long after a broker restart.
_RECONNECT = {"reconnect_backoff_ms": 50, "reconnect_backoff_max_ms": 1000}


def security_config(settings: KafkaSettings) -> dict[str, Any]:
    """How a client authenticates and encrypts, in kafka-python's terms; every client gets the same."""
    config: dict[str, Any] = {"security_protocol": settings.security_protocol}
    if settings.security_protocol.startswith("SASL_"):
        config["sasl_mechanism"] = settings.sasl_mechanism
        config["sasl_plain_username"] = settings.sasl_username
        password = settings.sasl_password
        config["sasl_plain_password"] = password.get_secret_value() if password is not None else None
    if settings.security_protocol.endswith("SSL"):
        config["ssl_check_hostname"] = settings.ssl_check_hostname
        for name in ("ssl_cafile", "ssl_certfile", "ssl_keyfile"):
            path = getattr(settings, name)
            if path is not None:
                config[name] = str(path)
    return config


def make_producer(settings: KafkaSettings, **overrides: Any) -> KafkaProducer:
    """An idempotent producer, ``acks=all``, batching for throughput; keys and values are bytes."""
    config: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "enable_idempotence": True,
        "acks": "all",
        # Idempotence keeps order across retries with up to 5 requests in flight.
        "max_in_flight_requests_per_connection": 5,
        # A few ms of waiting fills batches; large batches cut per-request overhead in Python.
        "linger_ms": 5,
        "batch_size": 256 * 1024,
        # While the broker is away send() blocks at most this long before raising KafkaTimeoutError;
        # the relay keeps the rows and retries.
        "max_block_ms": 10_000,
        "delivery_timeout_ms": 60_000,
        **_RECONNECT,
        **security_config(settings),
    }
    config.update(overrides)
    return KafkaProducer(**config)


def make_consumer(
    settings: KafkaSettings,
    *,
    group_id: str | None,
    topics: Iterable[str] | None = None,
    **overrides: Any,
) -> KafkaConsumer:
    """A group consumer that never auto-commits and reads only committed transactional records.

    ``topics=None`` subscribes to ``settings.topic``; pass ``()`` to subscribe or assign yourself.
    """
    config: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "group_id": group_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "isolation_level": "read_committed",
        "max_poll_records": 2000,
        "fetch_max_bytes": 32 * 1024 * 1024,
        "max_partition_fetch_bytes": 4 * 1024 * 1024,
        # See new topics and partitions within seconds, not the default five minutes.
        "metadata_max_age_ms": 5000,
        **_RECONNECT,
        **security_config(settings),
    }
    config.update(overrides)
    consumer = KafkaConsumer(**config)
    subscribe_to = [settings.topic] if topics is None else list(topics)
    if subscribe_to:
        consumer.subscribe(subscribe_to)
    return consumer


def make_admin(settings: KafkaSettings, **overrides: Any) -> KafkaAdminClient:
    config: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        **_RECONNECT,
        **security_config(settings),
    }
    config.update(overrides)
    return KafkaAdminClient(**config)


def ensure_topics(
    settings: KafkaSettings,
    topics: Mapping[str, int] | None = None,
    *,
    replication_factor: int = 1,
    timeout_s: float = 60.0,
    configs: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    """Create missing topics (name → partitions); the event topic and its DLQ by default.

    ``configs`` gives a topic's settings at creation (``{"cleanup.policy": "compact"}``); a topic that
    exists already is left as it is. Replication 1 suits one local broker; a production cluster
    declares its topics itself.

    Waits up to ``timeout_s`` for a broker, so a service started alongside Kafka does not fail.
    """
    wanted = (
        dict(topics)
        if topics is not None
        else {
            settings.topic: DEFAULT_PARTITIONS,
            settings.dead_letter_topic: DEFAULT_PARTITIONS,
        }
    )
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            admin = make_admin(settings, bootstrap_timeout_ms=5000)
            break
        except KafkaTimeoutError:
            if time.monotonic() > deadline:
                raise
            log.warning("kafka not reachable yet", bootstrap_servers=settings.bootstrap_servers)
            time.sleep(1.0)
    try:
        missing = set(wanted) - set(admin.list_topics())
        for name in sorted(missing):
            try:
                topic_configs = dict((configs or {}).get(name, {}))
                admin.create_topics(
                    [NewTopic(name, wanted[name], replication_factor, topic_configs=topic_configs)]
                )
                log.info(
                    "topic created",
                    topic=name,
                    partitions=wanted[name],
                    replication=replication_factor,
                    config=topic_configs,
                )
            except TopicAlreadyExistsError:
                pass  # Another process won the race.
            except KafkaError as exc:
                raise RuntimeError(f"cannot create topic {name}: {exc}") from exc
    finally:
        admin.close()
