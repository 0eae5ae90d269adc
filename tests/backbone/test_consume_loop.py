"""The consume loop against the real broker: repeats skipped, poison dead-lettered, a killed consumer
leaves exact counts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from kafka import KafkaConsumer
from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from onceonly.common.consumer import (
    DLQ_OFFSET_HEADER,
    DLQ_REASON_HEADER,
    ConsumeLoop,
    consumer_offsets_table,
    stored_positions,
)
from onceonly.common.events import Envelope, dossier_key, encode
from onceonly.common.kafka import make_producer
from onceonly.common.settings import KafkaSettings
from onceonly.events.v1.events_pb2 import Envelope as RawEnvelope
from tests.backbone.store import counts, event, record_batch, wait_for_count
from tests.fixtures.topic_end import end_offsets, read_to_end, wait_for_positions

pytestmark = pytest.mark.kafka

LoopRunner = Callable[[ConsumeLoop], AbstractContextManager[ConsumeLoop]]
ROOT = Path(__file__).resolve().parents[2]


def _publish(settings: KafkaSettings, items: Sequence[Envelope | tuple[bytes, bytes]]) -> None:
    producer = make_producer(settings)
    try:
        for item in items:
            if isinstance(item, tuple):
                producer.send(settings.topic, key=item[0], value=item[1])
            else:
                producer.send(settings.topic, key=dossier_key(item), value=encode(item))
        producer.flush(30)
    finally:
        producer.close()


def _at_end(settings: KafkaSettings) -> Callable[[KafkaConsumer], bool]:
    """``until`` for ConsumeLoop.run: every partition of the topic read to its end offset as of now."""
    end = end_offsets(settings.bootstrap_servers, settings.topic)
    return lambda consumer: all(consumer.position(tp) >= offset for tp, offset in end.items())


def test_a_repeated_event_is_applied_once_and_the_store_keeps_its_position(
    engine: Engine, kafka_settings: KafkaSettings, running_loop: LoopRunner
) -> None:
    events = [event(n) for n in range(50)]
    _publish(kafka_settings, [*events, *events[:10]])
    loop = ConsumeLoop(engine, kafka_settings, group_id="g", batch_handler=record_batch)
    with running_loop(loop):
        wait_for_count(engine, 50, timeout=30)
        deadline = time.monotonic() + 20
        while loop.metrics.records < 60 and time.monotonic() < deadline:
            time.sleep(0.05)
    assert loop.metrics.duplicates == 10
    positions = stored_positions(engine, [kafka_settings.topic])
    assert sum(positions.values()) == 60  # every partition's next offset: 60 records in all

    # A new group on the same store starts where the store stands, not where the group does: nothing.
    again = ConsumeLoop(engine, kafka_settings, group_id="g2", batch_handler=record_batch)
    again.run(until=_at_end(kafka_settings))
    assert again.metrics.records == 0

    # A store that lost its positions but kept its ids reads from the beginning: all 60 are repeats.
    with engine.begin() as conn:
        conn.execute(consumer_offsets_table.delete())
    third = ConsumeLoop(engine, kafka_settings, group_id="g3", batch_handler=record_batch)
    third.run(until=_at_end(kafka_settings))
    assert third.metrics.records == 60
    assert third.metrics.duplicates == 60
    assert counts(engine) == (50, 50)
    assert stored_positions(engine, [kafka_settings.topic]) == positions


def test_garbage_and_a_poison_event_go_to_the_dlq_and_the_rest_is_applied(
    engine: Engine, kafka_settings: KafkaSettings, running_loop: LoopRunner
) -> None:
    poison = event(7)

    def refuse_poison(conn: Connection, envelopes: Sequence[Envelope]) -> None:
        if any(e.event_id == poison.event_id for e in envelopes):
            raise ValueError("cannot apply this one")
        record_batch(conn, envelopes)

    # A oneof member of a newer version: the next field number after every one this version knows.
    unknown = max(field.number for field in RawEnvelope.DESCRIPTOR.fields) + 1
    assert unknown < 16  # a one-byte tag
    future = RawEnvelope(event_id=str(uuid.uuid4())).SerializeToString() + bytes([unknown << 3 | 2, 3])
    future += b"\x0a\x01X"
    before = [event(n) for n in range(5)]
    after = [event(n) for n in range(10, 20)]
    # One key, so the order on the topic is the order here: the garbage comes before the good records.
    _publish(
        kafka_settings,
        [
            *[(b"HS-1", encode(e)) for e in before],
            (b"HS-1", b"\x00not an envelope"),
            (b"HS-1", encode(poison)),
            (b"HS-1", future),
            *[(b"HS-1", encode(e)) for e in after],
        ],
    )
    loop = ConsumeLoop(
        engine, kafka_settings, group_id="g", batch_handler=refuse_poison, retry_backoff_seconds=0.01
    )
    with running_loop(loop):
        wait_for_count(engine, 15, timeout=30)
        deadline = time.monotonic() + 10
        while loop.metrics.dead_lettered < 2 and time.monotonic() < deadline:
            time.sleep(0.05)

    assert counts(engine) == (15, 15)
    assert loop.metrics.dead_lettered == 2
    assert loop.metrics.unknown_kind == 1
    # The loop has stopped and flushes each dead letter before moving on: all of them lie below the end.
    dead = read_to_end(kafka_settings.bootstrap_servers, kafka_settings.dead_letter_topic)
    reasons = sorted(dict(record.headers)[DLQ_REASON_HEADER].decode() for record in dead)
    assert reasons[0].startswith("handler failed after 3 attempts: ValueError: cannot apply this one")
    assert reasons[1].startswith("undecodable: not a protobuf Envelope")
    assert {dict(record.headers)[DLQ_OFFSET_HEADER] for record in dead} == {b"5", b"6"}
    assert all(record.key == b"HS-1" for record in dead)


def _start_consumer(db_url: str, settings: KafkaSettings) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.backbone.consumer_process",
            db_url,
            settings.bootstrap_servers,
            settings.topic,
            "killed-group",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stderr=subprocess.DEVNULL,
    )


def test_a_consumer_killed_mid_batch_and_restarted_leaves_exact_counts(
    engine: Engine, db_url: str, kafka_settings: KafkaSettings
) -> None:
    total = 6000
    _publish(kafka_settings, [event(n) for n in range(total)])

    first = _start_consumer(db_url, kafka_settings)
    try:
        rows, _ = wait_for_count(engine, 1500, timeout=60)
        assert 0 < rows < total, "kill the consumer while it is still working"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    killed_at = counts(engine)

    second = _start_consumer(db_url, kafka_settings)
    try:
        wait_for_count(engine, total, timeout=90)
        # Published and flushed before the consumers started: once the store's positions reach the
        # topic's end offsets the consumer has handled every record, a repeat after the kill included.
        ends = end_offsets(kafka_settings.bootstrap_servers, kafka_settings.topic)
        wait_for_positions(lambda: stored_positions(engine, [kafka_settings.topic]), ends, timeout=60)
        # SIGTERM: the restarted consumer finishes its batch, commits and exits cleanly.
        second.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0
    finally:
        second.kill()

    assert killed_at[0] < total
    assert counts(engine) == (total, total)
