"""The whole report for a filter and period: the cube's counters plus what the indicators beyond one
vector need (``indicators.Context``), for a total or for every row of a breakdown.

- paper dossiers: the same filters over the same months a year earlier (no comparison without a
  period);
- backlog digitization: the dossiers received in the backlog years, by the year they were received —
  the part of the period inside those years, or all of them for a period outside;
- §4.5a: procedures with a dossier received, and those with one that used population data, counted
  over procedures (a procedure × key grouping of the cube, summed in Python);
- procedures offered online: the catalog snapshots (``tracker_catalog_level``) as they stood at the
  period's end — now for no period —, per province; only for a filter the catalog has (province,
  procedure), the other filters (agency, channel, jurisdiction, origin) not being the catalog's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Connection, Integer, String, and_, case, cast, func, literal, select

from onceonly.common.working_days import VIETNAM
from onceonly.events.v1 import events_pb2 as ev
from onceonly.tracker import queries
from onceonly.tracker.cube import ZERO, micros_of
from onceonly.tracker.indicators import BACKLOG_YEARS, Catalog, Context, Indicator, compute, compute_dicts
from onceonly.tracker.queries import BreakdownBy, Filters, cube_for, cube_where, province_names, whole_years
from onceonly.tracker.store import CATALOG

_BACKLOG_FIRST = f"{min(BACKLOG_YEARS)}-01"
_BACKLOG_LAST = f"{max(BACKLOG_YEARS)}-12"
_PERIOD_KEYS = ("month", "quarter", "year")


def year_earlier(month: str) -> str:
    return f"{int(month[:4]) - 1:04d}{month[4:]}"


def previous_year(filters: Filters) -> Filters | None:
    """The same filters a year earlier; None without a bounded period (nothing to compare with)."""
    if filters.month_from is None or filters.month_to is None:
        return None
    return replace(
        filters, month_from=year_earlier(filters.month_from), month_to=year_earlier(filters.month_to)
    )


def backlog_range(first: str | None, last: str | None) -> tuple[str, str] | None:
    """The months of the backlog years inside ``first..last``, or every backlog month when the period
    lies outside them (the backlog as digitized by now)."""
    lo, hi = max(first or _BACKLOG_FIRST, _BACKLOG_FIRST), min(last or _BACKLOG_LAST, _BACKLOG_LAST)
    return (lo, hi) if lo <= hi else (_BACKLOG_FIRST, _BACKLOG_LAST)


def _backlog(filters: Filters) -> Filters:
    lo, hi = backlog_range(filters.month_from, filters.month_to) or (_BACKLOG_FIRST, _BACKLOG_LAST)
    return replace(filters, month_from=lo, month_to=hi)


def _catalog_applies(filters: Filters) -> bool:
    return not (filters.dimensions() - {"province", "procedure"})


def _end_us(month_to: str | None) -> int:
    """The instant the period ends (exclusive), epoch µs: the catalog as it stood then."""
    if month_to is None:
        return micros_of(datetime.now(UTC))
    year, month = int(month_to[:4]), int(month_to[5:7])
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return micros_of(datetime(year, month, 1, tzinfo=VIETNAM))


def _level_counts(rows: Sequence[tuple[int, int]]) -> Catalog:
    full = partial = offline = 0
    for level, n in rows:
        if level == ev.SERVICE_LEVEL_FULL_ONLINE:
            full += n
        elif level == ev.SERVICE_LEVEL_PARTIAL_ONLINE:
            partial += n
        else:  # offline, or a level the snapshot left unspecified: not offered online
            offline += n
    return Catalog(full, partial, offline)


def catalogs(conn: Connection, filters: Filters, by: str | None = None) -> dict[str, Catalog]:
    """Procedures by service level in each province's last catalog snapshot before the period's end,
    per ``province`` or ``procedure`` (key "" for the sum over every province when ``by`` is None);
    empty when the filters are not the catalog's."""
    if not _catalog_applies(filters):
        return {}
    c = CATALOG.c
    end = _end_us(filters.month_to)
    latest_clauses = [c.as_of < end]
    if filters.province is not None:
        latest_clauses.append(c.province.in_(province_names(filters.province)))
    latest = (
        select(c.province, func.max(c.as_of).label("as_of"))
        .where(*latest_clauses)
        .group_by(c.province)
        .subquery()
    )
    clauses = [and_(c.province == latest.c.province, c.as_of == latest.c.as_of)]
    if filters.procedure is not None:
        clauses.append(c.procedure == filters.procedure)
    key = c.procedure if by == "procedure" else c.province
    statement = (
        select(key, c.level, func.count())
        .select_from(CATALOG.join(latest, and_(*clauses)))
        .group_by(key, c.level)
    )
    per: dict[str, list[tuple[int, int]]] = {}
    for value, level, n in conn.execute(statement):
        per.setdefault("" if by is None else str(value), []).append((int(level), int(n)))
    return {key: _level_counts(rows) for key, rows in per.items()}


