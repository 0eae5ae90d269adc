"""Pure handlers: one dossier's state before an event → its state after, and what it adds to the cube.

No I/O here. The same functions drive the database store (``ledger.py``) and the unit tests, so the
figures the tests check by hand are the figures the tracker serves.

A lookup (``DataReused``) counts toward its dossier's population-data use only when the dossier's
receipt confirms it: the same agency, the same procedure, the same applicant as the gateway had bound
when the lookup was made (lookups written before the binding carry none and are not checked on it), a
subject who is the applicant or a relative, and — for a live dossier — made no later than the
resolution. An imported dossier's dates are its old system's while its lookups are today's, so the
two calendars are not compared there. A lookup that does not fit (``misuse_reason``) neither counts nor
vanishes: the misuse report lists it. Which lookups fit is decided against the dossier as it stands,
so a receipt or resolution arriving after the lookup, or a corrected receipt, settles it the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from google.protobuf.timestamp_pb2 import Timestamp

from onceonly.common.events import payload_kind
from onceonly.common.provinces import UnknownProvince, parse_place, recorded_name
from onceonly.events.v1 import events_pb2 as ev
from onceonly.tracker.cube import (
    EPOCH,
    IMPORTED,
    LIVE,
    CellKey,
    Cells,
    add_into,
    day_of,
    delta,
    instant_of,
    month_of,
    timestamp_micros,
)

CHANNELS = {
    ev.CHANNEL_ONLINE: "online",
    ev.CHANNEL_COUNTER: "counter",
    ev.CHANNEL_POSTAL: "postal",
    ev.CHANNEL_UNSPECIFIED: "unspecified",
}
LOCAL = "local"
NON_JURISDICTIONAL = "non_jurisdictional"

_REUSED_STATES = frozenset({ev.COMPONENT_STATE_REUSED_COMPONENT, ev.COMPONENT_STATE_REUSED_RESULT})
_DIGITAL_STATES = frozenset(
    {ev.COMPONENT_STATE_DIGITIZED, ev.COMPONENT_STATE_REUSED_COMPONENT, ev.COMPONENT_STATE_REUSED_RESULT}
)

# Why a lookup does not fit its dossier, in the order they are tested (a lookup gets the first).
OTHER_AGENCY = "other_agency"
OTHER_PROCEDURE = "other_procedure"
OTHER_APPLICANT = "other_applicant"
STRANGER = "stranger"
AFTER_RESOLUTION = "after_resolution"
# Refused by the gateway (outcome DENIED) though it fits on every count above: fields outside the
# procedure's entitlement, say; the event does not carry the gateway's reason.
REFUSED = "refused"
MISUSE_REASONS: tuple[str, ...] = (
    OTHER_AGENCY,
    OTHER_PROCEDURE,
    OTHER_APPLICANT,
    STRANGER,
    AFTER_RESOLUTION,
    REFUSED,
)

# One population-database hit's binding — agency, procedure, bound applicant — and its earliest time.
Hit = tuple[str, str, str, datetime]


@dataclass(frozen=True, slots=True)
class DossierState:
    """What the tracker knows of one dossier; a lookup or a resolution may come before the receipt."""

    dossier_id: str
    received: bool = False
    agency: str = ""
    procedure: str = ""
    province: str = ""
    channel: str = ""
    jurisdiction: str = ""
    received_at: datetime | None = None
    due_at: datetime | None = None
    fee: int = 0
    paid_online: bool = False
    any_reused: bool = False
    all_digital: bool = False
    population_used: bool = False
    resolved_at: datetime | None = None
    result_electronic: bool = False
    # First lookup for this dossier and the agency that made it (the stale-lookups report).
    first_lookup_at: datetime | None = None
    lookup_agency: str = ""
    applicant: str = ""
    origin: str = LIVE
    # The earliest population-database hit per binding, sorted; strangers' hits are never kept.
    population_hits: tuple[Hit, ...] = ()
    # The procedure's service level at receipt, as the receipt states it (an ``ev.ServiceLevel``).
    service_level: int = 0
    # Today's province of ``province`` (which is the province of the receipt's day), the agency's commune
    # and the procedure's sector.
    province_2025: str = ""
    commune: str = ""
    sector: str = ""
    # Avoidable re-asks: components filed on paper or as an upload (national codes 0, 1) for which the
    # applicant held, at receipt, a valid result the component accepts. ``issuers``: the issuing agency
    # of each component reused from a result ("" when the receipt did not name it), sorted.
    # ``residence``: the applicant's home province as the receipt named it.
    reasks: int = 0
    issuers: tuple[str, ...] = ()
    residence: str = ""


def recorded_province(event: ev.DossierReceived) -> str:
    """The receiving agency's province on the day of receipt as the dossier keeps it: one name per
    province whatever the producer's spelling ("Tỉnh Bình Dương", "074"). Receipts written before the
    province of the day was carried give the agency's province as the producer had it."""
    return recorded_name(event.agency_province_at_receipt or event.agency_province)


