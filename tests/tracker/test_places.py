"""Place filters: codes, old and new names in every spelling; today's province covers the provinces
merged into it; an unknown place is a problem, never an empty 0/0."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from onceonly.common.problems import PROBLEM_BASE
from onceonly.events.v1 import events_pb2 as ev
from tests.tracker.builders import received
from tests.tracker.test_api import serve

# Dossiers per province as the producers spelled it; 2024 receipts, before the merger.
RECEIVED = {
    "Bình Dương": 3,
    "Tỉnh Bình Dương": 1,
    "074": 1,
    "Bà Rịa - Vũng Tàu": 2,
    "Thành phố Hồ Chí Minh": 4,
    "Hà Nội": 5,
}


def _events() -> list[ev.Envelope]:
    events = []
    for province, n in RECEIVED.items():
        for i in range(n):
            events.append(received(f"{province}-{i}", "2024-05-06 09:00", province=province, due=None))
    return events


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from serve(f"sqlite:///{tmp_path_factory.mktemp('places') / 'tracker.db'}", _events())


def received_count(client: TestClient, province: str) -> int:
    response = client.get("/v1/indicators", params={"province": province, "period": "2024"})
    assert response.status_code == 200, response.text
    return int(response.json()["indicators"][0]["denominator"])


@pytest.mark.parametrize(
    "spelling", ["Bình Dương", "binh duong", "Tỉnh Bình Dương", "TINH BINH DUONG", "74", "074"]
)
def test_a_pre_2025_province_in_any_spelling(client: TestClient, spelling: str) -> None:
    assert received_count(client, spelling) == 5
    echoed = client.get("/v1/indicators", params={"province": spelling}).json()["filters"]
    assert echoed == {"province": "Bình Dương"}


@pytest.mark.parametrize(
    "spelling", ["Thành phố Hồ Chí Minh", "Hồ Chí Minh", "ho chi minh", "TP. Hồ Chí Minh", "TP HCM"]
)
def test_todays_province_covers_those_merged_into_it(client: TestClient, spelling: str) -> None:
    assert received_count(client, spelling) == 5 + 2 + 4


def test_a_code_names_the_province_as_it_was(client: TestClient) -> None:
    assert received_count(client, "79") == 4
    assert received_count(client, "77") == 2
    assert received_count(client, "Hà Nội") == 5
    assert received_count(client, "001") == 5


@pytest.mark.parametrize(
    "path", ["/v1/indicators", "/v1/indicators/breakdown", "/v1/indicators/breakdown.csv"]
)
@pytest.mark.parametrize("place", ["Atlantis", "999", "Tỉnh"])
def test_an_unknown_place_is_a_422_problem(client: TestClient, path: str, place: str) -> None:
    response = client.get(path, params={"province": place, "by": "agency"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == PROBLEM_BASE + "unknown-province"


def test_breakdown_by_province_keeps_one_name_per_province(client: TestClient) -> None:
    body = client.get("/v1/indicators/breakdown", params={"by": "province"}).json()
    counts = {r["key"]: r["indicators"][0]["denominator"] for r in body["rows"]}
    assert counts == {"Bà Rịa - Vũng Tàu": 2, "Bình Dương": 5, "Hà Nội": 5, "Hồ Chí Minh": 4}
    text = client.get("/v1/indicators/breakdown.csv", params={"by": "province"}).content.decode("utf-8-sig")
    names = {r["province"]: r["name"] for r in csv.DictReader(io.StringIO(text))}
    assert names["Bình Dương"] == "Bình Dương (từ 01/07/2025: Hồ Chí Minh)"
    assert client.get("/v1/dimensions").json()["province"] == sorted(counts)
