"""Avoidable re-asks and where reuse comes from, from ``tracker_reuse_flow`` (see ``handlers.flows``).

- ``GET /v1/reasks``: per agency and procedure, the dossiers with a component filed on paper or as an
  upload though the applicant held, at receipt, a valid result it accepts, and those components; with
  the dossiers themselves (newest first, the applicant never named).
- ``GET /v1/reuse/sources``: per issuing agency and reusing agency, the dossiers that reused the
  issuer's results and the results reused.
- ``GET /v1/reuse/cross-province``: non-jurisdictional dossiers per applicant's home province and the
  desk's province (of the day), and those of them that reused data.

Counted by the receipt's month. Filters: the period, agency, procedure, province (any spelling, as the
indicators take it) and origin; the others are not kept per flow, and these routes do not offer them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Connection, func, select

from onceonly.common.working_days import VIETNAM
from onceonly.tracker.api import PROBLEMS, ConnectionDep, filters
from onceonly.tracker.cube import instant_of, micros_of
from onceonly.tracker.handlers import HOME, ISSUER, REASK
from onceonly.tracker.parameters import (
    AgencyQuery,
    MonthFromQuery,
    MonthToQuery,
    OriginQuery,
    PeriodQuery,
    ProcedureQuery,
    ProvinceQuery,
)
from onceonly.tracker.problems import FilterNotAvailable
from onceonly.tracker.queries import Filters, province_names
from onceonly.tracker.schemas import Period
from onceonly.tracker.store import DOSSIER, REUSE_FLOW

# The indicators' filters the flows are not kept by: sent anyway, a 422 rather than a figure unfiltered.
_NOT_KEPT = ("channel", "jurisdiction", "province_2025", "commune", "sector")


def flow_filters(
    request: Request,
    *,
    agency: AgencyQuery = None,
    procedure: ProcedureQuery = None,
    province: ProvinceQuery = None,
    origin: OriginQuery = None,
    period: PeriodQuery = None,
    month_from: MonthFromQuery = None,
    month_to: MonthToQuery = None,
) -> Filters:
    """The filters the flows are kept by, and only those: the document offers no other here."""
    other = sorted(set(_NOT_KEPT) & set(request.query_params))
    if other:
        raise FilterNotAvailable(
            "re-asks and reuse sources are kept per agency, procedure, province and origin; "
            f"not by {', '.join(other)}"
        )
    return filters(
        agency=agency,
        procedure=procedure,
        province=province,
        origin=origin,
        period=period,
        month_from=month_from,
        month_to=month_to,
    )


FlowFilters = Annotated[Filters, Depends(flow_filters)]


def _where(f: Filters, kind: str) -> list[ColumnElement[bool]]:
    c = REUSE_FLOW.c
    clauses: list[ColumnElement[bool]] = [c.kind == kind]
    if f.month_from:
        clauses.append(c.month >= f.month_from)
    if f.month_to:
        clauses.append(c.month <= f.month_to)
    for name in ("agency", "procedure", "origin"):
        if (value := getattr(f, name)) is not None:
            clauses.append(c[name] == value)
    if f.province is not None:
        clauses.append(c.province.in_(province_names(f.province)))
    return clauses


def _grouped(conn: Connection, f: Filters, kind: str, *keys: str) -> list[tuple[tuple[str, ...], int, int]]:
    c = REUSE_FLOW.c
    columns = [c[k] for k in keys]
    statement = (
        select(*columns, func.sum(c.dossiers), func.sum(c.count))
        .where(*_where(f, kind))
        .group_by(*columns)
        .having(func.sum(c.dossiers) != 0)
        .order_by(func.sum(c.dossiers).desc(), func.sum(c.count).desc(), *columns)
    )
    return [(tuple(row[: len(keys)]), int(row[-2]), int(row[-1])) for row in conn.execute(statement)]


class ReaskRow(BaseModel):
    agency: str
    procedure: str
    dossiers: int = Field(description="Dossiers with at least one avoidable re-ask")
    components: int = Field(description="Components asked again that a held result would have served")


class ReaskedDossier(BaseModel):
    dossier_id: str
    agency: str
    procedure: str
    province: str
    received_at: str
    components: int


class Reasks(BaseModel):
    period: Period
    filters: dict[str, str]
    dossiers: int
    components: int
    rows: list[ReaskRow]
    listed: list[ReaskedDossier]
    limit: int
    offset: int


class SourceRow(BaseModel):
    issuer: str = Field(description='The agency that issued the results ("" when the receipt did not say)')
    agency: str = Field(description="The agency that reused them")
    dossiers: int
    results: int


class Sources(BaseModel):
    period: Period
    filters: dict[str, str]
    rows: list[SourceRow]


class CrossProvinceRow(BaseModel):
    home_province: str = Field(description="The applicant's residence province as the receipt named it")
    desk_province: str = Field(description="The receiving agency's province on the day of receipt")
    dossiers: int
    reusing: int = Field(description="Of them, dossiers that reused data (a result or a component)")


class CrossProvince(BaseModel):
    period: Period
    filters: dict[str, str]
    rows: list[CrossProvinceRow]


def _range_us(f: Filters) -> tuple[int | None, int | None]:
    """The receipt instants of the period's months, epoch µs: [first, end)."""
    first = (
        micros_of(datetime(int(f.month_from[:4]), int(f.month_from[5:]), 1, tzinfo=VIETNAM))
        if f.month_from
        else None
    )
    end = None
    if f.month_to:
        year, month = int(f.month_to[:4]), int(f.month_to[5:])
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        end = micros_of(datetime(year, month, 1, tzinfo=VIETNAM))
    return first, end


