"""Hypothesis over the personal-id parser and the event codec (beyond tests/common), and a bounded
atheris run of the codec.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onceonly.common.events import (
    DataReused,
    DossierReceived,
    DossierResolved,
    EventDecodeError,
    decode,
    encode,
    new_envelope,
    payload_kind,
)
from onceonly.common.personal_id import InvalidPersonalId, parse_personal_id
from onceonly.events.v1 import events_pb2 as ev
from tests.fixtures.services import service_missing

FUZZ_SECONDS = 20
# hypothesis takes naive bounds and applies the time zone itself.
NAIVE_MIN, NAIVE_MAX = datetime(1970, 1, 2), datetime(9000, 1, 1)  # noqa: DTZ001


def _message_for(value: str) -> str:
    with pytest.raises(InvalidPersonalId) as refused:
        parse_personal_id(value)
    return refused.value.message


@settings(max_examples=2000, deadline=None)
@given(st.text(max_size=40) | st.text(alphabet="0123456789", min_size=10, max_size=14))
def test_the_parser_accepts_only_twelve_ascii_digits_and_never_echoes_the_input(value: str) -> None:
    try:
        parsed = parse_personal_id(value)
    except InvalidPersonalId as error:
        assert error.part in {"length", "digits", "province", "century_sex", "birth_year"}  # noqa: PT017
        if len(value) >= 6 and value not in _message_for("x" * len(value)):
            # (An input that is a word of the fixed text, like "digits", is not an echo.)
            assert value not in error.message  # noqa: PT017
        return
    assert re.fullmatch(r"[0-9]{12}", value)
    assert parsed.value == value


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.characters(categories=["Nd"]), min_size=12, max_size=12))
def test_no_unicode_digit_string_other_than_ascii_parses(value: str) -> None:
    if value.isascii():
        return
    with pytest.raises(InvalidPersonalId) as error:
        parse_personal_id(value)
    assert error.value.part == "digits"


payloads = st.one_of(
    st.builds(DataReused, dossier_id=st.text(min_size=1, max_size=40), subject_pseudonym=st.text(max_size=64),
              source=st.sampled_from(list(ev.DataSource.values())),
              outcome=st.sampled_from(list(ev.LookupOutcome.values())),
              fields=st.lists(st.text(max_size=30), max_size=5),
              # What the dossier's binding adds: its applicant, and how the subject relates to them.
              applicant_pseudonym=st.text(max_size=64),
              subject_relation=st.sampled_from(list(ev.SubjectRelation.values()))),
    st.builds(DossierResolved, dossier_id=st.text(min_size=1, max_size=40),
              outcome=st.sampled_from(list(ev.ResolutionOutcome.values())), result_electronic=st.booleans(),
              agency_code=st.text(max_size=30)),
    st.builds(DossierReceived, dossier_id=st.text(min_size=1, max_size=40), fee=st.integers(0, 2**63 - 1),
              non_jurisdictional=st.booleans(), channel=st.sampled_from(list(ev.Channel.values())),
              applicant_pseudonym=st.text(max_size=64),
              origin=st.sampled_from(list(ev.DossierOrigin.values()))),
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(
    payloads,
    st.datetimes(timezones=st.just(UTC), min_value=NAIVE_MIN, max_value=NAIVE_MAX),
)
def test_every_payload_kind_round_trips(
    payload: DataReused | DossierResolved | DossierReceived, when: datetime
) -> None:
    envelope = new_envelope(payload, producer="hypothesis", occurred_at=when)
    decoded = decode(encode(envelope))
    assert decoded == envelope
    assert payload_kind(decoded) is not None


@settings(max_examples=1500, deadline=None)
@given(payloads, st.data())
def test_mutated_envelopes_decode_or_are_refused_with_a_reason(
    payload: DataReused | DossierResolved | DossierReceived, data: st.DataObject
) -> None:
    envelope = new_envelope(payload, producer="hypothesis", occurred_at=datetime(2025, 7, 1, tzinfo=UTC))
    envelope.event_id = (
        "00000000-0000-4000-8000-000000000000"  # fixed, so the same draws mutate the same bytes
    )
    raw = bytearray(encode(envelope))
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        at = data.draw(st.integers(0, max(0, len(raw) - 1)))
        if kind == "flip" and raw:
            raw[at] ^= 1 << data.draw(st.integers(0, 7))
        elif kind == "cut":
            del raw[at:]
        else:
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=8))
    try:
        decoded = decode(bytes(raw))
    except EventDecodeError as error:
        assert error.reason  # noqa: PT017
        return
    uuid.UUID(decoded.event_id)
    assert decode(encode(decoded)) == decoded


@pytest.mark.slow
def test_atheris_finds_nothing_in_the_codec(tmp_path: Path) -> None:
    try:
        import atheris  # type: ignore[import-untyped]  # noqa: F401
    except ImportError:
        service_missing("atheris is not installed (`make sync` installs it on Linux x86-64)")
    harness = Path(__file__).with_name("fuzz_codec.py")
    done = subprocess.run(
        [sys.executable, str(harness), f"-max_total_time={FUZZ_SECONDS}", "-rss_limit_mb=2048",
         f"-artifact_prefix={tmp_path}/"],
        capture_output=True, text=True, timeout=FUZZ_SECONDS + 120, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    runs = re.search(r"Done (\d+) runs", done.stderr)
    assert runs, done.stderr[-2000:]
    assert int(runs.group(1)) > 10_000
    print(f"atheris: {runs.group(1)} runs in {FUZZ_SECONDS} s")  # noqa: T201
