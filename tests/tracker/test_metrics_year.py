"""The Prometheus headline is the current year to date against that year's targets, not all time."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from onceonly.common.db import make_engine
from onceonly.tracker.app import create_app
from onceonly.tracker.ledger import apply_batch
from onceonly.tracker.store import create_tables
from onceonly.tracker.targets import TargetBook
from tests.tracker.builders import REUSED_RESULT, received


def test_the_headline_is_this_year_to_date_against_this_year_s_targets(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/tracker.db", pool_size=2)
    create_tables(engine)
    events = [
        # Last year: every dossier reused; it must not lift this year's figure.
        *(received(f"old-{i}", "2025-12-31 23:30", components=(REUSED_RESULT,)) for i in range(6)),
        received("new-1", "2026-01-01 00:10", components=(REUSED_RESULT,)),
        *(received(f"new-{i}", "2026-02-10 09:00") for i in range(2, 5)),
        # Later than the clock's month: not yet "to date".
        received("later", "2026-04-01 09:00", components=(REUSED_RESULT,)),
    ]
    with engine.begin() as conn:
        apply_batch(conn, events)
    book = TargetBook(national={"reuse_rate": 50.0}, years={2026: {"reuse_rate": 60.0}})
    clock = datetime(2026, 3, 15, 3, 0, tzinfo=UTC)
    with TestClient(create_app(engine=engine, targets=book, clock=lambda: clock)) as client:
        metrics = client.get("/metrics").text
    assert 'onceonly_tracker_indicator_ratio{indicator="reuse_rate"} 0.25' in metrics
    assert 'onceonly_tracker_indicator_target_ratio{indicator="reuse_rate"} 0.6' in metrics
    # On 1 January (Vietnam time) the year to date is the new year's first dossiers alone.
    new_year = datetime(2025, 12, 31, 17, 30, tzinfo=UTC)
    with TestClient(create_app(engine=engine, targets=book, clock=lambda: new_year)) as client:
        metrics = client.get("/metrics").text
    assert 'onceonly_tracker_indicator_ratio{indicator="reuse_rate"} 1.0' in metrics
    assert 'onceonly_tracker_indicator_target_ratio{indicator="reuse_rate"} 0.6' in metrics
    engine.dispose()
