"""`onceonly-gateway relay` as deployed: two relay processes on one gateway store. One publishes, the
other stands by; the holder stopped (SIGTERM) mid-stream hands over at once, and every event reaches
the topic exactly once, in order per dossier; the next holder SIGKILLed, the survivor takes over
within the lease and nothing is lost (a row published but not yet marked sent may go out twice)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from onceonly.common.db import make_engine
from onceonly.common.events import decode
from onceonly.common.outbox import add_events, lease_table
from onceonly.common.settings import KafkaSettings
from onceonly.gateway.store import create_store
from tests.backbone.store import event, wait_drained
from tests.fixtures.stack import cli
from tests.fixtures.topic_end import read_to_end

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(480)]

LEASE_SECONDS = 3


def _relay(url: str, kafka: KafkaSettings, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ONCEONLY_DEV_MODE": "true",
        "ONCEONLY_GATEWAY_DATABASE_URL": url,
        "ONCEONLY_GATEWAY_RELAY_INTERVAL_SECONDS": "0.05",
        "ONCEONLY_GATEWAY_RELAY_LEASE_SECONDS": str(LEASE_SECONDS),
        "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
        "KAFKA_TOPIC": kafka.topic,
    }
    return subprocess.Popen(
        [*cli("gateway"), "relay"], env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )


def _holder_pid(engine: Engine, timeout: float = 120) -> int:
    """The pid of the relay holding the lease (its holder is ``host/pid/…``); a loaded machine takes
    tens of seconds to start one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            row = conn.execute(select(lease_table.c.holder, lease_table.c.expires_at)).first()
        if row is not None and row.expires_at > time.time():
            return int(row.holder.split("/")[1])
        time.sleep(0.05)
    raise AssertionError("no relay took the lease")


def _write(engine: Engine, start: int, count: int, topic: str) -> None:
    for first in range(start, start + count, 50):
        with engine.begin() as conn:
            add_events(conn, [event(n) for n in range(first, min(first + 50, start + count))], topic=topic)


def test_two_relay_processes_hand_over_without_losing_or_doubling(
    tmp_path: Path, kafka_settings: KafkaSettings
) -> None:
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    engine = make_engine(url)
    create_store(engine)
    log = tmp_path / "relays.log"
    relays = {p.pid: p for p in (_relay(url, kafka_settings, log), _relay(url, kafka_settings, log))}
    try:
        _write(engine, 0, 1000, kafka_settings.topic)
        first = _holder_pid(engine)
        # Stopped while events keep coming: it finishes its batch, marks it sent, releases the lease.
        relays[first].send_signal(signal.SIGTERM)
        _write(engine, 1000, 1000, kafka_settings.topic)
        assert relays[first].wait(timeout=30) == 0
        wait_drained(engine, timeout=60)
        (second,) = set(relays) - {first}
        assert _holder_pid(engine) == second

        records = read_to_end(kafka_settings.bootstrap_servers, kafka_settings.topic)
        ids = Counter(decode(r.value).event_id for r in records)
        assert len(ids) == 2000, "an event is missing from the topic"
        assert max(ids.values()) == 1, "an event was published twice across a graceful hand-over"

        # The survivor, restarted as a standby, takes over once the SIGKILLed holder's lease runs out.
        relays[first] = _relay(url, kafka_settings, log)
        relays[second].kill()
        relays[second].wait(timeout=10)
        _write(engine, 2000, 500, kafka_settings.topic)
        wait_drained(engine, timeout=LEASE_SECONDS + 60)
        assert _holder_pid(engine) == relays[first].pid
    finally:
        for process in relays.values():
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        engine.dispose()

    records = read_to_end(kafka_settings.bootstrap_servers, kafka_settings.topic)
    envelopes = [(r.key, decode(r.value)) for r in records]
    assert {e.event_id for _, e in envelopes} >= set(ids), "an event published before the kill is gone"
    assert len({e.event_id for _, e in envelopes}) == 2500, "an event was lost"
    for key, envelope in envelopes:
        assert key == envelope.data_reused.dossier_id.encode()
    # Order per dossier, repeats aside (a consumer drops a repeated event id).
    last: dict[str, str] = {}
    seen: set[str] = set()
    for _, envelope in envelopes:
        if envelope.event_id in seen:
            continue
        seen.add(envelope.event_id)
        dossier, request = envelope.data_reused.dossier_id, envelope.data_reused.request_id
        assert request > last.get(dossier, ""), f"dossier {dossier} out of order"
        last[dossier] = request
