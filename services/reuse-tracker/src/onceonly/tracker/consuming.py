"""The tracker's use of the shared consume loop: live consuming (foreground or a background thread)
and ``rebuild``, which replays the topic from its beginning into an emptied store.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from kafka import KafkaConsumer
from kafka.errors import KafkaError
from kafka.structs import TopicPartition
from sqlalchemy import Engine

from onceonly.common import consumer as consume
from onceonly.common.kafka import ensure_topics, make_consumer
from onceonly.common.logging import get_logger
from onceonly.tracker.ledger import apply_batch
from onceonly.tracker.settings import TrackerSettings
from onceonly.tracker.store import create_tables, drop_tables

log = get_logger(__name__)


def prepare_store(engine: Engine) -> None:
    """The store and the applied-event ids at this release's schema (migrations, under their lock)."""
    create_tables(engine)


def build_loop(
    settings: TrackerSettings,
    engine: Engine,
    *,
    consumer_factory: Callable[[], KafkaConsumer] | None = None,
    on_batch: Callable[[consume.ConsumerMetrics], None] | None = None,
    batch_size: int | None = None,
    batch_handler: consume.BatchHandler = apply_batch,
) -> consume.ConsumeLoop:
    return consume.ConsumeLoop(
        engine,
        settings.kafka,
        group_id=settings.consumer_group,
        batch_handler=batch_handler,
        max_records=batch_size or settings.batch_size,
        consumer_factory=consumer_factory,
        on_batch=on_batch,
    )


class ConsumerThread:
    """The consume loop in a background thread of ``serve``; restarts the loop while the broker is away."""

    def __init__(self, loop: consume.ConsumeLoop, *, retry_seconds: float = 2.0) -> None:
        self.loop = loop
        self._retry = retry_seconds
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tracker-consumer", daemon=True)

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                self.loop.run()
            except KafkaError as exc:
                log.warning("consumer cannot reach kafka; retrying", error=f"{type(exc).__name__}: {exc}")
                self._stopped.wait(self._retry)
            else:
                return

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        self._stopped.set()
        self.loop.stop()
        self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread.is_alive()


def rebuild(settings: TrackerSettings, engine: Engine) -> consume.ConsumerMetrics:
    """Empty the store and apply the topic from its beginning up to its end as of now.

    Ends when the consumer's own positions reach the end offsets taken at the start (checked after
    every batch and every empty poll), never on a pause: a slow commit or poll must not cut the
    rebuild short. Transaction markers and aborted records move the positions too, so a topic that
    ends in a marker, or an empty one, ends the rebuild as well.

    Uses the tracker's own consumer group, so its committed offsets end where the rebuilt store ends and a
    later ``consume`` carries on from there (and skips, by event id, anything it reads twice).
    """
    drop_tables(engine)
    prepare_store(engine)
    ensure_topics(settings.kafka)
    topic = settings.kafka.topic
    end: dict[TopicPartition, int] = {}

    def assigned_from_beginning() -> KafkaConsumer:
        client = make_consumer(
            settings.kafka,
            group_id=settings.consumer_group,
            topics=(),
            max_poll_records=settings.rebuild_batch_size,
        )
        partitions = [TopicPartition(topic, p) for p in sorted(client.partitions_for_topic(topic) or ())]
        client.assign(partitions)
        client.seek_to_beginning(*partitions)
        end.update(client.end_offsets(partitions))
        return client

    def at_end(client: KafkaConsumer) -> bool:
        return all(client.position(tp) >= offset for tp, offset in end.items())

    loop = build_loop(
        settings,
        engine,
        consumer_factory=assigned_from_beginning,
        batch_size=settings.rebuild_batch_size,
    )
    loop.run(until=at_end)
    log.info("rebuild done", records=loop.metrics.records, applied=dict(loop.metrics.applied))
    return loop.metrics
