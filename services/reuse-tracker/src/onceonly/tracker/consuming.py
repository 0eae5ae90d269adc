"""The tracker's use of the shared consume loop: live consuming (foreground or a background thread)
and ``rebuild``, which replays the topic from its beginning into an emptied store.

The store holds its position in the topic (``consumer_offsets``, see ``onceonly.common.consumer``): an
empty store starts at the beginning and rebuilds itself, a restored one carries on from its backup.
``rebuild`` stays the explicit command to recompute a store that holds data.

In ``serve`` the loop runs in :class:`ConsumerThread`, which restarts it after any failure with
back-off and tells the probes whether it runs and makes progress; :class:`AppliedPurger` forgets
applied event ids once the topic can no longer hold a duplicate of them.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from kafka import KafkaConsumer
from kafka.admin import ConfigResource, ConfigResourceType
from kafka.structs import TopicPartition
from sqlalchemy import Engine

from onceonly.common import consumer as consume
from onceonly.common import migrations
from onceonly.common.kafka import ensure_topics, make_admin, make_consumer
from onceonly.common.logging import get_logger
from onceonly.common.settings import KafkaSettings
from onceonly.tracker.ledger import apply_batch, cubes_pending, derive_cubes
from onceonly.tracker.settings import TrackerSettings
from onceonly.tracker.store import create_tables, drop_tables

log = get_logger(__name__)


def prepare_store(engine: Engine) -> None:
    """The store and the applied-event ids at this release's schema (migrations, under their lock)."""
    create_tables(engine)
    # The store's positions (consumer_offsets): created here, if missing, until a migration does.
    consume.create_tables(engine)
    finish_cubes(engine)


def finish_cubes(engine: Engine, *, always: bool = False) -> None:
    """Derive the cubes a ``rebuild`` left to its end from the finest one, if it did not get there (or
    ``always``): under the store's migration lock, so replicas starting together derive them once."""
    from onceonly.tracker.migrations import STORE

    # The lock migrations take: replicas starting together derive once.
    with migrations._locked(engine, STORE) as conn:
        if always or cubes_pending(conn):
            started = time.perf_counter()
            derive_cubes(conn)
            log.info("cubes derived from the finest", seconds=round(time.perf_counter() - started, 2))


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


@dataclass(frozen=True, slots=True)
class ConsumerHealth:
    """What the probes say about the embedded consumer: ``live`` (else restart the pod) and ``ready``
    (else take it out of service), with the reason when not."""

    live: bool
    ready: bool
    reason: str = ""


class ConsumerThread:
    """The consume loop in a background thread of ``serve``.

    Whatever ends the loop (broker away, store away, a bug) is logged and the loop restarted after a
    back-off that doubles from ``restart_seconds`` up to ``max_restart_seconds`` and resets once a
    run has lasted a minute; the new consumer seeks to the store's positions, so nothing is lost or
    applied twice. :meth:`health` is not ready while the loop waits to restart, and neither live nor
    ready once the thread has ended or the loop has shown no sign of life (a poll, a batch, a retry)
    for ``stall_seconds``.
    """

    def __init__(
        self,
        loop: consume.ConsumeLoop,
        *,
        restart_seconds: float = 1.0,
        max_restart_seconds: float = 60.0,
        stall_seconds: float = 120.0,
        purger: AppliedPurger | None = None,
    ) -> None:
        self.loop = loop
        self._restart = restart_seconds
        self._max_restart = max_restart_seconds
        self._stall = stall_seconds
        self._purger = purger
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tracker-consumer", daemon=True)
        self.failures = 0
        self.last_error = ""
        self._waiting = False

    def _run(self) -> None:
        backoff = self._restart
        while not self._stopped.is_set():
            started = time.monotonic()
            self.loop.metrics.heartbeat = started
            try:
                self.loop.run()
            except Exception as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"[:500]
                self._waiting = True
                self.failures += 1
                if time.monotonic() - started > 60:
                    backoff = self._restart
                log.exception("consumer failed; restarting", error=self.last_error, backoff_s=backoff)
                self._stopped.wait(backoff)
                self._waiting = False
                backoff = min(backoff * 2, self._max_restart)
            else:
                return  # stopped

    def start(self) -> None:
        self._thread.start()
        if self._purger is not None:
            self._purger.start()

    def stop(self, timeout: float = 15.0) -> None:
        self._stopped.set()
        self.loop.stop()
        if self._purger is not None:
            self._purger.stop()
        self._thread.join(timeout)

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def health(self) -> ConsumerHealth:
        if not self._thread.is_alive():
            return ConsumerHealth(False, False, "the consumer thread has ended")
        silent = time.monotonic() - self.loop.metrics.heartbeat
        if silent > self._stall:
            detail = f"no poll, batch or retry for {silent:.0f} s"
            if self.last_error:
                detail += f"; last failure: {self.last_error}"
            return ConsumerHealth(False, False, detail)
        if self._waiting:
            return ConsumerHealth(True, False, f"restarting after a failure: {self.last_error}")
        return ConsumerHealth(True, True)


def topic_retention_seconds(settings: KafkaSettings) -> float | None:
    """The event topic's ``retention.ms`` as the broker has it, in seconds; None when unlimited."""
    admin = make_admin(settings)
    try:
        resource = ConfigResource(ConfigResourceType.TOPIC, settings.topic, configs=["retention.ms"])
        described = admin.describe_configs([resource], config_filter="all")
    finally:
        admin.close()
    value = int(described["topic"][settings.topic]["retention.ms"]["value"])
    return None if value < 0 else value / 1000


