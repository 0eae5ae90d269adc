"""The tracker's dossier rules: one dossier's state before an event → its state after, and what it adds
to the cube and to the reuse flows.

No I/O here. The rules are written once, over a dossier's state row (a list in ``FIELDS`` order, the
``tracker_dossier`` columns, instants in integer µs since the epoch): that form is what the database
store folds batches with (``ledger.py``, the hot path of ``consume`` and ``rebuild``), and the typed
:class:`DossierState` the unit tests and :func:`replay` work with is that row read back. So the figures
the tests check by hand are the figures the tracker serves.

A lookup (``DataReused``) counts toward its dossier's population-data use only when the dossier's
receipt confirms it: the same agency, the same procedure, the same applicant as the gateway had bound
when the lookup was made (lookups written before the binding carry none and are not checked on it), a
subject who is the applicant or a relative, and — for a live dossier — made no later than the
resolution. An imported dossier's dates are its old system's while its lookups are today's, so the
two calendars are not compared there. A lookup that does not fit (``misuse_reason``) neither counts nor
vanishes: the misuse report lists it. Which lookups fit is decided against the dossier as it stands,
so a receipt or resolution arriving after the lookup, or a corrected receipt, settles it the same way.

For speed (see ``ledger.py``): a state row is mutated in place rather than a frozen dataclass rebuilt
on every event; its population-database hits travel as one JSON text, decoded only for the dossiers a
batch touches; and whether a dossier used population data is settled once per touched dossier at the
end of a fold, against its receipt as it then stands.
"""

from __future__ import annotations

import dataclasses
import typing
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson
from google.protobuf.timestamp_pb2 import Timestamp

from onceonly.common.events import dossier_id, payload_kind
from onceonly.common.provinces import UnknownProvince, parse_place, recorded_name
from onceonly.events.v1 import events_pb2 as ev
from onceonly.tracker.cube import (
    IMPORTED,
    LIVE,
    N_MEASURES,
    CellKey,
    Cells,
    Measure,
    add_into,
    day_of_us,
    delta,
    instant_of,
    micros_of,
    month_of_us,
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
_POPULATION_DB = ev.DATA_SOURCE_POPULATION_DATABASE
_HIT = ev.LOOKUP_OUTCOME_HIT
_STRANGER = ev.SUBJECT_RELATION_STRANGER
_IMPORTED_ORIGIN = ev.DOSSIER_ORIGIN_IMPORTED
_FULL_ONLINE = ev.SERVICE_LEVEL_FULL_ONLINE

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
    """What the tracker knows of one dossier; a lookup or a resolution may come before the receipt.

    The one definition of a dossier's state: its fields, in order, are the ``tracker_dossier`` columns
    (``store.DOSSIER``) and a state row's slots (``FIELDS``); in a row and in the store, an instant is
    integer µs since the epoch and a tuple is JSON text ("" when empty).
    """

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
    # The receipt's applicant (pseudonym) and origin (``live`` or ``imported``).
    applicant: str = ""
    origin: str = LIVE
    # The population-database hits made for this dossier that could count for it, whatever its receipt
    # says (see ``population_used``): the earliest hit per binding, sorted; strangers' hits are never
    # kept. Stored as JSON, a sorted list of [agency, procedure, bound applicant, earliest µs].
    population_hits: tuple[Hit, ...] = ()
    # The procedure's service level at receipt, as the receipt states it (an ``ev.ServiceLevel``; 0 when
    # the receipt did not say).
    service_level: int = 0
    # Today's province of ``province`` (which is the province of the receipt's day), the agency's commune
    # and the procedure's sector ("" when the receipt did not state them).
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


# -- the state row ----------------------------------------------------------------------------------

FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(DossierState))
_HINTS = typing.get_type_hints(DossierState)
# The fields holding an instant (µs in a row and in the store) and the booleans (0 or 1 from SQLite).
INSTANTS: tuple[str, ...] = tuple(name for name in FIELDS if _HINTS[name] == datetime | None)
_INSTANT_SLOTS = tuple(FIELDS.index(name) for name in INSTANTS)
_BOOLEANS = frozenset(name for name in FIELDS if _HINTS[name] is bool)
_slot = FIELDS.index
# The slots the rules read and write, by name (a field added to DossierState needs nothing here).
_ID = _slot("dossier_id")
_RECEIVED = _slot("received")
_AGENCY = _slot("agency")
_PROCEDURE = _slot("procedure")
_PROVINCE = _slot("province")
_CHANNEL = _slot("channel")
_JURISDICTION = _slot("jurisdiction")
_RECEIVED_AT = _slot("received_at")
_DUE_AT = _slot("due_at")
_FEE = _slot("fee")
_PAID_ONLINE = _slot("paid_online")
_ANY_REUSED = _slot("any_reused")
_ALL_DIGITAL = _slot("all_digital")
_POPULATION = _slot("population_used")
_RESOLVED_AT = _slot("resolved_at")
_ELECTRONIC = _slot("result_electronic")
_FIRST_LOOKUP = _slot("first_lookup_at")
_LOOKUP_AGENCY = _slot("lookup_agency")
_APPLICANT = _slot("applicant")
_ORIGIN = _slot("origin")
_HITS = _slot("population_hits")
_SERVICE_LEVEL = _slot("service_level")
_PROVINCE_2025 = _slot("province_2025")
_COMMUNE = _slot("commune")
_SECTOR = _slot("sector")
_REASKS = _slot("reasks")
_ISSUERS = _slot("issuers")
_RESIDENCE = _slot("residence")

