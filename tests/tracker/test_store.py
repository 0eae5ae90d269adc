"""The batch ledger and the cube queries on SQLite and PostgreSQL give the pure handlers' figures."""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, timedelta

import orjson
import pytest
from sqlalchemy import Engine, select

from onceonly.common.db import make_engine
from onceonly.common.events import payload_kind
from onceonly.events.v1 import events_pb2 as ev
from onceonly.tracker import report
from onceonly.tracker.cube import DIMENSIONS, MEASURES, N_MEASURES, OutOfRange, instant_of
from onceonly.tracker.handlers import (
    FIELDS,
    DossierState,
    misuse_reason,
    replay,
    replay_flows,
    state_of,
    state_row,
)
from onceonly.tracker.ledger import apply_batch
from onceonly.tracker.queries import (
    Filters,
    MisuseFilters,
    PeriodError,
    breakdown,
    misused_lookups,
    parse_period,
    stale_lookups,
    totals,
)
from onceonly.tracker.store import CUBES, DOSSIER, REUSE_FLOW, create_tables
from tests.tracker.builders import (
    APPLICANT,
    COUNTER,
    DENIED,
    DIGITIZED,
    HIT,
    IMPORTED,
    KNOWN_MIX,
    LIVE,
    MISS,
    ONLINE,
    PAPER,
    POPULATION,
    POSTAL,
    RELATIVE,
    RESULTS,
    REUSED_COMPONENT,
    REUSED_RESULT,
    STRANGER,
    at,
    known_mix,
    received,
    resolved,
    reused,
)

_CELL = ("month", *DIMENSIONS)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url, pool_size=2)
    create_tables(engine)
    yield engine
    engine.dispose()


def test_the_dossier_table_is_the_state_s_fields() -> None:
    """One definition: the table's columns are DossierState's fields in order, NULL only for the
    instants (µs) that may be unknown, and each column's default is the unseen dossier's value."""
    fields = dataclasses.fields(DossierState)
    assert [c.name for c in DOSSIER.columns] == [f.name for f in fields] == list(FIELDS)
    unseen = dict(zip(FIELDS, state_row(DossierState("d")), strict=True))
    for field, column in zip(fields, DOSSIER.columns, strict=True):
        assert column.nullable == (field.default is None and field.name != "dossier_id"), field.name
        if column.default is not None:
            assert column.default.arg == unseen[field.name], field.name  # type: ignore[attr-defined]
    assert [c.name for c in DOSSIER.primary_key.columns] == ["dossier_id"]


def fractions(engine: Engine, filters: Filters) -> dict[str, tuple[int, int]]:
    with engine.connect() as conn:
        return {i.name: (i.numerator, i.denominator) for i in report.indicators(conn, {}, filters)}


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


def test_yearly_cubes_answer_as_the_monthly_ones(engine: Engine) -> None:
    rng = random.Random(3)
    with engine.begin() as conn:
        apply_batch(conn, random_events(rng, 200))
    with engine.connect() as conn:
        cuts: list[dict[str, str]] = [{}, {"province": "P1"}, {"agency": "A"}, {"channel": "online"}]
        for extra in (*cuts, {"procedure": "1.001", "province": "P2"}, {"procedure": "2.002", "agency": "B"}):
            # 2025 is whole years (the yearly cubes); from a month of 2024 that holds nothing is not.
            yearly = Filters(**extra, month_from="2025-01", month_to="2025-12")
            monthly = Filters(**extra, month_from="2024-12", month_to="2025-12")
            assert totals(conn, yearly) == totals(conn, monthly), extra
            for by in ("agency", "procedure", "province", "channel", "jurisdiction", "year"):
                assert breakdown(conn, yearly, by) == breakdown(conn, monthly, by), (extra, by)


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
            expected = [0] * N_MEASURES
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