@lru_cache(maxsize=4096)
def province_today(recorded: str) -> str:
    """Today's (2025) province of a recorded province: Bình Dương is in Hồ Chí Minh; a value that is no
    province stays as it is."""
    try:
        return parse_place(recorded).province_2025
    except UnknownProvince:
        return recorded


def recorded_commune(event: ev.DossierReceived) -> str:
    return " ".join(event.agency_commune.split())


def recorded_sector(event: ev.DossierReceived) -> str:
    return event.procedure_sector.strip()


def _instant(ts: Timestamp, what: str) -> datetime | None:
    micros = timestamp_micros(ts.seconds, ts.nanos, what)
    return None if micros is None else instant_of(micros)


def fits(state: DossierState, agency: str, procedure: str, applicant: str) -> bool:
    """Whether the receipt confirms a lookup's binding (an empty bound applicant: not checked)."""
    return agency == state.agency and procedure == state.procedure and applicant in ("", state.applicant)


def _in_time(state: DossierState, at: datetime) -> bool:
    return state.origin == IMPORTED or state.resolved_at is None or at <= state.resolved_at


def population_used(state: DossierState) -> bool:
    """Some population-database hit fits the received dossier and came no later than its resolution."""
    return state.received and any(
        fits(state, agency, procedure, applicant) and _in_time(state, first)
        for agency, procedure, applicant, first in state.population_hits
    )


def misuse_reason(
    state: DossierState | None, lookup: ev.DataReused, occurred_at: datetime | None
) -> str | None:
    """Why ``lookup`` does not fit its dossier as it stands, or None when it fits; None as well while
    the receipt has not arrived (the stale-lookups report covers those)."""
    if state is None or not state.received:
        return None
    checks = (
        (OTHER_AGENCY, lookup.agency_code != state.agency),
        (OTHER_PROCEDURE, lookup.procedure_code != state.procedure),
        (OTHER_APPLICANT, lookup.applicant_pseudonym not in ("", state.applicant)),
        (STRANGER, lookup.subject_relation == ev.SUBJECT_RELATION_STRANGER),
        (AFTER_RESOLUTION, not _in_time(state, occurred_at or EPOCH)),
        (REFUSED, lookup.outcome == ev.LOOKUP_OUTCOME_DENIED),
    )
    return next((reason for reason, failed in checks if failed), None)


def _settled(state: DossierState) -> DossierState:
    used = population_used(state)
    return state if used == state.population_used else dataclasses.replace(state, population_used=used)


def on_received(
    state: DossierState, event: ev.DossierReceived, occurred_at: datetime | None = None
) -> DossierState:
    # A repeated receipt replaces the earlier one: the last word on a dossier's facts wins.
    components = event.components
    received_at = _instant(event.received_at, "received_at")
    due_at = _instant(event.due_at, "due_at")
    province = recorded_province(event)
    return _settled(
        dataclasses.replace(
            state,
            received=True,
            agency=event.agency_code,
            procedure=event.procedure_code,
            province=province,
            province_2025=province_today(province),
            commune=recorded_commune(event),
            sector=recorded_sector(event),
            channel=CHANNELS.get(event.channel, "unspecified"),
            jurisdiction=NON_JURISDICTIONAL if event.non_jurisdictional else LOCAL,
            # A producer that leaves received_at unset still dated the event itself.
            received_at=occurred_at if received_at is None else received_at,
            due_at=due_at,
            fee=event.fee,
            paid_online=event.fee > 0 and event.fee_paid_online,
            any_reused=any(c.state in _REUSED_STATES for c in components),
            # A dossier with no input component holds nothing on paper either.
            all_digital=all(c.state in _DIGITAL_STATES for c in components),
            applicant=event.applicant_pseudonym,
            # Records written before the origin existed read as live.
            origin=IMPORTED if event.origin == ev.DOSSIER_ORIGIN_IMPORTED else LIVE,
            service_level=event.service_level,
            reasks=reasks_of(components),
            issuers=issuers_of(components),
            residence=recorded_name(event.applicant_residence_province),
        )
    )