# A population hit in a row: binding and earliest time in µs, as in the JSON of its population_hits.
RowHit = list[Any]


def _hits_of(text: str) -> list[RowHit]:
    hits: list[RowHit] = orjson.loads(text) if text else []
    return hits


def _hits_text(hits: list[RowHit]) -> str:
    return orjson.dumps(sorted(hits)).decode() if hits else ""


def _issuers_text(issuers: Sequence[str]) -> str:
    return orjson.dumps(list(issuers)).decode() if issuers else ""


def state_row(state: DossierState) -> tuple[Any, ...]:
    """A state as the store keeps it (``FIELDS`` order)."""
    row: list[Any] = [getattr(state, name) for name in FIELDS]
    for i in _INSTANT_SLOTS:
        if row[i] is not None:
            row[i] = micros_of(row[i])
    row[_HITS] = _hits_text([[a, p, b, micros_of(t)] for a, p, b, t in state.population_hits])
    row[_ISSUERS] = _issuers_text(state.issuers)
    return tuple(row)


def state_of(row: Sequence[Any]) -> DossierState:
    """The state a stored row holds (``state_row`` read back)."""
    values: dict[str, Any] = {
        name: bool(v) if name in _BOOLEANS else v for name, v in zip(FIELDS, row, strict=True)
    }
    for name in INSTANTS:
        if values[name] is not None:
            values[name] = instant_of(values[name])
    values["population_hits"] = tuple((a, p, b, instant_of(t)) for a, p, b, t in _hits_of(row[_HITS]))
    values["issuers"] = tuple(orjson.loads(row[_ISSUERS])) if row[_ISSUERS] else ()
    return DossierState(**values)


# The row of a dossier not seen before, but its id.
_EMPTY_TAIL: tuple[Any, ...] = state_row(DossierState(""))[1:]


def empty_row(dossier_id: str) -> list[Any]:
    return [dossier_id, *_EMPTY_TAIL]


# -- the rules, over a state row --------------------------------------------------------------------


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


_ASKED_STATES = frozenset({ev.COMPONENT_STATE_NOT_DIGITIZED, ev.COMPONENT_STATE_DIGITIZED})


def reasks_of(components: Iterable[ev.DossierComponent]) -> int:
    """Components asked again though a result the applicant held would have served."""
    return sum(1 for c in components if c.state in _ASKED_STATES and c.reusable_result_available)


def issuers_of(components: Iterable[ev.DossierComponent]) -> tuple[str, ...]:
    """The issuer of each component reused from a result, sorted."""
    return tuple(
        sorted(c.result_issuer.strip() for c in components if c.state == ev.COMPONENT_STATE_REUSED_RESULT)
    )


def stamp_micros(ts: Timestamp, what: str) -> int | None:
    """A protobuf Timestamp as epoch µs; None when unset; ``OutOfRange`` outside the calendar."""
    seconds: int = ts.seconds
    nanos: int = ts.nanos
    if seconds == 0 and nanos == 0:
        return None
    return timestamp_micros(seconds, nanos, what)


def _same_applicant(s: Sequence[Any], applicant: str) -> bool:
    """A lookup's bound applicant is the receipt's (an empty one, written before the binding: not
    checked)."""
    return applicant in ("", s[_APPLICANT])


def _fits(s: Sequence[Any], agency: str, procedure: str, applicant: str) -> bool:
    """Whether the receipt confirms a lookup's binding."""
    return agency == s[_AGENCY] and procedure == s[_PROCEDURE] and _same_applicant(s, applicant)


def _in_time(s: Sequence[Any], at: int) -> bool:
    resolved = s[_RESOLVED_AT]
    return resolved is None or s[_ORIGIN] == IMPORTED or at <= resolved


