"""Targets per year and per place: a province's own over the national ones, a year's over every year's."""

from __future__ import annotations

from pathlib import Path

import pytest

from onceonly.tracker.targets import TargetBook, TargetsError, load_book, load_targets

FILE = """
[targets]
on_time_rate = 95
reuse_rate = 30

[years.2025]
reuse_rate = 50
online_dossier_rate = 80

[years.2026]
reuse_rate = 60

[provinces."Tỉnh Bình Dương"]
on_time_rate = 98

[provinces."Tỉnh Bình Dương".years.2025]
reuse_rate = 55
"""


@pytest.fixture
def book(tmp_path: Path) -> TargetBook:
    path = tmp_path / "targets.toml"
    path.write_text(FILE, encoding="utf-8")
    return load_book(path)


def test_national_targets_by_year_stay_in_force_until_replaced(book: TargetBook) -> None:
    assert book.resolve(2024) == {"on_time_rate": 95, "reuse_rate": 30}
    assert book.resolve(2025) == {"on_time_rate": 95, "reuse_rate": 50, "online_dossier_rate": 80}
    assert book.resolve(2026)["reuse_rate"] == 60
    assert book.resolve(2026)["online_dossier_rate"] == 80  # as 2025 set it
    assert book.resolve(None)["reuse_rate"] == 60


def test_a_province_has_its_own_in_any_spelling(book: TargetBook) -> None:
    for spelling in ("Bình Dương", "binh duong", "74"):
        mine = book.resolve(2025, spelling)
        assert mine["on_time_rate"] == 98
        assert mine["reuse_rate"] == 55
    assert book.resolve(2025, "Hà Nội")["on_time_rate"] == 95
    assert book.resolve(2024, "Bình Dương")["reuse_rate"] == 30


def test_the_old_form_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "old.toml"
    path.write_text("[targets]\non_time_rate = 95\n", encoding="utf-8")
    assert load_targets(path) == {"on_time_rate": 95.0}
    assert load_book(path).resolve(2025, "Hà Nội") == {"on_time_rate": 95.0}
    assert TargetBook.of({"reuse_rate": 50.0}).resolve(2030) == {"reuse_rate": 50.0}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[provinces."Atlantis"]\nreuse_rate = 5\n', "Atlantis"),
        ("[years.twenty]\nreuse_rate = 5\n", "not a year"),
        ("[years.2025]\nreuse_rate = 500\n", "percentage"),
        ("[years.2025]\ncharm = 5\n", "unknown indicator"),
    ],
)
def test_a_bad_targets_file_is_refused_clearly(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TargetsError, match=message):
        load_book(path)


def test_the_api_applies_the_targets_of_the_period_and_province(book: TargetBook, sqlite_url: str) -> None:
    from fastapi.testclient import TestClient

    from onceonly.common.db import make_engine
    from onceonly.tracker.app import create_app
    from onceonly.tracker.ledger import apply_batch
    from onceonly.tracker.store import create_tables
    from tests.tracker.builders import known_mix

    engine = make_engine(sqlite_url, pool_size=2)
    create_tables(engine)
    with engine.begin() as conn:
        apply_batch(conn, known_mix())
    with TestClient(create_app(engine=engine, targets=book)) as client:

        def target(**params: str) -> object:
            body = client.get("/v1/indicators", params=params).json()
            return next(i["target"] for i in body["indicators"] if i["name"] == "reuse_rate")

        assert target(period="2025-03") == 50
        assert target(period="2024") == 30
        assert target(period="2025", province="74") == 55
        assert target(period="2026") == 60
    engine.dispose()