_ASKED_STATES = frozenset({ev.COMPONENT_STATE_NOT_DIGITIZED, ev.COMPONENT_STATE_DIGITIZED})


def reasks_of(components: Iterable[ev.DossierComponent]) -> int:
    """Components asked again though a result the applicant held would have served."""
    return sum(1 for c in components if c.state in _ASKED_STATES and c.reusable_result_available)


def issuers_of(components: Iterable[ev.DossierComponent]) -> tuple[str, ...]:
    """The issuer of each component reused from a result, sorted."""
    return tuple(
        sorted(c.result_issuer.strip() for c in components if c.state == ev.COMPONENT_STATE_REUSED_RESULT)
    )


def _with_hit(
    hits: tuple[Hit, ...], agency: str, procedure: str, applicant: str, at: datetime
) -> tuple[Hit, ...]:
    kept: list[Hit] = []
    for hit in hits:
        if hit[:3] == (agency, procedure, applicant):
            if hit[3] <= at:
                return hits
            continue
        kept.append(hit)
    kept.append((agency, procedure, applicant, at))
    return tuple(sorted(kept))


def on_reused(state: DossierState, event: ev.DataReused, occurred_at: datetime | None) -> DossierState:
    hits = state.population_hits
    if (
        event.source == ev.DATA_SOURCE_POPULATION_DATABASE
        and event.outcome == ev.LOOKUP_OUTCOME_HIT
        and event.subject_relation != ev.SUBJECT_RELATION_STRANGER
    ):
        at = occurred_at or EPOCH
        hits = _with_hit(hits, event.agency_code, event.procedure_code, event.applicant_pseudonym, at)
    first, agency = state.first_lookup_at, state.lookup_agency
    if occurred_at is not None and (first is None or occurred_at < first):
        first, agency = occurred_at, event.agency_code
    if (hits, first, agency) == (state.population_hits, state.first_lookup_at, state.lookup_agency):
        return state
    return _settled(
        dataclasses.replace(state, population_hits=hits, first_lookup_at=first, lookup_agency=agency)
    )


def on_resolved(
    state: DossierState, event: ev.DossierResolved, occurred_at: datetime | None = None
) -> DossierState:
    resolved_at = _instant(event.resolved_at, "resolved_at")
    if resolved_at is None:
        resolved_at = occurred_at
    return _settled(
        dataclasses.replace(state, resolved_at=resolved_at, result_electronic=event.result_electronic)
    )


def apply(state: DossierState | None, envelope: ev.Envelope) -> DossierState:
    """The dossier's state after ``envelope``; ``state`` is None for a dossier not seen before.

    ``OutOfRange`` for an envelope carrying an instant outside the tracker's calendar.
    """
    kind = payload_kind(envelope)
    occurred_at = _instant(envelope.occurred_at, "occurred_at")
    if kind == "dossier_received":
        payload_r = envelope.dossier_received
        return on_received(state or DossierState(payload_r.dossier_id), payload_r, occurred_at)
    if kind == "data_reused":
        payload_u = envelope.data_reused
        return on_reused(state or DossierState(payload_u.dossier_id), payload_u, occurred_at)
    if kind == "dossier_resolved":
        payload_s = envelope.dossier_resolved
        return on_resolved(state or DossierState(payload_s.dossier_id), payload_s, occurred_at)
    raise ValueError(f"envelope {envelope.event_id!r} carries no known payload")


# Kinds that are about one dossier; a catalog snapshot is about a province's catalog (``catalog_rows``).
DOSSIER_KINDS = frozenset({"dossier_received", "data_reused", "dossier_resolved"})

# One procedure of a catalog snapshot as the store keeps it: province, as of (epoch µs), procedure, level.
CatalogRow = tuple[str, int, str, int]


def catalog_rows(envelope: ev.Envelope) -> list[CatalogRow]:
    """A catalog snapshot's procedures, dated by its ``as_of`` (the envelope's time when unset); the
    province under the name dossiers record it by. A procedure listed twice keeps its last level."""
    snapshot = envelope.catalog_snapshot
    as_of = timestamp_micros(snapshot.as_of.seconds, snapshot.as_of.nanos, "as_of")
    if as_of is None:
        as_of = timestamp_micros(envelope.occurred_at.seconds, envelope.occurred_at.nanos, "occurred_at")
    province = recorded_name(snapshot.province)
    levels = {entry.procedure_code: int(entry.service_level) for entry in snapshot.entries}
    return [(province, as_of or 0, code, level) for code, level in sorted(levels.items())]


