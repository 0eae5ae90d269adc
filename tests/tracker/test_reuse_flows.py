"""Avoidable re-asks and where reuse comes from, by hand-computed cases on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from onceonly.events.v1 import events_pb2 as ev
from tests.tracker.builders import DIGITIZED, PAPER, REUSED_COMPONENT, REUSED_RESULT, received
from tests.tracker.test_api import serve


def asked(
    code: str, state: ev.ComponentState.ValueType = PAPER, *, avoidable: bool = True
) -> ev.DossierComponent:
    return ev.DossierComponent(code=code, state=state, reusable_result_available=avoidable)


def result(code: str, issuer: str) -> ev.DossierComponent:
    return ev.DossierComponent(code=code, state=REUSED_RESULT, result_id=f"R-{code}", result_issuer=issuer)


def events() -> list[ev.Envelope]:
    return [
        # A: two components asked again that a held result would have served, one that none would.
        received("a", "2025-03-03 09:00", agency="BD-TDM", procedure="1.004194",
                 components=[asked("x"), asked("y", DIGITIZED), asked("z", avoidable=False)]),
        # B: one avoidable re-ask, and one result reused from the civil status office.
        received("b", "2025-03-10 09:00", agency="BD-TDM", procedure="1.004194",
                 components=[asked("x"), result("w", "UBND-PHUONG-1")]),
        # C: another agency and procedure; two results of one issuer, one of another.
        received("c", "2025-03-12 09:00", agency="BD-DIAN", procedure="1.003010",
                 components=[result("u", "UBND-PHUONG-1"), result("v", "UBND-PHUONG-1"),
                             result("t", "SOTP-BD")],
                 non_jurisdictional=True, residence="Hà Nội"),
        # D: non-jurisdictional, nothing reused; E the same home but reusing a component.
        received("d", "2025-03-20 09:00", agency="BD-DIAN", procedure="1.003010", components=[PAPER],
                 non_jurisdictional=True, residence="Hà Nội"),
        received("e", "2025-03-21 09:00", agency="BD-DIAN", procedure="1.003010",
                 components=[REUSED_COMPONENT], non_jurisdictional=True, residence="Cần Thơ"),
        # F: April, outside a March period; G: March, corrected by a second receipt without re-asks.
        received("f", "2025-04-02 09:00", agency="BD-TDM", procedure="1.004194", components=[asked("x")]),
        received("g", "2025-03-05 09:00", agency="BD-TDM", procedure="1.004194", components=[asked("x")]),
        received("g", "2025-03-05 09:00", agency="BD-TDM", procedure="1.004194", components=[DIGITIZED]),
    ]  # fmt: skip


@pytest.fixture
def client(db_url: str) -> Iterator[TestClient]:
    yield from serve(db_url, events())


def test_reasks_per_agency_and_procedure_with_their_dossiers(client: TestClient) -> None:
    body = client.get("/v1/reasks", params={"period": "2025-03"}).json()
    assert body["rows"] == [{"agency": "BD-TDM", "procedure": "1.004194", "dossiers": 2, "components": 3}]
    assert (body["dossiers"], body["components"]) == (2, 3)
    assert [(d["dossier_id"], d["components"]) for d in body["listed"]] == [("b", 1), ("a", 2)]
    whole = client.get("/v1/reasks").json()
    assert (whole["dossiers"], whole["components"]) == (3, 4)
    assert client.get("/v1/reasks", params={"period": "2025-03", "agency": "BD-DIAN"}).json()["rows"] == []
    empty = client.get("/v1/reasks", params={"period": "2024"}).json()
    assert (empty["dossiers"], empty["components"], empty["rows"], empty["listed"]) == (0, 0, [], [])
    # Bình Dương's dossiers by the province of the day, any spelling (the builders' default province
    # "Thành phố Hồ Chí Minh" is the agencies' here).
    assert client.get("/v1/reasks", params={"period": "2025-03", "province": "79"}).json()["dossiers"] == 2


def test_reuse_sources_say_whose_results_each_agency_reused(client: TestClient) -> None:
    rows = client.get("/v1/reuse/sources", params={"period": "2025-03"}).json()["rows"]
    assert rows == [
        {"issuer": "UBND-PHUONG-1", "agency": "BD-DIAN", "dossiers": 1, "results": 2},
        {"issuer": "SOTP-BD", "agency": "BD-DIAN", "dossiers": 1, "results": 1},
        {"issuer": "UBND-PHUONG-1", "agency": "BD-TDM", "dossiers": 1, "results": 1},
    ]


def test_cross_province_sets_home_against_desk(client: TestClient) -> None:
    rows = client.get("/v1/reuse/cross-province", params={"period": "2025-03"}).json()["rows"]
    assert rows == [
        {"home_province": "Hà Nội", "desk_province": "Hồ Chí Minh", "dossiers": 2, "reusing": 1},
        {"home_province": "Cần Thơ", "desk_province": "Hồ Chí Minh", "dossiers": 1, "reusing": 1},
    ]


def test_filters_the_flows_do_not_keep_are_problems(client: TestClient) -> None:
    r = client.get("/v1/reuse/sources", params={"channel": "online"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "channel" in r.json()["detail"]
    assert client.get("/v1/reasks", params={"period": "2025-13"}).status_code == 422


def test_the_flows_routes_offer_only_the_filters_they_keep(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    kept = {"agency", "procedure", "province", "origin", "period", "from", "to"}
    assert {p["name"] for p in paths["/v1/reasks"]["get"]["parameters"]} == kept | {"limit", "offset"}
    for path in ("/v1/reuse/sources", "/v1/reuse/cross-province"):
        assert {p["name"] for p in paths[path]["get"]["parameters"]} == kept
    # The indicators offer the rest.
    assert {"channel", "sector", "commune"} <= {
        p["name"] for p in paths["/v1/indicators"]["get"]["parameters"]
    }
