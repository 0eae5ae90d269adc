"""The tracker's HTTP API: indicators, breakdowns and their exports, stale and misused lookups, probes."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy import Connection, select, text

from onceonly.common.provinces import UnknownProvince, parse_place
from onceonly.tracker import closing, export, queries, report
from onceonly.tracker.cube import EARLIEST, LATEST
from onceonly.tracker.handlers import MISUSE_REASONS
from onceonly.tracker.indicators import Indicator
from onceonly.tracker.parameters import (
    INSTANT_RE,
    INSTANT_SHAPE_RE,
    AgencyQuery,
    InstantQuery,
    MonthFromQuery,
    MonthToQuery,
    OriginQuery,
    PeriodQuery,
    ProcedureQuery,
    ProvinceQuery,
)
from onceonly.tracker.problems import (
    PROBLEM_JSON,
    ClosingDisabled,
    InstantOutOfRange,
    InvalidInstant,
    InvalidPeriod,
    NotClosed,
    NotLive,
    NotReady,
    OperatorTokenRequired,
    PeriodClosed,
    UnknownProvinceError,
)
from onceonly.tracker.queries import BreakdownBy, Filters, MisuseFilters, MisuseReason
from onceonly.tracker.runtime import RuntimeDep
from onceonly.tracker.schemas import (
    Breakdown,
    BreakdownRow,
    Change,
    ClosedPeriodOut,
    Dimensions,
    IndicatorOut,
    Indicators,
    MisuseAgency,
    MisusedLookupOut,
    MisuseReasonCount,
    MisuseReport,
    Period,
    Published,
    StaleAgency,
    StaleReport,
)
from onceonly.tracker.store import NAME
from onceonly.tracker.targets import TargetBook, Targets

PROBLEMS = {
    422: {"description": "Invalid parameter (RFC 9457 problem)", "content": {PROBLEM_JSON: {}}},
}


def connection(runtime: RuntimeDep) -> Iterator[Connection]:
    with runtime.engine.connect() as conn:
        yield conn


def targets(runtime: RuntimeDep, f: Annotated[Filters, Depends(filters)]) -> Targets:
    """The targets in force for the period's (last) year and the province filtered on."""
    book = runtime.targets
    month = f.month_to or f.month_from
    return book.resolve(int(month[:4]) if month else None, f.province or f.province_2025)


def filters(
    *,
    agency: AgencyQuery = None,
    procedure: ProcedureQuery = None,
    province: ProvinceQuery = None,
    channel: Literal["online", "counter", "postal", "unspecified"] | None = None,
    jurisdiction: Literal["local", "non_jurisdictional"] | None = None,
    origin: OriginQuery = None,
    period: PeriodQuery = None,
    month_from: MonthFromQuery = None,
    month_to: MonthToQuery = None,
    province_2025: Annotated[
        str | None,
        Query(
            description="Today's province (the 2025 map) of the dossiers' province of the day, named by "
            "any spelling of a code, an old or a new name: Bình Dương means Hồ Chí Minh",
            examples=["Hồ Chí Minh"],
        ),
    ] = None,
    commune: Annotated[
        str | None, Query(description="The receiving agency's commune as registered", examples=["Dĩ An"])
    ] = None,
    sector: Annotated[
        str | None,
        Query(description="The procedure's sector, its ministry's area in the catalog", examples=["land"]),
    ] = None,
) -> Filters:
    first, last = _months(period, month_from, month_to)
    return Filters(
        agency,
        procedure,
        _place(province),
        channel,
        jurisdiction,
        origin,
        first,
        last,
        commune=None if commune is None else " ".join(commune.split()),
        sector=None if sector is None else sector.strip(),
        province_2025=None if province_2025 is None else _today(province_2025),
    )


def _today(province: str) -> str:
    """A place on today's map: the 2025 province of any code or name; unknown: a 422."""
    try:
        return parse_place(province).province_2025
    except UnknownProvince as exc:
        raise UnknownProvinceError(str(exc)) from None


def _place(province: str | None) -> str | None:
    """The province filter as its canonical key; an unknown place is a 422, never an empty 0/0."""
    if province is None:
        return None
    try:
        return parse_place(province).key
    except UnknownProvince as exc:
        raise UnknownProvinceError(str(exc)) from None


def _months(
    period: str | None, month_from: str | None, month_to: str | None
) -> tuple[str | None, str | None]:
    try:
        return queries.parse_period(period, month_from, month_to)
    except queries.PeriodError as exc:
        raise InvalidPeriod(str(exc)) from None


