"""The event codec: round trips, garbage refused with a reason, future payloads tolerated."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onceonly.common.events import (
    DataReused,
    DossierReceived,
    DossierResolved,
    Envelope,
    EventDecodeError,
    NationalComponentState,
    component_state,
    decode,
    dossier_key,
    encode,
    national_code,
    new_envelope,
    payload_kind,
    payload_of,
)
from onceonly.events.v1 import events_pb2 as ev

WHEN = datetime(2025, 7, 1, 8, 30, tzinfo=UTC)


def _received(dossier_id: str = "H01.001-250701-0001") -> DossierReceived:
    return DossierReceived(
        dossier_id=dossier_id,
        agency_code="000.00.01.H01",
        agency_province="01",
        procedure_code="1.001234",
        applicant_pseudonym="ab" * 32,
        channel=ev.CHANNEL_ONLINE,
        fee=50_000,
        fee_paid_online=True,
        components=[ev.DossierComponent(code="C1", state=ev.COMPONENT_STATE_REUSED_RESULT, result_id="R1")],
    )


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        (_received(), "dossier_received"),
        (DataReused(dossier_id="D-2", source=ev.DATA_SOURCE_POPULATION_DATABASE), "data_reused"),
        (DossierResolved(dossier_id="D-3", outcome=ev.RESOLUTION_OUTCOME_APPROVED), "dossier_resolved"),
    ],
)
def test_every_payload_kind_round_trips(
    payload: DossierReceived | DataReused | DossierResolved, kind: str
) -> None:
    envelope = new_envelope(payload, producer="gateway/test", occurred_at=WHEN)

    decoded = decode(encode(envelope))

    assert decoded == envelope
    assert payload_kind(decoded) == kind
    assert payload_of(decoded) == payload
    assert decoded.occurred_at.ToDatetime(tzinfo=UTC) == WHEN
    assert dossier_key(decoded) == payload.dossier_id.encode()


def test_new_envelope_gives_a_fresh_uuid4_and_now() -> None:
    before = datetime.now(UTC)
    first = new_envelope(DataReused(dossier_id="D"), producer="p")
    second = new_envelope(DataReused(dossier_id="D"), producer="p")

    assert first.event_id != second.event_id
    assert uuid.UUID(first.event_id).version == 4
    assert first.producer == "p"
    assert first.occurred_at.ToDatetime(tzinfo=UTC) >= before.replace(microsecond=0)


@given(
    dossier_id=st.text(min_size=1, max_size=60),
    fee=st.integers(min_value=0, max_value=2**63 - 1),
    codes=st.lists(st.text(max_size=20), max_size=5),
    states=st.sampled_from(list(ev.ComponentState.values())),
    pseudonym=st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
)
def test_any_dossier_received_round_trips(
    dossier_id: str, fee: int, codes: list[str], states: ev.ComponentState.ValueType, pseudonym: str
) -> None:
    payload = DossierReceived(
        dossier_id=dossier_id,
        fee=fee,
        applicant_pseudonym=pseudonym,
        components=[ev.DossierComponent(code=code, state=states) for code in codes],
    )
    envelope = new_envelope(payload, producer="hypothesis")

    decoded = decode(encode(envelope))

    assert decoded == envelope
    assert dossier_key(decoded) == dossier_id.encode()


@pytest.mark.parametrize(
    ("garbage", "reason"),
    [
        (b"", "empty"),
        (None, "empty"),
        (b"\xff\xff\xff\xff", "not a protobuf"),
        (b'{"event_id": "x"}', "not a protobuf"),
        (Envelope(producer="p").SerializeToString(), "no event_id"),
        # A payload sent bare: its field 1 reads as the envelope's event id.
        (DataReused(dossier_id="D-1").SerializeToString(), "not a UUID"),
    ],
)
def test_garbage_is_refused_with_the_reason(garbage: bytes | None, reason: str) -> None:
    with pytest.raises(EventDecodeError, match=reason) as caught:
        decode(garbage)
    assert reason in caught.value.reason


@given(st.binary(max_size=200))
def test_random_bytes_never_raise_anything_but_a_decode_error(data: bytes) -> None:
    try:
        envelope = decode(data)
    except EventDecodeError:
        return
    assert envelope.event_id


def test_an_envelope_from_a_newer_version_decodes_with_no_known_payload() -> None:
    current = Envelope(event_id=str(uuid.uuid4()), producer="future/1").SerializeToString()
    # The next field number after every one this version knows, length-delimited: a oneof member it
    # has never heard of (a one-byte tag while the number stays below 16).
    unknown = max(field.number for field in Envelope.DESCRIPTOR.fields) + 1
    assert unknown < 16
    future_member = bytes([unknown << 3 | 2, 3]) + b"\x0a\x01X"

    envelope = decode(current + future_member)

    assert payload_kind(envelope) is None
    assert payload_of(envelope) is None
    with pytest.raises(ValueError, match="names no dossier"):
        dossier_key(envelope)


def test_component_states_map_to_and_from_the_national_codes_by_name() -> None:
    assert [component_state(code) for code in range(4)] == [
        ev.COMPONENT_STATE_NOT_DIGITIZED,
        ev.COMPONENT_STATE_DIGITIZED,
        ev.COMPONENT_STATE_REUSED_COMPONENT,
        ev.COMPONENT_STATE_REUSED_RESULT,
    ]
    for code in NationalComponentState:
        assert national_code(component_state(code)) == code
    # Every state the event knows, but "unspecified", is a national code.
    assert {national_code(v) for v in ev.ComponentState.values() if v} == set(NationalComponentState)


@pytest.mark.parametrize("code", [-1, 4])
def test_a_number_that_is_no_national_code_is_refused(code: int) -> None:
    with pytest.raises(ValueError, match="is no national component code"):
        component_state(code)


@pytest.mark.parametrize("state", [ev.COMPONENT_STATE_UNSPECIFIED, 99])
def test_a_state_with_no_national_code_is_refused(state: int) -> None:
    with pytest.raises(ValueError, match="has no national code"):
        national_code(state)  # type: ignore[arg-type]
