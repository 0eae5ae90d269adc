"""Places over time: a dossier counts under the province of its receipt's day (Bình Dương in 2024) and
under today's province (Hồ Chí Minh) beside it, so a 2024 report says Bình Dương and 2024 compares with
2025 on the 2025 map; and by commune and by sector."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from onceonly.common.problems import PROBLEM_BASE
from onceonly.events.v1 import events_pb2 as ev
from onceonly.tracker.handlers import replay
from tests.tracker.builders import received
from tests.tracker.test_api import serve

# One agency of Bình Dương (today in Hồ Chí Minh), one of Hồ Chí Minh before the merger, one of Hà Nội;
# receipts on both sides of 1 July 2025, as the gateway sends them (2025 province + the day's).
EVENTS: list[ev.Envelope] = [
    *(
        received(f"bd-24-{i}", "2024-05-06 09:00", agency="BD-DIAN", province="Hồ Chí Minh",
                 province_then="Bình Dương", commune="Dĩ An", sector="land", due=None)
        for i in range(3)
    ),
    received("bd-25-before", "2025-06-30 23:30", agency="BD-DIAN", province="Hồ Chí Minh",
             province_then="Bình Dương", commune="Dĩ An", sector="civil_status", due=None),
    *(
        received(f"bd-25-after-{i}", "2025-07-01 00:10", agency="BD-DIAN", province="Hồ Chí Minh",
                 province_then="Hồ Chí Minh", commune="Dĩ An", sector="land", due=None)
        for i in range(2)
    ),
    received("hcm-24", "2024-05-06 09:00", agency="HCM-Q1", province="Hồ Chí Minh",
             province_then="Hồ Chí Minh", sector="civil_status", due=None),
    received("hn-24", "2024-05-06 09:00", agency="HN-HK", province="Hà Nội", province_then="Hà Nội",
             commune="Hoàn Kiếm", sector="land", due=None),
    # Written before the province of the day was carried: the producer's province stands for it.
    received("old-24", "2024-05-06 09:00", agency="BD-OLD", province="Tỉnh Bình Dương", due=None),
]  # fmt: skip


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    yield from serve(f"sqlite:///{tmp_path_factory.mktemp('over-time') / 'tracker.db'}", EVENTS)


def received_by(client: TestClient, by: str, **params: str) -> dict[str, int]:
    response = client.get("/v1/indicators/breakdown", params={"by": by, **params})
    assert response.status_code == 200, response.text
    return {row["key"]: row["indicators"][0]["denominator"] for row in response.json()["rows"]}


def received_count(client: TestClient, **params: str) -> int:
    response = client.get("/v1/indicators", params=params)
    assert response.status_code == 200, response.text
    return int(response.json()["indicators"][0]["denominator"])


def test_a_dossier_keeps_the_province_of_its_day_and_today_s() -> None:
    states, _ = replay(EVENTS)
    then = {d: (s.province, s.province_2025, s.commune, s.sector) for d, s in states.items()}
    assert then["bd-24-0"] == ("Bình Dương", "Hồ Chí Minh", "Dĩ An", "land")
    assert then["bd-25-after-0"] == ("Hồ Chí Minh", "Hồ Chí Minh", "Dĩ An", "land")
    assert then["old-24"] == ("Bình Dương", "Hồ Chí Minh", "", "")
    assert then["hn-24"] == ("Hà Nội", "Hà Nội", "Hoàn Kiếm", "land")


def test_the_2024_report_says_binh_duong(client: TestClient) -> None:
    assert received_by(client, "province", period="2024") == {"Bình Dương": 4, "Hà Nội": 1, "Hồ Chí Minh": 1}
    assert received_count(client, period="2024", province="Bình Dương") == 4
    assert received_count(client, period="2024", province="74") == 4
    # The first half of 2025 is still Bình Dương's; from 1 July its agencies are Hồ Chí Minh's.
    assert received_by(client, "province", period="2025") == {"Bình Dương": 1, "Hồ Chí Minh": 2}
    assert received_by(client, "month", period="2025", province="Bình Dương") == {"2025-06": 1}


def test_2024_and_2025_compare_on_the_2025_map(client: TestClient) -> None:
    assert received_by(client, "province_2025", period="2024") == {"Hà Nội": 1, "Hồ Chí Minh": 5}
    # The same cut from any spelling of a place on either map: Bình Dương is in Hồ Chí Minh today.
    for spelling in ("Hồ Chí Minh", "TP HCM", "Bình Dương", "binh duong", "074"):
        by_year = received_by(client, "year", province_2025=spelling)
        assert by_year == {"2024": 5, "2025": 3}, spelling
    echoed = client.get("/v1/indicators", params={"province_2025": "tinh binh duong"}).json()["filters"]
    assert echoed == {"province_2025": "Hồ Chí Minh"}
    # Today's name as the province filter covers the provinces merged into it: the same figures.
    assert received_count(client, province="Hồ Chí Minh") == received_count(
        client, province_2025="Hồ Chí Minh"
    )


def test_by_commune_and_by_sector(client: TestClient) -> None:
    assert received_by(client, "commune") == {"": 2, "Dĩ An": 6, "Hoàn Kiếm": 1}
    assert received_by(client, "commune", province_2025="Hồ Chí Minh", period="2024") == {"": 2, "Dĩ An": 3}
    assert received_count(client, commune=" Dĩ  An ") == 6
    assert received_by(client, "sector") == {"": 1, "civil_status": 2, "land": 6}
    assert received_by(client, "sector", province="Bình Dương") == {"": 1, "civil_status": 1, "land": 3}
    assert received_count(client, sector="land", period="2025") == 2
    assert received_by(client, "agency", sector="land", commune="Dĩ An") == {"BD-DIAN": 5}
    values = client.get("/v1/dimensions").json()
    assert values["province_2025"] == ["Hà Nội", "Hồ Chí Minh"]
    assert values["sector"] == ["", "civil_status", "land"]


@pytest.mark.parametrize("path", ["/v1/indicators", "/v1/indicators/breakdown"])
def test_an_unknown_place_on_today_s_map_is_a_422_problem(client: TestClient, path: str) -> None:
    response = client.get(path, params={"province_2025": "Atlantis", "by": "province_2025"})
    assert response.status_code == 422
    assert response.json()["type"] == PROBLEM_BASE + "unknown-province"
