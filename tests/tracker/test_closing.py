"""Closed periods: frozen as published with a content hash, while later events still move the live
figures; over HTTP (operator token) and the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update
from typer.testing import CliRunner

from onceonly.common.db import make_engine
from onceonly.common.problems import PROBLEM_BASE
from onceonly.tracker import closing
from onceonly.tracker.app import create_app
from onceonly.tracker.cli import app as cli
from onceonly.tracker.ledger import apply_batch
from onceonly.tracker.store import CLOSED, create_tables
from onceonly.tracker.targets import default_targets
from tests.tracker.builders import known_mix, received, resolved

TOKEN = "operator-secret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url, pool_size=2)
    create_tables(engine)
    with engine.begin() as conn:
        apply_batch(conn, known_mix())
    yield engine
    engine.dispose()


@pytest.fixture
def client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(create_app(engine=engine, targets=default_targets(), operator_token=TOKEN)) as client:
        yield client


def by_name(items: list[dict[str, object]]) -> dict[str, tuple[object, object]]:
    return {str(i["name"]): (i["numerator"], i["denominator"]) for i in items}


def test_a_closed_period_keeps_its_figures_while_the_live_ones_move(
    client: TestClient, engine: Engine
) -> None:
    closed = client.post("/v1/periods/2025-03/close", headers=AUTH, params={"closed_by": "BD office"})
    assert closed.status_code == 201, closed.text
    sha = closed.json()["content_sha256"]
    assert closed.json()["intact"] is True
    assert len(sha) == 64

    # Later events: a late dossier received in March, and mix-8 (pending) resolved late.
    with engine.begin() as conn:
        apply_batch(
            conn, [received("late-comer", "2025-03-30 09:00"), resolved("late-comer", "2025-03-31 10:00")]
        )

    body = client.get("/v1/indicators", params={"period": "2025-03"}).json()
    live = by_name(body["indicators"])
    published = body["published"]
    assert published["period"] == "2025-03"
    assert published["content_sha256"] == sha
    assert published["closed_by"] == "BD office"
    then = by_name(published["indicators"])
    assert then["reuse_rate"] == (4, 10)
    assert live["reuse_rate"] == (4, 11)
    assert then["on_time_rate"] == (6, 8)
    assert live["on_time_rate"] == (6, 9)  # due on the 20th, resolved on the 31st
    change = {c["name"]: c for c in published["changes"]}
    assert (change["reuse_rate"]["numerator"], change["reuse_rate"]["denominator"]) == (0, 1)
    assert change["reuse_rate"]["value"] == round(36.36 - 40.0, 2)

    # A row of a published breakdown: one filter on its dimension.
    agency = client.get("/v1/indicators", params={"period": "2025-03", "agency": "SOTP-BD"}).json()
    assert by_name(agency["published"]["indicators"])["reuse_rate"] == (4, 6)
    assert by_name(agency["indicators"])["reuse_rate"] == (4, 7)
    # Two filters, or a period that was not closed: nothing published to set beside.
    two = {"period": "2025-03", "agency": "SOTP-BD", "channel": "online"}
    assert client.get("/v1/indicators", params=two).json()["published"] is None
    assert client.get("/v1/indicators", params={"period": "2025-Q1"}).json()["published"] is None

    stored = client.get("/v1/periods/2025-03")
    assert stored.headers["X-Content-SHA256"] == sha
    assert closing.digest(stored.json()) == sha
    listed = client.get("/v1/periods").json()
    assert [(p["period"], p["content_sha256"], p["intact"]) for p in listed] == [("2025-03", sha, True)]


def test_a_period_is_closed_once_and_only_when_over(client: TestClient) -> None:
    assert client.post("/v1/periods/2025-03/close", headers=AUTH).status_code == 201
    again = client.post("/v1/periods/2025-03/close", headers=AUTH)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json()["type"] == PROBLEM_BASE + "period-closed"
    future = client.post(f"/v1/periods/{datetime.now(UTC).year + 1}/close", headers=AUTH)
    assert future.status_code == 422
    assert future.json()["type"] == PROBLEM_BASE + "invalid-period"
    assert client.post("/v1/periods/2025-13/close", headers=AUTH).status_code == 422
    missing = client.get("/v1/periods/2024")
    assert missing.status_code == 404
    assert missing.json()["type"] == PROBLEM_BASE + "not-closed"


def test_closing_needs_the_operator_token(client: TestClient, engine: Engine) -> None:
    anonymous = client.post("/v1/periods/2025-03/close")
    assert anonymous.status_code == 401
    assert anonymous.json()["type"] == PROBLEM_BASE + "unauthorized"
    assert (
        client.post("/v1/periods/2025-03/close", headers={"Authorization": "Bearer nope"}).status_code == 401
    )
    with TestClient(create_app(engine=engine, targets=default_targets())) as closed_off:
        refused = closed_off.post("/v1/periods/2025-03/close", headers=AUTH)
        assert refused.status_code == 403
        assert refused.json()["type"] == PROBLEM_BASE + "closing-disabled"
    assert client.get("/v1/periods").json() == []


def test_a_tampered_record_no_longer_verifies(client: TestClient, engine: Engine) -> None:
    assert client.post("/v1/periods/2025/close", headers=AUTH).status_code == 201
    with engine.begin() as conn:
        body = conn.execute(select(CLOSED.c.body)).scalar_one()
        conn.execute(update(CLOSED).values(body=body.replace('"numerator":4', '"numerator":5', 1)))
    assert [p["intact"] for p in client.get("/v1/periods").json()] == [False]


def test_the_cli_closes_a_year(db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONCEONLY_TRACKER_DATABASE_URL", db_url)
    runner = CliRunner()
    done = runner.invoke(cli, ["close", "2025"])
    assert done.exit_code == 0, done.output
    assert "2025 closed at" in done.output
    with engine.connect() as conn:
        closed = closing.published(conn, "2025")
    assert closed is not None
    assert closed.content_sha256 in done.output
    assert closed.closed_by == "cli"
    assert by_name(closed.body["headline"])["reuse_rate"] == (4, 10)
    assert {row["key"] for row in closed.body["breakdowns"]["agency"]} == {"CA-BD", "SOTP-BD"}
    again = runner.invoke(cli, ["close", "2025"])
    assert again.exit_code == 1
    assert "already closed" in again.output
