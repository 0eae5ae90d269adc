"""A store written by the code before migrations (``legacy/``: data and all) upgrades in place to the
head, on SQLite and PostgreSQL, the way a service does at start: every row kept, the schema the models
describe, the audit chain intact, the tracker's figures unchanged."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine

from onceonly.common import migrations
from onceonly.common.db import make_engine
from tests.fixtures.stack import cli
from tests.migrations.start_together import preparer
from tests.migrations.stores import SERVICES, STORES, legacy_figures, restore_legacy, row_counts


def _upgraded(
    service: str, url: str, before_upgrade: Callable[[Engine], object] = lambda _: None
) -> tuple[Engine, dict[str, int], dict[str, int], dict[str, Any]]:
    """Restore the legacy store, prepare it as the service's start does; rows before and after."""
    dialect = restore_legacy(url, service)
    figures = legacy_figures(service)
    engine = make_engine(url)
    store = STORES[service]
    before_upgrade(engine)
    before = row_counts(engine)
    assert before == figures[f"{dialect}_rows"]
    assert migrations.current(engine, store) is None  # no version table: made by create_all
    preparer(service)(engine)
    assert migrations.current(engine, store) == migrations.head(store)
    assert migrations.compare(engine, store) == []
    after = row_counts(engine, set(before))
    return engine, before, after, figures[dialect]


@pytest.mark.parametrize("service", SERVICES)
def test_every_row_is_kept(service: str, db_url: str) -> None:
    engine, before, after, _ = _upgraded(service, db_url)
    engine.dispose()
    assert after == before
    assert sum(after.values()) > 0


def test_the_gateway_audit_chain_still_verifies(db_url: str) -> None:
    from onceonly.gateway.audit import verify_chain

    engine, before, _, figures = _upgraded("gateway", db_url)
    try:
        report = verify_chain(engine)
    finally:
        engine.dispose()
    assert report.intact, report.findings
    assert report.records == figures["audit_records"] == before["audit_record"] == 60
    done = subprocess.run(
        [*cli("gateway"), "audit", "verify", "--unanchored", "--database-url", db_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "ONCEONLY_DEV_MODE": "true"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "60 records" in done.stdout


def test_the_tracker_figures_are_unchanged(db_url: str) -> None:
    from onceonly.tracker import queries
    from onceonly.tracker.cube import MEASURES

    engine, _, _, figures = _upgraded("tracker", db_url)
    try:
        with engine.connect() as conn:
            totals = dict(zip(MEASURES, queries.totals(conn, queries.Filters()), strict=True))
            by_agency = {
                key: dict(zip(MEASURES, vector, strict=True))
                for key, vector in queries.breakdown(conn, queries.Filters(), "agency")
            }
    finally:
        engine.dispose()
    # The measures the legacy store had, with the values it gave (a later measure starts from zero).
    assert {m: totals[m] for m in figures["totals"]} == figures["totals"]
    assert figures["totals"]["received"] == 10
    legacy = figures["by_agency"]
    assert {agency: {m: by_agency[agency][m] for m in legacy[agency]} for agency in by_agency} == legacy


def test_the_lookup_store_serves_its_registry_and_results(db_url: str) -> None:
    from onceonly.lookup.store import LookupStore
    from onceonly.results.v1.results_pb2 import ResultStatus

    revoked: list[int] = []

    def count_revoked(engine: Engine) -> None:
        with engine.connect() as conn:
            revoked.append(
                conn.exec_driver_sql(
                    "SELECT count(*) FROM result WHERE revoked_at_us IS NOT NULL"
                ).scalar_one()
            )

    engine, _, _, figures = _upgraded("lookup", db_url, count_revoked)
    try:
        store = LookupStore(engine)
        ids = store.sample_personal_ids(figures["citizens"])
        assert len(ids) == figures["citizens"] == 120
        assert store.get_citizen(ids[0]).personal_id == ids[0]
        statuses = [result.status for pid in ids for result in store.list_results(pid, "", 50, "")[0]]
        assert len(statuses) == figures["results"]
        assert statuses.count(ResultStatus.RESULT_STATUS_REVOKED) == revoked[0] > 0
    finally:
        engine.dispose()