def _population(s: Sequence[Any], hits: list[RowHit]) -> bool:
    """Some population-database hit fits the received dossier and came no later than its resolution."""
    if s[_RECEIVED]:
        for hit in hits:
            if _fits(s, hit[0], hit[1], hit[2]) and _in_time(s, hit[3]):
                return True
    return False


def _add_hit(hits: list[RowHit], agency: str, procedure: str, applicant: str, at: int) -> bool:
    """Keep the earliest hit per binding; whether ``hits`` changed."""
    for hit in hits:
        if hit[0] == agency and hit[1] == procedure and hit[2] == applicant:
            if hit[3] <= at:
                return False
            hit[3] = at
            return True
    hits.append([agency, procedure, applicant, at])
    return True


def _receive(s: list[Any], r: ev.DossierReceived, occurred: int | None) -> None:
    # A repeated receipt replaces the earlier one: the last word on a dossier's facts wins.
    fee = r.fee
    states_of = [c.state for c in r.components]
    received_at = stamp_micros(r.received_at, "received_at")
    s[_RECEIVED] = True
    s[_AGENCY] = r.agency_code
    s[_PROCEDURE] = r.procedure_code
    province = s[_PROVINCE] = recorded_province(r)
    s[_PROVINCE_2025] = province_today(province)
    s[_COMMUNE] = recorded_commune(r)
    s[_SECTOR] = recorded_sector(r)
    s[_CHANNEL] = CHANNELS.get(r.channel, "unspecified")
    s[_JURISDICTION] = NON_JURISDICTIONAL if r.non_jurisdictional else LOCAL
    s[_DUE_AT] = stamp_micros(r.due_at, "due_at")
    # A producer that leaves received_at unset still dated the event itself.
    s[_RECEIVED_AT] = occurred if received_at is None else received_at
    s[_FEE] = fee
    s[_PAID_ONLINE] = fee > 0 and r.fee_paid_online
    s[_ANY_REUSED] = any(c in _REUSED_STATES for c in states_of)
    # A dossier with no input component holds nothing on paper either.
    s[_ALL_DIGITAL] = all(c in _DIGITAL_STATES for c in states_of)
    s[_APPLICANT] = r.applicant_pseudonym
    # Records written before the origin existed read as live.
    s[_ORIGIN] = IMPORTED if r.origin == _IMPORTED_ORIGIN else LIVE
    s[_SERVICE_LEVEL] = r.service_level
    s[_REASKS] = reasks_of(r.components)
    s[_ISSUERS] = _issuers_text(issuers_of(r.components))
    s[_RESIDENCE] = recorded_name(r.applicant_residence_province)


def _reuse(
    s: list[Any], u: ev.DataReused, occurred: int | None, hits: dict[str, list[RowHit]], event_id: str
) -> tuple[Any, ...]:
    """Fold a lookup into its dossier's row; returns the lookup's own row (``store.LOOKUP``'s columns)."""
    dossier_id = s[_ID]
    if u.source == _POPULATION_DB and u.outcome == _HIT and u.subject_relation != _STRANGER:
        mine = hits.get(dossier_id)
        if mine is None:
            mine = _hits_of(s[_HITS])
        if _add_hit(mine, u.agency_code, u.procedure_code, u.applicant_pseudonym, occurred or 0):
            hits[dossier_id] = mine
    first = s[_FIRST_LOOKUP]
    if occurred is not None and (first is None or occurred < first):
        s[_FIRST_LOOKUP] = occurred
        s[_LOOKUP_AGENCY] = u.agency_code
    return (
        event_id, dossier_id, u.agency_code, u.source, u.outcome, occurred or 0,
        u.procedure_code, u.applicant_pseudonym, u.subject_pseudonym, u.subject_relation,
    )  # fmt: skip


