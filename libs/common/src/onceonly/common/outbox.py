"""Transactional outbox and its relay to Kafka.

A service writes its business rows and their events in one database transaction
(:func:`add_event` / :func:`add_events` on the caller's connection or session), so an event exists
if and only if the change it reports was committed. A :class:`Relay` then publishes pending rows in
id order with the idempotent producer, marks them sent, and keeps them for a while before purging.

Guarantees and their limits:

- **At least once.** A row is marked sent only after the broker acknowledged it (``acks=all``); a
  relay that dies between the two republishes it after restart, and consumers drop the repeated
  event id.
- **One relay at a time.** Relays sharing a database elect a holder through a lease row (same code on
  SQLite and PostgreSQL). Only the holder publishes, and it renews the lease before each batch and
  while waiting for acknowledgements, so no row is published by two relays at once; a relay that
  stops hands over at once (it releases the lease), one that dies after at most ``lease_seconds``
  plus ``standby_seconds`` (how often a relay without the lease looks at it again).
- **Order per key.** Rows go out in id order and Kafka keeps order per partition. On PostgreSQL ids
  follow insert order, not commit order: two *concurrent* transactions writing events for the same
  dossier could commit out of order. Callers serialize writes for one dossier (they do: one dossier
  is handled by one desk, one request after another).
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError
from sqlalchemy import (
    BigInteger,
    Column,
    Double,
    Engine,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from onceonly.common.events import Envelope, dossier_key, encode
from onceonly.common.kafka import ensure_topics, make_producer
from onceonly.common.logging import get_logger
from onceonly.common.settings import DOSSIER_EVENTS_TOPIC, KafkaSettings

__all__ = [
    "Relay",
    "RelayStats",
    "add_event",
    "add_events",
    "create_tables",
    "metadata",
    "outbox_lag",
    "outbox_table",
]

log = get_logger(__name__)

metadata = MetaData()

outbox_table = Table(
    "outbox",
    metadata,
    # INTEGER on SQLite so the column is the rowid (AUTOINCREMENT-free, monotonic while rows exist).
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False),
    Column("topic", String(249), nullable=False),
    Column("key", LargeBinary, nullable=False),
    Column("value", LargeBinary, nullable=False),
    # Epoch seconds: comparable across processes and dialects without time-zone handling.
    Column("created_at", Double, nullable=False),
    Column("sent_at", Double, nullable=True),
)
# Partial index: the relay's "what is pending" query stays fast however many sent rows are kept.
Index(
    "ix_outbox_pending",
    outbox_table.c.id,
    postgresql_where=outbox_table.c.sent_at.is_(None),
    sqlite_where=outbox_table.c.sent_at.is_(None),
)

lease_table = Table(
    "outbox_relay_lease",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(200), nullable=False),
    Column("expires_at", Double, nullable=False),
)


def create_tables(engine: Engine) -> None:
    """Create the outbox tables if missing (they have their own MetaData, apart from any service's)."""
    metadata.create_all(engine)


def _row(envelope: Envelope, *, key: bytes | None, topic: str, now: float) -> dict[str, Any]:
    return {
        "event_id": envelope.event_id,
        "topic": topic,
        "key": key if key is not None else dossier_key(envelope),
        "value": encode(envelope),
        "created_at": now,
    }


def add_event(
    conn: Connection | Session,
    envelope: Envelope,
    *,
    key: bytes | None = None,
    topic: str = DOSSIER_EVENTS_TOPIC,
) -> None:
    """Queue one event in the caller's transaction (no commit here); key defaults to the dossier id."""
    conn.execute(insert(outbox_table), [_row(envelope, key=key, topic=topic, now=time.time())])


def add_events(
    conn: Connection | Session,
    envelopes: Iterable[Envelope],
    *,
    topic: str = DOSSIER_EVENTS_TOPIC,
) -> int:
    """Queue several events in one statement, in the caller's transaction; returns how many."""
    now = time.time()
    rows = [_row(envelope, key=None, topic=topic, now=now) for envelope in envelopes]
    if rows:
        conn.execute(insert(outbox_table), rows)
    return len(rows)


def outbox_lag(engine: Engine) -> tuple[int, float]:
    """``(rows pending, age in seconds of the oldest pending row)``; ``(0, 0.0)`` when all is sent."""
    query = select(func.count(), func.min(outbox_table.c.created_at)).where(outbox_table.c.sent_at.is_(None))
    with engine.connect() as conn:
        pending, oldest = conn.execute(query).one()
    if not pending:
        return 0, 0.0
    return int(pending), max(0.0, time.time() - float(oldest))


@dataclass
class RelayStats:
    """Counters a service exports as metrics (``/metrics``) beside :func:`outbox_lag`."""

    published: int = 0
    batches: int = 0
    publish_failures: int = 0
    purged: int = 0
    holds_lease: bool = False
    last_error: str | None = None
    last_publish_at: float | None = None


class _LeaseLost(Exception):
    pass


class Relay:
    """Publishes the outbox to Kafka; run one (or several, for failover) per database.

    ``run()`` blocks until :meth:`stop`; :meth:`start` runs it in a daemon thread. :meth:`wake` lets
    a writer in the same process cut the idle wait short after a commit.
    """

    def __init__(
        self,
        engine: Engine,
        settings: KafkaSettings,
        *,
        name: str = "outbox",
        holder: str | None = None,
        batch_size: int = 2000,
        idle_seconds: float = 0.05,
        lease_seconds: float = 15.0,
        retention_seconds: float = 600.0,
        max_backoff_seconds: float = 5.0,
        standby_seconds: float | None = None,
        producer_factory: Callable[[], KafkaProducer] | None = None,
    ) -> None:
        self._engine = engine
        self._settings = settings
        self._name = name
        self._holder = holder or f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"
        self._batch_size = batch_size
        self._idle_seconds = idle_seconds
        self._lease_seconds = lease_seconds
        self._retention_seconds = retention_seconds
        self._max_backoff = max_backoff_seconds
        # A standby asks for the lease this often, not every idle round: with one relay per replica the
        # holder's polling is the only one that needs to be quick.
        self._standby_seconds = (
            standby_seconds if standby_seconds is not None else max(idle_seconds, min(lease_seconds / 3, 5.0))
        )
        self._producer_factory = producer_factory or (lambda: make_producer(settings))
        self._producer: KafkaProducer | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._next_purge = 0.0
        self.stats = RelayStats()

    @property
    def holder(self) -> str:
        return self._holder

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> threading.Thread:
        self._thread = threading.Thread(target=self.run, name=f"relay-{self._name}", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, timeout: float | None = 30.0) -> None:
        """Finish the batch in hand, release the lease, close the producer."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def wake(self) -> None:
        self._wake.set()

    def run(self) -> None:
        backoff = 0.1
        try:
            while not self._stop.is_set():
                try:
                    published = self.run_once()
                    backoff = 0.1
                except (KafkaError, SQLAlchemyError, _LeaseLost) as exc:
                    # Broker or database away: keep the rows, wait, try again; nothing is lost.
                    self.stats.publish_failures += 1
                    self.stats.last_error = f"{type(exc).__name__}: {exc}"
                    log.warning("relay retrying", error=self.stats.last_error, backoff_s=backoff)
                    self._discard_producer()
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, self._max_backoff)
                    continue
                if not self.stats.holds_lease:
                    self._stop.wait(self._standby_seconds)
                elif published < self._batch_size:
                    # Drained: wait before the next round (lease, read, publish, mark sent), so a steady
                    # trickle of events travels in batches rather than one round trip per event.
                    self._wake.wait(self._idle_seconds)
                    self._wake.clear()
        finally:
            self._release_lease()
            self._close_producer()

    # -- one step ------------------------------------------------------------------------------

    def run_once(self) -> int:
        """Publish one batch if this relay holds the lease; returns the rows marked sent."""
        if not self._acquire_lease():
            self.stats.holds_lease = False
            return 0
        self.stats.holds_lease = True
        rows = self._pending()
        if not rows:
            self._maybe_purge()
            return 0
        producer = self._ensure_producer()
        futures: list[Any] = []
        error: KafkaError | None = None
        for row in rows:
            try:
                futures.append(producer.send(row.topic, key=bytes(row.key), value=bytes(row.value)))
            except KafkaError as exc:
                # No metadata (broker away): send what is queued so far, keep the rest pending.
                error = exc
                break
        self._await(producer)
        sent_ids = self._acknowledged_prefix_per_key(rows[: len(futures)], futures)
        if sent_ids:
            self._mark_sent(sent_ids)
        self.stats.published += len(sent_ids)
        self.stats.batches += 1
        self.stats.last_publish_at = time.time()
        if error is not None:
            raise error
        if len(sent_ids) < len(futures):
            failure = next(f.exception for f in futures if f.failed())
            raise failure if isinstance(failure, KafkaError) else KafkaError(str(failure))
        return len(sent_ids)

    def _await(self, producer: KafkaProducer) -> None:
        # Wait for every acknowledgement, renewing the lease meanwhile so no other relay takes these
        # rows over while the producer still retries them (up to its delivery timeout).
        while True:
            try:
                producer.flush(timeout=self._lease_seconds / 3)
                return
            except KafkaError:
                if not self._acquire_lease():
                    # Someone else holds the rows now: drop what is in flight rather than race it.
                    self._discard_producer()
                    raise _LeaseLost("lease lost while waiting for acknowledgements") from None

    @staticmethod
    def _acknowledged_prefix_per_key(rows: Sequence[Any], futures: Sequence[Any]) -> list[int]:
        """Ids safe to mark sent: acknowledged, and no earlier row of the same key failed.

        A row after a failed one of the same key stays pending, so the retry sends both again in
        their order (the consumer drops the repeat) instead of leaving them swapped on the topic.
        """
        failed_keys: set[bytes] = set()
        ids: list[int] = []
        for row, future in zip(rows, futures, strict=True):
            if future.succeeded() and row.key not in failed_keys:
                ids.append(row.id)
            else:
                failed_keys.add(row.key)
        return ids

    # -- database ------------------------------------------------------------------------------

    def _pending(self) -> Sequence[Any]:
        query = (
            select(outbox_table.c.id, outbox_table.c.topic, outbox_table.c.key, outbox_table.c.value)
            .where(outbox_table.c.sent_at.is_(None))
            .order_by(outbox_table.c.id)
            .limit(self._batch_size)
        )
        with self._engine.connect() as conn:
            return conn.execute(query).all()

    def _mark_sent(self, ids: list[int]) -> None:
        statement = update(outbox_table).where(outbox_table.c.id.in_(ids)).values(sent_at=time.time())
        with self._engine.begin() as conn:
            conn.execute(statement)

    def _maybe_purge(self) -> None:
        now = time.monotonic()
        if now < self._next_purge:
            return
        self._next_purge = now + 30.0
        cutoff = time.time() - self._retention_seconds
        oldest_sent = (
            select(outbox_table.c.id)
            .where(outbox_table.c.sent_at.is_not(None), outbox_table.c.sent_at < cutoff)
            .order_by(outbox_table.c.id)
            .limit(10_000)
            .scalar_subquery()
        )
        with self._engine.begin() as conn:
            purged = conn.execute(delete(outbox_table).where(outbox_table.c.id.in_(oldest_sent))).rowcount
        self.stats.purged += purged or 0

    def _acquire_lease(self) -> bool:
        """Take or renew the lease; true while this relay is the one that publishes."""
        now = time.time()
        renew = (
            update(lease_table)
            .where(
                lease_table.c.name == self._name,
                (lease_table.c.holder == self._holder) | (lease_table.c.expires_at < now),
            )
            .values(holder=self._holder, expires_at=now + self._lease_seconds)
        )
        with self._engine.begin() as conn:
            if conn.execute(renew).rowcount == 1:
                return True
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    insert(lease_table).values(
                        name=self._name, holder=self._holder, expires_at=now + self._lease_seconds
                    )
                )
        except IntegrityError:
            return False  # Another relay holds it.
        return True

    def _release_lease(self) -> None:
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    update(lease_table)
                    .where(lease_table.c.name == self._name, lease_table.c.holder == self._holder)
                    .values(expires_at=0.0)
                )
        except SQLAlchemyError as exc:
            log.warning("relay could not release its lease", error=str(exc))

    # -- producer ------------------------------------------------------------------------------

    def _ensure_producer(self) -> KafkaProducer:
        if self._producer is None:
            # Create the topics with their partitions before the first send, rather than let the
            # broker auto-create them with its defaults.
            try:
                ensure_topics(self._settings, timeout_s=10)
            except (KafkaError, RuntimeError) as exc:
                log.warning("relay could not ensure its topics", error=str(exc))
            self._producer = self._producer_factory()
        return self._producer

    def _discard_producer(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            try:
                producer.close(timeout=0)
            except KafkaError as exc:
                log.warning("relay producer close failed", error=str(exc))

    def _close_producer(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            producer.close(timeout=10)