def instant(value: str) -> datetime:
    """An instant as the document states it (``parameters.INSTANT``): malformed is a 422 invalid-instant,
    outside the calendar (or on its first or last day, where an offset could carry it out) a 422
    instant-out-of-range."""
    if not INSTANT_SHAPE_RE.fullmatch(value):
        raise InvalidInstant(f"{value!r} is not an RFC 3339 date-time with its offset")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:  # a day that does not exist
        raise InvalidInstant(f"{value!r} is not a date-time") from None
    if not INSTANT_RE.fullmatch(value):
        raise InstantOutOfRange(f"{value} is outside 1900-01-02 to 2199-12-30")
    return _in_calendar(parsed)


def _in_calendar(instant: datetime) -> datetime:
    """An aware instant inside the tracker's calendar, or a 422 (year 1 minus a week overflows)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    try:
        inside = EARLIEST <= instant < LATEST
    except OverflowError:  # an offset that pushes it past datetime's range
        inside = False
    if not inside:
        detail = f"{instant.isoformat()} is outside {EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d}"
        raise InstantOutOfRange(detail)
    return instant


ConnectionDep = Annotated[Connection, Depends(connection)]
TargetsDep = Annotated[Targets, Depends(targets)]
FiltersDep = Annotated[Filters, Depends(filters)]
By = Annotated[BreakdownBy, Query(description="Dimension or period to break the figures down by")]

router = APIRouter(prefix="/v1", tags=["indicators"], responses=PROBLEMS)  # type: ignore[arg-type]


def _period(f: Filters) -> Period:
    return Period(from_=f.month_from, to=f.month_to)


@router.get("/indicators")
def get_indicators(conn: ConnectionDep, goals: TargetsDep, f: FiltersDep) -> Indicators:
    """All indicators for the filters and period, with numerator, denominator, target, gap and status;
    for a closed period, its figures as published beside them with the difference."""
    figures = report.indicators(conn, goals, f)
    return Indicators(
        period=_period(f),
        filters=f.chosen(),
        indicators=[IndicatorOut.of(i) for i in figures],
        published=_published(conn, f, figures),
    )


def _published(conn: Connection, f: Filters, live: list[Indicator]) -> Published | None:
    """The closed period's published figures for these filters: the headline with no filter, a row of
    a published breakdown with one filter on its dimension; None otherwise."""
    label = closing.label_of(f.month_from, f.month_to)
    if label is None:
        return None
    chosen = f.chosen()
    if len(chosen) > 1 or not set(chosen) <= set(closing.SECTIONS):
        return None
    closed = closing.published(conn, label)
    if closed is None:
        return None
    section, key = next(iter(chosen.items()), (None, None))
    then = closed.figures(section, key)
    return Published(
        period=closed.period,
        closed_at=closed.closed_at,
        closed_by=closed.closed_by,
        content_sha256=closed.content_sha256,
        indicators=None if then is None else [IndicatorOut(**item) for item in then],
        changes=[Change(**c) for c in closing.differences(then or [], live)],
    )


def operator(request: Request, runtime: RuntimeDep) -> str:
    """The operator token's check: closing a period over HTTP needs ``Authorization: Bearer <token>``
    (``ONCEONLY_TRACKER_OPERATOR_TOKEN``); without a token set, only the CLI closes periods."""
    token = runtime.operator_token
    if not token:
        raise ClosingDisabled("no operator token is set; use onceonly-tracker close")
    given = request.headers.get("authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise OperatorTokenRequired("Authorization: Bearer <token>")
    return "operator"


@router.post(
    "/periods/{period}/close",
    tags=["periods"],
    status_code=201,
    responses={401: {}, 403: {}, 409: {"description": "Already closed"}},
)
def close_period(
    runtime: RuntimeDep,
    period: str,
    who: Annotated[str, Depends(operator)],
    closed_by: Annotated[str, Query(max_length=200, description="Who closes it, for the record")] = "",
) -> ClosedPeriodOut:
    """Close a month, quarter or year (YYYY-MM, YYYY-Qn, YYYY) once it is over: its figures are frozen
    as published, with their SHA-256."""
    goals = runtime.targets.resolve(int(period[:4]) if period[:4].isdigit() else None, None)
    try:
        with runtime.engine.begin() as conn:
            closed = closing.close(conn, goals, period, closed_by=closed_by or who)
    except closing.ClosingError as exc:
        raise (PeriodClosed if exc.status == 409 else InvalidPeriod)(str(exc)) from None
    return _closed_out(closed)


def _closed_out(closed: closing.Closed) -> ClosedPeriodOut:
    return ClosedPeriodOut(
        period=closed.period,
        closed_at=closed.closed_at,
        closed_by=closed.closed_by,
        content_sha256=closed.content_sha256,
        intact=closing.verify(closed),
    )


@router.get("/periods", tags=["periods"])
def get_closed_periods(conn: ConnectionDep) -> list[ClosedPeriodOut]:
    """The closed periods, with their content hashes."""
    return [_closed_out(c) for c in closing.closed_periods(conn)]


@router.get("/periods/{period}", tags=["periods"], responses={404: {"description": "Not closed"}})
def get_closed_period(conn: ConnectionDep, period: str) -> Response:
    """A closed period's published report, whole (headline and breakdowns), as it was stored."""
    closed = closing.published(conn, period)
    if closed is None:
        raise NotClosed(f"{period} has not been closed")
    return Response(closing.canonical(closed.body), media_type="application/json",
                    headers={"X-Content-SHA256": closed.content_sha256})  # fmt: skip


