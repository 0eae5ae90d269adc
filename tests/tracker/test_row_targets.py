"""A breakdown by year (month, quarter) or by province applies each row's own targets: that year's,
that province's; other breakdowns take the filter's."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from onceonly.common.db import make_engine
from onceonly.tracker.app import create_app
from onceonly.tracker.ledger import apply_batch
from onceonly.tracker.store import create_tables
from onceonly.tracker.targets import load_book
from tests.tracker.builders import REUSED_RESULT, received

TARGETS = """
[targets]
reuse_rate = 30
on_time_rate = 95

[years.2025]
reuse_rate = 50

[provinces."Bình Dương"]
reuse_rate = 70

[provinces."Hà Nội".years.2025]
reuse_rate = 60
"""


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root: Path = tmp_path_factory.mktemp("row-targets")
    (root / "targets.toml").write_text(TARGETS, encoding="utf-8")
    engine = make_engine(f"sqlite:///{root / 'tracker.db'}", pool_size=2)
    create_tables(engine)
    events = [
        received("bd-24", "2024-05-06 09:00", province="Hồ Chí Minh", province_then="Bình Dương", due=None),
        received("hn-24", "2024-05-06 09:00", province="Hà Nội", components=(REUSED_RESULT,), due=None),
        received("hn-25", "2025-03-06 09:00", province="Hà Nội", due=None),
        received("hn-25b", "2025-05-06 09:00", province="Hà Nội", due=None),
    ]
    with engine.begin() as conn:
        apply_batch(conn, events)
    app = create_app(engine=engine, targets=load_book(root / "targets.toml"), clock=lambda: datetime.now(UTC))
    with TestClient(app) as test_client:
        yield test_client
    engine.dispose()


def reuse_targets(client: TestClient, **params: str) -> dict[str, tuple[float | None, float | None]]:
    response = client.get("/v1/indicators/breakdown", params=params)
    assert response.status_code == 200, response.text
    out = {}
    for row in response.json()["rows"]:
        reuse = next(i for i in row["indicators"] if i["name"] == "reuse_rate")
        out[row["key"]] = (reuse["target"], reuse["gap"])
    return out


def test_by_year_each_year_s_targets(client: TestClient) -> None:
    assert reuse_targets(client, by="year") == {"2024": (30.0, 20.0), "2025": (50.0, -50.0)}
    assert reuse_targets(client, by="quarter", province="Hà Nội") == {
        "2024-Q2": (30.0, 70.0),
        "2025-Q1": (60.0, -60.0),
        "2025-Q2": (60.0, -60.0),
    }


def test_by_province_each_province_s_targets(client: TestClient) -> None:
    assert reuse_targets(client, by="province", period="2024") == {
        "Bình Dương": (70.0, -70.0),
        "Hà Nội": (30.0, 70.0),
    }
    assert reuse_targets(client, by="province_2025", period="2025") == {"Hà Nội": (60.0, -60.0)}
    # Today's Hồ Chí Minh sets none of its own: the national ones, not Bình Dương's.
    assert reuse_targets(client, by="province_2025", period="2024") == {
        "Hà Nội": (30.0, 70.0),
        "Hồ Chí Minh": (30.0, -30.0),
    }


def test_other_breakdowns_take_the_filter_s_targets(client: TestClient) -> None:
    assert set(reuse_targets(client, by="agency", period="2025").values()) == {(50.0, -50.0)}
    # The export carries each row's own targets too.
    text = client.get("/v1/indicators/breakdown.csv", params={"by": "year"}).content.decode("utf-8-sig")
    targets = {
        r["year"]: r["target"] for r in csv.DictReader(io.StringIO(text)) if r["indicator"] == "reuse_rate"
    }
    assert targets == {"2024": "30.0", "2025": "50.0"}
