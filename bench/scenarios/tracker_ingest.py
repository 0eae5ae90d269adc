"""Scenario 4, tracker ingest: events applied per second from a pre-filled topic, beside a bare
kafka-python consumer reading the same topic in the same run; and the rebuild time of 2 million events.

The topic holds the events of a national mix of dossiers (``bench/tracker_data.py``: receipts, lookups
before them, resolutions, in time order by window) and is kept between runs, keyed by size and
generator version. The tracker's figure is ``onceonly-tracker rebuild`` itself: empty the store, replay
the topic from its beginning through the shared consume loop into SQLite (and PostgreSQL beside it).
The topic holds 500,000 events (``--quick``: 100,000; PostgreSQL replays at most 100,000); the 2-million
rebuild time is extrapolated from the measured rate, as filling a bigger topic with kafka-python takes
longer than the bench budget. ``rebuild`` applies batches of ``rebuild_batch_size`` events (live
``consume``: ``batch_size``). Beside each rate, the CPU seconds the process spent per 100,000 events
(all its threads): the wall figures move with whatever else the shared machine runs.
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
from kafka.admin import NewTopic
from kafka.partitioner.default import murmur2
from kafka.structs import TopicPartition
from sqlalchemy.engine import make_url

from bench.harness import VAR, Row, load_average, ratio, write_rows
from bench.tracker_data import EVENTS_VERSION, Model, event_stream
from onceonly.common.db import make_engine
from onceonly.common.events import encode
from onceonly.common.kafka import make_admin, make_consumer, make_producer
from onceonly.common.settings import KafkaSettings
from onceonly.tracker.consuming import rebuild
from onceonly.tracker.queries import Filters, totals
from onceonly.tracker.settings import TrackerSettings

SEED = 4
PARTITIONS = 6
# Processes sending the events while this one draws them (the machine has two cores).
SENDERS = 2
GOAL_RATE = 20_000.0
GOAL_RATIO = 0.5
NATIONAL_YEAR = 100_000_000


def _end_offsets(kafka: KafkaSettings, topic: str) -> int:
    consumer = make_consumer(kafka, group_id=f"bench-probe-{uuid.uuid4().hex[:6]}", topics=())
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        return sum(consumer.end_offsets(partitions).values()) if partitions else -1
    finally:
        consumer.close(autocommit=False)


def prefill(kafka: KafkaSettings, events: int) -> tuple[str, float | None]:
    """The topic holding ``events`` events (made when missing); returns it and the fill time if made.

    kafka-python builds every record in Python, about as slow as drawing the events: this process draws
    and encodes them while ``SENDERS`` processes send, each to its own partitions in stream order, so
    every partition holds what one keyed producer would have written, in the same order.
    """
    topic = f"bench.tracker-ingest.v{EVENTS_VERSION}.{events}"
    admin = make_admin(kafka)
    try:
        if topic in admin.list_topics():
            if _end_offsets(kafka, topic) == events:
                return topic, None
            admin.delete_topics([topic])
            time.sleep(2)
        admin.create_topics([NewTopic(topic, PARTITIONS, 1)])
    finally:
        admin.close()
    started = time.perf_counter()
    # Forked before this process holds any Kafka client; each sender owns its queue of chunks.
    context = multiprocessing.get_context("fork")
    queues: list[multiprocessing.Queue[list[tuple[int, bytes, bytes]] | None]] = [
        context.Queue(maxsize=8) for _ in range(SENDERS)
    ]
    senders = [context.Process(target=_send, args=(kafka, topic, q)) for q in queues]
    for sender in senders:
        sender.start()
    stream = itertools.islice(event_stream(Model(), events, SEED), events)
    while chunk := list(itertools.islice(stream, 10_000)):
        shares: list[list[tuple[int, bytes, bytes]]] = [[] for _ in senders]
        for envelope in chunk:
            key = _key(envelope)
            partition = (murmur2(key) & 0x7FFFFFFF) % PARTITIONS  # The default partitioner's choice.
            shares[partition % SENDERS].append((partition, key, encode(envelope)))
        for q, share in zip(queues, shares, strict=True):
            q.put(share)
    for q in queues:
        q.put(None)
    for sender in senders:
        sender.join()
        if sender.exitcode != 0:
            raise RuntimeError(f"a sender filling {topic} failed (exit code {sender.exitcode})")
    if (filled := _end_offsets(kafka, topic)) != events:
        raise RuntimeError(f"{topic} holds {filled} events, not {events}")
    return topic, time.perf_counter() - started


def _send(
    kafka: KafkaSettings, topic: str, chunks: multiprocessing.Queue[list[tuple[int, bytes, bytes]] | None]
) -> None:
    producer = make_producer(kafka, linger_ms=20, batch_size=1024 * 1024)
    while (chunk := chunks.get()) is not None:
        for partition, key, value in chunk:
            producer.send(topic, key=key, value=value, partition=partition)
    producer.flush(120)
    producer.close()


def _key(envelope: Any) -> bytes:
    kind = envelope.WhichOneof("payload")
    return str(getattr(envelope, kind).dossier_id).encode()


def bare_consumer(kafka: KafkaSettings, topic: str, events: int) -> tuple[float, float]:
    """Records per second a kafka-python consumer (the loop's own settings) reads, doing nothing else,
    and its CPU seconds per 100,000 records."""
    consumer = make_consumer(kafka, group_id=f"bench-bare-{uuid.uuid4().hex[:6]}", topics=())
    partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
    consumer.assign(partitions)
    consumer.seek_to_beginning(*partitions)
    seen = 0
    started, cpu = time.perf_counter(), time.process_time()
    while seen < events:
        for batch in consumer.poll(timeout_ms=500, max_records=2000).values():
            seen += len(batch)
        if time.perf_counter() - started > 600:
            raise RuntimeError(f"bare consumer read only {seen} of {events}")
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    consumer.close(autocommit=False)
    return seen / seconds, cpu / seen * 100_000


def tracker_rebuild(kafka: KafkaSettings, topic: str, url: str, events: int) -> tuple[float, float, int]:
    """``rebuild`` into the store at ``url``: seconds, this process's CPU seconds per 100,000 events (a
    PostgreSQL server's own work not included), and dossiers received in the rebuilt figures."""
    settings = TrackerSettings(
        kafka=kafka.model_copy(update={"topic": topic, "dead_letter_topic": f"{topic}.dlq"}),
        database_url=url,
        consumer_group=f"bench-tracker-{uuid.uuid4().hex[:6]}",
    )
    engine = make_engine(url, pool_size=2)
    started, cpu = time.perf_counter(), time.process_time()
    metrics = rebuild(settings, engine)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if metrics.records != events:
        raise RuntimeError(f"rebuild read {metrics.records} of {events} records")
    with engine.connect() as conn:
        received = totals(conn, Filters())[0]
    engine.dispose()
    return seconds, cpu / events * 100_000, received


def _postgres_url() -> str | None:
    server = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres:postgres@127.0.0.1:5432/postgres")
    parsed = make_url(server)
    try:
        with psycopg.connect(
            parsed.set(drivername="postgresql").render_as_string(False), autocommit=True
        ) as c:
            c.execute("DROP DATABASE IF EXISTS bench_tracker_ingest")
            c.execute("CREATE DATABASE bench_tracker_ingest")
    except psycopg.Error:
        return None
    return parsed.set(database="bench_tracker_ingest").render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--events", type=int, help="Override the number of events (development)")
    args = parser.parse_args()
    began = time.perf_counter()
    events = args.events or (100_000 if args.quick else 500_000)
    kafka = KafkaSettings()
    topic, fill = prefill(kafka, events)
    print(
        f"topic {topic}: {events:,} events" + (f", filled in {fill:.0f} s" if fill else ", reused"),
        flush=True,
    )

    load = load_average()
    bare = [bare_consumer(kafka, topic, events)]
    store = VAR / "tracker-ingest.db"
    for suffix in ("", "-wal", "-shm"):
        store.with_name(store.name + suffix).unlink(missing_ok=True)
    seconds, cpu, received = tracker_rebuild(kafka, topic, f"sqlite:///{store}", events)
    bare.append(bare_consumer(kafka, topic, events))
    rate = events / seconds
    base, base_cpu = max(bare)
    load_after = load_average()
    context = (
        f"{events:,} events ({received:,} dossiers received), 6 partitions, one consumer, "
        f"batches of {TrackerSettings().rebuild_batch_size:,} (rebuild); "
        f"bare consumer {', '.join(f'{b:,.0f}' for b, _ in bare)}/s (best taken); "
        f"CPU s per 100,000 events: tracker {cpu:.2f}, bare consumer {base_cpu:.2f}; "
        f"load average {load} before, {load_after} after, on 2 cores shared with other work"
    )
    rows = [
        Row(
            scenario="tracker ingest, SQLite (rebuild from a pre-filled topic)",
            throughput=round(rate, 1),
            unit="events/s",
            goal="≥ 20,000 events/s and ≥ 0.5 of a bare kafka-python consumer",
            baseline="bare kafka-python consumer, same topic, same run",
            baseline_throughput=round(base, 1),
            ratio=ratio(rate, base),
            met=rate >= GOAL_RATE and rate >= GOAL_RATIO * base,
            notes=context,
        )
    ]
    per_event = seconds / events
    rows.append(
        Row(
            scenario="tracker rebuild of 2,000,000 events, SQLite",
            throughput=round(per_event * 2_000_000, 1),
            unit="s",
            goal="reported (100,000,000 events ≈ a national year)",
            notes=(
                ("measured" if events == 2_000_000 else f"extrapolated from {events:,} events")
                + f"; a national year of {NATIONAL_YEAR:,} events ≈ {per_event * NATIONAL_YEAR / 3600:.1f} h "
                "at this rate (one consumer; partitions allow one consumer per store shard)"
            ),
        )
    )
    url = None if args.no_postgres else _postgres_url()
    if url is not None:
        # A smaller topic: PostgreSQL applies a few thousand events/s here, and the bench has a budget.
        pg_events = min(events, 100_000)
        pg_topic, _ = prefill(kafka, pg_events)
        pg_load = load_average()
        pg_seconds, pg_cpu, _ = tracker_rebuild(kafka, pg_topic, url, pg_events)
        pg_rate = pg_events / pg_seconds
        rows.append(
            Row(
                scenario="tracker ingest, PostgreSQL (rebuild from a pre-filled topic)",
                throughput=round(pg_rate, 1),
                unit="events/s",
                goal="≥ 20,000 events/s and ≥ 0.5 of a bare kafka-python consumer",
                baseline="bare kafka-python consumer, same topic, same run",
                baseline_throughput=round(base, 1),
                ratio=ratio(pg_rate, base),
                met=pg_rate >= GOAL_RATE and pg_rate >= GOAL_RATIO * base,
                notes=(
                    f"{pg_events:,} events, batches of {TrackerSettings().rebuild_batch_size:,}; "
                    f"CPU s per 100,000 events in the tracker's process: {pg_cpu:.2f}; "
                    f"load average {pg_load} before, {load_average()} after"
                ),
            )
        )
    write_rows(Path(args.out), rows)
    print(f"tracker ingest scenario: {time.perf_counter() - began:.0f} s", flush=True)


if __name__ == "__main__":
    main()
