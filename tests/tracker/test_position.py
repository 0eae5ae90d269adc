"""The store owns its position in the topic: a store restored from a backup taken mid-stream, and an
empty one, catch up to exactly the figures of a store fed every event, though the consumer group's
committed offsets are already at the end of the topic."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from kafka import KafkaConsumer
from kafka.structs import TopicPartition
from sqlalchemy import Engine

from onceonly.common.consumer import stored_positions
from onceonly.common.db import make_engine
from onceonly.common.kafka import make_consumer
from onceonly.tracker.consuming import build_loop, prepare_store
from onceonly.tracker.settings import TrackerSettings
from tests.fixtures.topic_end import end_offsets
from tests.tracker.builders import KNOWN_MIX, known_mix
from tests.tracker.test_consume import fractions, produce, settings_for, snapshot

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def _at_end(settings: TrackerSettings) -> Callable[[KafkaConsumer], bool]:
    """``until`` for the loop: every partition read up to its end offset as of now."""
    end = end_offsets(settings.kafka.bootstrap_servers, settings.kafka.topic)
    return lambda consumer: (
        bool(consumer.assignment()) and all(consumer.position(tp) >= offset for tp, offset in end.items())
    )


def consume_to_end(settings: TrackerSettings, engine: Engine) -> int:
    """Run the tracker's live loop (its consumer group, subscribed) until the topic's end; records read."""
    prepare_store(engine)
    loop = build_loop(settings, engine)
    loop.run(until=_at_end(settings))
    return loop.metrics.records


def _committed(settings: TrackerSettings) -> dict[int, int | None]:
    client = make_consumer(settings.kafka, group_id=settings.consumer_group, topics=())
    topic = settings.kafka.topic
    offsets = {
        p: client.committed(TopicPartition(topic, p)) for p in client.partitions_for_topic(topic) or ()
    }
    client.close()
    return offsets


def test_a_store_restored_from_a_mid_stream_backup_catches_up_exactly(
    kafka_bootstrap: str, kafka_topic: str, tmp_path: Path
) -> None:
    settings = settings_for(kafka_bootstrap, kafka_topic, tmp_path / "live.db")
    events = known_mix()
    half = len(events) // 2
    produce(settings, events[:half])
    live = make_engine(settings.database_url, pool_size=2)
    assert consume_to_end(settings, live) == half

    # Yesterday's backup: the store as it stood mid-stream (SQLite's online backup, positions and all).
    backup = tmp_path / "backup.db"
    with sqlite3.connect(tmp_path / "live.db") as source, sqlite3.connect(backup) as target:
        source.backup(target)
    positions_at_backup = stored_positions(live, [kafka_topic])
    assert sum(positions_at_backup.values()) == half

    produce(settings, events[half:])
    assert consume_to_end(settings, live) == len(events) - half
    assert fractions(live) == KNOWN_MIX
    # The group has committed the end of the topic: it knows nothing of the backup.
    assert sum(offset or 0 for offset in _committed(settings).values()) == len(events)

    restored = make_engine(f"sqlite:///{backup}", pool_size=2)
    assert stored_positions(restored, [kafka_topic]) == positions_at_backup
    # Same group, restored store: it reads on from the backup's positions, not from the group's.
    assert consume_to_end(settings, restored) == len(events) - half
    assert snapshot(restored) == snapshot(live)
    assert fractions(restored) == KNOWN_MIX
    assert stored_positions(restored, [kafka_topic]) == stored_positions(live, [kafka_topic])
    live.dispose()
    restored.dispose()


def test_an_empty_store_rebuilds_itself_though_the_group_is_at_the_end(
    kafka_bootstrap: str, kafka_topic: str, tmp_path: Path, db_url: str
) -> None:
    settings = settings_for(kafka_bootstrap, kafka_topic, tmp_path / "first.db")
    events = known_mix()
    produce(settings, events)
    first = make_engine(settings.database_url, pool_size=2)
    assert consume_to_end(settings, first) == len(events)
    assert sum(offset or 0 for offset in _committed(settings).values()) == len(events)

    # A fresh store (SQLite and PostgreSQL), the same consumer group: from the beginning of the topic.
    empty = make_engine(db_url, pool_size=2)
    assert consume_to_end(settings.model_copy(update={"database_url": db_url}), empty) == len(events)
    assert snapshot(empty) == snapshot(first)
    assert fractions(empty) == KNOWN_MIX
    first.dispose()
    empty.dispose()