def fold(
    envelopes: Sequence[ev.Envelope], before: dict[str, tuple[Any, ...]]
) -> tuple[dict[str, list[Any]], list[tuple[Any, ...]], Counter[str]]:
    """Apply envelopes in order to the state rows in ``before`` (by dossier id; missing means unseen).

    Returns the states touched (mutable rows), the lookup rows, and how many of each kind applied.
    Envelopes of another kind (a catalog snapshot, a kind from a newer producer) are skipped.
    ``OutOfRange`` for an envelope carrying an instant outside the tracker's calendar.
    """
    states: dict[str, list[Any]] = {}
    # Decoded population hits of the dossiers whose hits this fold changed.
    hits: dict[str, list[RowHit]] = {}
    lookups: list[tuple[Any, ...]] = []
    applied: Counter[str] = Counter()
    for envelope in envelopes:
        kind = payload_kind(envelope)
        if kind == "dossier_received":
            p = envelope.dossier_received
        elif kind == "data_reused":
            p = envelope.data_reused  # type: ignore[assignment]
        elif kind == "dossier_resolved":
            p = envelope.dossier_resolved  # type: ignore[assignment]
        else:
            continue
        # Checked for every event, so that every kind refuses the same instants.
        occurred = stamp_micros(envelope.occurred_at, "occurred_at")
        applied[kind] += 1
        dossier_id = p.dossier_id
        s = states.get(dossier_id)
        if s is None:
            old = before.get(dossier_id)
            s = states[dossier_id] = empty_row(dossier_id) if old is None else list(old)
        if kind == "dossier_received":
            _receive(s, p, occurred)
        elif kind == "data_reused":
            lookups.append(_reuse(s, p, occurred, hits, envelope.event_id))  # type: ignore[arg-type]
        else:
            d: ev.DossierResolved = p  # type: ignore[assignment]
            resolved_at = stamp_micros(d.resolved_at, "resolved_at")
            s[_RESOLVED_AT] = occurred if resolved_at is None else resolved_at
            s[_ELECTRONIC] = d.result_electronic
    # Settled once per touched dossier: against its receipt and resolution as they now stand.
    for dossier_id, s in states.items():
        mine = hits.get(dossier_id)
        if mine is not None:
            s[_HITS] = _hits_text(mine)
        else:
            mine = _hits_of(s[_HITS]) if s[_HITS] else []
        s[_POPULATION] = _population(s, mine)
    return states, lookups, applied


# The measures as plain ints, by name: an IntEnum member indexes a list three times slower than an
# int, and these are the hot path's.
_M_RECEIVED = Measure.RECEIVED.value
_M_REUSED = Measure.REUSED.value
_M_POPULATION = Measure.POPULATION.value
_M_INPUT_DIGITAL = Measure.INPUT_DIGITAL.value
_M_ONLINE = Measure.ONLINE.value
_M_FEE_CARRIED = Measure.FEE_CARRIED.value
_M_PAID_ONLINE = Measure.PAID_ONLINE.value
_M_NON_JURISDICTIONAL = Measure.NON_JURISDICTIONAL.value
_M_RESOLVED = Measure.RESOLVED.value
_M_OUTPUT_DIGITAL = Measure.OUTPUT_DIGITAL.value
_M_ON_TIME = Measure.ON_TIME.value
_M_FULL_ONLINE = Measure.FULL_ONLINE.value
_M_EARLY = Measure.EARLY.value


def contribute(cells: dict[CellKey, list[int]], s: Sequence[Any], sign: int) -> None:
    """Add ``sign`` × the cube counters of the dossier in state row ``s`` into ``cells``; nothing until
    its receipt has arrived. Receipt measures count in the receipt's month, resolution measures in the
    resolution's."""
    received_at = s[_RECEIVED_AT]
    if not s[_RECEIVED] or received_at is None:
        return
    dims = (
        s[_AGENCY], s[_PROCEDURE], s[_PROVINCE], s[_CHANNEL], s[_JURISDICTION], s[_COMMUNE], s[_SECTOR],
        s[_PROVINCE_2025], s[_ORIGIN],
    )  # fmt: skip
    key: CellKey = (month_of_us(received_at), *dims)
    v = cells.get(key)
    if v is None:
        v = cells[key] = [0] * N_MEASURES
    online = s[_CHANNEL] == "online"
    v[_M_RECEIVED] += sign
    if s[_ANY_REUSED]:
        v[_M_REUSED] += sign
    if s[_POPULATION]:
        v[_M_POPULATION] += sign
    if s[_ALL_DIGITAL]:
        v[_M_INPUT_DIGITAL] += sign
    if online:
        v[_M_ONLINE] += sign
        if s[_SERVICE_LEVEL] == _FULL_ONLINE:
            v[_M_FULL_ONLINE] += sign
    if s[_FEE] > 0:
        v[_M_FEE_CARRIED] += sign
        if s[_PAID_ONLINE]:
            v[_M_PAID_ONLINE] += sign
    if s[_JURISDICTION] == NON_JURISDICTIONAL:
        v[_M_NON_JURISDICTIONAL] += sign
    resolved_at = s[_RESOLVED_AT]
    if resolved_at is not None:
        _contribute_resolution(cells, dims, s, resolved_at, sign)


