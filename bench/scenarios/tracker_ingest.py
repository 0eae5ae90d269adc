"""Scenario 4, tracker ingest: events applied per second from a pre-filled topic, beside a bare
kafka-python consumer reading the same topic in the same run, at several sizes (growth points); the
rebuild of 2 million events and of a national year extrapolated.

The topic holds the events of a national mix of dossiers (``bench/tracker_data.py``: receipts, lookups
before them, resolutions, in time order by window) and is kept between runs, keyed by size and
generator version. The tracker's figure is ``onceonly-tracker rebuild`` itself: empty the store, replay
the topic from its beginning through the shared consume loop into SQLite, at 100,000 and 500,000 events
(``--quick``: 100,000; ``BENCH_LARGE=1`` adds 1,000,000). The smallest store is checked, cell by cell,
against one fed the same events through the ledger in live-sized batches. PostgreSQL replays 100,000
events twice: with one consumer, then with two in one consumer group (the same figures, checked). Beside
each rate, the CPU seconds the process spent per 100,000 events (all its threads): the wall figures
move with whatever else the shared machine runs.
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
from sqlalchemy import Engine, select
from sqlalchemy.engine import make_url

from bench.harness import VAR, Point, Row, load_average, ratio, write_points, write_rows
from bench.tracker_data import EVENTS_VERSION, Model, event_stream
from onceonly.common.db import make_engine
from onceonly.common.events import dossier_id, encode
from onceonly.common.kafka import make_admin, make_consumer, make_producer
from onceonly.common.settings import KafkaSettings
from onceonly.tracker.consuming import prepare_store, rebuild
from onceonly.tracker.cube import Measure
from onceonly.tracker.ledger import apply_batch
from onceonly.tracker.queries import Filters, totals
from onceonly.tracker.settings import TrackerSettings
from onceonly.tracker.store import CUBES, DOSSIER

SEED = 4
PARTITIONS = 6
# Processes sending the events while this one draws them (the machine has two cores).
SENDERS = 2
GOAL_RATE = 20_000.0
GOAL_RATIO = 0.5
GOAL_RATIO_POSTGRES = 0.25
NATIONAL_YEAR = 100_000_000
# The store fed the events for the check takes about as long as the rebuild it checks.
CHECKED_UP_TO = 100_000


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
    return dossier_id(envelope).encode()


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


def tracker_rebuild(
    kafka: KafkaSettings, topic: str, url: str, events: int, consumers: int = 1
) -> tuple[float, float, Engine]:
    """``rebuild`` into the store at ``url`` with ``consumers`` in the group: seconds, this process's CPU
    seconds per 100,000 events (a PostgreSQL server's own work not included), and the store's engine."""
    settings = TrackerSettings(
        kafka=kafka.model_copy(update={"topic": topic, "dead_letter_topic": f"{topic}.dlq"}),
        database_url=url,
        consumer_group=f"bench-tracker-{uuid.uuid4().hex[:6]}",
    )
    engine = make_engine(url, pool_size=consumers + 1)
    started, cpu = time.perf_counter(), time.process_time()
    metrics = rebuild(settings, engine, consumers=consumers)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if sum(metrics.applied.values()) != events:
        raise RuntimeError(f"rebuild applied {sum(metrics.applied.values())} of {events} events")
    return seconds, cpu / events * 100_000, engine


def figures(engine: Engine) -> dict[str, set[tuple[Any, ...]]]:
    """Every cube's non-zero cells and the dossiers' states: which all-zero cells keep a row depends on
    where batch boundaries fell, what any figure sums does not."""
    out: dict[str, set[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for cube in CUBES:
            width = len(cube.keys)
            out[cube.table.name] = {tuple(r) for r in conn.execute(select(cube.table)) if any(r[width:])}
        out[DOSSIER.name] = {tuple(r) for r in conn.execute(select(DOSSIER))}
    return out


def fed_the_events(events: int) -> Engine:
    """A SQLite store fed the topic's events through the ledger in live-sized batches, every cube rolled
    up in each batch (as ``consume`` does): what a rebuild must equal."""
    store = VAR / "tracker-ingest-fed.db"
    for suffix in ("", "-wal", "-shm"):
        store.with_name(store.name + suffix).unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{store}", pool_size=1)
    prepare_store(engine)
    stream = itertools.islice(event_stream(Model(), events, SEED), events)
    while batch := list(itertools.islice(stream, TrackerSettings().batch_size)):
        with engine.begin() as conn:
            apply_batch(conn, batch)
    return engine


def _postgres_url(database: str) -> str | None:
    server = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres:postgres@127.0.0.1:5432/postgres")
    parsed = make_url(server)
    try:
        with psycopg.connect(
            parsed.set(drivername="postgresql").render_as_string(False), autocommit=True
        ) as c:
            c.execute(f"DROP DATABASE IF EXISTS {database}")
            c.execute(f"CREATE DATABASE {database}")
    except psycopg.Error:
        return None
    return parsed.set(database=database).render_as_string(hide_password=False)


def _sizes(args: argparse.Namespace) -> list[int]:
    if args.events:
        return [args.events]
    sizes = [100_000] if args.quick else [100_000, 500_000]
    if os.environ.get("BENCH_LARGE") == "1":
        sizes.append(1_000_000)  # About 3 minutes to fill the topic and 1–2 to rebuild, on a quiet machine.
    return sizes


def _hours(rate: float) -> float:
    return NATIONAL_YEAR / rate / 3600


def postgres(
    kafka: KafkaSettings, measured: list[tuple[int, float, float, float, float, int, str]], batch: int
) -> tuple[list[Row], list[Point]]:
    """The PostgreSQL rows: a rebuild with one consumer, then with two in one group (the same figures,
    cell by cell), and a national year extrapolated for each."""
    rows: list[Row] = []
    points: list[Point] = []
    one_url = _postgres_url("bench_tracker_ingest")
    two_url = _postgres_url("bench_tracker_ingest_two")
    if one_url is None or two_url is None:
        return rows, points
    # A smaller topic: PostgreSQL applies a few thousand events/s here, and the bench has a budget.
    pg_events = min(measured[0][0], 100_000)
    pg_topic, _ = prefill(kafka, pg_events)
    base = (
        max(m[3] for m in measured if m[0] == pg_events)
        if any(m[0] == pg_events for m in measured)
        else measured[0][3]
    )
    rates: dict[int, float] = {}
    stores: dict[int, Engine] = {}
    for consumers, url in ((1, one_url), (2, two_url)):
        pg_load = load_average()
        pg_seconds, pg_cpu, stores[consumers] = tracker_rebuild(kafka, pg_topic, url, pg_events, consumers)
        rates[consumers] = pg_rate = pg_events / pg_seconds
        label = "one consumer" if consumers == 1 else "two consumers in one group"
        points += [
            Point(
                f"tracker ingest, PostgreSQL, {label} (events/s)",
                pg_events,
                round(pg_rate, 1),
                "events/s",
            ),
            Point(
                f"tracker ingest, PostgreSQL, {label}: CPU s per 100k events",
                pg_events,
                round(pg_cpu, 3),
                "CPU s",
            ),
        ]
        rows.append(
            Row(
                scenario=f"tracker ingest, PostgreSQL, {label} (rebuild from a pre-filled topic)",
                throughput=round(pg_rate, 1),
                unit="events/s",
                goal="≥ 20,000 events/s and ≥ 0.25 of a bare kafka-python consumer",
                baseline="bare kafka-python consumer, same topic, same run",
                baseline_throughput=round(base, 1),
                ratio=ratio(pg_rate, base),
                met=pg_rate >= GOAL_RATE and pg_rate >= GOAL_RATIO_POSTGRES * base,
                notes=(
                    f"{pg_events:,} events, batches of {batch:,}; CPU s per 100,000 events in the "
                    f"tracker's process (all its consumers): {pg_cpu:.2f}; load average {pg_load} "
                    f"before, {load_average()} after; a national year ≈ {_hours(pg_rate):.1f} h"
                    + (
                        "; the same figures, cell by cell, as the one-consumer rebuild"
                        if consumers == 2
                        else ""
                    )
                ),
            )
        )
    if figures(stores[1]) != figures(stores[2]):
        raise RuntimeError("two consumers rebuilt other figures than one")
    for engine in stores.values():
        engine.dispose()
    rows.append(
        Row(
            scenario=f"tracker rebuild of {NATIONAL_YEAR:,} events (a national year), PostgreSQL",
            throughput=round(_hours(rates[2]), 2),
            unit="h",
            goal="reported, per consumer count",
            notes=(
                f"extrapolated from {pg_events:,} events: one consumer {_hours(rates[1]):.1f} h, "
                f"two in one group {_hours(rates[2]):.1f} h ({rates[2] / rates[1]:.2f}× the rate) "
                "on this 2-core machine, where the consumers, Kafka and PostgreSQL share the cores; "
                "with a core per consumer and the server on its own, the rate grows with the "
                f"partition groups, up to the topic's {PARTITIONS} partitions"
            ),
        )
    )
    return rows, points


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--events", type=int, help="Measure this one size only (development)")
    args = parser.parse_args()
    began = time.perf_counter()
    kafka = KafkaSettings()
    batch = TrackerSettings().rebuild_batch_size
    points: list[Point] = []
    rows: list[Row] = []
    measured: list[tuple[int, float, float, float, float, int, str]] = []
    for size in _sizes(args):
        topic, fill = prefill(kafka, size)
        print(
            f"topic {topic}: {size:,} events" + (f", filled in {fill:.0f} s" if fill else ", reused"),
            flush=True,
        )
        load = load_average()
        bare = [bare_consumer(kafka, topic, size)]
        store = VAR / "tracker-ingest.db"
        for suffix in ("", "-wal", "-shm"):
            store.with_name(store.name + suffix).unlink(missing_ok=True)
        seconds, cpu, engine = tracker_rebuild(kafka, topic, f"sqlite:///{store}", size)
        bare.append(bare_consumer(kafka, topic, size))
        with engine.connect() as conn:
            received = totals(conn, Filters())[Measure.RECEIVED]
        if size == min(_sizes(args)) and size <= CHECKED_UP_TO:
            fed = fed_the_events(size)
            if figures(fed) != figures(engine):
                raise RuntimeError(f"the store rebuilt from {size:,} events differs from one fed them")
            fed.dispose()
        engine.dispose()
        rate = size / seconds
        base, base_cpu = max(bare)
        points += [
            Point("tracker ingest, SQLite (events/s)", size, round(rate, 1), "events/s"),
            Point("tracker ingest, SQLite: CPU s per 100k events", size, round(cpu, 3), "CPU s"),
            Point("bare kafka-python consumer (events/s)", size, round(base, 1), "events/s"),
            Point("bare kafka-python consumer: CPU s per 100k events", size, round(base_cpu, 3), "CPU s"),
        ]
        context = (
            f"{size:,} events ({received:,} dossiers received), {PARTITIONS} partitions, one consumer, "
            f"batches of {batch:,} (rebuild); bare consumer {', '.join(f'{b:,.0f}' for b, _ in bare)}/s "
            f"(best taken); CPU s per 100,000 events: tracker {cpu:.2f}, bare consumer {base_cpu:.2f} "
            f"(CPU ratio {base_cpu / cpu:.2f}); load average {load} before, {load_average()} after, "
            "on 2 cores shared with other work"
        )
        measured.append((size, rate, cpu, base, base_cpu, received, context))
        print(context, flush=True)
    for size, rate, _cpu, base, _base_cpu, _received, context in measured:
        rows.append(
            Row(
                scenario=f"tracker ingest, SQLite, {size:,} events (rebuild from a pre-filled topic)",
                throughput=round(rate, 1),
                unit="events/s",
                goal="≥ 20,000 events/s and ≥ 0.5 of a bare kafka-python consumer",
                baseline="bare kafka-python consumer, same topic, same run",
                baseline_throughput=round(base, 1),
                ratio=ratio(rate, base),
                met=rate >= GOAL_RATE and rate >= GOAL_RATIO * base,
                notes=context
                + (
                    "; checked cell by cell against a store fed the events"
                    if size == measured[0][0] and size <= CHECKED_UP_TO
                    else ""
                ),
            )
        )
    size, rate = measured[-1][0], measured[-1][1]
    rows.append(
        Row(
            scenario="tracker rebuild of 2,000,000 events, SQLite",
            throughput=round(2_000_000 / rate, 1),
            unit="s",
            goal="reported (100,000,000 events ≈ a national year)",
            notes=(
                f"extrapolated from {size:,} events; a national year of {NATIONAL_YEAR:,} events ≈ "
                f"{_hours(rate):.1f} h at this rate (one consumer: SQLite takes one writer at a time)"
            ),
        )
    )
    if not args.no_postgres:
        pg_rows, pg_points = postgres(kafka, measured, batch)
        rows += pg_rows
        points += pg_points
    write_rows(Path(args.out), rows)
    write_points(Path(args.out), points)
    print(f"tracker ingest scenario: {time.perf_counter() - began:.0f} s", flush=True)


if __name__ == "__main__":
    main()