def random_events(rng: random.Random, dossiers: int) -> list[ev.Envelope]:
    """Events of many dossiers in a shuffled, partly duplicated order, across month boundaries."""
    events: list[ev.Envelope] = []
    for i in range(dossiers):
        d = f"r-{i}"
        day = rng.randint(1, 28)
        month = rng.choice(["2025-01", "2025-02", "2025-03"])
        when = f"{month}-{day:02d} {rng.choice(['00:30', '09:00', '23:30'])}"
        agency, procedure = rng.choice(["A", "B", "C"]), rng.choice(["1.001", "2.002"])
        if rng.random() < 0.9:
            events.append(
                received(
                    d,
                    when,
                    agency=agency,
                    procedure=procedure,
                    province=rng.choice(["P1", "P2", "Hồ Chí Minh"]),
                    # The province of the day, when the receipt carries it: Bình Dương's is today's
                    # Hồ Chí Minh; the commune and sector, when it carries them.
                    province_then=rng.choice(["", "", "Bình Dương", "Tỉnh Bình Dương", "079"]),
                    commune=rng.choice(["", "Dĩ An", " Thủ  Dầu Một "]),
                    sector=rng.choice(["", "land", "civil_status"]),
                    channel=rng.choice([ONLINE, COUNTER, POSTAL]),
                    components=rng.sample(
                        [
                            PAPER,
                            DIGITIZED,
                            REUSED_RESULT,
                            REUSED_COMPONENT,
                            # Asked again though a held result would have served; reused from an issuer.
                            ev.DossierComponent(code="R0", state=PAPER, reusable_result_available=True),
                            ev.DossierComponent(code="R1", state=DIGITIZED, reusable_result_available=True),
                            ev.DossierComponent(code="I0", state=REUSED_RESULT, result_issuer="UBND-1"),
                            ev.DossierComponent(code="I1", state=REUSED_RESULT, result_issuer="UBND-1"),
                            ev.DossierComponent(code="I2", state=REUSED_RESULT, result_issuer="SOTP-2"),
                        ],
                        rng.randint(0, 4),
                    ),
                    residence=rng.choice(["", "Hà Nội", "Bình Dương", "tinh binh duong"]),
                    fee=rng.choice([0, 0, 10_000]),
                    paid_online=rng.random() < 0.5,
                    non_jurisdictional=rng.random() < 0.2,
                    due=rng.choice([None, f"{month}-{day:02d} 17:00", "2025-04-30 17:00"]),
                    # Mostly the applicant the lookups are bound to; sometimes a corrected one.
                    applicant=rng.choice([None, None, None, "p-other"]),
                    origin=rng.choice([ev.DOSSIER_ORIGIN_UNSPECIFIED, LIVE, LIVE, IMPORTED]),
                    service_level=rng.choice(
                        [
                            ev.SERVICE_LEVEL_FULL_ONLINE,
                            ev.SERVICE_LEVEL_PARTIAL_ONLINE,
                            ev.SERVICE_LEVEL_UNSPECIFIED,
                        ]
                    ),
                )
            )
        for _ in range(rng.randint(0, 4)):
            # Lookups that fit and lookups that do not: another agency, procedure, applicant; a
            # stranger, a relative; refused; unbound (written before the binding); any time of the
            # quarter, so some come after the resolution.
            hour = rng.choice(["08:00", "10:00", "23:00"])
            events.append(
                reused(
                    d,
                    f"2025-0{rng.randint(1, 4)}-{rng.randint(1, 28):02d} {hour}",
                    agency=rng.choice([agency, agency, agency, "X"]),
                    procedure=rng.choice([procedure, procedure, procedure, "3.003"]),
                    source=rng.choice([POPULATION, POPULATION, RESULTS]),
                    outcome=rng.choice([HIT, HIT, HIT, MISS, DENIED]),
                    applicant=rng.choice([None, None, None, "", "p-other", "p-third"]),
                    relation=rng.choice(
                        [APPLICANT, APPLICANT, RELATIVE, STRANGER, ev.SUBJECT_RELATION_UNSPECIFIED]
                    ),
                )
            )
        if rng.random() < 0.6:
            events.append(
                resolved(
                    d,
                    f"2025-0{rng.randint(1, 4)}-{rng.randint(1, 28):02d} 10:00",
                    electronic=rng.random() < 0.7,
                )
            )
    rng.shuffle(events)
    return events + rng.sample(events, len(events) // 5)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_store_matches_the_pure_replay_for_random_batches(engine: Engine, seed: int) -> None:
    rng = random.Random(seed)
    events = random_events(rng, 300)
    start = 0
    while start < len(events):
        size = rng.randint(1, 200)
        with engine.begin() as conn:
            apply_batch(conn, events[start : start + size])
        start += size
    states, cells = replay(events)
    with engine.connect() as conn:
        flows = {tuple(row[:7]): list(row[7:]) for row in conn.execute(select(REUSE_FLOW)) if any(row[7:])}
        assert flows == {k: v for k, v in replay_flows(states.values()).items() if any(v)}
        assert {k[0] for k in flows} == {"reask", "issuer", "home"}
        for cube in CUBES:
            keys = cube.keys
            expected: dict[tuple[str, ...], list[int]] = {}
            for key, vector in cells.items():
                # A yearly cube's year is its cells' month's first four characters.
                short = tuple(key[0][:4] if k == "year" else key[_CELL.index(k)] for k in keys)
                total = expected.setdefault(short, [0] * len(MEASURES))
                for i, v in enumerate(vector):
                    total[i] += v
            stored = {
                tuple(row[: len(keys)]): list(row[len(keys) :])
                for row in conn.execute(select(*(cube.table.c[c] for c in (*keys, *MEASURES))))
            }
            assert {k: v for k, v in stored.items() if any(v)} == {
                k: v for k, v in expected.items() if any(v)
            }, cube.table.name
        rows = {row.dossier_id: row for row in conn.execute(select(DOSSIER))}
        listed = misused_lookups(conn, MisuseFilters(), limit=10**6)
    assert set(rows) == set(states)
    for dossier_id, state in states.items():
        row = rows[dossier_id]
        assert bool(row.received) == state.received
        assert bool(row.population_used) == state.population_used
        assert (row.applicant, row.origin) == (state.applicant, state.origin)
        place = (row.province, row.province_2025, row.commune, row.sector)
        assert place == (state.province, state.province_2025, state.commune, state.sector)
        assert row.lookup_agency == state.lookup_agency
        assert (row.reasks, row.residence) == (state.reasks, state.residence)
        assert tuple(orjson.loads(row.issuers) if row.issuers else ()) == state.issuers
        first = None if row.first_lookup_at is None else instant_of(row.first_lookup_at)
        assert first == state.first_lookup_at
        hits = orjson.loads(row.population_hits) if row.population_hits else []
        assert [(a, p, b, instant_of(t)) for a, p, b, t in hits] == list(state.population_hits)
        # Every field, not only those above: the stored row is the state, and reads back as it.
        assert tuple(row) == state_row(state), dossier_id
        assert state_of(row) == state, dossier_id
    # The misuse report holds exactly the lookups the pure rule says do not fit (each event once).
    unique = {e.event_id: e for e in events if payload_kind(e) == "data_reused"}
    expected_misuse: Counter[tuple[object, ...]] = Counter()
    fitting_hits: set[str] = set()
    for e in unique.values():
        u, when = e.data_reused, e.occurred_at.ToDatetime(tzinfo=UTC)
        reason = misuse_reason(states[u.dossier_id], u, when)
        if reason is not None:
            expected_misuse[
                (u.dossier_id, u.agency_code, u.procedure_code, reason, u.subject_pseudonym, when)
            ] += 1
        elif states[u.dossier_id].received and u.source == POPULATION and u.outcome == HIT:
            fitting_hits.add(u.dossier_id)
    assert expected_misuse, "the random mix holds misfits"
    assert (
        Counter(
            (m.dossier_id, m.agency, m.procedure, m.reason, m.subject_pseudonym, m.occurred_at)
            for m in listed
        )
        == expected_misuse
    )
    # Neither counted nor lost: a received dossier used population data exactly when a fitting hit exists.
    assert {d for d, s in states.items() if s.population_used} == fitting_hits


@pytest.mark.parametrize(
    "event",
    [
        received("far", "9999-12-31T23:00:00Z"),
        received("far", "0001-01-01T00:00:00Z"),
        received("far", due="9999-12-31 23:00"),
        reused("far", "0001-01-01T00:00:00Z"),
        resolved("far", "9999-12-31T23:00:00Z"),
    ],
    ids=["received-9999", "received-0001", "due-9999", "lookup-0001", "resolved-9999"],
)
def test_an_event_outside_the_calendar_is_refused_and_changes_nothing(
    engine: Engine, event: ev.Envelope
) -> None:
    """The ledger raises what the handlers raise (the consume loop dead-letters it); no OverflowError."""
    with engine.begin() as conn:
        apply_batch(conn, known_mix())
    with pytest.raises(OutOfRange), engine.begin() as conn:
        apply_batch(conn, [received("ok"), event])
    with pytest.raises(OutOfRange):
        replay([event])
    assert fractions(engine, Filters()) == KNOWN_MIX