def _contribute_resolution(
    cells: dict[CellKey, list[int]], dims: tuple[Any, ...], s: Sequence[Any], resolved_at: int, sign: int
) -> None:
    key: CellKey = (month_of_us(resolved_at), *dims)
    v = cells.get(key)
    if v is None:
        v = cells[key] = [0] * N_MEASURES
    v[_M_RESOLVED] += sign
    if s[_ELECTRONIC]:
        v[_M_OUTPUT_DIGITAL] += sign
    due = s[_DUE_AT]
    # No due date means the procedure sets no deadline, so it cannot be late (nor early).
    if due is None or resolved_at <= due:
        v[_M_ON_TIME] += sign
    if due is not None and day_of_us(resolved_at) < day_of_us(due):
        v[_M_EARLY] += sign


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


def add_flows(acc: dict[FlowKey, list[int]], s: Sequence[Any], sign: int) -> None:
    """Add ``sign`` × the reuse flows (dossiers, count) of the dossier in state row ``s`` into ``acc``;
    nothing before its receipt."""
    received_at = s[_RECEIVED_AT]
    if not s[_RECEIVED] or received_at is None:
        return
    month = month_of_us(received_at)
    agency, procedure, province, origin = s[_AGENCY], s[_PROCEDURE], s[_PROVINCE], s[_ORIGIN]

    def add(kind: str, source: str, dossiers: int, count: int) -> None:
        cell = acc.setdefault((kind, month, source, agency, procedure, province, origin), [0, 0])
        cell[0] += sign * dossiers
        cell[1] += sign * count

    if s[_REASKS]:
        add(REASK, "", 1, s[_REASKS])
    if s[_ISSUERS]:
        issuers: list[str] = orjson.loads(s[_ISSUERS])
        for issuer in sorted(set(issuers)):
            add(ISSUER, issuer, 1, issuers.count(issuer))
    if s[_JURISDICTION] == NON_JURISDICTIONAL:
        add(HOME, s[_RESIDENCE], 1, 1 if s[_ANY_REUSED] else 0)


# -- the same rules on a DossierState ---------------------------------------------------------------


def population_used(state: DossierState) -> bool:
    """Some population-database hit fits the received dossier and came no later than its resolution."""
    row = state_row(state)
    return _population(row, _hits_of(row[_HITS]))


def misuse_reason(
    state: DossierState | None, lookup: ev.DataReused, occurred_at: datetime | None
) -> str | None:
    """Why ``lookup`` does not fit its dossier as it stands, or None when it fits; None as well while
    the receipt has not arrived (the stale-lookups report covers those)."""
    if state is None or not state.received:
        return None
    s = state_row(state)
    checks = (
        (OTHER_AGENCY, lookup.agency_code != s[_AGENCY]),
        (OTHER_PROCEDURE, lookup.procedure_code != s[_PROCEDURE]),
        (OTHER_APPLICANT, not _same_applicant(s, lookup.applicant_pseudonym)),
        (STRANGER, lookup.subject_relation == _STRANGER),
        (AFTER_RESOLUTION, not _in_time(s, 0 if occurred_at is None else micros_of(occurred_at))),
        (REFUSED, lookup.outcome == ev.LOOKUP_OUTCOME_DENIED),
    )
    return next((reason for reason, failed in checks if failed), None)


def apply(state: DossierState | None, envelope: ev.Envelope) -> DossierState:
    """The dossier's state after ``envelope``; ``state`` is None for a dossier not seen before.

    ``OutOfRange`` for an envelope carrying an instant outside the tracker's calendar.
    """
    if payload_kind(envelope) not in DOSSIER_KINDS:
        raise ValueError(f"envelope {envelope.event_id!r} carries no known payload")
    dossier = dossier_id(envelope)
    before = {} if state is None else {dossier: state_row(state)}
    return state_of(fold([envelope], before)[0][dossier])


def contribution(state: DossierState | None) -> Cells:
    """The cube counters this dossier accounts for; nothing until its receipt has arrived."""
    if state is None:
        return {}
    cells: dict[CellKey, list[int]] = {}
    contribute(cells, state_row(state), 1)
    return {key: tuple(vector) for key, vector in cells.items()}


def flows(state: DossierState | None) -> Flows:
    """The reuse-flow counters this dossier accounts for (dossiers, count); nothing before its receipt."""
    if state is None:
        return {}
    acc: dict[FlowKey, list[int]] = {}
    add_flows(acc, state_row(state), 1)
    return {key: (dossiers, count) for key, (dossiers, count) in acc.items()}


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
        key = dossier_id(envelope)
        old = states.get(key)
        new = apply(old, envelope)
        states[key] = new
        for cell, vector in delta(contribution(old), contribution(new)).items():
            add_into(cells, cell, vector)
    return states, cells
