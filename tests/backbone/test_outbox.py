"""The outbox: events commit with the caller's transaction, lag is visible, one relay publishes."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from sqlalchemy import Engine, func, select

from onceonly.common import outbox
from onceonly.common.events import decode
from onceonly.common.kafka import make_producer
from onceonly.common.outbox import Relay, add_event, add_events, outbox_lag, outbox_table
from onceonly.common.settings import KafkaSettings
from tests.backbone.store import event
from tests.fixtures.services import free_port
from tests.fixtures.topic_end import read_to_end

RelayRunner = Callable[[Relay], AbstractContextManager[Relay]]


def test_an_event_commits_and_rolls_back_with_the_callers_transaction(engine: Engine) -> None:
    with engine.begin() as conn:
        add_event(conn, event(1))
    with engine.connect() as conn, conn.begin() as transaction:
        add_event(conn, event(2))
        transaction.rollback()  # The business write failed.

    with engine.connect() as conn:
        values = conn.execute(select(outbox_table.c.value, outbox_table.c.key)).all()
    assert len(values) == 1
    assert decode(values[0].value).data_reused.request_id == "000000001"
    assert values[0].key == b"HS-00001"


def test_lag_counts_pending_rows_and_the_oldest_age(engine: Engine) -> None:
    assert outbox_lag(engine) == (0, 0.0)
    with engine.begin() as conn:
        add_events(conn, [event(n) for n in range(5)])
    time.sleep(0.2)

    pending, oldest_age = outbox_lag(engine)

    assert pending == 5
    assert 0.2 <= oldest_age < 10


@pytest.mark.kafka
def test_two_relays_publish_every_row_exactly_once_in_order(
    engine: Engine, kafka_settings: KafkaSettings, running_relay: RelayRunner
) -> None:
    total = 3000
    first = Relay(engine, kafka_settings, batch_size=250, holder="relay-a")
    second = Relay(engine, kafka_settings, batch_size=250, holder="relay-b")
    with running_relay(first), running_relay(second):
        for start in range(0, total, 100):
            with engine.begin() as conn:
                add_events(conn, [event(n) for n in range(start, start + 100)], topic=kafka_settings.topic)
        deadline = time.monotonic() + 60
        while outbox_lag(engine)[0] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert outbox_lag(engine)[0] == 0
        assert [first.stats.holds_lease, second.stats.holds_lease].count(True) == 1

    # Both relays have stopped with the outbox drained: everything they published lies below the end
    # offsets, so a doubled row would be among these records.
    records = read_to_end(kafka_settings.bootstrap_servers, kafka_settings.topic, timeout=30)

    envelopes = [decode(record.value) for record in records]
    assert len(envelopes) == total
    assert len({e.event_id for e in envelopes}) == total
    assert first.stats.published + second.stats.published == total
    for record in records:
        assert record.key == decode(record.value).data_reused.dossier_id.encode()
    per_partition: dict[int, list[str]] = {}
    for record in records:
        per_partition.setdefault(record.partition, []).append(decode(record.value).data_reused.request_id)
    assert all(requests == sorted(requests) for requests in per_partition.values())


def test_a_relay_keeps_rows_pending_while_no_broker_answers(engine: Engine) -> None:
    nowhere = KafkaSettings(bootstrap_servers=f"127.0.0.1:{free_port()}")
    relay = Relay(
        engine,
        nowhere,
        producer_factory=lambda: make_producer(nowhere, bootstrap_timeout_ms=300, max_block_ms=300),
        max_backoff_seconds=0.2,
    )
    with engine.begin() as conn:
        add_events(conn, [event(n) for n in range(10)])

    relay.start()
    # Two failed attempts: the relay has tried, backed off and tried again, and kept every row.
    deadline = time.monotonic() + 30
    while relay.stats.publish_failures < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    relay.stop()

    assert outbox_lag(engine)[0] == 10
    assert relay.stats.publish_failures >= 2
    assert relay.stats.last_error
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(outbox.lease_table)).scalar_one() == 1
