"""The tracker on the shared consume loop against a real broker: live consuming, DLQ and rebuild."""

from __future__ import annotations

import csv
import io
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaConsumer
from sqlalchemy import Engine, select

from onceonly.common.db import make_engine
from onceonly.common.events import dossier_key, encode
from onceonly.common.kafka import ensure_topics, make_producer
from onceonly.common.settings import KafkaSettings
from onceonly.events.v1 import events_pb2 as ev
from onceonly.tracker import report
from onceonly.tracker.app import create_app
from onceonly.tracker.consuming import ConsumerThread, build_loop, prepare_store, rebuild
from onceonly.tracker.queries import Filters
from onceonly.tracker.settings import TrackerSettings
from onceonly.tracker.store import CUBES, DOSSIER
from tests.tracker.builders import KNOWN_MIX, known_mix, received, resolved, reused

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def settings_for(bootstrap: str, topic: str, store: Path) -> TrackerSettings:
    kafka = KafkaSettings(bootstrap_servers=bootstrap, topic=topic, dead_letter_topic=f"{topic}.dlq")
    return TrackerSettings(
        kafka=kafka, database_url=f"sqlite:///{store}", consumer_group=f"tracker-test-{uuid.uuid4().hex[:8]}"
    )


def produce(settings: TrackerSettings, events: list[ev.Envelope], garbage: int = 0) -> None:
    producer = make_producer(settings.kafka)
    for envelope in events:
        producer.send(settings.kafka.topic, key=dossier_key(envelope), value=encode(envelope))
    for _ in range(garbage):
        producer.send(settings.kafka.topic, key=b"junk", value=b"\x00not an envelope")
    producer.flush(30)
    producer.close()


def fractions(engine: Engine) -> dict[str, tuple[int, int]]:
    with engine.connect() as conn:
        return {i.name: (i.numerator, i.denominator) for i in report.indicators(conn, {}, Filters())}


def snapshot(engine: Engine) -> list[list[tuple[object, ...]]]:
    with engine.connect() as conn:
        tables = [DOSSIER, *(cube.table for cube in CUBES)]
        ordered = [select(t).order_by(*t.primary_key.columns) for t in tables]
        return [[tuple(row) for row in conn.execute(statement)] for statement in ordered]


def test_consume_dead_letter_and_rebuild(kafka_bootstrap: str, kafka_topic: str, tmp_path: Path) -> None:
    settings = settings_for(kafka_bootstrap, kafka_topic, tmp_path / "live.db")
    ensure_topics(settings.kafka, {settings.kafka.dead_letter_topic: 1})
    events = known_mix()
    # Every event twice (a producer retry that slipped through), and one undecodable record.
    produce(settings, events + events[:5], garbage=1)

    engine = make_engine(settings.database_url, pool_size=2)
    prepare_store(engine)
    runner = ConsumerThread(build_loop(settings, engine))
    runner.start()
    try:
        deadline = time.monotonic() + 30
        metrics = runner.loop.metrics
        while metrics.records < len(events) + 6 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert runner.is_alive()
    finally:
        runner.stop()
    assert metrics.records == len(events) + 6
    assert sum(metrics.applied.values()) == len(events)
    assert metrics.dead_lettered == 1
    assert fractions(engine) == KNOWN_MIX
    # The Prometheus headline is the year to date: the known mix's year.
    with TestClient(
        create_app(engine=engine, targets={}, clock=lambda: datetime(2025, 6, 1, tzinfo=UTC))
    ) as client:
        api = client.get("/v1/indicators", params={"period": "2025-03"}).json()["indicators"]
        assert {i["name"]: (i["numerator"], i["denominator"]) for i in api} == KNOWN_MIX
        rows = csv.DictReader(io.StringIO(client.get("/v1/indicators/breakdown.csv?by=year").text))
        assert {r["indicator"]: (int(r["numerator"]), int(r["denominator"])) for r in rows} == KNOWN_MIX
        metrics = client.get("/metrics").text
        assert 'onceonly_tracker_indicator_ratio{indicator="reuse_rate"} 0.4' in metrics
    live = snapshot(engine)

    # Rebuild into a fresh store, then over the live one: the same rows, hence the same figures.
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}", pool_size=2)
    rebuilt = rebuild(settings.model_copy(update={"consumer_group": "rebuild-a"}), fresh)
    assert sum(rebuilt.applied.values()) == len(events)
    assert snapshot(fresh) == live
    rebuild(settings, engine)
    assert snapshot(engine) == live
    assert fractions(engine) == KNOWN_MIX
    engine.dispose()
    fresh.dispose()


