"""Kafka's own console consumer, from the broker's artifacts, reads what the relay wrote: real records,
keyed by dossier id."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from sqlalchemy import Engine

from onceonly.common.outbox import Relay, add_events, outbox_lag
from onceonly.common.settings import KafkaSettings
from tests.backbone.store import event
from tests.fixtures.kafka import KAFKA_SH
from tests.fixtures.services import service_missing

pytestmark = pytest.mark.kafka

RelayRunner = Callable[[Relay], AbstractContextManager[Relay]]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_console_consumer_reads_records_keyed_by_dossier_id(
    engine: Engine, kafka_settings: KafkaSettings, running_relay: RelayRunner
) -> None:
    if shutil.which("java") is None:
        service_missing("no java: Kafka's console consumer cannot run")
    envelopes = [event(n, dossiers=7) for n in range(40)]
    with running_relay(Relay(engine, kafka_settings)):
        with engine.begin() as conn:
            add_events(conn, envelopes, topic=kafka_settings.topic)
        deadline = time.monotonic() + 30
        while outbox_lag(engine)[0] and time.monotonic() < deadline:
            time.sleep(0.05)

    result = subprocess.run(
        [
            str(KAFKA_SH),
            "tool",
            "org.apache.kafka.tools.consumer.ConsoleConsumer",
            "--bootstrap-server",
            kafka_settings.bootstrap_servers,
            "--topic",
            kafka_settings.topic,
            "--from-beginning",
            "--max-messages",
            str(len(envelopes)),
            "--timeout-ms",
            "30000",
            "--formatter-property",
            "print.key=true",
            "--formatter-property",
            "print.value=false",
            "--formatter-property",
            "print.partition=true",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )

    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(lines) == len(envelopes), result.stderr[-2000:]
    keys = {line.split("\t")[-1] for line in lines}
    assert keys == {e.data_reused.dossier_id for e in envelopes}
