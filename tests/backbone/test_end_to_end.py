"""Outbox → relay → Kafka → consume loop → store: nothing lost, nothing doubled, even across a broker
restart."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import Engine

from onceonly.common.consumer import ConsumeLoop, stored_positions
from onceonly.common.outbox import Relay, add_events, outbox_lag
from onceonly.common.settings import KafkaSettings
from tests.backbone.store import (
    counts,
    event,
    order_kept_per_dossier,
    record_batch,
    wait_drained,
    wait_for_count,
)
from tests.fixtures.kafka import LocalBroker
from tests.fixtures.services import service_missing
from tests.fixtures.topic_end import end_offsets, wait_for_positions

pytestmark = pytest.mark.kafka

LoopRunner = Callable[[ConsumeLoop], AbstractContextManager[ConsumeLoop]]
RelayRunner = Callable[[Relay], AbstractContextManager[Relay]]


def _loop(engine: Engine, settings: KafkaSettings) -> ConsumeLoop:
    return ConsumeLoop(engine, settings, group_id=f"{settings.topic}.store", batch_handler=record_batch)


def _read_to_end_into_store(engine: Engine, settings: KafkaSettings, timeout: float = 60) -> None:
    """Wait until the loop has handled every record below the topic's end offsets as of now: the
    position its store keeps (moved in the transaction that applies a batch) or the offset its group
    committed after that transaction, whichever the broker or the store shows first."""
    ends = end_offsets(settings.bootstrap_servers, settings.topic)
    group = KafkaConsumer(
        bootstrap_servers=settings.bootstrap_servers,
        group_id=f"{settings.topic}.store",
        enable_auto_commit=False,
    )

    def handled() -> dict[TopicPartition, int]:
        stored = stored_positions(engine, [settings.topic])
        return {tp: max(stored.get(tp, 0), group.committed(tp) or 0) for tp in ends}

    try:
        wait_for_positions(handled, ends, timeout=timeout)
    finally:
        group.close()


def test_ten_thousand_events_arrive_exactly_once_in_order_per_dossier(
    engine: Engine, kafka_settings: KafkaSettings, running_relay: RelayRunner, running_loop: LoopRunner
) -> None:
    total = 10_000
    with (
        running_relay(Relay(engine, kafka_settings)) as relay,
        running_loop(_loop(engine, kafka_settings)) as loop,
    ):
        started = time.monotonic()
        for start in range(0, total, 100):
            with engine.begin() as conn:
                add_events(conn, [event(n) for n in range(start, start + 100)], topic=kafka_settings.topic)
            relay.wake()
        rows, distinct = wait_for_count(engine, total, timeout=90)
        elapsed = time.monotonic() - started
        # The outbox drained, every event is below the topic's end offsets; once the store's positions
        # reach them the loop has handled all there is, a doubled delivery included.
        wait_drained(engine, timeout=60)
        _read_to_end_into_store(engine, kafka_settings)

        assert counts(engine) == (total, total), f"{rows} rows, {distinct} distinct after {elapsed:.1f}s"
        assert order_kept_per_dossier(engine)
        assert outbox_lag(engine)[0] == 0
        assert loop.metrics.applied["data_reused"] == total
        assert loop.metrics.dead_lettered == 0


@pytest.mark.slow
# Once, on SQLite: the restart is what this checks, and it is the slow part of the suite.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_writes_go_on_while_the_broker_is_down_and_nothing_is_lost_or_doubled(
    engine: Engine,
    kafka_settings: KafkaSettings,
    local_broker: LocalBroker | None,
    running_relay: RelayRunner,
    running_loop: LoopRunner,
) -> None:
    if local_broker is None:
        service_missing("stopping and starting the broker needs the local one of deploy/local/kafka/kafka.sh")
    assert local_broker is not None
    written = 0
    write_errors: list[BaseException] = []
    stop_writing = threading.Event()

    def write() -> None:
        nonlocal written
        while not stop_writing.is_set():
            try:
                with engine.begin() as conn:
                    add_events(
                        conn, [event(n) for n in range(written, written + 20)], topic=kafka_settings.topic
                    )
                written += 20
            except Exception as exc:
                write_errors.append(exc)
            time.sleep(0.1)

    writer = threading.Thread(target=write, daemon=True)
    with running_relay(Relay(engine, kafka_settings)) as relay, running_loop(_loop(engine, kafka_settings)):
        writer.start()
        try:
            wait_for_count(engine, 200, timeout=30)
            local_broker.down()
            down_at = written
            time.sleep(5)
            written_while_down = written - down_at
            assert outbox_lag(engine)[0] > 0, "the outbox should fill while the broker is away"
            local_broker.up()
            time.sleep(2)
        finally:
            stop_writing.set()
            writer.join(10)

        assert not write_errors
        assert written_while_down > 0
        final = wait_for_count(engine, written, timeout=90)
        wait_drained(engine, timeout=60)
        _read_to_end_into_store(engine, kafka_settings)

        assert counts(engine) == (written, written), f"{final} for {written} written"
        assert order_kept_per_dossier(engine)
        assert relay.stats.published == written
