"""The HTTP API and its exports on SQLite and PostgreSQL, fed the known mix of dossiers."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from onceonly.common.db import make_engine
from onceonly.tracker.app import create_app
from onceonly.tracker.ledger import apply_batch
from onceonly.tracker.store import create_tables
from onceonly.tracker.targets import default_targets
from tests.tracker.builders import KNOWN_MIX, known_mix, received


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    yield from serve(db_url)


@pytest.fixture
def sqlite_client(sqlite_url: str) -> Iterator[TestClient]:
    """For checks of request handling that do not depend on the store."""
    yield from serve(sqlite_url)


def serve(url: str) -> Iterator[TestClient]:
    engine = make_engine(url, pool_size=2)
    create_tables(engine)
    with engine.begin() as conn:
        apply_batch(conn, [*known_mix(), received("april", "2025-04-02 10:00", fee=100)])
    with TestClient(create_app(engine=engine, targets=default_targets())) as client:
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
    rows = list(csv.DictReader(io.StringIO(response.text)))
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
    assert sheet.count("<row ") == 1 + 2 * 8


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