def row_targets(book: TargetBook, f: Filters, by: str) -> Callable[[str], Targets] | None:
    """Each row's own targets where its key is a year or a place: a breakdown by month, quarter or year
    applies that year's (for the province filtered on), one by province that province's (for the
    period's last year). None: every row takes the filter's."""
    month = f.month_to or f.month_from
    year = int(month[:4]) if month else None
    province = f.province or f.province_2025
    if by in ("month", "quarter", "year"):
        return lambda key: book.resolve(int(key[:4]), province)
    if by in ("province", "province_2025"):
        return lambda key: book.resolve(year, key)
    return None


def breakdown_targets(runtime: RuntimeDep, f: FiltersDep, by: By, goals: TargetsDep) -> report.Goals:
    return row_targets(runtime.targets, f, by) or goals


BreakdownTargetsDep = Annotated[report.Goals, Depends(breakdown_targets)]


def build_breakdown(conn: Connection, goals: report.Goals, f: Filters, by: BreakdownBy) -> Breakdown:
    rows = [
        BreakdownRow(key=key, indicators=[IndicatorOut.of(i) for i in figures])
        for key, figures in report.breakdown(conn, goals, f, by)
    ]
    return Breakdown(by=by, period=_period(f), filters=f.chosen(), rows=rows)


def breakdown_json(conn: Connection, goals: report.Goals, f: Filters, by: BreakdownBy) -> bytes:
    """The JSON of ``build_breakdown``, byte for byte what FastAPI renders from the model, built from
    plain dicts: a national breakdown has ~1,000 rows of 8 indicators, and a pydantic model per
    indicator (built, validated, then serialized) cost more than the query itself."""
    rows = report.breakdown_dicts(conn, goals, f, by)
    body = {
        "by": by,
        "period": {"from": f.month_from, "to": f.month_to},
        "filters": f.chosen(),
        "rows": rows,
    }
    return orjson.dumps(body)


@router.get("/indicators/breakdown", response_model=Breakdown)
def get_breakdown(conn: ConnectionDep, goals: BreakdownTargetsDep, f: FiltersDep, by: By) -> Response:
    """The indicators per agency, procedure, province, channel, jurisdiction, month, quarter or year."""
    return Response(breakdown_json(conn, goals, f, by), media_type="application/json")


def _key_names(conn: Connection, by: str) -> dict[str, str] | None:
    """Agencies' and procedures' names as the latest receipts gave them, for the exports' name column."""
    if by not in ("agency", "procedure"):
        return None
    rows = conn.execute(select(NAME.c.code, NAME.c.name).where(NAME.c.kind == by, NAME.c.name != ""))
    return {str(code): str(name) for code, name in rows}


@router.get(
    "/indicators/breakdown.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "One row per key and indicator"}},
)
def get_breakdown_csv(conn: ConnectionDep, goals: BreakdownTargetsDep, f: FiltersDep, by: By) -> Response:
    body = export.to_csv(build_breakdown(conn, goals, f, by), _key_names(conn, by))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="indicators-by-{by}.csv"'},
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/indicators/breakdown.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "One row per key and indicator"}},
)
def get_breakdown_xlsx(conn: ConnectionDep, goals: BreakdownTargetsDep, f: FiltersDep, by: By) -> Response:
    body = export.to_xlsx(build_breakdown(conn, goals, f, by), _key_names(conn, by))
    return Response(
        body,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="indicators-by-{by}.xlsx"'},
    )


