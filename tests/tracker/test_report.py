"""The indicators of the province's report beyond the first eight, by hand-computed cases on SQLite and
PostgreSQL: full-process share, early and late, paper dossiers a year apart, the backlog, §4.5a over
procedures, and procedures offered online from the catalog as it stood."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from onceonly.common.db import make_engine
from onceonly.common.events import dossier_key, new_envelope
from onceonly.events.v1 import events_pb2 as ev
from onceonly.tracker import report
from onceonly.tracker.indicators import Catalog, Context, compute
from onceonly.tracker.ledger import apply_batch
from onceonly.tracker.queries import Filters, parse_period
from onceonly.tracker.store import create_tables
from tests.tracker.builders import COUNTER, DIGITIZED, ONLINE, PAPER, at, received, resolved, reused

FULL, PARTIAL, OFFLINE = (
    ev.SERVICE_LEVEL_FULL_ONLINE,
    ev.SERVICE_LEVEL_PARTIAL_ONLINE,
    ev.SERVICE_LEVEL_OFFLINE,
)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url, pool_size=2)
    create_tables(engine)
    yield engine
    engine.dispose()


def snapshot(province: str, when: str, levels: dict[str, ev.ServiceLevel.ValueType]) -> ev.Envelope:
    payload = ev.CatalogSnapshot(
        province=province,
        entries=[ev.CatalogEntry(procedure_code=code, service_level=level) for code, level in levels.items()],
    )
    payload.as_of.FromDatetime(at(when))
    return new_envelope(payload, producer="test", occurred_at=at(when))


def figures(engine: Engine, period: str | None = None, **filters: str) -> dict[str, tuple[int, int]]:
    first, last = parse_period(period)
    with engine.connect() as conn:
        found = report.indicators(conn, {}, Filters(month_from=first, month_to=last, **filters))
    return {i.name: (i.numerator, i.denominator) for i in found}


def load(engine: Engine, events: list[ev.Envelope]) -> None:
    with engine.begin() as conn:
        apply_batch(conn, events)


def test_full_process_share_counts_online_dossiers_of_full_process_procedures(engine: Engine) -> None:
    load(
        engine,
        [
            received("a", channel=ONLINE, service_level=FULL),
            received("b", channel=ONLINE, service_level=PARTIAL),
            received("c", channel=COUNTER, service_level=FULL),  # not online: counts in neither
            received("d", channel=ONLINE, service_level=ev.SERVICE_LEVEL_UNSPECIFIED),
        ],
    )
    assert figures(engine, "2025-03")["full_online_share"] == (1, 3)
    assert figures(engine, "2025-04")["full_online_share"] == (0, 0)  # no online dossier: no data


def test_early_on_time_and_late_split_resolutions_by_the_due_date(engine: Engine) -> None:
    due = "2025-03-20 17:00"
    load(
        engine,
        [
            received("early", due=due),
            resolved("early", "2025-03-19 16:00"),  # the day before the due date's day
            received("on-the-day", due=due),
            resolved("on-the-day", "2025-03-20 09:00"),  # on time, not early
            received("late", due=due),
            resolved("late", "2025-03-20 17:01"),
            received("no-deadline", due=None),
            resolved("no-deadline", "2025-03-30 10:00"),  # on time, not early
            received("pending", due=due),
        ],
    )
    got = figures(engine, "2025-03")
    assert got["on_time_rate"] == (3, 4)
    assert got["early_rate"] == (1, 4)
    assert got["late_rate"] == (1, 4)
    assert figures(engine, "2025-02")["late_rate"] == (0, 0)


def test_paper_dossiers_against_the_same_months_a_year_earlier(engine: Engine) -> None:
    load(
        engine,
        [
            *(received(f"old-{i}", "2024-03-05 09:00", components=[PAPER, DIGITIZED]) for i in range(4)),
            received("old-digital", "2024-03-05 09:00", components=[DIGITIZED]),
            received("new-paper", "2025-03-05 09:00", components=[PAPER]),
            received("new-digital", "2025-03-05 09:00", components=[DIGITIZED]),
        ],
    )
    # Four paper dossiers in March 2024, one in March 2025: cut by 3 of 4.
    assert figures(engine, "2025-03")["paper_dossier_reduction"] == (3, 4)
    # More paper than a year earlier is a negative cut; none a year earlier is no data.
    assert figures(engine, "2025")["paper_dossier_reduction"] == (3, 4)
    assert figures(engine, "2024-03")["paper_dossier_reduction"] == (0, 0)
    assert figures(engine)["paper_dossier_reduction"] == (0, 0)  # no period: nothing to compare with
    load(engine, [received(f"more-{i}", "2025-03-06 09:00", components=[PAPER]) for i in range(5)])
    assert figures(engine, "2025-03")["paper_dossier_reduction"] == (-2, 4)


def test_backlog_digitization_by_the_year_of_receipt(engine: Engine) -> None:
    load(
        engine,
        [
            received("b21-a", "2021-05-05 09:00", components=[DIGITIZED]),
            received("b21-b", "2021-06-05 09:00", components=[PAPER]),
            received("b22-a", "2022-02-05 09:00", components=[DIGITIZED]),
            received("now", "2025-03-05 09:00", components=[PAPER]),
        ],
    )
    assert figures(engine, "2021")["backlog_digitization_rate"] == (1, 2)
    assert figures(engine, "2022")["backlog_digitization_rate"] == (1, 1)
    # A period outside the backlog years: the whole backlog as digitized by now.
    assert figures(engine, "2025")["backlog_digitization_rate"] == (2, 3)
    # Digitizing the paper one later (an import re-sends its receipt) completes 2021.
    load(engine, [received("b21-b", "2021-06-05 09:00", components=[DIGITIZED])])
    assert figures(engine, "2021")["backlog_digitization_rate"] == (2, 2)
    with engine.connect() as conn:
        years = {
            key: {i.name: (i.numerator, i.denominator) for i in found}
            for key, found in report.breakdown(conn, {}, Filters(), "year")
        }
    assert years["2021"]["backlog_digitization_rate"] == (2, 2)
    assert years["2025"]["backlog_digitization_rate"] == (0, 0)


def test_population_use_counted_over_procedures_not_dossiers(engine: Engine) -> None:
    events = [received(f"a{i}", procedure="1.001") for i in range(9)]  # nine dossiers, none using it
    events += [reused("b", procedure="2.002"), received("b", procedure="2.002")]  # one dossier using it
    events += [received("c", procedure="3.003")]
    load(engine, events)
    got = figures(engine, "2025-03")
    assert got["population_procedure_share"] == (1, 3)  # 1 of 3 procedures, though 1 of 11 dossiers
    assert got["population_data_use_rate"] == (1, 11)
    assert figures(engine, "2025-03", procedure="2.002")["population_procedure_share"] == (1, 1)
    assert figures(engine, "2025-04")["population_procedure_share"] == (0, 0)
    with engine.connect() as conn:
        rows = report.breakdown(conn, {}, Filters(month_from="2025-03", month_to="2025-03"), "procedure")
    per = {key: next(i for i in found if i.name == "population_procedure_share") for key, found in rows}
    assert {k: (i.numerator, i.denominator) for k, i in per.items()} == {
        "1.001": (0, 1),
        "2.002": (1, 1),
        "3.003": (0, 1),
    }


def test_procedures_offered_online_from_the_catalog_as_it_stood(engine: Engine) -> None:
    province = "Tỉnh Bình Dương"  # recorded as Bình Dương, whatever the spelling
    load(
        engine,
        [
            snapshot(
                province,
                "2024-01-01 00:00",
                {"1.001": FULL, "2.002": PARTIAL, "3.003": OFFLINE, "4.004": OFFLINE},
            ),
            # From May, 3.003 is offered partly online and 4.004 is withdrawn.
            snapshot("74", "2024-05-01 00:00", {"1.001": FULL, "2.002": PARTIAL, "3.003": PARTIAL}),
            snapshot("Hà Nội", "2024-02-01 00:00", {"1.001": FULL}),
        ],
    )
    march = figures(engine, "2024-03", province="Bình Dương")
    assert march["online_procedure_share"] == (2, 4)
    assert march["full_online_procedure_share"] == (1, 4)
    assert march["partial_online_procedure_share"] == (1, 4)
    year = figures(engine, "2024", province="Bình Dương")  # as it stood at the year's end
    assert year["online_procedure_share"] == (3, 3)
    assert year["partial_online_procedure_share"] == (2, 3)
    # Nationally, every province's catalog; before any snapshot, no data; filters a catalog has not: none.
    assert figures(engine, "2024")["online_procedure_share"] == (4, 4)
    assert figures(engine, "2024-01", province="Hà Nội")["online_procedure_share"] == (0, 0)
    assert figures(engine, "2024", agency="SOTP-BD")["online_procedure_share"] == (0, 0)
    assert figures(engine, "2024", procedure="3.003")["partial_online_procedure_share"] == (1, 1)


def test_a_snapshot_applied_twice_changes_nothing(engine: Engine) -> None:
    event = snapshot("Bình Dương", "2024-01-01 00:00", {"1.001": FULL, "2.002": OFFLINE})
    load(engine, [event])
    load(engine, [event])
    assert figures(engine, "2024")["online_procedure_share"] == (1, 2)
    assert dossier_key(event) == "catalog/Bình Dương".encode()


def test_no_context_is_no_data_never_zero() -> None:
    empty = {i.name: i for i in compute([0] * 13, {})}
    for name in (
        "paper_dossier_reduction",
        "backlog_digitization_rate",
        "population_procedure_share",
        "online_procedure_share",
        "full_online_share",
        "early_rate",
        "late_rate",
    ):
        assert (empty[name].denominator, empty[name].value, empty[name].met) == (0, None, None), name
    given = {
        i.name: i
        for i in compute(
            [0] * 13,
            {"online_procedure_share": 80},
            Context(catalog=Catalog(full=828, partial=679, offline=375)),
        )
    }
    shown = given["online_procedure_share"]
    # 1,507 of 1,882 is 80.07%: no whole catalog size gives the published 80.06%.
    assert (shown.numerator, shown.denominator, shown.value, shown.met) == (1507, 1882, 80.07, True)
