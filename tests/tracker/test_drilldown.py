"""The dossiers behind a figure (``GET /v1/dossiers``) and the names beside the codes (``GET /v1/names``),
on SQLite and PostgreSQL: every listed count is the figure's own numerator or denominator."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from onceonly.common.db import make_engine
from onceonly.common.events import payload_kind
from onceonly.common.problems import PROBLEM_BASE
from onceonly.events.v1 import events_pb2 as ev
from onceonly.tracker.app import create_app
from onceonly.tracker.drilldown import CATALOG_FIGURES, RULES
from onceonly.tracker.ledger import apply_batch
from onceonly.tracker.store import create_tables
from onceonly.tracker.targets import default_targets
from tests.tracker.builders import (
    COUNTER,
    DIGITIZED,
    PAPER,
    REUSED_COMPONENT,
    REUSED_RESULT,
    known_mix,
    received,
    resolved,
)


def named(
    envelope: ev.Envelope, agency: str = "", procedure: str = "", procedure_en: str = ""
) -> ev.Envelope:
    r = envelope.dossier_received
    r.agency_name, r.procedure_name, r.procedure_name_en = agency, procedure, procedure_en
    return envelope


def extra() -> list[ev.Envelope]:
    """Beside the known mix: paper dossiers a year earlier (the paper cut's denominator), the 2021
    backlog, a resolution late by a day and one early in another month than its receipt."""
    events = [
        received(f"old-{i}", "2024-03-12 09:00", components=[PAPER] if i < 3 else [DIGITIZED], due=None)
        for i in range(5)
    ]
    events += [
        received("b21-0", "2021-06-01 09:00", components=[DIGITIZED], due=None),
        received("b21-1", "2021-06-01 09:00", components=[PAPER], due=None),
        received("late", "2025-02-20 09:00", channel=COUNTER, due="2025-03-02 17:00", fee=5_000),
        resolved("late", "2025-03-03 09:00", electronic=False),
    ]
    return events


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    engine = make_engine(db_url, pool_size=2)
    create_tables(engine)
    events = [*known_mix(), *extra()]
    for e in events:
        if payload_kind(e) == "dossier_received":
            r = e.dossier_received
            named(
                e, f"Cơ quan {r.agency_code}", f"Thủ tục {r.procedure_code}", f"Procedure {r.procedure_code}"
            )
    with engine.begin() as conn:
        apply_batch(conn, events)
    with TestClient(create_app(engine=engine, targets=default_targets())) as client:
        yield client
    engine.dispose()


def total(client: TestClient, params: dict[str, Any]) -> int:
    r = client.get("/v1/dossiers", params=params)
    assert r.status_code == 200, r.text
    return int(r.json()["total"])


def procedures(client: TestClient, params: dict[str, Any]) -> set[str]:
    page = client.get("/v1/dossiers", params={**params, "page_size": 500}).json()
    assert page["next_page_token"] == ""
    return {d["procedure"] for d in page["dossiers"]}


@pytest.mark.parametrize(
    "filters",
    [
        {"period": "2025-03"},
        {"period": "2025"},
        {"period": "2025-Q1", "agency": "SOTP-BD"},
        {"period": "2025-03", "channel": "counter"},
        {"period": "2025-03", "procedure": "2.002", "province": "74"},
        {},
    ],
)
def test_every_figure_lists_its_own_numerator_and_denominator(
    client: TestClient, filters: dict[str, str]
) -> None:
    figures = client.get("/v1/indicators", params=filters).json()["indicators"]
    checked = 0
    for figure in figures:
        name, numerator, denominator = figure["name"], figure["numerator"], figure["denominator"]
        if name in CATALOG_FIGURES:
            continue
        if name == "paper_dossier_reduction":
            if "period" in filters:
                assert total(client, {**filters, "indicator": name}) == denominator
            continue
        if name == "population_procedure_share":  # over procedures: those of the listed dossiers
            every_p = procedures(client, {**filters, "indicator": name})
            counted_p = procedures(client, {**filters, "indicator": name, "counted": "true"})
            missed_p = procedures(client, {**filters, "indicator": name, "counted": "false"})
            assert (len(counted_p), len(every_p)) == (numerator, denominator)
            assert missed_p == every_p - counted_p
            checked += 1
            continue
        every = total(client, {**filters, "indicator": name})
        counted = total(client, {**filters, "indicator": name, "counted": "true"})
        missed = total(client, {**filters, "indicator": name, "counted": "false"})
        assert (counted, every, missed) == (numerator, denominator, denominator - numerator), name
        checked += 1
    assert checked == len(RULES) - 1


def test_a_breakdown_cell_opens_on_its_dossiers(client: TestClient) -> None:
    rows = client.get("/v1/indicators/breakdown", params={"period": "2025-03", "by": "agency"}).json()["rows"]
    assert {row["key"] for row in rows} == {"SOTP-BD", "CA-BD"}
    for row in rows:
        reuse = next(i for i in row["indicators"] if i["name"] == "reuse_rate")
        params = {"period": "2025-03", "agency": row["key"], "indicator": "reuse_rate"}
        page = client.get("/v1/dossiers", params=params).json()
        assert page["total"] == reuse["denominator"] == len(page["dossiers"])
        assert {d["agency"] for d in page["dossiers"]} == {row["key"]}
        assert sum(d["counted"] for d in page["dossiers"]) == reuse["numerator"]


def test_the_list_names_dates_components_and_pseudonyms(client: TestClient) -> None:
    page = client.get(
        "/v1/dossiers", params={"period": "2025-03", "indicator": "on_time_rate", "counted": "false"}
    ).json()
    assert page["basis"] == "resolution"
    ids = [d["dossier_id"] for d in page["dossiers"]]
    # Late: mix-6 and mix-7 (resolved the 25th, due the 20th), and "late", resolved on 3 March.
    assert ids == ["late", "mix-6", "mix-7"]
    late = page["dossiers"][0]
    assert late["agency_name"] == "Cơ quan SOTP-BD"
    assert (late["procedure_name"], late["procedure_name_en"]) == ("Thủ tục 1.001", "Procedure 1.001")
    assert late["received_at"].startswith("2025-02-20T02:00:00")
    assert late["due_at"].startswith("2025-03-02T10:00:00")
    assert late["resolved_at"].startswith("2025-03-03T02:00:00")
    assert late["applicant_pseudonym"] == "p-late"
    assert late["counted"] is False
    mix0 = client.get("/v1/dossiers", params={"period": "2025-03", "agency": "SOTP-BD"}).json()["dossiers"][0]
    assert mix0["dossier_id"] == "mix-0"
    assert mix0["components"] == [
        {"code": "C0", "state": "reused_result", "national_code": 3},
        {"code": "C1", "state": "digitized", "national_code": 1},
    ]
    assert mix0["counted"] is True  # reused, the default figure's numerator
    assert (mix0["province"], mix0["channel"], mix0["origin"]) == ("Hồ Chí Minh", "online", "live")


def test_pages_walk_every_dossier_once(client: TestClient) -> None:
    seen: list[str] = []
    token = ""
    while True:
        page = client.get(
            "/v1/dossiers", params={"period": "2025", "page_size": 3, "page_token": token}
        ).json()
        assert page["total"] == 11
        assert len(page["dossiers"]) <= 3
        seen += [d["dossier_id"] for d in page["dossiers"]]
        token = page["next_page_token"]
        if not token:
            break
    assert seen == sorted(seen)
    assert len(set(seen)) == 11


def test_the_paper_cut_lists_a_year_earlier_and_the_backlog_its_years(client: TestClient) -> None:
    page = client.get(
        "/v1/dossiers", params={"period": "2025-03", "indicator": "paper_dossier_reduction"}
    ).json()
    assert page["period"] == {"from": "2024-03", "to": "2024-03"}
    assert [d["dossier_id"] for d in page["dossiers"]] == ["old-0", "old-1", "old-2"]
    backlog = client.get(
        "/v1/dossiers",
        params={"period": "2025", "indicator": "backlog_digitization_rate", "counted": "false"},
    ).json()
    assert backlog["period"] == {"from": "2021-01", "to": "2022-12"}
    assert [d["dossier_id"] for d in backlog["dossiers"]] == ["b21-1"]


@pytest.mark.parametrize(
    ("params", "kind"),
    [
        ({"indicator": "online_procedure_share"}, "no-dossiers"),
        ({"indicator": "paper_dossier_reduction"}, "no-dossiers"),  # no period
        ({"indicator": "paper_dossier_reduction", "period": "2025", "counted": "true"}, "no-dossiers"),
        ({"indicator": "no_such_rate"}, "unknown-indicator"),
        ({"page_token": "%%%"}, "invalid-page-token"),
        ({"page_token": "đã"}, "invalid-page-token"),
        ({"page_token": "_w"}, "invalid-page-token"),  # decodes to a byte that is no UTF-8
        ({"province": "Atlantis"}, "unknown-province"),
        ({"page_size": 0}, "validation-error"),
    ],
)
def test_what_is_no_list_is_a_problem(client: TestClient, params: dict[str, Any], kind: str) -> None:
    r = client.get("/v1/dossiers", params=params)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"] == PROBLEM_BASE + kind


def test_names_beside_codes_keep_the_latest_receipts(client: TestClient) -> None:
    names = client.get("/v1/names").json()
    assert names["agency"]["SOTP-BD"] == {"vi": "Cơ quan SOTP-BD", "en": "Cơ quan SOTP-BD"}
    assert names["procedure"]["2.002"] == {"vi": "Thủ tục 2.002", "en": "Procedure 2.002"}
    assert names["indicators"]["on_time_rate"]["vi"] == "Tỷ lệ giải quyết đúng hạn và trước hạn"
    assert names["values"]["channel"]["counter"]["en"] == "At the counter"
    assert names["dimensions"]["commune"] == {"vi": "Xã, phường", "en": "Commune"}


def test_a_name_follows_the_latest_receipt_in_any_order(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url, pool_size=2)
    create_tables(engine)
    newer = named(received("n-2", "2025-05-01 09:00", components=[REUSED_COMPONENT]), "Sở Tư pháp (mới)")
    older = named(received("n-1", "2024-05-01 09:00"), "Sở Tư pháp (cũ)")
    nameless = received("n-0", "2026-01-01 09:00")  # written before names were carried
    with engine.begin() as conn:
        apply_batch(conn, [newer])
        apply_batch(conn, [older, nameless])
    with TestClient(create_app(engine=engine, targets=default_targets())) as client:
        assert client.get("/v1/names").json()["agency"]["SOTP-BD"]["vi"] == "Sở Tư pháp (mới)"
        listed = {d["dossier_id"]: d for d in client.get("/v1/dossiers").json()["dossiers"]}
        assert listed["n-0"]["agency_name"] == "Sở Tư pháp (mới)"
        assert listed["n-2"]["components"] == [
            {"code": "C0", "state": "reused_component", "national_code": 2}
        ]
    engine.dispose()


def test_receipts_stored_before_components_were_kept_list_none(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url, pool_size=2)
    create_tables(engine)
    with engine.begin() as conn:
        apply_batch(conn, [received("r-1", components=[REUSED_RESULT])])
        conn.exec_driver_sql("DELETE FROM tracker_receipt")
    with TestClient(create_app(engine=engine, targets=default_targets())) as client:
        (only,) = client.get("/v1/dossiers").json()["dossiers"]
        assert only["components"] is None
        assert only["agency_name"] == ""
    engine.dispose()


def test_exports_carry_the_names_receipts_gave(client: TestClient) -> None:
    text = client.get("/v1/indicators/breakdown.csv", params={"by": "agency"}).content.decode("utf-8-sig")
    names = {row["agency"]: row["name"] for row in csv.DictReader(io.StringIO(text))}
    assert names["SOTP-BD"] == "Cơ quan SOTP-BD"
    text = client.get("/v1/indicators/breakdown.csv", params={"by": "procedure"}).content.decode("utf-8-sig")
    assert {row["name"] for row in csv.DictReader(io.StringIO(text))} >= {"Thủ tục 1.001"}
