"""The dossiers behind a figure, and the names beside the codes.

A figure of ``/v1/indicators`` (or of a breakdown's cell: its filters plus the row's key) is a count
of dossiers; ``GET /v1/dossiers`` lists them, from the per-dossier states the cubes are summed from,
under the same rules (``handlers.contribution``): a receipt measure by the month of receipt, a
resolution measure by the month of resolution, both in Vietnam time. With ``counted=true`` it lists the
figure's numerator, with ``counted=false`` the rest of its denominator (the dossiers that miss it: not
reused, late, on paper), and without ``counted`` the whole denominator. Subjects appear only as the
pseudonym the events carry; the tracker never holds a personal id.

Some figures are no set of dossiers: the paper cut's numerator is a difference of two counts (its
denominator, the paper dossiers a year earlier, is listed), and the procedures-offered figures count
the catalog's procedures. Asking for their dossiers is a 422 that says where to look instead.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Connection, and_, false, func, not_, or_, select, true

from onceonly.common.events import NationalComponentState, national_code
from onceonly.common.working_days import VIETNAM
from onceonly.events.v1 import events_pb2 as ev
from onceonly.tracker import labels, report
from onceonly.tracker.api import PROBLEMS, ConnectionDep, FiltersDep
from onceonly.tracker.cube import DIMENSIONS, instant_of, micros_of
from onceonly.tracker.indicators import INDICATORS
from onceonly.tracker.problems import InvalidPageToken, NoDossiers, UnknownIndicator
from onceonly.tracker.queries import Filters, province_names
from onceonly.tracker.schemas import Period
from onceonly.tracker.store import DOSSIER, NAME, RECEIPT

_DAY_US = 86_400 * 1_000_000
# A civil day's number (Vietnam time) in SQL, shifted so that every instant of the tracker's calendar
# (from 1900) is positive: integer division then floors on every store, as ``cube.day_of_us`` does.
_DAY_SHIFT_US = 7 * 3600 * 1_000_000 + 40_000 * _DAY_US

Basis = Literal["receipt", "resolution"]


@dataclass(frozen=True, slots=True)
class Rule:
    """Which dossiers a figure counts: the ones of its basis in the period with ``denominator``, and
    of those the ones with ``numerator`` (None: the numerator is no set of dossiers)."""

    basis: Basis
    denominator: ColumnElement[bool]
    numerator: ColumnElement[bool] | None


def _day(column: Any) -> Any:
    return (column + _DAY_SHIFT_US) / _DAY_US


def _rules() -> dict[str, Rule]:
    d = DOSSIER.c
    digital, online = d.all_digital.is_(True), d.channel == "online"
    on_time = or_(d.due_at.is_(None), d.resolved_at <= d.due_at)
    return {
        "reuse_rate": Rule("receipt", true(), d.any_reused.is_(True)),
        "population_data_use_rate": Rule("receipt", true(), d.population_used.is_(True)),
        "input_digitization_rate": Rule("receipt", true(), digital),
        "output_digitization_rate": Rule("resolution", true(), d.result_electronic.is_(True)),
        "online_dossier_rate": Rule("receipt", true(), online),
        "online_payment_rate": Rule("receipt", d.fee > 0, d.paid_online.is_(True)),
        "on_time_rate": Rule("resolution", true(), on_time),
        "non_jurisdictional_share": Rule("receipt", true(), d.jurisdiction == "non_jurisdictional"),
        "full_online_share": Rule("receipt", online, d.service_level == ev.SERVICE_LEVEL_FULL_ONLINE),
        "early_rate": Rule(
            "resolution", true(), and_(d.due_at.is_not(None), _day(d.resolved_at) < _day(d.due_at))
        ),
        "late_rate": Rule("resolution", true(), not_(on_time)),
        # The paper dossiers of the same months a year earlier (the period is moved, see ``_period``).
        "paper_dossier_reduction": Rule("receipt", not_(digital), None),
        "backlog_digitization_rate": Rule("receipt", true(), digital),
        # Over procedures: the dossiers of the procedures in use, those of procedures with a dossier
        # that used population data (``_numerator``).
        "population_procedure_share": Rule("receipt", true(), d.population_used.is_(True)),
    }


RULES = _rules()
CATALOG_FIGURES = frozenset(INDICATORS) - set(RULES)
# Listed by default: every dossier received in the period (the reuse rate's denominator).
DEFAULT_INDICATOR = "reuse_rate"


class ComponentOut(BaseModel):
    code: str
    state: str = Field(examples=["reused_result"])
    national_code: int | None = Field(
        description="0 not digitized, 1 digitized, 2 reused from another dossier's component, 3 reused "
        "from an earlier result; null when the receipt did not say."
    )


class DossierOut(BaseModel):
    dossier_id: str = Field(examples=["SOTP-BD-240506-000001"])
    counted: bool = Field(description="In the figure's numerator (not only its denominator).")
    agency: str
    agency_name: str
    procedure: str
    procedure_name: str
    procedure_name_en: str
    province: str = Field(description="The agency's province on the day of receipt.")
    province_2025: str
    commune: str
    sector: str
    channel: str
    jurisdiction: str
    origin: str
    received_at: datetime | None
    due_at: datetime | None
    resolved_at: datetime | None
    applicant_pseudonym: str = Field(description="The applicant as a keyed pseudonym, never the id.")
    components: list[ComponentOut] | None = Field(
        description="As the last receipt gave them; null for receipts stored before they were kept."
    )


class DossierPage(BaseModel):
    indicator: str
    counted: bool | None
    basis: str = Field(description="receipt or resolution: which date the period applies to.")
    period: Period = Field(description="The months listed (a year earlier for the paper cut).")
    filters: dict[str, str]
    total: int = Field(description="Dossiers that match, on every page.")
    dossiers: list[DossierOut]
    next_page_token: str = Field(description="For the next page; empty on the last.")


class NameOut(BaseModel):
    vi: str
    en: str


class Names(BaseModel):
    indicators: dict[str, NameOut]
    dimensions: dict[str, NameOut]
    values: dict[str, dict[str, NameOut]] = Field(
        description="Per dimension, its fixed values' names (channels, jurisdictions, sectors ...)."
    )
    agency: dict[str, NameOut] = Field(description="As the latest receipt named them.")
    procedure: dict[str, NameOut]


def _month_start(month: str) -> int:
    return micros_of(datetime(int(month[:4]), int(month[5:7]), 1, tzinfo=VIETNAM))


def _after(month: str) -> int:
    year, number = int(month[:4]), int(month[5:7])
    return _month_start(f"{year + number // 12:04d}-{number % 12 + 1:02d}")


def _period(indicator: str, f: Filters) -> tuple[str | None, str | None]:
    if indicator == "paper_dossier_reduction":
        before = report.previous_year(f)
        if before is None:
            raise NoDossiers("the paper cut compares a period with a year earlier: give a period")
        return before.month_from, before.month_to
    if indicator == "backlog_digitization_rate":
        return report.backlog_range(f.month_from, f.month_to) or (None, None)
    return f.month_from, f.month_to


def _where(f: Filters, rule: Rule, first: str | None, last: str | None) -> list[ColumnElement[bool]]:
    d = DOSSIER.c
    clauses: list[ColumnElement[bool]] = [d.received.is_(True), d.received_at.is_not(None)]
    for name in sorted(f.dimensions()):
        value = getattr(f, name)
        column = d[name]
        clauses.append(column.in_(province_names(value)) if name == "province" else column == value)
    at = d.received_at if rule.basis == "receipt" else d.resolved_at
    if rule.basis == "resolution":
        clauses.append(d.resolved_at.is_not(None))
    if first:
        clauses.append(at >= _month_start(first))
    if last:
        clauses.append(at < _after(last))
    clauses.append(rule.denominator)
    return clauses


def _numerator(indicator: str, rule: Rule, where: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    if rule.numerator is None:
        return false()
    if indicator != "population_procedure_share":
        return rule.numerator
    d = DOSSIER.c
    used = select(d.procedure).where(*where, d.population_used.is_(True)).distinct()
    return d.procedure.in_(used.scalar_subquery())


def _token(dossier_id: str) -> str:
    return base64.urlsafe_b64encode(dossier_id.encode()).decode().rstrip("=")


def _after_token(token: str) -> str:
    try:
        return base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True).decode()
    except ValueError:  # not base64 (binascii.Error), not ASCII, or not UTF-8 once decoded
        raise InvalidPageToken("page_token is not a token this tracker issued") from None


def _components(text: str | None) -> list[ComponentOut] | None:
    if text is None:
        return None
    out = []
    for code, state in orjson.loads(text):
        try:
            national: NationalComponentState | None = national_code(state)
        except ValueError:  # the receipt did not say, or a state this version does not know
            national = None
        name = national.name.lower() if national is not None else "unspecified"
        out.append(ComponentOut(code=code, state=name, national_code=national))
    return out


def dossiers(
    conn: Connection,
    f: Filters,
    indicator: str,
    counted: bool | None,
    *,
    page_size: int,
    page_token: str = "",
) -> DossierPage:
    if indicator in CATALOG_FIGURES:
        raise NoDossiers(f"{indicator} counts the procedures of the catalog, not dossiers")
    if indicator not in RULES:
        raise UnknownIndicator(f"{indicator!r} is no indicator")
    rule = RULES[indicator]
    if rule.numerator is None and counted is not None:
        raise NoDossiers(
            f"the numerator of {indicator} is a difference of two counts; its denominator (no counted) "
            "lists the paper dossiers a year earlier, input_digitization_rate with counted=false "
            "those of the period"
        )
    first, last = _period(indicator, f)
    where = _where(f, rule, first, last)
    numerator = _numerator(indicator, rule, where)
    chosen = [*where]
    if counted is True:
        chosen.append(numerator)
    elif counted is False:
        chosen.append(not_(numerator))
    d, r = DOSSIER.c, RECEIPT.c
    total = int(conn.execute(select(func.count()).select_from(DOSSIER).where(*chosen)).scalar_one())
    agency_names, procedure_names = NAME.alias("agency_name"), NAME.alias("procedure_name")
    page = [*chosen]
    if page_token:
        page.append(d.dossier_id > _after_token(page_token))
    statement = (
        select(
            d.dossier_id,
            numerator.label("counted"),
            d.agency,
            d.procedure,
            d.province,
            d.province_2025,
            d.commune,
            d.sector,
            d.channel,
            d.jurisdiction,
            d.origin,
            d.received_at,
            d.due_at,
            d.resolved_at,
            d.applicant,
            r.components,
            agency_names.c.name.label("agency_name"),
            procedure_names.c.name.label("procedure_name"),
            procedure_names.c.name_en.label("procedure_name_en"),
        )
        .select_from(
            DOSSIER.outerjoin(RECEIPT, r.dossier_id == d.dossier_id)
            .outerjoin(agency_names, and_(agency_names.c.kind == "agency", agency_names.c.code == d.agency))
            .outerjoin(
                procedure_names,
                and_(procedure_names.c.kind == "procedure", procedure_names.c.code == d.procedure),
            )
        )
        .where(*page)
        .order_by(d.dossier_id)
        .limit(page_size + 1)
    )
    rows = conn.execute(statement).all()
    listed = [
        DossierOut(
            dossier_id=row.dossier_id,
            counted=bool(row.counted),
            agency=row.agency,
            agency_name=row.agency_name or "",
            procedure=row.procedure,
            procedure_name=row.procedure_name or "",
            procedure_name_en=row.procedure_name_en or "",
            province=row.province,
            province_2025=row.province_2025,
            commune=row.commune,
            sector=row.sector,
            channel=row.channel,
            jurisdiction=row.jurisdiction,
            origin=row.origin,
            received_at=None if row.received_at is None else instant_of(row.received_at),
            due_at=None if row.due_at is None else instant_of(row.due_at),
            resolved_at=None if row.resolved_at is None else instant_of(row.resolved_at),
            applicant_pseudonym=row.applicant,
            components=_components(row.components),
        )
        for row in rows[:page_size]
    ]
    return DossierPage(
        indicator=indicator,
        counted=counted,
        basis=rule.basis,
        period=Period(from_=first, to=last),
        filters=f.chosen(),
        total=total,
        dossiers=listed,
        next_page_token=_token(listed[-1].dossier_id) if len(rows) > page_size else "",
    )


def names(conn: Connection) -> Names:
    def both(label: labels.Label) -> NameOut:
        return NameOut(vi=label.vi, en=label.en)

    found: dict[str, dict[str, NameOut]] = {"agency": {}, "procedure": {}}
    n = NAME.c
    for kind, code, name, name_en in conn.execute(select(n.kind, n.code, n.name, n.name_en)):
        # An agency's name is a proper name: the same in both languages.
        found.setdefault(kind, {})[code] = NameOut(vi=name, en=name_en or name)
    return Names(
        indicators={name: both(labels.indicator_label(name)) for name in INDICATORS},
        dimensions={
            by: both(label) for by, label in labels.DIMENSION_LABELS.items() if by in (*DIMENSIONS, *_PERIODS)
        },
        values={by: {k: both(v) for k, v in values.items()} for by, values in labels.VALUE_LABELS.items()},
        agency=found["agency"],
        procedure=found["procedure"],
    )


_PERIODS = ("month", "quarter", "year")

router = APIRouter(prefix="/v1", tags=["dossiers"], responses=PROBLEMS)  # type: ignore[arg-type]


@router.get("/dossiers")
def get_dossiers(
    conn: ConnectionDep,
    f: FiltersDep,
    indicator: Annotated[
        str, Query(description="The figure whose dossiers to list", examples=["reuse_rate"])
    ] = DEFAULT_INDICATOR,
    counted: Annotated[
        bool | None,
        Query(description="true: its numerator; false: the rest of its denominator; absent: all of it"),
    ] = None,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
    page_token: Annotated[str, Query(max_length=400, description="next_page_token of the page before")] = "",
) -> DossierPage:
    """The dossiers behind a figure for the filters and period (a breakdown's cell: its filters plus the
    row's key), in dossier-id order: id, agency, procedure (with their names), places, dates and
    component states; the applicant as a pseudonym."""
    return dossiers(conn, f, indicator, counted, page_size=page_size, page_token=page_token)


@router.get("/names", tags=["indicators"])
def get_names(conn: ConnectionDep) -> Names:
    """Names beside the codes the figures use, in Vietnamese and English: indicators, dimensions, fixed
    values, and the agencies and procedures as receipts named them."""
    return names(conn)


# A filter on a dimension the drill-down reads off the dossier's state must be one of its columns.
assert set(DIMENSIONS) <= {c.name for c in DOSSIER.columns}
