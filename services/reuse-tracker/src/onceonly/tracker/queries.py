"""Reads over the cubes: totals and breakdowns for any filter and period; the stale-lookups and misuse
reports.

Every figure is a sum of cube cells; a query reads the coarsest cube that holds the dimensions it needs.
Without an ``origin`` filter the figures count live and imported dossiers together.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal, get_args

from sqlalchemy import ColumnElement, Connection, Select, and_, case, func, literal, null, select

from onceonly.common.provinces import UnknownProvince, covered_names
from onceonly.common.working_days import VIETNAM
from onceonly.events.v1 import events_pb2 as ev
from onceonly.tracker.cube import (
    DIMENSIONS,
    IMPORTED,
    MEASURES,
    N_MEASURES,
    Vector,
    instant_of,
    micros_of,
)
from onceonly.tracker.handlers import (
    AFTER_RESOLUTION,
    MISUSE_REASONS,
    OTHER_AGENCY,
    OTHER_APPLICANT,
    OTHER_PROCEDURE,
    REFUSED,
    STRANGER,
)
from onceonly.tracker.parameters import YEAR
from onceonly.tracker.store import CUBES, DOSSIER, LOOKUP, Cube

BreakdownBy = Literal[
    "agency",
    "procedure",
    "province",
    "channel",
    "jurisdiction",
    "origin",
    "month",
    "quarter",
    "year",
    "province_2025",
    "commune",
    "sector",
]
BREAKDOWNS: tuple[str, ...] = get_args(BreakdownBy)

# Years of the calendar in ASCII digits, no trailing newline (``$`` would allow one): as the document says.
_MONTH = re.compile(f"({YEAR})-(0[1-9]|1[0-2])")
_QUARTER = re.compile(f"({YEAR})-Q([1-4])")
_YEAR = re.compile(f"({YEAR})")


class PeriodError(ValueError):
    """A period, or a from/to month, that is not YYYY-MM, YYYY-Qn or YYYY (or from after to)."""


@dataclass(frozen=True, slots=True)
class Filters:
    agency: str | None = None
    procedure: str | None = None
    province: str | None = None
    channel: str | None = None
    jurisdiction: str | None = None
    origin: str | None = None
    # Inclusive month range, YYYY-MM.
    month_from: str | None = None
    month_to: str | None = None
    # The agency's commune and the procedure's sector as recorded; today's province by its 2025 name.
    commune: str | None = None
    sector: str | None = None
    province_2025: str | None = None

    def dimensions(self) -> set[str]:
        return {d for d in DIMENSIONS if getattr(self, d) is not None}

    def chosen(self) -> dict[str, str]:
        """The dimensions filtered on and their values, as every answer echoes them."""
        return {k: v for k, v in asdict(self).items() if v is not None and not k.startswith("month_")}


def parse_period(
    period: str | None, month_from: str | None = None, month_to: str | None = None
) -> tuple[str | None, str | None]:
    """``2025-03`` · ``2025-Q1`` · ``2025`` → an inclusive month range; or an explicit from/to."""
    if period:
        if month_from or month_to:
            raise PeriodError("give either period or from/to, not both")
        if m := _MONTH.fullmatch(period):
            return period, period
        if m := _QUARTER.fullmatch(period):
            year, quarter = m.group(1), int(m.group(2))
            return f"{year}-{3 * quarter - 2:02d}", f"{year}-{3 * quarter:02d}"
        if m := _YEAR.fullmatch(period):
            return f"{period}-01", f"{period}-12"
        raise PeriodError(f"period {period!r} is not YYYY-MM, YYYY-Qn or YYYY of 1900 to 2199")
    for value in (month_from, month_to):
        if value is not None and not _MONTH.fullmatch(value):
            raise PeriodError(f"month {value!r} is not YYYY-MM of 1900 to 2199")
    if month_from and month_to and month_from > month_to:
        raise PeriodError(f"from {month_from} is after to {month_to}")
    return month_from, month_to


def quarter_of(month: str) -> str:
    return f"{month[:4]}-Q{(int(month[5:7]) - 1) // 3 + 1}"


def whole_years(filters: Filters) -> bool:
    """Whether the period is whole years (or unbounded), which the yearly cubes answer."""
    return (filters.month_from or "-01").endswith("-01") and (filters.month_to or "-12").endswith("-12")


def cube_for(needed: set[str], yearly: bool = False) -> Cube:
    """The first cube holding ``needed``; a yearly one only when ``yearly``."""
    for cube in CUBES:
        if needed <= set(cube.dimensions) and (yearly or cube.period == "month"):
            return cube
    raise AssertionError(f"no cube holds {sorted(needed)}")  # the finest cube holds every dimension


def province_names(key: str) -> tuple[str, ...]:
    try:
        return covered_names(key)
    except UnknownProvince:  # no place (the API refuses those first): the value as recorded
        return (key,)


def cube_where(cube: Cube, filters: Filters) -> list[ColumnElement[bool]]:
    table = cube.table
    clauses: list[ColumnElement[bool]] = [
        # A province filter (a place's key) covers every name a dossier's province is recorded under.
        table.c[d].in_(province_names(filters.province))
        if d == "province" and filters.province is not None
        else table.c[d] == getattr(filters, d)
        for d in sorted(filters.dimensions())
    ]
    # A yearly cube is only read for whole years, so a month bound stands for its year.
    period, cut = (table.c.month, slice(None)) if cube.period == "month" else (table.c.year, slice(4))
    if filters.month_from:
        clauses.append(period >= filters.month_from[cut])
    if filters.month_to:
        clauses.append(period <= filters.month_to[cut])
    return clauses


def _sums(cube: Cube) -> list[ColumnElement[int]]:
    return [func.coalesce(func.sum(cube.table.c[m]), 0).label(m) for m in MEASURES]


def totals(conn: Connection, filters: Filters) -> Vector:
    cube = cube_for(filters.dimensions(), whole_years(filters))
    row = conn.execute(select(*_sums(cube)).where(*cube_where(cube, filters))).one()
    return tuple(int(v) for v in row)


def breakdown(conn: Connection, filters: Filters, by: BreakdownBy) -> list[tuple[str, Vector]]:
    """Counters per value of ``by``, in key order; only keys that have at least one counted dossier."""
    if by in DIMENSIONS:
        cube = cube_for(filters.dimensions() | {by}, whole_years(filters))
        key = cube.table.c[by]
    else:
        cube = cube_for(filters.dimensions(), by == "year" and whole_years(filters))
        key = cube.table.c[cube.period]
    statement: Select[Any] = (
        select(key, *_sums(cube)).where(*cube_where(cube, filters)).group_by(key).order_by(key)
    )
    rows = conn.execute(statement).all()
    if by in DIMENSIONS or by == cube.period:  # one row per key already
        return [(str(row[0]), tuple(row[1:])) for row in rows if any(row[1:])]
    merged: dict[str, list[int]] = {}
    for row in rows:
        label = quarter_of(row[0]) if by == "quarter" else str(row[0])[:4]
        acc = merged.setdefault(label, [0] * N_MEASURES)
        for i in range(N_MEASURES):
            acc[i] += int(row[i + 1])
    return [(label, tuple(vector)) for label, vector in merged.items() if any(vector)]


def dimension_values(conn: Connection) -> dict[str, list[str]]:
    """Distinct values of each dimension and the months that hold data (for the dashboard's filters),
    each read off the smallest cube that holds it (the agencies off ~1,000 rows a year, not 12,000)."""
    out: dict[str, list[str]] = {}
    for name in ("month", *DIMENSIONS):
        column = cube_for({name} - {"month"}, yearly=name != "month").table.c[name]
        out[name] = [str(v) for (v,) in conn.execute(select(column).distinct().order_by(column))]
    return out


@dataclass(frozen=True, slots=True)
class StaleLookups:
    agency: str
    dossiers: int
    lookups: int
    population_lookups: int
    oldest: datetime | None


def stale_lookups(conn: Connection, cutoff: datetime) -> list[StaleLookups]:
    """Per looking-up agency: lookups made before ``cutoff`` for dossiers whose receipt never arrived."""
    limit = micros_of(cutoff)
    pending = (
        select(DOSSIER.c.dossier_id)
        .where(and_(DOSSIER.c.received.is_(False), DOSSIER.c.first_lookup_at <= limit))
        .subquery()
    )
    population = case((LOOKUP.c.source == ev.DATA_SOURCE_POPULATION_DATABASE, 1), else_=0)
    statement = (
        select(
            LOOKUP.c.agency,
            func.count(func.distinct(LOOKUP.c.dossier_id)),
            func.count(),
            func.coalesce(func.sum(population), 0),
            func.min(LOOKUP.c.occurred_at),
        )
        .join(pending, pending.c.dossier_id == LOOKUP.c.dossier_id)
        .where(LOOKUP.c.occurred_at <= limit)
        .group_by(LOOKUP.c.agency)
        .order_by(func.count().desc(), LOOKUP.c.agency)
    )
    return [
        StaleLookups(
            str(agency), int(dossiers), int(lookups), int(pop), None if oldest is None else instant_of(oldest)
        )
        for agency, dossiers, lookups, pop, oldest in conn.execute(statement)
    ]


MisuseReason = Literal[
    "other_agency", "other_procedure", "other_applicant", "stranger", "after_resolution", "refused"
]
assert get_args(MisuseReason) == MISUSE_REASONS


def _reason() -> ColumnElement[str | None]:
    """``handlers.misuse_reason`` in SQL, over a lookup joined to its received dossier."""
    lookup, dossier = LOOKUP.c, DOSSIER.c
    return case(
        (lookup.agency != dossier.agency, literal(OTHER_AGENCY)),
        (lookup.procedure != dossier.procedure, literal(OTHER_PROCEDURE)),
        (and_(lookup.applicant != "", lookup.applicant != dossier.applicant), literal(OTHER_APPLICANT)),
        (lookup.relation == ev.SUBJECT_RELATION_STRANGER, literal(STRANGER)),
        (
            and_(
                dossier.origin != IMPORTED,
                dossier.resolved_at.is_not(None),
                lookup.occurred_at > dossier.resolved_at,
            ),
            literal(AFTER_RESOLUTION),
        ),
        (lookup.outcome == ev.LOOKUP_OUTCOME_DENIED, literal(REFUSED)),
        else_=null(),
    )


@dataclass(frozen=True, slots=True)
class MisuseFilters:
    agency: str | None = None
    reason: str | None = None
    # Inclusive month range of the lookups' time (Vietnam time), YYYY-MM.
    month_from: str | None = None
    month_to: str | None = None


@dataclass(frozen=True, slots=True)
class MisuseGroup:
    agency: str
    reason: str
    dossiers: int
    lookups: int
    population_lookups: int
    latest: datetime | None


@dataclass(frozen=True, slots=True)
class MisusedLookup:
    occurred_at: datetime | None
    dossier_id: str
    agency: str
    procedure: str
    dossier_agency: str
    dossier_procedure: str
    reason: str
    source: str
    outcome: str
    subject_pseudonym: str
    subject_relation: str


def _month_start_us(month: str) -> int:
    return micros_of(datetime(int(month[:4]), int(month[5:7]), 1, tzinfo=VIETNAM))


def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def _misused(filters: MisuseFilters) -> Any:
    """Every lookup of a received dossier with the reason it does not fit (rows with a reason only)."""
    reason = _reason().label("reason")
    clauses: list[ColumnElement[bool]] = [DOSSIER.c.received.is_(True)]
    if filters.agency is not None:
        clauses.append(LOOKUP.c.agency == filters.agency)
    if filters.month_from:
        clauses.append(LOOKUP.c.occurred_at >= _month_start_us(filters.month_from))
    if filters.month_to:
        clauses.append(LOOKUP.c.occurred_at < _month_start_us(_next_month(filters.month_to)))
    inner = (
        select(
            LOOKUP.c.event_id,
            LOOKUP.c.dossier_id,
            LOOKUP.c.agency,
            LOOKUP.c.procedure,
            LOOKUP.c.source,
            LOOKUP.c.outcome,
            LOOKUP.c.occurred_at,
            LOOKUP.c.subject,
            LOOKUP.c.relation,
            DOSSIER.c.agency.label("dossier_agency"),
            DOSSIER.c.procedure.label("dossier_procedure"),
            reason,
        )
        .join(DOSSIER, DOSSIER.c.dossier_id == LOOKUP.c.dossier_id)
        .where(*clauses)
        .subquery()
    )
    wanted: ColumnElement[bool] = inner.c.reason.is_not(None)
    if filters.reason is not None:
        wanted = inner.c.reason == filters.reason
    return inner, wanted


def misuse_groups(conn: Connection, filters: MisuseFilters) -> list[MisuseGroup]:
    """Lookups that do not fit their dossier, per looking-up agency and reason (most lookups first)."""
    inner, wanted = _misused(filters)
    population = case((inner.c.source == ev.DATA_SOURCE_POPULATION_DATABASE, 1), else_=0)
    statement = (
        select(
            inner.c.agency,
            inner.c.reason,
            func.count(func.distinct(inner.c.dossier_id)),
            func.count(),
            func.coalesce(func.sum(population), 0),
            func.max(inner.c.occurred_at),
        )
        .where(wanted)
        .group_by(inner.c.agency, inner.c.reason)
        .order_by(func.count().desc(), inner.c.agency, inner.c.reason)
    )
    return [
        MisuseGroup(
            str(agency),
            str(reason),
            int(dossiers),
            int(lookups),
            int(pop),
            None if not latest else instant_of(latest),
        )
        for agency, reason, dossiers, lookups, pop, latest in conn.execute(statement)
    ]


_SOURCES = {
    ev.DATA_SOURCE_POPULATION_DATABASE: "population_database",
    ev.DATA_SOURCE_DIGITIZED_RESULT: "digitized_result",
}
_OUTCOMES = {ev.LOOKUP_OUTCOME_HIT: "hit", ev.LOOKUP_OUTCOME_MISS: "miss", ev.LOOKUP_OUTCOME_DENIED: "denied"}
_RELATIONS = {
    ev.SUBJECT_RELATION_APPLICANT: "applicant",
    ev.SUBJECT_RELATION_RELATIVE: "relative",
    ev.SUBJECT_RELATION_STRANGER: "stranger",
}


def misused_lookups(
    conn: Connection, filters: MisuseFilters, *, limit: int, offset: int = 0
) -> list[MisusedLookup]:
    """The drill-down: the lookups themselves, newest first."""
    inner, wanted = _misused(filters)
    statement = (
        select(inner)
        .where(wanted)
        .order_by(inner.c.occurred_at.desc(), inner.c.event_id)
        .limit(limit)
        .offset(offset)
    )
    return [
        MisusedLookup(
            occurred_at=instant_of(row.occurred_at) if row.occurred_at else None,
            dossier_id=row.dossier_id,
            agency=row.agency,
            procedure=row.procedure,
            dossier_agency=row.dossier_agency,
            dossier_procedure=row.dossier_procedure,
            reason=row.reason,
            source=_SOURCES.get(row.source, "unspecified"),
            outcome=_OUTCOMES.get(row.outcome, "unspecified"),
            subject_pseudonym=row.subject,
            subject_relation=_RELATIONS.get(row.relation, "unspecified"),
        )
        for row in conn.execute(statement)
    ]
