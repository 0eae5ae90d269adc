"""The one codec for records on ``onceonly.dossier-events.v1``.

Values are serialized ``onceonly.events.v1.Envelope`` messages; keys are the dossier id in UTF-8, so
one dossier's events stay in one partition, in order. Decoding is strict about garbage (it raises
:class:`EventDecodeError` with the reason, for the dead-letter topic) and lenient about the future: an
envelope whose payload is a kind this version does not know decodes fine and
:func:`payload_kind` returns ``None`` for it, so consumers skip it (see EVOLUTION.md).
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from enum import IntEnum
from typing import Literal, TypeAlias

from google.protobuf.message import DecodeError

from onceonly.events.v1.events_pb2 import (
    CatalogSnapshot,
    ComponentState,
    DataReused,
    DossierReceived,
    DossierResolved,
    Envelope,
)

__all__ = [
    "CATALOG_KEY_PREFIX",
    "CatalogSnapshot",
    "ComponentState",
    "DataReused",
    "DossierReceived",
    "DossierResolved",
    "Envelope",
    "EventDecodeError",
    "NationalComponentState",
    "Payload",
    "PayloadKind",
    "component_state",
    "decode",
    "dossier_id",
    "dossier_key",
    "encode",
    "national_code",
    "new_envelope",
    "payload_kind",
    "payload_of",
]

Payload: TypeAlias = DossierReceived | DataReused | DossierResolved | CatalogSnapshot
PayloadKind: TypeAlias = Literal["dossier_received", "data_reused", "dossier_resolved", "catalog_snapshot"]

_FIELD_OF: dict[str, PayloadKind] = {
    DossierReceived.DESCRIPTOR.full_name: "dossier_received",
    DataReused.DESCRIPTOR.full_name: "data_reused",
    DossierResolved.DESCRIPTOR.full_name: "dossier_resolved",
    CatalogSnapshot.DESCRIPTOR.full_name: "catalog_snapshot",
}
# A catalog snapshot names no dossier: its records are keyed by its province, so one province's
# snapshots stay in order.
CATALOG_KEY_PREFIX = "catalog/"


_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


class EventDecodeError(ValueError):
    """A record value is not an envelope this codec can read; ``reason`` says why (for the DLQ)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NationalComponentState(IntEnum):
    """A component's state as the national code the REST API carries. The event's ``ComponentState``
    names the same states (``COMPONENT_STATE_<name>``), numbered so that 0 stays "unspecified"."""

    NOT_DIGITIZED = 0
    DIGITIZED = 1
    REUSED_COMPONENT = 2
    REUSED_RESULT = 3


_PREFIX = "COMPONENT_STATE_"


def component_state(code: int) -> ComponentState.ValueType:
    """The event's state for a national code; ``ValueError`` for a number that is no national code."""
    try:
        return ComponentState.Value(_PREFIX + NationalComponentState(code).name)
    except ValueError:
        raise ValueError(f"{code} is no national component code") from None


def national_code(state: ComponentState.ValueType) -> NationalComponentState:
    """The national code of an event's state; ``ValueError`` for ``COMPONENT_STATE_UNSPECIFIED``
    or a state this version does not know."""
    try:
        return NationalComponentState[ComponentState.Name(state).removeprefix(_PREFIX)]
    except (KeyError, ValueError):
        raise ValueError(f"component state {state} has no national code") from None


def encode(envelope: Envelope) -> bytes:
    return envelope.SerializeToString()


def decode(data: bytes | None) -> Envelope:
    """Parse a record value; raise :class:`EventDecodeError` when it is not an envelope."""
    if not data:
        raise EventDecodeError("empty record value")
    envelope = Envelope()
    try:
        envelope.ParseFromString(data)
    except DecodeError as exc:
        raise EventDecodeError(f"not a protobuf Envelope: {exc}") from None
    # Protobuf parses many byte strings "successfully" into unknown fields; a real envelope always
    # carries its event id, so its absence is what tells garbage apart.
    if not envelope.event_id:
        raise EventDecodeError("envelope has no event_id")
    # The canonical form (what new_envelope writes) by a regular expression, a fraction of the cost of
    # uuid.UUID on the consumers' hot path; anything else the way uuid.UUID reads it.
    if _CANONICAL_UUID.fullmatch(envelope.event_id) is None:
        try:
            uuid.UUID(envelope.event_id)
        except ValueError:
            raise EventDecodeError(f"event_id is not a UUID: {envelope.event_id[:40]!r}") from None
    return envelope


def payload_kind(envelope: Envelope) -> PayloadKind | None:
    """Which payload the envelope holds; ``None`` for a kind written by a newer version (skip it)."""
    # An unknown oneof member arrives as an unknown field, so WhichOneof sees nothing set.
    return envelope.WhichOneof("payload")


def payload_of(envelope: Envelope) -> Payload | None:
    kind = payload_kind(envelope)
    if kind is None:
        return None
    payload: Payload = getattr(envelope, kind)
    return payload


def new_envelope(payload: Payload, *, producer: str, occurred_at: datetime | None = None) -> Envelope:
    """Wrap a payload with a fresh event id (UUID4) and the time it happened (now by default)."""
    envelope = Envelope(event_id=str(uuid.uuid4()), producer=producer)
    envelope.occurred_at.FromDatetime(occurred_at or datetime.now(UTC))
    getattr(envelope, _FIELD_OF[payload.DESCRIPTOR.full_name]).CopyFrom(payload)
    return envelope


def dossier_id(envelope: Envelope) -> str:
    """The dossier every payload names; ``ValueError`` for an envelope with no known payload."""
    payload = payload_of(envelope)
    if payload is None or isinstance(payload, CatalogSnapshot) or not payload.dossier_id:
        raise ValueError(f"event {envelope.event_id} names no dossier")
    return payload.dossier_id


def dossier_key(envelope: Envelope) -> bytes:
    """The record key: the dossier id in UTF-8, so one dossier's events stay in order (a catalog
    snapshot's: ``catalog/<province>``)."""
    if payload_kind(envelope) == "catalog_snapshot":
        return f"{CATALOG_KEY_PREFIX}{envelope.catalog_snapshot.province}".encode()
    return dossier_id(envelope).encode()
