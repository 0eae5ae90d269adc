"""Pure handlers: one dossier's state before an event → its state after, and what it adds to the cube.

No I/O here. The same functions drive the database store (``ledger.py``) and the unit tests, so the
figures the tests check by hand are the figures the tracker serves.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from onceonly.events.v1 import events_pb2 as ev
from onceonly.tracker.cube import CellKey, Cells, add_into, delta, month_of

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


def _instant(ts: Timestamp) -> datetime | None:
    if ts.seconds == 0 and ts.nanos == 0:
        return None
    return datetime.fromtimestamp(ts.seconds + ts.nanos / 1e9, UTC)


def on_received(
    state: DossierState, event: ev.DossierReceived, occurred_at: datetime | None = None
) -> DossierState:
    # A repeated receipt replaces the earlier one: the last word on a dossier's facts wins.
    components = event.components
    return dataclasses.replace(
        state,
        received=True,
        agency=event.agency_code,
        procedure=event.procedure_code,
        province=event.agency_province,
        channel=CHANNELS.get(event.channel, "unspecified"),
        jurisdiction=NON_JURISDICTIONAL if event.non_jurisdictional else LOCAL,
        # A producer that leaves received_at unset still dated the event itself.
        received_at=_instant(event.received_at) or occurred_at,
        due_at=_instant(event.due_at),
        fee=event.fee,
        paid_online=event.fee > 0 and event.fee_paid_online,
        any_reused=any(c.state in _REUSED_STATES for c in components),
        # A dossier with no input component holds nothing on paper either.
        all_digital=all(c.state in _DIGITAL_STATES for c in components),
    )


def on_reused(state: DossierState, event: ev.DataReused, occurred_at: datetime | None) -> DossierState:
    population = state.population_used or (
        event.source == ev.DATA_SOURCE_POPULATION_DATABASE and event.outcome == ev.LOOKUP_OUTCOME_HIT
    )
    first, agency = state.first_lookup_at, state.lookup_agency
    if occurred_at is not None and (first is None or occurred_at < first):
        first, agency = occurred_at, event.agency_code
    if (population, first, agency) == (state.population_used, state.first_lookup_at, state.lookup_agency):
        return state
    return dataclasses.replace(state, population_used=population, first_lookup_at=first, lookup_agency=agency)


def on_resolved(
    state: DossierState, event: ev.DossierResolved, occurred_at: datetime | None = None
) -> DossierState:
    resolved_at = _instant(event.resolved_at) or occurred_at
    return dataclasses.replace(state, resolved_at=resolved_at, result_electronic=event.result_electronic)


def apply(state: DossierState | None, envelope: ev.Envelope) -> DossierState:
    """The dossier's state after ``envelope``; ``state`` is None for a dossier not seen before."""
    kind = envelope.WhichOneof("payload")
    if kind == "dossier_received":
        payload_r = envelope.dossier_received
        return on_received(
            state or DossierState(payload_r.dossier_id), payload_r, _instant(envelope.occurred_at)
        )
    if kind == "data_reused":
        payload_u = envelope.data_reused
        return on_reused(
            state or DossierState(payload_u.dossier_id), payload_u, _instant(envelope.occurred_at)
        )
    if kind == "dossier_resolved":
        payload_s = envelope.dossier_resolved
        return on_resolved(
            state or DossierState(payload_s.dossier_id), payload_s, _instant(envelope.occurred_at)
        )
    raise ValueError(f"envelope {envelope.event_id!r} carries no known payload")


def dossier_id_of(envelope: ev.Envelope) -> str:
    kind = envelope.WhichOneof("payload")
    if kind is None:
        raise ValueError(f"envelope {envelope.event_id!r} carries no known payload")
    return str(getattr(envelope, kind).dossier_id)


def contribution(state: DossierState | None) -> Cells:
    """The cube counters this dossier accounts for; nothing until its receipt has arrived."""
    if state is None or not state.received or state.received_at is None:
        return {}
    dims = (state.agency, state.procedure, state.province, state.channel, state.jurisdiction)
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
    )
    if state.resolved_at is None:
        return {receipt_key: receipt}
    # No due date means the procedure sets no deadline, so it cannot be late.
    on_time = state.due_at is None or state.resolved_at <= state.due_at
    resolution = (0,) * 8 + (1, int(state.result_electronic), int(on_time))
    resolution_key: CellKey = (month_of(state.resolved_at), *dims)
    if resolution_key == receipt_key:
        return {receipt_key: tuple(a + b for a, b in zip(receipt, resolution, strict=True))}
    return {receipt_key: receipt, resolution_key: resolution}


def replay(
    envelopes: Iterable[ev.Envelope], states: dict[str, DossierState] | None = None
) -> tuple[dict[str, DossierState], dict[CellKey, list[int]]]:
    """Fold events into dossier states and cube cells in memory (the store does the same in SQL)."""
    states = {} if states is None else states
    cells: dict[CellKey, list[int]] = {}
    for envelope in envelopes:
        if envelope.WhichOneof("payload") is None:
            continue  # A kind from a newer producer: skipped, as the consume loop does.
        key = dossier_id_of(envelope)
        old = states.get(key)
        new = apply(old, envelope)
        states[key] = new
        for cell, vector in delta(contribution(old), contribution(new)).items():
            add_into(cells, cell, vector)
    return states, cells
