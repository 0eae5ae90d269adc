"""Rebuild on PostgreSQL with the consumer group split over two consumers: the store ends exactly as one
consumer's rebuild, and as a store fed the same events batch by batch with every cube rolled up."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, select

from onceonly.common.db import make_engine
from onceonly.common.events import dossier_key, encode
from onceonly.common.kafka import make_producer
from onceonly.common.settings import KafkaSettings
from onceonly.tracker.consuming import prepare_store, rebuild
from onceonly.tracker.ledger import apply_batch, cubes_pending
from onceonly.tracker.settings import TrackerSettings
from onceonly.tracker.store import CUBES, DOSSIER, LOOKUP, REUSE_FLOW, drop_tables
from tests.fixtures.databases import fresh_postgres_database
from tests.fixtures.tracker_model import Model, event_stream

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

EVENTS = 4_000


def figures(engine: Engine) -> dict[str, set[tuple[Any, ...]]]:
    """Every cube's non-zero cells, the dossiers' states, lookups and flows. A cell whose count went
    back to zero keeps a row where a batch boundary fell between its rise and fall, so which zero rows
    exist depends on how the events were cut into batches; what any figure sums does not."""
    out: dict[str, set[tuple[Any, ...]]] = {}
    with engine.connect() as conn:
        for cube in CUBES:
            width = len(cube.keys)
            out[cube.table.name] = {tuple(r) for r in conn.execute(select(cube.table)) if any(r[width:])}
        for table in (DOSSIER, LOOKUP, REUSE_FLOW):
            out[table.name] = {tuple(r) for r in conn.execute(select(table))}
    return out


def test_two_consumers_in_one_group_rebuild_what_one_does(
    kafka_settings: KafkaSettings, postgres_server_url: str, postgres_url: str
) -> None:
    events = list(itertools.islice(event_stream(Model(), EVENTS, 7), EVENTS))
    producer = make_producer(kafka_settings)
    for envelope in events:
        producer.send(kafka_settings.topic, key=dossier_key(envelope), value=encode(envelope))
    producer.flush(30)
    producer.close()
    settings = TrackerSettings(
        kafka=kafka_settings,
        database_url=postgres_url,
        consumer_group=f"rebuild-{uuid.uuid4().hex[:8]}",
        rebuild_batch_size=250,  # Many batches each: the partitions change hands while they run.
    )

    one = make_engine(postgres_url, pool_size=2)
    metrics = rebuild(settings, one)
    assert sum(metrics.applied.values()) == EVENTS
    expected = figures(one)
    assert all(expected.values())

    with fresh_postgres_database(postgres_server_url) as url:
        two = make_engine(url, pool_size=3)
        metrics = rebuild(settings.model_copy(update={"database_url": url}), two, consumers=2)
        # Records read twice across a hand-over are skipped by their applied ids, never counted twice.
        assert sum(metrics.applied.values()) == EVENTS
        assert figures(two) == expected
        # The same events applied batch by batch, every cube rolled up in each (as live consuming does).
        drop_tables(two)
        prepare_store(two)
        for start in range(0, EVENTS, 500):
            with two.begin() as conn:
                apply_batch(conn, events[start : start + 500])
        assert figures(two) == expected
        two.dispose()
    one.dispose()


def test_a_store_left_mid_rebuild_gets_its_cubes_when_consuming_starts(sqlite_url: str) -> None:
    events = list(itertools.islice(event_stream(Model(), 600, 3), 600))
    engine = make_engine(sqlite_url, pool_size=1)
    prepare_store(engine)
    with engine.begin() as conn:
        apply_batch(conn, events)
    expected = figures(engine)
    drop_tables(engine)
    prepare_store(engine)
    with engine.begin() as conn:
        apply_batch(conn, events, finest_only=True)  # A rebuild that died before its end.
        assert cubes_pending(conn)
    prepare_store(engine)  # What consume and serve do first.
    with engine.connect() as conn:
        assert not cubes_pending(conn)
    assert figures(engine) == expected
    engine.dispose()