def dossier_id_of(envelope: ev.Envelope) -> str:
    kind = payload_kind(envelope)
    if kind is None:
        raise ValueError(f"envelope {envelope.event_id!r} carries no known payload")
    return str(getattr(envelope, kind).dossier_id)


def contribution(state: DossierState | None) -> Cells:
    """The cube counters this dossier accounts for; nothing until its receipt has arrived."""
    if state is None or not state.received or state.received_at is None:
        return {}
    dims = (
        state.agency,
        state.procedure,
        state.province,
        state.channel,
        state.jurisdiction,
        state.commune,
        state.sector,
        state.province_2025,
        state.origin,
    )
    receipt_key: CellKey = (month_of(state.received_at), *dims)
    has_fee = state.fee > 0
    receipt = (
        1,
        int(state.any_reused),
        int(state.population_used),
        int(state.all_digital),
        int(state.channel == "online"),
        int(has_fee),
        int(has_fee and state.paid_online),
        int(state.jurisdiction == NON_JURISDICTIONAL),
        0,
        0,
        0,
        int(state.channel == "online" and state.service_level == ev.SERVICE_LEVEL_FULL_ONLINE),
        0,
    )
    if state.resolved_at is None:
        return {receipt_key: receipt}
    # No due date means the procedure sets no deadline, so it cannot be late.
    on_time = state.due_at is None or state.resolved_at <= state.due_at
    early = state.due_at is not None and day_of(state.resolved_at) < day_of(state.due_at)
    resolution = (0,) * 8 + (1, int(state.result_electronic), int(on_time), 0, int(early))
    resolution_key: CellKey = (month_of(state.resolved_at), *dims)
    if resolution_key == receipt_key:
        return {receipt_key: tuple(a + b for a, b in zip(receipt, resolution, strict=True))}
    return {receipt_key: receipt, resolution_key: resolution}


# Where reuse comes from, and what could have been reused (``tracker_reuse_flow``), counted in the
# receipt's month per agency, procedure, province (of the day) and origin:
# - ``reask``: dossiers with an avoidable re-ask, and their re-asked components (source "");
# - ``issuer``: per issuing agency (source), the dossiers reusing its results, and the results reused;
# - ``home``: non-jurisdictional dossiers per applicant's home province (source), and those of them
#   that reused data (a stored result or another dossier's component).
REASK, ISSUER, HOME = "reask", "issuer", "home"
FLOW_KINDS: tuple[str, ...] = (REASK, ISSUER, HOME)
# kind, month, source, agency, procedure, province, origin
FlowKey = tuple[str, str, str, str, str, str, str]
Flows = dict[FlowKey, tuple[int, int]]


def flows(state: DossierState | None) -> Flows:
    """The reuse-flow counters this dossier accounts for (dossiers, count); nothing before its receipt."""
    if state is None or not state.received or state.received_at is None:
        return {}
    month = month_of(state.received_at)
    where = (state.agency, state.procedure, state.province, state.origin)
    out: Flows = {}
    if state.reasks:
        out[(REASK, month, "", *where)] = (1, state.reasks)
    for issuer in sorted(set(state.issuers)):
        out[(ISSUER, month, issuer, *where)] = (1, state.issuers.count(issuer))
    if state.jurisdiction == NON_JURISDICTIONAL:
        out[(HOME, month, state.residence, *where)] = (1, int(state.any_reused))
    return out


def replay_flows(states: Iterable[DossierState]) -> dict[FlowKey, list[int]]:
    """The reuse flows of dossiers as they stand (what the store's deltas add up to)."""
    total: dict[FlowKey, list[int]] = {}
    for state in states:
        for key, (dossiers, count) in flows(state).items():
            cell = total.setdefault(key, [0, 0])
            cell[0] += dossiers
            cell[1] += count
    return total


def replay(
    envelopes: Iterable[ev.Envelope], states: dict[str, DossierState] | None = None
) -> tuple[dict[str, DossierState], dict[CellKey, list[int]]]:
    """Fold events into dossier states and cube cells in memory (the store does the same in SQL)."""
    states = {} if states is None else states
    cells: dict[CellKey, list[int]] = {}
    for envelope in envelopes:
        if payload_kind(envelope) not in DOSSIER_KINDS:
            continue  # A catalog snapshot (no dossier), or a kind from a newer producer: skipped.
        key = dossier_id_of(envelope)
        old = states.get(key)
        new = apply(old, envelope)
        states[key] = new
        for cell, vector in delta(contribution(old), contribution(new)).items():
            add_into(cells, cell, vector)
    return states, cells
