"""The batch ledger and the cube queries on SQLite and PostgreSQL give the pure handlers' figures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from onceonly.common.db import make_engine
from onceonly.tracker.handlers import replay
from onceonly.tracker.indicators import compute
from onceonly.tracker.ledger import apply_batch
from onceonly.tracker.queries import Filters, PeriodError, breakdown, parse_period, stale_lookups, totals
from onceonly.tracker.store import create_tables
from tests.tracker.builders import KNOWN_MIX, at, known_mix, received, resolved, reused


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url, pool_size=2)
    create_tables(engine)
    yield engine
    engine.dispose()


def fractions(engine: Engine, filters: Filters) -> dict[str, tuple[int, int]]:
    with engine.connect() as conn:
        return {i.name: (i.numerator, i.denominator) for i in compute(totals(conn, filters), {})}


def test_batches_with_duplicates_give_the_known_figures(engine: Engine) -> None:
    events = known_mix()
    for start in range(0, len(events), 4):
        with engine.begin() as conn:
            apply_batch(conn, events[start : start + 4])
    with engine.begin() as conn:  # a redelivered batch, and a batch holding one event twice
        apply_batch(conn, events[:6])
        apply_batch(conn, [events[3], events[3]])
    assert fractions(engine, Filters()) == KNOWN_MIX
    assert fractions(engine, Filters(month_from="2025-03", month_to="2025-03")) == KNOWN_MIX
    assert fractions(engine, Filters(month_from="2025-04"))["reuse_rate"] == (0, 0)
    by_agency = fractions(engine, Filters(agency="CA-BD"))
    assert by_agency["online_dossier_rate"] == (1, 4)
    assert by_agency["reuse_rate"] == (0, 4)


def test_breakdowns_sum_to_the_totals(engine: Engine) -> None:
    with engine.begin() as conn:
        apply_batch(conn, known_mix())
    with engine.connect() as conn:
        total = totals(conn, Filters())
        for by in ("agency", "procedure", "province", "channel", "jurisdiction", "month", "quarter", "year"):
            rows = breakdown(conn, Filters(), by)
            summed = [sum(column) for column in zip(*(v for _, v in rows), strict=True)]
            assert tuple(summed) == total, by
        assert [k for k, _ in breakdown(conn, Filters(), "agency")] == ["CA-BD", "SOTP-BD"]
        assert [k for k, _ in breakdown(conn, Filters(), "quarter")] == ["2025-Q1"]
        assert [k for k, _ in breakdown(conn, Filters(province="none"), "channel")] == []


def test_store_matches_the_pure_replay_across_months(engine: Engine) -> None:
    events = [
        received("a", "2025-01-31 23:30", due="2025-02-10 17:00"),
        reused("b", "2025-01-20 08:00"),
        resolved("a", "2025-02-03 09:00"),
        received("b", "2025-02-01 08:00"),
        resolved("b", "2025-04-01 08:00", electronic=False),
        received("a", "2025-01-31 23:30", due="2025-02-01 17:00", fee=5),  # a correction
    ]
    for event in events:
        with engine.begin() as conn:
            apply_batch(conn, [event])
    _, cells = replay(events)
    with engine.connect() as conn:
        for month in ("2025-01", "2025-02", "2025-03", "2025-04"):
            expected = [0] * 11
            for key, vector in cells.items():
                if key[0] == month:
                    expected = [x + y for x, y in zip(expected, vector, strict=True)]
            assert list(totals(conn, Filters(month_from=month, month_to=month))) == expected, month


def test_stale_lookups_per_agency(engine: Engine) -> None:
    events = [
        reused("ghost-1", "2025-03-01 08:00", agency="UBND-X"),
        reused("ghost-1", "2025-03-01 08:05", agency="UBND-X"),
        reused("ghost-2", "2025-03-09 08:00", agency="UBND-Y"),
        reused("late", "2025-03-01 08:00", agency="UBND-Y"),
        received("late", "2025-03-02 08:00"),
    ]
    with engine.begin() as conn:
        apply_batch(conn, events)
    with engine.connect() as conn:
        report = stale_lookups(conn, at("2025-03-10 09:00") - timedelta(days=7))
    assert [(r.agency, r.dossiers, r.lookups, r.population_lookups) for r in report] == [("UBND-X", 1, 2, 2)]
    assert report[0].oldest is not None


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        ("2025-03", ("2025-03", "2025-03")),
        ("2025-Q2", ("2025-04", "2025-06")),
        ("2024", ("2024-01", "2024-12")),
    ],
)
def test_periods(period: str, expected: tuple[str, str]) -> None:
    assert parse_period(period) == expected


@pytest.mark.parametrize("period", ["2025-13", "2025-Q5", "25", "2025-3", "march"])
def test_bad_periods(period: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(period)