def reasked_dossiers(conn: Connection, f: Filters, *, limit: int, offset: int) -> list[ReaskedDossier]:
    d = DOSSIER.c
    clauses: list[ColumnElement[bool]] = [d.received.is_(True), d.reasks > 0]
    first, end = _range_us(f)
    if first is not None:
        clauses.append(d.received_at >= first)
    if end is not None:
        clauses.append(d.received_at < end)
    for name in ("agency", "procedure", "origin"):
        if (value := getattr(f, name)) is not None:
            clauses.append(d[name] == value)
    if f.province is not None:
        clauses.append(d.province.in_(province_names(f.province)))
    statement = (
        select(d.dossier_id, d.agency, d.procedure, d.province, d.received_at, d.reasks)
        .where(*clauses)
        .order_by(d.received_at.desc(), d.dossier_id)
        .limit(limit)
        .offset(offset)
    )
    return [
        ReaskedDossier(
            dossier_id=r.dossier_id,
            agency=r.agency,
            procedure=r.procedure,
            province=r.province,
            received_at=instant_of(r.received_at).isoformat(),
            components=r.reasks,
        )
        for r in conn.execute(statement)
    ]


router = APIRouter(prefix="/v1", tags=["reuse"], responses=PROBLEMS)  # type: ignore[arg-type]


@router.get("/reasks")
def get_reasks(
    conn: ConnectionDep,
    f: FlowFilters,
    limit: Annotated[int, Query(ge=0, le=1000, description="Dossiers listed, newest first")] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Reasks:
    """Avoidable re-asks per agency and procedure, and the dossiers behind them."""
    rows = [
        ReaskRow(agency=a, procedure=p, dossiers=n, components=k)
        for (a, p), n, k in _grouped(conn, f, REASK, "agency", "procedure")
    ]
    return Reasks(
        period=Period(from_=f.month_from, to=f.month_to),
        filters=f.chosen(),
        dossiers=sum(r.dossiers for r in rows),
        components=sum(r.components for r in rows),
        rows=rows,
        listed=reasked_dossiers(conn, f, limit=limit, offset=offset),
        limit=limit,
        offset=offset,
    )


@router.get("/reuse/sources")
def get_reuse_sources(conn: ConnectionDep, f: FlowFilters) -> Sources:
    """Which issuing agency's results are reused by which agencies."""
    rows = [
        SourceRow(issuer=i, agency=a, dossiers=n, results=k)
        for (i, a), n, k in _grouped(conn, f, ISSUER, "source", "agency")
    ]
    return Sources(period=Period(from_=f.month_from, to=f.month_to), filters=f.chosen(), rows=rows)


@router.get("/reuse/cross-province")
def get_cross_province(conn: ConnectionDep, f: FlowFilters) -> CrossProvince:
    """Non-jurisdictional dossiers: the applicant's home province against the desk's."""
    rows = [
        CrossProvinceRow(home_province=h, desk_province=p, dossiers=n, reusing=k)
        for (h, p), n, k in _grouped(conn, f, HOME, "source", "province")
    ]
    return CrossProvince(period=Period(from_=f.month_from, to=f.month_to), filters=f.chosen(), rows=rows)