def procedures_in_use(
    conn: Connection, filters: Filters, by: str | None = None
) -> dict[str, tuple[int, int]]:
    """Per key of ``by`` (or "" for the total): procedures with a dossier received, and those with a
    dossier that used population data (§4.5a, over procedures)."""
    dims = filters.dimensions() | {"procedure"}
    period_key = by in _PERIOD_KEYS
    if by is not None and not period_key:
        dims |= {by}
    cube = cube_for(dims, whole_years(filters) and by in (None, "year", *dims))
    t = cube.table
    label: ColumnElement[str] = literal("")
    if by is not None and not period_key:
        label = t.c[by]
    elif by == cube.period:  # months of a monthly cube, years of a yearly one
        label = t.c[cube.period]
    elif by == "year":  # years of a monthly cube
        label = func.substr(t.c.month, 1, 4)
    elif by == "quarter":
        number = (cast(func.substr(t.c.month, 6, 2), Integer) + 2) // 3
        label = func.substr(t.c.month, 1, 5).concat("Q").concat(cast(number, String))
    # Summed in the database, not row by row here: a national breakdown by agency reads one row per
    # agency and procedure (~40,000). Each label's procedures are summed first, then counted per label
    # (a procedure counts where its dossiers were received; with population data where any used it).
    per_procedure = (
        select(
            label.label("label"),
            func.sum(t.c.received).label("received"),
            func.sum(t.c.population).label("population"),
        )
        .where(*cube_where(cube, filters))
        .group_by(label, t.c.procedure)
        .subquery()
    )
    p = per_procedure.c
    statement = (
        select(p.label, func.count(), func.sum(case((p.population > 0, 1), else_=0)))
        .where(p.received > 0)
        .group_by(p.label)
    )
    return {str(key): (int(n), int(k)) for key, n, k in conn.execute(statement)}


def context(conn: Connection, filters: Filters) -> Context:
    """What the total's indicators beyond one vector need."""
    before = previous_year(filters)
    used = procedures_in_use(conn, filters).get("", (0, 0))
    catalog = catalogs(conn, filters).get("")
    if catalog is None and _catalog_applies(filters):
        catalog = Catalog()
    return Context(
        previous=None if before is None else queries.totals(conn, before),
        backlog=queries.totals(conn, _backlog(filters)),
        procedures_in_use=used[0],
        procedures_with_population=used[1],
        catalog=catalog,
    )


def indicators(conn: Connection, goals: Mapping[str, float], filters: Filters) -> list[Indicator]:
    """Every indicator of the report for the filters and period."""
    return compute(queries.totals(conn, filters), goals, context(conn, filters))


def _row_period(by: str, key: str) -> tuple[str, str]:
    if by == "month":
        return key, key
    if by == "quarter":
        return queries.parse_period(key)  # type: ignore[return-value]
    return f"{key}-01", f"{key}-12"


def breakdown_contexts(
    conn: Connection, filters: Filters, by: BreakdownBy, keys: Sequence[str]
) -> dict[str, Context]:
    """A context per row of a breakdown (the rows' keys as ``queries.breakdown`` gives them)."""
    used = procedures_in_use(conn, filters, by)
    out: dict[str, Context] = {}
    if by in _PERIOD_KEYS:
        earlier = dict(queries.breakdown(conn, previous_year(filters) or filters, by))
        for key in keys:
            first, last = _row_period(by, key)
            prior_key = year_earlier(key) if by == "month" else f"{int(key[:4]) - 1}{key[4:]}"
            # A row's backlog: its own receipts when it lies in a backlog year, else none.
            in_backlog = int(key[:4]) in BACKLOG_YEARS
            backlog = (
                queries.totals(conn, replace(filters, month_from=first, month_to=last))
                if in_backlog
                else None
            )
            row_filters = replace(filters, month_from=first, month_to=last)
            catalog = catalogs(conn, row_filters).get("", Catalog()) if _catalog_applies(filters) else None
            n, k = used.get(key, (0, 0))
            out[key] = Context(
                previous=earlier.get(prior_key, ZERO),
                backlog=backlog,
                procedures_in_use=n,
                procedures_with_population=k,
                catalog=catalog,
            )
        return out
    before = previous_year(filters)
    earlier = dict(queries.breakdown(conn, before, by)) if before is not None else {}
    backlogs = dict(queries.breakdown(conn, _backlog(filters), by))
    catalog_of = catalogs(conn, filters, by) if by in ("province", "procedure") else {}
    for key in keys:
        n, k = used.get(key, (0, 0))
        catalog = None
        if by in ("province", "procedure") and _catalog_applies(filters):
            catalog = catalog_of.get(key, Catalog())
        out[key] = Context(
            previous=None if before is None else earlier.get(key, ZERO),
            backlog=backlogs.get(key, ZERO),
            procedures_in_use=n,
            procedures_with_population=k,
            catalog=catalog,
        )
    return out


# The targets of a breakdown: the same for every row, or each row's own by its key (a year's, a
# province's).
Goals = Mapping[str, float] | Callable[[str], Mapping[str, float]]


def breakdown(
    conn: Connection, goals: Goals, filters: Filters, by: BreakdownBy
) -> list[tuple[str, list[Indicator]]]:
    rows = queries.breakdown(conn, filters, by)
    contexts = breakdown_contexts(conn, filters, by, [key for key, _ in rows])
    goals_of = goals if callable(goals) else (lambda _: goals)
    return [(key, compute(vector, goals_of(key), contexts[key])) for key, vector in rows]


def breakdown_dicts(
    conn: Connection, goals: Goals, filters: Filters, by: BreakdownBy
) -> list[dict[str, object]]:
    rows = queries.breakdown(conn, filters, by)
    contexts = breakdown_contexts(conn, filters, by, [key for key, _ in rows])
    if not callable(goals):
        return compute_dicts(rows, goals, contexts)
    # Rows sharing their targets are computed together (a few years, a few dozen provinces).
    by_goals: dict[tuple[tuple[str, float], ...], list[tuple[str, Sequence[int]]]] = {}
    for key, vector in rows:
        by_goals.setdefault(tuple(sorted(goals(key).items())), []).append((key, vector))
    computed: dict[str, dict[str, object]] = {}
    for shared, group in by_goals.items():
        for row in compute_dicts(group, dict(shared), contexts):
            computed[str(row["key"])] = row
    return [computed[key] for key, _ in rows]