class AppliedPurger:
    """Forgets applied event ids older than ``retention()`` seconds, every ``every_seconds``.

    ``retention`` is asked at each round (the topic's retention may change); None skips the round
    (unlimited retention keeps every id). A failed round is logged and tried again at the next.
    """

    def __init__(
        self, engine: Engine, retention: Callable[[], float | None], *, every_seconds: float = 3600.0
    ) -> None:
        self._engine = engine
        self._retention = retention
        self._every = every_seconds
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tracker-applied-purge", daemon=True)
        self.purged = 0
        self.rounds = 0

    def purge_once(self) -> int:
        keep = self._retention()
        if keep is None:
            return 0
        deleted = consume.purge_applied(self._engine, older_than_seconds=keep)
        self.purged += deleted
        self.rounds += 1
        log.info("applied event ids purged", deleted=deleted, older_than_hours=round(keep / 3600, 1))
        return deleted

    def _run(self) -> None:
        while not self._stopped.wait(self._every):
            try:
                self.purge_once()
            except Exception as exc:
                log.warning("purging applied event ids failed", error=f"{type(exc).__name__}: {exc}")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()


def applied_retention(settings: TrackerSettings) -> Callable[[], float | None]:
    """How long applied ids are kept: ``applied_retention_hours`` when set, else the topic's retention
    (asked of the broker) plus ``applied_retention_margin_hours``."""
    margin = settings.applied_retention_margin_hours * 3600

    def seconds() -> float | None:
        if settings.applied_retention_hours is not None:
            return settings.applied_retention_hours * 3600
        retention = topic_retention_seconds(settings.kafka)
        return None if retention is None else retention + margin

    return seconds


def consumer_thread(settings: TrackerSettings, engine: Engine) -> ConsumerThread:
    """The embedded consumer of ``serve``, with its purge of applied ids, as the settings say."""
    purger = AppliedPurger(
        engine, applied_retention(settings), every_seconds=settings.applied_purge_interval_seconds
    )
    return ConsumerThread(
        build_loop(settings, engine),
        restart_seconds=settings.consumer_restart_seconds,
        max_restart_seconds=settings.consumer_restart_max_seconds,
        stall_seconds=settings.consumer_stall_seconds,
        purger=purger,
    )


def rebuild(settings: TrackerSettings, engine: Engine, *, consumers: int = 1) -> consume.ConsumerMetrics:
    """Empty the store and apply the topic from its beginning up to its end as of now.

    Ends when every partition has been applied up to the end offset taken at the start, checked after
    every batch and every empty poll, never on a pause: a slow commit or poll must not cut the rebuild
    short. A partition counts as done once the store's position reaches its end offset, or once the
    consumer holding it has read past it (transaction markers and aborted records move a consumer's
    position but no stored one), so a topic that ends in a marker, or an empty one, ends the rebuild too.

    Batches write the finest cube alone; every other cube, a function of it, is derived from it once at
    the end (``finish_cubes``; a store left mid-rebuild gets them when ``consume`` or ``serve`` starts).

    ``consumers`` above one run that many consume loops (threads) in the consumer group: the group
    shares the partitions out among them, and each seeks to the store's positions on every assignment.

    The store's positions are dropped with it and end where the rebuilt store ends, so a later
    ``consume`` carries on from there (the group's offsets, committed too, are only advisory).
    """
    drop_tables(engine)
    prepare_store(engine)
    ensure_topics(settings.kafka)
    topic = settings.kafka.topic
    end: dict[TopicPartition, int] = {}
    probe = make_consumer(settings.kafka, group_id=settings.consumer_group, topics=())
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(probe.partitions_for_topic(topic) or ())]
        end.update(probe.end_offsets(partitions))
    finally:
        probe.close(autocommit=False)

    def assigned_from_beginning() -> KafkaConsumer:
        client = make_consumer(
            settings.kafka,
            group_id=settings.consumer_group,
            topics=(),
            max_poll_records=settings.rebuild_batch_size,
        )
        client.assign(list(end))
        client.seek_to_beginning(*end)
        return client

    def at_end(client: KafkaConsumer) -> bool:
        mine = client.assignment()
        stored = consume.stored_positions(engine, [topic]) if len(mine) < len(end) else {}
        return all(
            (client.position(tp) >= offset) if tp in mine else stored.get(tp, 0) >= offset
            for tp, offset in end.items()
        )

    handler = functools.partial(apply_batch, finest_only=True)
    loops = [
        build_loop(
            settings,
            engine,
            consumer_factory=assigned_from_beginning if consumers == 1 else None,
            batch_size=settings.rebuild_batch_size,
            batch_handler=handler,
        )
        for _ in range(consumers)
    ]
    if consumers == 1:
        loops[0].run(until=at_end)
    else:
        failures: list[BaseException] = []

        def run(loop: consume.ConsumeLoop) -> None:
            try:
                loop.run(until=at_end)
            except BaseException as exc:
                failures.append(exc)
                for other in loops:
                    other.stop()

        threads = [
            threading.Thread(target=run, args=(loop,), name=f"tracker-rebuild-{i}")
            for i, loop in enumerate(loops)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]
    finish_cubes(engine, always=True)
    metrics = _merged([loop.metrics for loop in loops])
    log.info("rebuild done", records=metrics.records, applied=dict(metrics.applied), consumers=consumers)
    return metrics


def _merged(parts: list[consume.ConsumerMetrics]) -> consume.ConsumerMetrics:
    if len(parts) == 1:
        return parts[0]
    total = consume.ConsumerMetrics()
    for part in parts:
        total.applied.update(part.applied)
        total.duplicates += part.duplicates
        total.unknown_kind += part.unknown_kind
        total.dead_lettered += part.dead_lettered
        total.batches += part.batches
        total.retries += part.retries
        total.records += part.records
        total.lag.update(part.lag)
    return total
