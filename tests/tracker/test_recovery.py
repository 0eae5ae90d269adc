"""The embedded consumer cannot die silently: a failure restarts it (and /readyz says so meanwhile), a
stuck loop fails /livez, and either way the figures end exact. Applied ids are purged by age."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from kafka.admin import NewTopic
from sqlalchemy import Connection, Engine, func, insert, select

from onceonly.common import consumer as consume
from onceonly.common.db import make_engine
from onceonly.common.kafka import make_admin
from onceonly.events.v1 import events_pb2 as ev
from onceonly.tracker.app import create_app
from onceonly.tracker.consuming import (
    AppliedPurger,
    ConsumerThread,
    applied_retention,
    build_loop,
    prepare_store,
)
from onceonly.tracker.ledger import apply_batch
from onceonly.tracker.settings import TrackerSettings
from tests.tracker.builders import KNOWN_MIX, known_mix
from tests.tracker.test_consume import fractions, produce, settings_for

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


def until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.05)


def status(client: TestClient, path: str) -> int:
    code: int = client.get(path).status_code
    return code


@pytest.fixture
def tracker(
    kafka_bootstrap: str, kafka_topic: str, tmp_path: Path
) -> Iterator[tuple[TrackerSettings, Engine]]:
    settings = settings_for(kafka_bootstrap, kafka_topic, tmp_path / "store.db")
    engine = make_engine(settings.database_url, pool_size=4)
    prepare_store(engine)
    yield settings, engine
    engine.dispose()


def _flaky(real: Callable[..., Any], failing_calls: int) -> tuple[Callable[..., Any], list[int]]:
    calls: list[int] = []

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) <= failing_calls:
            raise RuntimeError("injected store failure")
        return real(*args, **kwargs)

    return flaky, calls


@pytest.mark.parametrize(
    ("target", "failing_calls"),
    [
        # The position write fails in the batch's transaction and again after the one-by-one fallback:
        # the loop ends with the batch's events applied but its position not moved.
        ("_store_positions", 2),
        # Reading the positions on assignment fails: the loop must stop rather than read on from the
        # group's offsets.
        ("stored_positions", 1),
    ],
)
def test_a_failing_store_restarts_the_consumer_and_the_figures_end_exact(
    tracker: tuple[TrackerSettings, Engine], monkeypatch: pytest.MonkeyPatch, target: str, failing_calls: int
) -> None:
    settings, engine = tracker
    events = known_mix()
    produce(settings, events)
    flaky, calls = _flaky(getattr(consume, target), failing_calls)
    monkeypatch.setattr(consume, target, flaky)
    runner = ConsumerThread(build_loop(settings, engine), restart_seconds=3.0, stall_seconds=60)
    app = create_app(engine=engine, targets={}, consumer=runner)
    with TestClient(app) as client:
        until(lambda: runner.failures >= 1)
        assert "injected store failure" in runner.last_error
        # Waiting out its back-off: alive, not ready.
        assert status(client, "/readyz") == 503
        assert client.get("/readyz").json()["detail"].startswith("restarting after a failure")
        assert status(client, "/livez") == 200
        # The restarted consumer reads on from the store's positions (none yet: from the beginning),
        # skips by id what the failed run had applied, and moves the positions to the end.
        until(lambda: sum(consume.stored_positions(engine, [settings.kafka.topic]).values()) == len(events))
        until(lambda: status(client, "/readyz") == 200)
        assert status(client, "/livez") == 200
        assert runner.failures == 1
        assert len(calls) > failing_calls
    assert fractions(engine) == KNOWN_MIX
    with engine.connect() as conn:
        applied = conn.execute(select(func.count()).select_from(consume.applied_events_table)).scalar_one()
    assert applied == len(events)


def test_a_stuck_loop_fails_liveness_and_recovers(tracker: tuple[TrackerSettings, Engine]) -> None:
    settings, engine = tracker
    events = known_mix()
    produce(settings, events)
    release = threading.Event()

    def hangs_once(conn: Connection, envelopes: Sequence[ev.Envelope]) -> object:
        release.wait(60)  # a statement that hangs, inside the batch's transaction
        return apply_batch(conn, envelopes)

    runner = ConsumerThread(build_loop(settings, engine, batch_handler=hangs_once), stall_seconds=1.0)
    app = create_app(engine=engine, targets={}, consumer=runner)
    with TestClient(app) as client:
        until(lambda: status(client, "/livez") == 503)
        assert status(client, "/readyz") == 503
        assert "no poll, batch or retry" in client.get("/livez").json()["detail"]
        release.set()
        until(lambda: fractions(engine) == KNOWN_MIX)
        until(lambda: status(client, "/livez") == 200)
        assert status(client, "/readyz") == 200
        assert runner.failures == 0


def test_applied_ids_are_purged_after_the_topic_retention_plus_the_margin(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    topic = f"test.retention.{time.monotonic_ns()}"
    admin = make_admin(settings_for(kafka_bootstrap, topic, tmp_path / "x.db").kafka)
    admin.create_topics([NewTopic(topic, 1, 1, topic_configs={"retention.ms": str(6 * 3600 * 1000)})])
    admin.close()
    settings = settings_for(kafka_bootstrap, topic, tmp_path / "purge.db").model_copy(
        update={"applied_retention_margin_hours": 2.0}
    )
    # Unset: the topic's retention (6 h) as the broker has it, plus the margin (2 h).
    assert applied_retention(settings)() == 8 * 3600
    assert applied_retention(settings.model_copy(update={"applied_retention_hours": 1.5}))() == 1.5 * 3600

    engine = make_engine(settings.database_url, pool_size=2)
    prepare_store(engine)
    now = time.time()
    ages_hours = {"fresh": 0.1, "within": 7.9, "old": 8.1, "older": 500.0}
    with engine.begin() as conn:
        conn.execute(
            insert(consume.applied_events_table),
            [{"event_id": name, "applied_at": now - hours * 3600} for name, hours in ages_hours.items()],
        )
    purger = AppliedPurger(engine, applied_retention(settings))
    assert purger.purge_once() == 2
    with engine.connect() as conn:
        kept = set(conn.execute(select(consume.applied_events_table.c.event_id)).scalars())
    assert kept == {"fresh", "within"}
    # Unlimited retention keeps every id.
    assert AppliedPurger(engine, lambda: None).purge_once() == 0
    engine.dispose()