def test_rebuild_waits_out_a_stall_between_batches(
    kafka_bootstrap: str, kafka_topic: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild ends at the topic's end, never on a pause: a stalled offset commit (as under load) once
    ended it early and left an incomplete store that looked complete."""
    settings = settings_for(kafka_bootstrap, kafka_topic, tmp_path / "rebuilt.db")
    events = known_mix()
    produce(settings, events)
    commit = KafkaConsumer.commit
    stalls: list[int] = []

    def stalled_commit(consumer: KafkaConsumer, *args: Any, **kwargs: Any) -> Any:
        if not stalls:
            stalls.append(1)
            time.sleep(11)  # Longer than the 10 s "nothing arrived" guess that once ended a rebuild.
        return commit(consumer, *args, **kwargs)

    monkeypatch.setattr(KafkaConsumer, "commit", stalled_commit)
    engine = make_engine(settings.database_url, pool_size=2)
    metrics = rebuild(settings.model_copy(update={"rebuild_batch_size": 4}), engine)
    assert stalls
    assert metrics.batches > 1
    assert metrics.records == sum(metrics.applied.values()) == len(events)
    assert fractions(engine) == KNOWN_MIX
    engine.dispose()


def test_rebuild_of_an_empty_topic_ends(kafka_bootstrap: str, kafka_topic: str, tmp_path: Path) -> None:
    settings = settings_for(kafka_bootstrap, kafka_topic, tmp_path / "empty.db")
    engine = make_engine(settings.database_url, pool_size=2)
    metrics = rebuild(settings, engine)
    assert metrics.records == 0
    assert snapshot(engine) == [[] for _ in range(1 + len(CUBES))]
    engine.dispose()


def test_rebuild_ends_past_transaction_markers(
    kafka_bootstrap: str, kafka_topic: str, tmp_path: Path
) -> None:
    """A transactional producer leaves commit and abort markers the consumer never sees as records; the
    rebuild still ends, with the committed events applied and the aborted ones not."""
    settings = settings_for(kafka_bootstrap, kafka_topic, tmp_path / "markers.db")
    events = known_mix()
    producer = make_producer(settings.kafka, transactional_id=f"tracker-test-{uuid.uuid4().hex[:8]}")
    producer.init_transactions()
    for batch, keep in ((events, True), (events[:3], False)):
        producer.begin_transaction()
        for envelope in batch:
            producer.send(settings.kafka.topic, key=dossier_key(envelope), value=encode(envelope))
        if keep:
            producer.commit_transaction()
        else:
            producer.abort_transaction()
    producer.close()
    engine = make_engine(settings.database_url, pool_size=2)
    metrics = rebuild(settings, engine)
    assert metrics.records == sum(metrics.applied.values()) == len(events)
    assert fractions(engine) == KNOWN_MIX
    engine.dispose()


def test_events_dated_outside_the_calendar_are_dead_lettered(
    kafka_bootstrap: str, kafka_topic: str, tmp_path: Path
) -> None:
    """Year 9999 in Vietnam time overflows datetime, year 1 is a producer's bug: neither crashes the
    consumer, neither reaches a figure, and the dead-letter topic says why."""
    settings = settings_for(kafka_bootstrap, kafka_topic, tmp_path / "far.db")
    ensure_topics(settings.kafka, {settings.kafka.dead_letter_topic: 1})
    absurd = [
        received("far-1", "9999-12-31T23:00:00Z"),
        reused("far-2", "0001-01-01T00:00:00Z"),
        resolved("mix-0", "9999-12-31T23:59:59Z"),
    ]
    events = known_mix()
    produce(settings, [*events[:10], *absurd, *events[10:]])
    engine = make_engine(settings.database_url, pool_size=2)
    prepare_store(engine)
    loop = build_loop(settings, engine)
    loop.run(until=lambda consumer: loop.metrics.records >= len(events) + len(absurd))
    assert loop.metrics.dead_lettered == len(absurd)
    assert sum(loop.metrics.applied.values()) == len(events)
    assert fractions(engine) == KNOWN_MIX
    dlq = KafkaConsumer(
        settings.kafka.dead_letter_topic,
        bootstrap_servers=kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=10_000,
    )
    reasons = []
    for record in dlq:
        reasons.append(dict(record.headers)["dlq.reason"].decode())
        if len(reasons) == len(absurd):
            break
    dlq.close()
    assert len(reasons) == len(absurd)
    assert all("OutOfRange" in r and "outside 1900-01-01 to 2200-01-01" in r for r in reasons), reasons
    engine.dispose()
