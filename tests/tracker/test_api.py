"""The HTTP API and its exports on SQLite and PostgreSQL, fed the known mix of dossiers."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from onceonly.common.db import make_engine
from onceonly.common.problems import PROBLEM_BASE
from onceonly.events.v1 import events_pb2 as ev
from onceonly.tracker.app import create_app
from onceonly.tracker.indicators import INDICATORS
from onceonly.tracker.ledger import apply_batch
from onceonly.tracker.runtime import Runtime
from onceonly.tracker.store import create_tables
from onceonly.tracker.targets import default_targets
from tests.tracker.builders import (
    DENIED,
    IMPORTED,
    KNOWN_MIX,
    REUSED_RESULT,
    STRANGER,
    known_mix,
    received,
    resolved,
    reused,
)


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    yield from serve(db_url)


@pytest.fixture
def sqlite_client(sqlite_url: str) -> Iterator[TestClient]:
    """For checks of request handling that do not depend on the store."""
    yield from serve(sqlite_url)


@pytest.fixture
def mixed_client(db_url: str) -> Iterator[TestClient]:
    """The known mix (live), four imported dossiers in the same month, and lookups that do not fit."""
    yield from serve(db_url, [*known_mix(), *imported(), *misfits()])


def imported() -> list[ev.Envelope]:
    events = []
    for i in range(4):
        d = f"imp-{i}"
        events.append(reused(d, "2026-01-05 08:00"))  # made while migrating: counts
        events.append(
            received(d, components=[REUSED_RESULT] if i < 3 else [], origin=IMPORTED, agency="SOTP-BD")
        )
        events.append(resolved(d))
    return events


def misfits() -> list[ev.Envelope]:
    return [
        # Another agency reads with mix-0's id (twice) and mix-1's; another procedure on mix-2.
        reused("mix-0", "2025-03-11 08:00", agency="UBND-X"),
        reused("mix-0", "2025-03-11 08:05", agency="UBND-X"),
        reused("mix-1", "2025-03-11 08:10", agency="UBND-X", procedure="2.002"),
        reused("mix-2", "2025-03-12 08:00", procedure="1.004194"),
        # A stranger, refused; a lookup after the resolution (mix-3, under 2.002, resolved on 15 March).
        reused("mix-4", "2025-03-10 09:00", relation=STRANGER, subject="p-stranger", outcome=DENIED),
        reused("mix-3", "2025-04-01 08:00", procedure="2.002"),
    ]


def serve(url: str, events: list[ev.Envelope] | None = None) -> Iterator[TestClient]:
    engine = make_engine(url, pool_size=2)
    create_tables(engine)
    with engine.begin() as conn:
        apply_batch(conn, events or [*known_mix(), received("april", "2025-04-02 10:00", fee=100)])
    # The Prometheus headline is the year to date: the known mix's year, late enough to hold all of it.
    app = create_app(
        engine=engine, targets=default_targets(), clock=lambda: datetime(2025, 12, 31, tzinfo=UTC)
    )
    with TestClient(app) as client:
        yield client
    engine.dispose()


def fractions(body: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {i["name"]: (i["numerator"], i["denominator"]) for i in body["indicators"]}


def test_indicators_for_a_period_give_the_known_mix(client: TestClient) -> None:
    body = client.get("/v1/indicators", params={"period": "2025-03"}).json()
    assert fractions(body) == KNOWN_MIX
    assert body["period"] == {"from": "2025-03", "to": "2025-03"}
    reuse = body["indicators"][0]
    assert reuse == {
        "name": "reuse_rate",
        "numerator": 4,
        "denominator": 10,
        "value": 40.0,
        "target": 50.0,
        "gap": -10.0,
        "met": False,
    }
    assert fractions(client.get("/v1/indicators", params={"period": "2025-Q1"}).json()) == KNOWN_MIX
    assert (
        fractions(client.get("/v1/indicators", params={"from": "2025-01", "to": "2025-03"}).json())
        == KNOWN_MIX
    )


def test_filters_and_empty_denominators(client: TestClient) -> None:
    body = client.get(
        "/v1/indicators", params={"period": "2025", "agency": "CA-BD", "channel": "counter"}
    ).json()
    assert body["filters"] == {"agency": "CA-BD", "channel": "counter"}
    assert fractions(body)["online_dossier_rate"] == (0, 3)
    assert fractions(body)["online_payment_rate"] == (0, 0)
    payment = body["indicators"][5]
    assert (payment["value"], payment["gap"], payment["met"]) == (None, None, None)
    april = client.get("/v1/indicators", params={"period": "2025-04"}).json()
    assert fractions(april)["reuse_rate"] == (0, 1)
    assert fractions(april)["online_payment_rate"] == (0, 1)


def test_breakdowns(client: TestClient) -> None:
    body = client.get("/v1/indicators/breakdown", params={"by": "agency", "period": "2025-03"}).json()
    assert [r["key"] for r in body["rows"]] == ["CA-BD", "SOTP-BD"]
    sotp = {i["name"]: (i["numerator"], i["denominator"]) for i in body["rows"][1]["indicators"]}
    assert sotp["reuse_rate"] == (4, 6)
    assert sotp["population_data_use_rate"] == (5, 6)
    months = client.get("/v1/indicators/breakdown", params={"by": "month"}).json()
    assert [r["key"] for r in months["rows"]] == ["2025-03", "2025-04"]
    quarters = client.get("/v1/indicators/breakdown", params={"by": "quarter"}).json()
    assert [r["key"] for r in quarters["rows"]] == ["2025-Q1", "2025-Q2"]
    years = client.get("/v1/indicators/breakdown", params={"by": "year"}).json()
    assert [r["key"] for r in years["rows"]] == ["2025"]
    assert years["rows"][0]["indicators"][0]["denominator"] == 11


def test_csv_export_holds_the_same_figures(client: TestClient) -> None:
    response = client.get("/v1/indicators/breakdown.csv", params={"by": "month"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    march = {
        r["indicator"]: (int(r["numerator"]), int(r["denominator"])) for r in rows if r["month"] == "2025-03"
    }
    assert march == KNOWN_MIX
    on_time_april = next(r for r in rows if r["month"] == "2025-04" and r["indicator"] == "on_time_rate")
    assert (on_time_april["value"], on_time_april["met"]) == ("", "")  # no data, not 0%
    reuse_march = next(r for r in rows if r["month"] == "2025-03" and r["indicator"] == "reuse_rate")
    assert (reuse_march["value"], reuse_march["target"], reuse_march["gap"], reuse_march["met"]) == (
        "40.0",
        "50.0",
        "-10.0",
        "False",
    )


def test_xlsx_export(client: TestClient) -> None:
    response = client.get("/v1/indicators/breakdown.xlsx", params={"by": "agency", "period": "2025-03"})
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "SOTP-BD" in strings
    assert "reuse_rate" in strings
    # The header block's five written rows, the table's header, then two agencies' eight indicators.
    assert sheet.count("<row ") == 5 + 1 + 2 * len(INDICATORS)


@pytest.mark.parametrize(
    "params",
    [
        {"period": "2025-13"},
        {"period": "2025-Q1", "from": "2025-01"},
        {"from": "2025-05", "to": "2025-01"},
        {"channel": "pigeon"},
    ],
)
def test_bad_input_is_a_problem_not_a_500(sqlite_client: TestClient, params: dict[str, str]) -> None:
    response = sqlite_client.get("/v1/indicators", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 422


def test_bad_breakdown_dimension(client: TestClient) -> None:
    for path in ("/v1/indicators/breakdown", "/v1/indicators/breakdown.csv", "/v1/indicators/breakdown.xlsx"):
        response = client.get(path, params={"by": "colour"})
        assert response.status_code == 422, path
        assert response.headers["content-type"] == "application/problem+json"
    missing = client.get("/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["type"] == PROBLEM_BASE + "route-not-found"
    assert missing.json()["instance"] == "/v1/nothing-here"


def test_a_method_a_route_does_not_take_is_a_problem(sqlite_client: TestClient) -> None:
    r = sqlite_client.delete("/v1/indicators")
    assert r.status_code == 405
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == PROBLEM_BASE + "method-not-allowed"
    assert r.headers["allow"] == "GET"


def test_a_store_away_is_a_503_problem_not_a_500() -> None:
    # Nothing listens on port 1: every connection is refused, as while PostgreSQL restarts.
    engine = make_engine("postgresql+psycopg://tracker:tracker@127.0.0.1:1/tracker", pool_size=1)
    with TestClient(create_app(engine=engine, targets=default_targets())) as client:
        r = client.get("/v1/indicators", params={"period": "2025-03"})
        assert r.status_code == 503, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"] == PROBLEM_BASE + "store-unavailable"
        assert r.headers["retry-after"] == "2"
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["type"] == PROBLEM_BASE + "not-ready"
        assert ready.json()["detail"] == "store unreachable: OperationalError"
    engine.dispose()


def test_the_app_holds_one_runtime(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url, pool_size=1)
    create_tables(engine)
    app = create_app(engine=engine, targets=default_targets(), stale_lookup_days=3, operator_token="s3cret")
    runtime = app.state.runtime
    assert isinstance(runtime, Runtime)
    assert (runtime.engine, runtime.consumer, runtime.stale_lookup_days) == (engine, None, 3)
    with TestClient(app) as client:
        # The settings' window when the request names none, the runtime's token for closing.
        assert client.get("/v1/lookups/stale").json()["days"] == 3
        wrong = client.post("/v1/periods/2025-03/close", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        right = client.post("/v1/periods/2025-03/close", headers={"Authorization": "Bearer s3cret"})
        assert right.status_code == 201, right.text
    engine.dispose()


def test_stale_lookups(client: TestClient) -> None:
    body = client.get("/v1/lookups/stale", params={"days": 7, "as_of": "2025-03-20T00:00:00+07:00"}).json()
    assert body["days"] == 7
    assert [(a["agency"], a["dossiers"], a["lookups"]) for a in body["agencies"]] == [("UBND-X", 1, 1)]
    recent = client.get("/v1/lookups/stale", params={"days": 30, "as_of": "2025-03-20T00:00:00+07:00"}).json()
    assert recent["agencies"] == []


def test_probes_metrics_dashboard_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200
    metrics = client.get("/metrics").text
    assert 'onceonly_tracker_indicator_ratio{indicator="reuse_rate"} 0.36363636363636365' in metrics
    assert 'onceonly_tracker_indicator_target_ratio{indicator="reuse_rate"} 0.5' in metrics
    page = client.get("/")
    assert page.status_code == 200
    assert 'lang="vi"' in page.text
    assert client.get("/static/app.js").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/v1/indicators/breakdown.csv" in spec["paths"]
    assert "examples" in str(spec["components"]["schemas"]["IndicatorOut"])
    dims = client.get("/v1/dimensions").json()
    assert dims["month"] == ["2025-03", "2025-04"]
    assert dims["agency"] == ["CA-BD", "SOTP-BD"]


def test_origin_splits_imported_dossiers_from_live_ones(mixed_client: TestClient) -> None:
    """Without an origin filter the figures count both; origin=live gives the known mix alone."""
    get = mixed_client.get
    everything = fractions(get("/v1/indicators", params={"period": "2025-03"}).json())
    assert everything["reuse_rate"] == (4 + 3, 10 + 4)
    assert everything["population_data_use_rate"] == (5 + 4, 10 + 4)
    live = get("/v1/indicators", params={"period": "2025-03", "origin": "live"}).json()
    assert live["filters"] == {"origin": "live"}
    assert fractions(live) == KNOWN_MIX
    imports = fractions(get("/v1/indicators", params={"period": "2025-03", "origin": "imported"}).json())
    assert imports["reuse_rate"] == (3, 4)
    assert imports["population_data_use_rate"] == (4, 4)
    assert imports["on_time_rate"] == (4, 4)
    by_origin = get("/v1/indicators/breakdown", params={"by": "origin", "period": "2025-03"}).json()
    assert [r["key"] for r in by_origin["rows"]] == ["imported", "live"]
    assert by_origin["rows"][1]["indicators"][0]["denominator"] == 10
    # Combined with other filters, and in the exports.
    sotp = fractions(get("/v1/indicators", params={"agency": "SOTP-BD", "origin": "imported"}).json())
    assert sotp["reuse_rate"] == (3, 4)
    rows = list(
        csv.DictReader(
            io.StringIO(
                get("/v1/indicators/breakdown.csv", params={"by": "origin"}).content.decode("utf-8-sig")
            )
        )
    )
    assert {(r["origin"], r["indicator"]): r["numerator"] for r in rows}[("imported", "reuse_rate")] == "3"
    book = get("/v1/indicators/breakdown.xlsx", params={"by": "origin"})
    with zipfile.ZipFile(io.BytesIO(book.content)) as xlsx:
        assert "imported" in xlsx.read("xl/sharedStrings.xml").decode()
    assert get("/v1/dimensions").json()["origin"] == ["imported", "live"]
    bad = get("/v1/indicators", params={"origin": "smuggled"})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"


def test_misuse_report_counts_per_reason_and_agency_with_a_drill_down(mixed_client: TestClient) -> None:
    body = mixed_client.get("/v1/lookups/misuse").json()
    assert body["total"] == 6
    assert {r["reason"]: r["lookups"] for r in body["reasons"]} == {
        "other_agency": 3,
        "other_procedure": 1,
        "other_applicant": 0,
        "stranger": 1,
        "after_resolution": 1,
        "refused": 0,
    }
    groups = {(g["agency"], g["reason"]): (g["dossiers"], g["lookups"]) for g in body["agencies"]}
    assert groups == {
        ("UBND-X", "other_agency"): (2, 3),
        ("SOTP-BD", "other_procedure"): (1, 1),
        ("SOTP-BD", "after_resolution"): (1, 1),
        ("SOTP-BD", "stranger"): (1, 1),
    }
    newest = body["lookups"][0]
    assert newest["dossier_id"] == "mix-3"
    assert newest["reason"] == "after_resolution"
    stranger = next(m for m in body["lookups"] if m["reason"] == "stranger")
    assert stranger["subject_pseudonym"] == "p-stranger"
    assert (stranger["outcome"], stranger["subject_relation"]) == ("denied", "stranger")
    # The misfits counted nowhere: the known mix's population figure is as it was.
    live = mixed_client.get("/v1/indicators", params={"period": "2025-03", "origin": "live"}).json()
    assert fractions(live)["population_data_use_rate"] == KNOWN_MIX["population_data_use_rate"]
    # Drill down: one agency and reason, a page at a time; a period of the lookups.
    drill = mixed_client.get(
        "/v1/lookups/misuse", params={"agency": "UBND-X", "reason": "other_agency", "limit": 2}
    ).json()
    assert drill["total"] == 3
    assert [(m["dossier_id"], m["dossier_agency"]) for m in drill["lookups"]] == [
        ("mix-1", "SOTP-BD"),
        ("mix-0", "SOTP-BD"),
    ]
    rest = mixed_client.get(
        "/v1/lookups/misuse", params={"agency": "UBND-X", "reason": "other_agency", "offset": 2}
    ).json()
    assert [(m["dossier_id"], m["occurred_at"]) for m in rest["lookups"]] == [
        ("mix-0", "2025-03-11T01:00:00Z")
    ]
    april = mixed_client.get("/v1/lookups/misuse", params={"period": "2025-04"}).json()
    assert [m["dossier_id"] for m in april["lookups"]] == ["mix-3"]
    for params in ({"reason": "curiosity"}, {"period": "2025-13"}, {"limit": -1}):
        response = mixed_client.get("/v1/lookups/misuse", params=params)
        assert response.status_code == 422, params
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "as_of", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "9999-12-31T23:00:00-23:59"]
)
def test_absurd_instants_are_a_problem_not_a_500(sqlite_client: TestClient, as_of: str) -> None:
    response = sqlite_client.get("/v1/lookups/stale", params={"as_of": as_of, "days": 3650})
    assert response.status_code == 422
    assert response.json()["type"] == PROBLEM_BASE + "instant-out-of-range"
    early = sqlite_client.get("/v1/lookups/stale", params={"as_of": "1900-01-02T00:00:00Z", "days": 3650})
    assert early.status_code == 200


@pytest.mark.parametrize(
    ("as_of", "slug"),
    [
        ("0.5", "invalid-instant"),  # a number is no date-time, though pydantic's lax mode reads one
        ("2025-03-20T00:00:00", "invalid-instant"),  # no offset: RFC 3339 requires one
        ("2025-02-29T00:00:00Z", "invalid-instant"),  # no such day
        ("٢٠٢٥-03-20T00:00:00Z", "invalid-instant"),  # not ASCII digits
        ("1900-01-01T12:00:00Z", "instant-out-of-range"),  # the calendar's first day: an offset leaves it
        ("2199-12-31T00:00:00Z", "instant-out-of-range"),
    ],
)
def test_as_of_is_read_as_the_document_states_it(sqlite_client: TestClient, as_of: str, slug: str) -> None:
    response = sqlite_client.get("/v1/lookups/stale", params={"as_of": as_of})
    assert response.status_code == 422, response.text
    assert response.json()["type"] == PROBLEM_BASE + slug
    # The document's pattern calls every one of them invalid.
    schema = next(
        p["schema"]["anyOf"][0]
        for p in sqlite_client.get("/openapi.json").json()["paths"]["/v1/lookups/stale"]["get"]["parameters"]
        if p["name"] == "as_of"
    )
    assert schema["format"] == "date-time"
    assert not re.fullmatch(schema["pattern"].strip("^$"), as_of)


def test_the_edges_the_instant_pattern_allows_are_accepted(sqlite_client: TestClient) -> None:
    for as_of in ("1900-01-02T00:00:00+23:59", "2199-12-30T23:59:59.999999-23:59", "2000-02-29T00:00:00Z"):
        assert sqlite_client.get("/v1/lookups/stale", params={"as_of": as_of}).status_code == 200, as_of


@pytest.mark.parametrize("params", [{"from": "0000-01"}, {"to": "1899-12"}, {"period": "2200"}, {"from": ""}])
def test_months_outside_the_calendar_are_invalid_periods_not_500s(
    sqlite_client: TestClient, params: dict[str, str]
) -> None:
    for path in ("/v1/indicators", "/v1/dossiers", "/v1/reasks", "/v1/lookups/misuse"):
        response = sqlite_client.get(path, params=params)
        assert response.status_code == 422, (path, params)
        assert response.json()["type"] == PROBLEM_BASE + "invalid-period"


def test_an_empty_period_is_no_period(sqlite_client: TestClient) -> None:
    body = sqlite_client.get("/v1/indicators", params={"period": ""}).json()
    assert body["period"] == {"from": None, "to": None}
