"""The one consume loop: poll a batch → decode → apply in one database transaction → commit offsets.

Exactly-once *effect* on the consumer's store, with at-least-once delivery underneath: the handler's
writes, the ids of the events it applied and each partition's next offset (``consumer_offsets``)
commit in one transaction. The store owns its position: on every assignment the consumer seeks each
partition to the offset the store holds, or to the beginning of the partition when the store holds
none (an empty or a new store rebuilds itself from the topic), so a store restored from a backup
carries on from where the backup stands, whatever the group committed since. The group's offsets are
still committed after each batch, for the lag tools, but never read back. A consumer that dies
between the transaction and the commit resumes at the store's position; the applied ids skip what a
producer wrote twice.

- Speed: a whole poll batch is applied in one transaction, through ``batch_handler(conn, envelopes)``
  when given (one statement per batch instead of per event), else ``handler(conn, envelope)`` per event.
- Poison: when the batch transaction fails, each event is retried on its own (bounded attempts), so one
  bad record cannot hold the others back; what still fails, and every record that cannot be decoded,
  goes to the dead-letter topic with the reason in its headers, and the loop goes on. The position
  moves past a dead-lettered record only once the dead-letter topic holds it.
- Database or broker away (connection errors): the same batch is retried with back-off, never
  dead-lettered, and offsets are not committed until it is through.
- Stop (:meth:`ConsumeLoop.stop`, SIGTERM/SIGINT with :meth:`ConsumeLoop.install_signal_handlers`):
  the batch in hand is finished and committed, then the consumer closes.

Handlers get a SQLAlchemy Core ``Connection`` inside the open transaction; they must not commit. One
that prefers the ORM can wrap it: ``Session(bind=conn, join_transaction_mode="create_savepoint")``.
Envelopes of a kind this version does not know are skipped (see EVOLUTION.md).
"""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer
from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition
from sqlalchemy import (
    BigInteger,
    Column,
    Double,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    case,
    insert,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from onceonly.common.events import Envelope, EventDecodeError, decode, payload_kind
from onceonly.common.kafka import ensure_topics, make_consumer, make_producer
from onceonly.common.logging import get_logger
from onceonly.common.problems import store_unreachable
from onceonly.common.settings import KafkaSettings

__all__ = [
    "DLQ_CONSUMER_GROUP_HEADER",
    "DLQ_OFFSET_HEADER",
    "DLQ_PARTITION_HEADER",
    "DLQ_REASON_HEADER",
    "DLQ_TOPIC_HEADER",
    "BatchHandler",
    "ConsumeLoop",
    "ConsumerMetrics",
    "Handler",
    "applied_events_table",
    "consumer_offsets_table",
    "create_tables",
    "metadata",
    "purge_applied",
    "stored_positions",
]

log = get_logger(__name__)

Handler = Callable[[Connection, Envelope], object]
BatchHandler = Callable[[Connection, Sequence[Envelope]], object]

# Headers on every dead-lettered record: why, and where it came from.
DLQ_REASON_HEADER = "dlq.reason"
DLQ_TOPIC_HEADER = "dlq.source.topic"
DLQ_PARTITION_HEADER = "dlq.source.partition"
DLQ_OFFSET_HEADER = "dlq.source.offset"
DLQ_CONSUMER_GROUP_HEADER = "dlq.consumer.group"

metadata = MetaData()

applied_events_table = Table(
    "applied_events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("applied_at", Double, nullable=False),
    # On SQLite the rows live in the primary key's B-tree: one insert per id, not a row and an index entry.
    sqlite_with_rowid=False,
)

# Each partition's next offset to read, written in the transaction that applies the records before it:
# where the store stands in the topic, whatever the consumer group committed.
consumer_offsets_table = Table(
    "consumer_offsets",
    metadata,
    Column("topic", String(249), primary_key=True),
    Column("partition", Integer, primary_key=True),
    Column("next_offset", BigInteger, nullable=False),
    Column("updated_at", Double, nullable=False),
)

# SQLite allows 32766 bound parameters per statement; stay far below on both stores.
_CHUNK = 900
# Applied ids purged per transaction, so a purge never holds the store's write lock for long.
_PURGE_CHUNK = 10_000


def _record_applied(conn: Connection, rows: list[tuple[str, float]]) -> None:
    """Insert applied-event ids through the driver's own ``executemany`` (plain tuples, no per-row
    parameter processing by SQLAlchemy: that cost more than the insert itself at ~10,000 ids/s)."""
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    cursor = conn.connection.cursor()
    try:
        if conn.dialect.name == "postgresql":
            # COPY: psycopg's executemany binds and sends each row apart. A conflict (an id applied
            # already) fails the COPY as it fails an INSERT, and the loop goes one by one.
            with cursor.copy(f"COPY {applied_events_table.name} (event_id, applied_at) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO {applied_events_table.name} (event_id, applied_at) VALUES ({mark}, {mark})",  # noqa: S608
                rows,
            )
    finally:
        cursor.close()


def create_tables(engine: Engine) -> None:
    """Create the applied-event and offset tables if missing (their own MetaData, apart from any
    service's)."""
    metadata.create_all(engine)


def purge_applied(engine: Engine, *, older_than_seconds: float) -> int:
    """Forget applied ids older than any duplicate of them could arrive (see docs/RELIABILITY.md);
    returns rows deleted. In chunks, so the consume loop's transactions wait a moment at most."""
    cutoff = time.time() - older_than_seconds
    table = applied_events_table
    total = 0
    while True:
        with engine.begin() as conn:
            ids = select(table.c.event_id).where(table.c.applied_at < cutoff).limit(_PURGE_CHUNK)
            deleted = int(conn.execute(table.delete().where(table.c.event_id.in_(ids))).rowcount or 0)
        total += deleted
        if deleted < _PURGE_CHUNK:
            return total


def stored_positions(engine: Engine, topics: Iterable[str]) -> dict[TopicPartition, int]:
    """The next offset of every partition of ``topics`` the store has applied records of."""
    table = consumer_offsets_table
    with engine.connect() as conn:
        rows = conn.execute(
            select(table.c.topic, table.c.partition, table.c.next_offset).where(
                table.c.topic.in_(list(topics))
            )
        ).all()
    return {TopicPartition(topic, partition): int(offset) for topic, partition, offset in rows}


def _store_positions(conn: Connection, records: Sequence[Any]) -> None:
    """Move each partition's stored position past ``records``, never back (an overlapping owner during a
    rebalance may write an older one)."""
    positions: dict[tuple[str, int], int] = {}
    for record in records:
        key = (record.topic, record.partition)
        positions[key] = max(positions.get(key, 0), record.offset + 1)
    if not positions:
        return
    table = consumer_offsets_table
    upsert = pg_insert(table) if conn.dialect.name == "postgresql" else sqlite_insert(table)
    now = time.time()
    statement = upsert.on_conflict_do_update(
        index_elements=[table.c.topic, table.c.partition],
        set_={
            "next_offset": case(
                (upsert.excluded.next_offset > table.c.next_offset, upsert.excluded.next_offset),
                else_=table.c.next_offset,
            ),
            "updated_at": upsert.excluded.updated_at,
        },
    )
    conn.execute(
        statement,
        [
            {"topic": t, "partition": p, "next_offset": o, "updated_at": now}
            for (t, p), o in positions.items()
        ],
    )


@dataclass
class ConsumerMetrics:
    """Counters a service exports to Prometheus; updated by the loop's thread after each batch."""

    applied: Counter[str] = field(default_factory=Counter)  # by payload kind
    duplicates: int = 0
    unknown_kind: int = 0
    dead_lettered: int = 0
    batches: int = 0
    retries: int = 0
    records: int = 0
    # (topic, partition) → records behind the partition's high watermark after the last commit.
    lag: dict[tuple[str, int], int] = field(default_factory=dict)
    last_batch_seconds: float = 0.0
    last_commit_at: float | None = None
    # time.monotonic() of the loop's last sign of life: a poll returned, a batch applied or a retry
    # waited out. A loop that is stuck (a hung statement, a deadlock) stops beating.
    heartbeat: float = field(default_factory=time.monotonic)

    def total_lag(self) -> int:
        return sum(self.lag.values())


class _Infrastructure(Exception):
    """The database or the broker is away: retry the batch, do not dead-letter anything."""


class PositionError(RuntimeError):
    """The store's positions could not be read on an assignment: the consumer must not read on from
    the group's offsets, so the loop ends (its runner restarts it)."""


class _SeekToStore(ConsumerRebalanceListener):  # type: ignore[misc]
    """On each assignment, seeks every newly assigned partition to the store's position."""

    def __init__(self, loop: ConsumeLoop, consumer: KafkaConsumer) -> None:
        self._loop = loop
        self._consumer = consumer

    def on_partitions_revoked(self, revoked: Any) -> None:
        pass

    def on_partitions_assigned(self, assigned: Any) -> None:
        # The client logs and wraps what a listener raises and then reads on from the committed
        # offsets: keep the error for the loop instead, which stops before using this poll's records.
        try:
            self._loop.seek_to_store(self._consumer, list(assigned))
        except Exception as exc:
            self._loop.position_error = exc


@dataclass
class _Dead:
    record: Any
    reason: str


def _where(record: Any) -> tuple[str, int, int]:
    return (record.topic, record.partition, record.offset)


class ConsumeLoop:
    """Runs one consumer of a group; create one per process (or thread) and call :meth:`run`."""

    def __init__(
        self,
        engine: Engine,
        settings: KafkaSettings,
        *,
        group_id: str,
        handler: Handler | None = None,
        batch_handler: BatchHandler | None = None,
        topics: Iterable[str] | None = None,
        max_attempts: int = 3,
        retry_backoff_seconds: float = 0.2,
        max_backoff_seconds: float = 5.0,
        poll_timeout_ms: int = 500,
        max_records: int = 2000,
        consumer_factory: Callable[[], KafkaConsumer] | None = None,
        producer_factory: Callable[[], KafkaProducer] | None = None,
        on_batch: Callable[[ConsumerMetrics], None] | None = None,
    ) -> None:
        if handler is None and batch_handler is None:
            raise ValueError("give a handler, a batch_handler, or both")
        self._engine = engine
        self._settings = settings
        self._group_id = group_id
        self._handler = handler
        self._batch_handler = batch_handler
        self._topics = list(topics) if topics is not None else [settings.topic]
        self._max_attempts = max_attempts
        self._retry_backoff = retry_backoff_seconds
        self._max_backoff = max_backoff_seconds
        self._poll_timeout_ms = poll_timeout_ms
        self._max_records = max_records
        self._consumer_factory = consumer_factory or (
            lambda: self._subscribe(settings, group_id=group_id, max_records=max_records)
        )
        self._producer_factory = producer_factory or (lambda: make_producer(settings))
        self._producer: KafkaProducer | None = None
        self._on_batch = on_batch
        self._stop = threading.Event()
        self.metrics = ConsumerMetrics()
        self.position_error: BaseException | None = None
        # (topic, partition, offset) of the undecodable records of the batch in hand already on the DLQ.
        self._dead_in_hand: set[tuple[str, int, int]] = set()

    # -- lifecycle -----------------------------------------------------------------------------

    def stop(self) -> None:
        """Ask the loop to finish the batch in hand, commit and close."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def install_signal_handlers(self) -> None:
        """SIGTERM and SIGINT stop the loop gracefully (call from the main thread)."""

        def _stop(signum: int, _: FrameType | None) -> None:
            log.info("consumer stopping on signal", signal=signal.Signals(signum).name)
            self.stop()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)

    def _subscribe(self, settings: KafkaSettings, *, group_id: str, max_records: int) -> KafkaConsumer:
        # Subscribing to a topic that does not exist yet would leave the consumer idle until its next
        # metadata refresh; create the default topics with their partitions first.
        if set(self._topics) <= {settings.topic, settings.dead_letter_topic}:
            ensure_topics(settings)
        return make_consumer(settings, group_id=group_id, topics=self._topics, max_poll_records=max_records)

    def seek_to_store(self, consumer: KafkaConsumer, partitions: Sequence[TopicPartition]) -> None:
        """Point ``partitions`` at the store's positions; those it holds none of, at their beginning."""
        if not partitions:
            return
        stored = stored_positions(self._engine, {tp.topic for tp in partitions})
        fresh = [tp for tp in partitions if tp not in stored]
        for tp in partitions:
            if tp in stored:
                consumer.seek(tp, stored[tp])
        if fresh:
            consumer.seek_to_beginning(*fresh)
        log.info(
            "consumer positioned from the store",
            group=self._group_id,
            stored={f"{tp.topic}/{tp.partition}": stored[tp] for tp in partitions if tp in stored},
            from_beginning=[f"{tp.topic}/{tp.partition}" for tp in fresh],
        )

    def _attach(self, consumer: KafkaConsumer) -> None:
        """Make the store's positions the consumer's: through a rebalance listener for a subscription
        (any factory's), at once for a manual assignment."""
        subscribed = consumer.subscription()
        if subscribed:
            consumer.subscribe(sorted(subscribed), listener=_SeekToStore(self, consumer))
        else:
            self.seek_to_store(
                consumer, sorted(consumer.assignment(), key=lambda tp: (tp.topic, tp.partition))
            )

    def run(self, *, until: Callable[[KafkaConsumer], bool] | None = None) -> None:
        """Consume until :meth:`stop`, or until ``until(consumer)`` holds; blocks.

        ``until`` is asked in this thread after every poll that returned nothing and after every batch
        committed, so it sees the consumer's positions as they are (e.g. "at the end offsets").
        """
        self.position_error = None
        consumer = self._consumer_factory()
        log.info("consumer started", group=self._group_id, topics=self._topics)
        try:
            self._attach(consumer)
            backoff = self._retry_backoff
            while not self._stop.is_set():
                try:
                    polled = consumer.poll(timeout_ms=self._poll_timeout_ms, max_records=self._max_records)
                except KafkaError as exc:
                    if self.position_error is not None:
                        break  # raised below
                    # Broker away: the client reconnects by itself; wait and poll again.
                    self.metrics.retries += 1
                    log.warning(
                        "consumer poll failed", error=f"{type(exc).__name__}: {exc}", backoff_s=backoff
                    )
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, self._max_backoff)
                    continue
                if self.position_error is not None:
                    break  # this poll's records may come from the group's offsets: never apply them
                self.metrics.heartbeat = time.monotonic()
                backoff = self._retry_backoff
                if polled:
                    # Partitions are independent; within one, records come in offset order.
                    records = [record for batch in polled.values() for record in batch]
                    self._process_until_done(consumer, records)
                if until is not None and until(consumer):
                    break
            if self.position_error is not None:
                raise PositionError(f"cannot read the store's positions: {self.position_error}") from (
                    self.position_error
                )
        finally:
            consumer.close(autocommit=False)
            if self._producer is not None:
                self._producer.close(timeout=10)
            log.info("consumer closed", group=self._group_id)

    # -- one batch -----------------------------------------------------------------------------

    def _process_until_done(self, consumer: KafkaConsumer, records: list[Any]) -> None:
        backoff = self._retry_backoff
        self._dead_in_hand.clear()
        while True:
            try:
                self.process(records)
                break
            except (_Infrastructure, KafkaError, SQLAlchemyError) as exc:
                self.metrics.retries += 1
                log.warning(
                    "consumer batch retrying", error=f"{type(exc).__name__}: {exc}", backoff_s=backoff
                )
                if self._stop.wait(backoff):
                    return  # Not applied: the store's position is still before the batch.
                self.metrics.heartbeat = time.monotonic()
                backoff = min(backoff * 2, self._max_backoff)
        self._commit(consumer, records)

    def process(self, records: Sequence[Any]) -> None:
        """Apply one poll batch to the store and dead-letter what cannot be applied; the store's
        positions move past the batch (the group's offsets are not committed here)."""
        started = time.perf_counter()
        dead: list[_Dead] = []
        envelopes: list[tuple[Any, Envelope]] = []
        seen: set[str] = set()
        for record in records:
            try:
                envelope = decode(record.value)
            except EventDecodeError as exc:
                dead.append(_Dead(record, f"undecodable: {exc.reason}"))
                continue
            if payload_kind(envelope) is None:
                self.metrics.unknown_kind += 1
                continue
            if envelope.event_id in seen:
                self.metrics.duplicates += 1
                continue
            seen.add(envelope.event_id)
            envelopes.append((record, envelope))

        # What cannot be decoded is on the dead-letter topic before the position moves past it; once
        # only, however often an unreachable store makes this batch be tried again.
        dead = [d for d in dead if _where(d.record) not in self._dead_in_hand]
        if dead:
            self._dead_letter(dead)
            self._dead_in_hand.update(_where(d.record) for d in dead)
            dead = []
        try:
            applied = self._apply_batch([envelope for _, envelope in envelopes], records)
        except Exception as exc:
            # Lost connections, locked SQLite files, server restarts: the event is fine, the store is not.
            if store_unreachable(exc):
                raise _Infrastructure(str(exc)) from exc
            log.warning("batch failed; applying one by one", error=f"{type(exc).__name__}: {exc}")
            applied = self._apply_one_by_one(envelopes, dead)
            if dead:
                self._dead_letter(dead)
            # A crash before this leaves the position before the batch: it is read again, its applied
            # events skipped by id, its failures dead-lettered again.
            with self._engine.begin() as conn:
                _store_positions(conn, records)
        for kind, count in applied.items():
            self.metrics.applied[kind] += count
        self.metrics.batches += 1
        self.metrics.records += len(records)
        self.metrics.last_batch_seconds = time.perf_counter() - started

    def _fresh(self, conn: Connection, envelopes: Sequence[Envelope]) -> list[Envelope]:
        ids = [envelope.event_id for envelope in envelopes]
        done: set[str] = set()
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        name = applied_events_table.name
        cursor = conn.connection.cursor()
        try:
            # Through the driver, as _record_applied: no SQLAlchemy compile of a 900-value IN per chunk.
            for start in range(0, len(ids), _CHUNK):
                chunk = ids[start : start + _CHUNK]
                marks = ", ".join([mark] * len(chunk))
                cursor.execute(f"SELECT event_id FROM {name} WHERE event_id IN ({marks})", chunk)  # noqa: S608
                done.update(row[0] for row in cursor.fetchall())
        finally:
            cursor.close()
        self.metrics.duplicates += len(done)
        return [envelope for envelope in envelopes if envelope.event_id not in done]

    def _apply(self, conn: Connection, envelopes: Sequence[Envelope]) -> None:
        if self._batch_handler is not None:
            self._batch_handler(conn, envelopes)
        else:
            assert self._handler is not None
            for envelope in envelopes:
                self._handler(conn, envelope)

    def _apply_batch(self, envelopes: Sequence[Envelope], records: Sequence[Any]) -> Counter[str]:
        with self._engine.begin() as conn:
            fresh = self._fresh(conn, envelopes) if envelopes else []
            if fresh:
                self._apply(conn, fresh)
                now = time.time()
                _record_applied(conn, [(envelope.event_id, now) for envelope in fresh])
            _store_positions(conn, records)
        return Counter(str(payload_kind(envelope)) for envelope in fresh)

    def _apply_one_by_one(self, envelopes: Sequence[tuple[Any, Envelope]], dead: list[_Dead]) -> Counter[str]:
        applied: Counter[str] = Counter()
        for record, envelope in envelopes:
            error: Exception | None = None
            for attempt in range(1, self._max_attempts + 1):
                try:
                    with self._engine.begin() as conn:
                        # The id first: a conflict here means "already applied", nothing else.
                        conn.execute(
                            insert(applied_events_table).values(
                                event_id=envelope.event_id, applied_at=time.time()
                            )
                        )
                        self._apply(conn, [envelope])
                    applied[str(payload_kind(envelope))] += 1
                    break
                except IntegrityError as exc:
                    if "applied_events" in str(exc.statement or ""):
                        self.metrics.duplicates += 1
                        break
                    error = exc
                except Exception as exc:
                    if store_unreachable(exc):
                        raise _Infrastructure(str(exc)) from exc
                    error = exc
                if attempt == self._max_attempts:
                    reason = f"handler failed after {attempt} attempts: {type(error).__name__}: {error}"
                    dead.append(_Dead(record, reason[:1000]))
                else:
                    time.sleep(self._retry_backoff * attempt)
        return applied

    def _dead_letter(self, dead: Sequence[_Dead]) -> None:
        if self._producer is None:
            self._producer = self._producer_factory()
        futures = []
        for item in dead:
            record = item.record
            headers = [
                (DLQ_REASON_HEADER, item.reason.encode()),
                (DLQ_TOPIC_HEADER, record.topic.encode()),
                (DLQ_PARTITION_HEADER, str(record.partition).encode()),
                (DLQ_OFFSET_HEADER, str(record.offset).encode()),
                (DLQ_CONSUMER_GROUP_HEADER, self._group_id.encode()),
            ]
            value = record.value if record.value is not None else b""
            futures.append(
                self._producer.send(
                    self._settings.dead_letter_topic, key=record.key, value=value, headers=headers
                )
            )
            log.warning(
                "record dead-lettered",
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
                reason=item.reason,
            )
        # The position moves past these records only once the DLQ holds them: none is lost.
        self._producer.flush(timeout=30)
        for future in futures:
            future.get(timeout=0)
        self.metrics.dead_lettered += len(dead)

    def _commit(self, consumer: KafkaConsumer, records: Sequence[Any]) -> None:
        # Advisory: the store holds the position; the group's offsets serve the lag tools.
        offsets: dict[TopicPartition, OffsetAndMetadata] = {}
        for record in records:
            tp = TopicPartition(record.topic, record.partition)
            offsets[tp] = OffsetAndMetadata(record.offset + 1, "", -1)
        try:
            consumer.commit(offsets)
        except CommitFailedError as exc:
            # The partitions moved to another member; it will re-read the batch and skip its ids.
            log.warning("offset commit failed after rebalance", error=str(exc))
            return
        except KafkaError as exc:
            # Broker away: a later commit covers these offsets; a restart before it re-reads the
            # batch and skips every id already applied.
            log.warning("offset commit failed", error=f"{type(exc).__name__}: {exc}")
            return
        self.metrics.last_commit_at = time.time()
        for tp, committed in offsets.items():
            highwater = consumer.highwater(tp)
            if highwater is not None:
                self.metrics.lag[(tp.topic, tp.partition)] = max(0, highwater - committed.offset)
        if self._on_batch is not None:
            self._on_batch(self.metrics)