@router.get("/lookups/stale", tags=["lookups"], response_model=StaleReport)
def get_stale_lookups(
    runtime: RuntimeDep,
    conn: ConnectionDep,
    days: Annotated[int | None, Query(ge=0, le=3650, description="Default from the settings")] = None,
    as_of: InstantQuery = None,
) -> Response:
    """Lookups whose dossier receipt never arrived within ``days``: possible misuse of population data."""
    window = runtime.stale_lookup_days if days is None else days
    now = datetime.now(UTC) if as_of is None else instant(as_of)
    cutoff = max(now - timedelta(days=window), EARLIEST)
    return Response(stale_json(conn, window, cutoff), media_type="application/json")


def stale_json(conn: Connection, days: int, cutoff: datetime) -> bytes:
    """The stale-lookups report's JSON, as FastAPI renders the ``StaleReport`` model, built once: a row
    per agency (~1,000 nationally) copied through ``asdict`` and validated twice cost more than the
    query on a national store."""
    agencies = [
        StaleAgency(
            agency=r.agency,
            dossiers=r.dossiers,
            lookups=r.lookups,
            population_lookups=r.population_lookups,
            oldest=r.oldest,
        )
        for r in queries.stale_lookups(conn, cutoff)
    ]
    return StaleReport(days=days, cutoff=cutoff, agencies=agencies).model_dump_json().encode()


@router.get("/lookups/misuse", tags=["lookups"])
def get_misused_lookups(
    conn: ConnectionDep,
    agency: Annotated[str | None, Query(description="The agency that made the lookups")] = None,
    reason: Annotated[MisuseReason | None, Query(description="Why the lookups do not fit")] = None,
    period: PeriodQuery = None,
    month_from: MonthFromQuery = None,
    month_to: MonthToQuery = None,
    limit: Annotated[int, Query(ge=0, le=1000, description="Lookups listed, newest first")] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> MisuseReport:
    """Lookups that do not fit their received dossier — another agency's, another procedure, another
    applicant than the receipt names, a subject neither applicant nor relative, made after the
    resolution, or refused — with counts per reason and per agency and the lookups themselves
    (subjects as pseudonyms). They count toward no figure."""
    first, last = _months(period, month_from, month_to)
    f = MisuseFilters(agency, reason, first, last)
    groups = queries.misuse_groups(conn, f)
    listed = queries.misused_lookups(conn, f, limit=limit, offset=offset)
    counts = dict.fromkeys(MISUSE_REASONS, 0)
    for group in groups:
        counts[group.reason] += group.lookups
    return MisuseReport(
        period=Period(from_=first, to=last),
        filters={k: v for k, v in (("agency", agency), ("reason", reason)) if v is not None},
        total=sum(counts.values()),
        reasons=[MisuseReasonCount(reason=r, lookups=n) for r, n in counts.items()],
        agencies=[MisuseAgency(**asdict(g)) for g in groups],
        lookups=[MisusedLookupOut(**asdict(m)) for m in listed],
        limit=limit,
        offset=offset,
    )


@router.get("/dimensions", tags=["indicators"])
def get_dimensions(conn: ConnectionDep) -> Dimensions:
    """Values each filter can take, and the months that hold data."""
    return Dimensions(**queries.dimension_values(conn))


probes = APIRouter(tags=["probes"])


@probes.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@probes.get("/readyz", responses={503: {"description": "Store or consumer not ready"}})
def readyz(runtime: RuntimeDep) -> dict[str, str]:
    try:
        with runtime.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the store means not ready
        raise NotReady(f"store unreachable: {type(exc).__name__}") from None
    runner = runtime.consumer
    if runner is not None and not (health := runner.health()).ready:
        raise NotReady(health.reason)
    return {"status": "ready"}


@probes.get("/livez", responses={503: {"description": "The embedded consumer has ended or is stuck"}})
def livez(runtime: RuntimeDep) -> dict[str, str]:
    """Liveness (the pod's restart signal): the process answers, and its embedded consumer, if any,
    runs and has shown a sign of life within its stall bound."""
    runner = runtime.consumer
    if runner is not None and not (health := runner.health()).live:
        raise NotLive(health.reason)
    return {"status": "live"}
