"""The OpenAPI document's patterns and enums say exactly what the gateway's own checks accept."""

from __future__ import annotations

import base64
import json
import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from onceonly.common.personal_id import InvalidPersonalId, parse_personal_id
from onceonly.gateway.minimization import citizen_paths, parse_fields
from onceonly.gateway.parameters import (
    DATE_PATTERN,
    RESULT_TYPES,
    access_log_token_pattern,
    fields_pattern,
    personal_id_pattern,
)
from onceonly.gateway.problems import BadRequest
from onceonly.gateway.transparency import TOKEN_SEQUENCES, token_before
from onceonly.lookup.catalog import RESULT_TYPES as LOOKUP_RESULT_TYPES

TODAY = date(2026, 6, 1)
PERSONAL_ID = re.compile(personal_id_pattern(TODAY.year))


def _parses(value: str) -> bool:
    try:
        parse_personal_id(value, today=TODAY)
    except InvalidPersonalId:
        return False
    return True


@settings(max_examples=2000, database=None)
@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_personal_id_pattern_is_the_parser(value: str) -> None:
    assert bool(PERSONAL_ID.fullmatch(value)) == _parses(value)


@settings(max_examples=1000, database=None)
@given(st.from_regex(PERSONAL_ID, fullmatch=True))
def test_what_the_pattern_generates_parses(value: str) -> None:
    # Generators read \d as any Unicode digit: the pattern spells [0-9].
    assert _parses(value), value


def test_the_birth_year_bound_moves_with_the_year() -> None:
    born_2027 = "001227000001"
    assert not re.fullmatch(personal_id_pattern(2026), born_2027)
    assert re.fullmatch(personal_id_pattern(2027), born_2027)


def test_result_types_are_lookups() -> None:
    assert RESULT_TYPES == LOOKUP_RESULT_TYPES


@settings(max_examples=500, database=None)
@given(st.integers(TOKEN_SEQUENCES.start, TOKEN_SEQUENCES.stop - 1))
def test_access_log_tokens_the_gateway_issues_match(seq: int) -> None:
    assert re.fullmatch(access_log_token_pattern(), token_before(seq))


@settings(max_examples=500, database=None)
@given(st.from_regex(access_log_token_pattern(), fullmatch=True))
def test_what_the_token_pattern_generates_is_a_token(token: str) -> None:
    if token:
        payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        assert isinstance(payload["before"], int)
        assert payload["before"] in TOKEN_SEQUENCES


@settings(max_examples=1000, database=None)
@given(st.dates())
def test_every_calendar_day_matches_the_date_pattern(day: date) -> None:
    assert re.fullmatch(DATE_PATTERN, day.isoformat())


@settings(max_examples=1000, database=None)
@given(st.from_regex(f"^{DATE_PATTERN}$", fullmatch=True))
def test_what_the_date_pattern_generates_is_a_day(value: str) -> None:
    date.fromisoformat(value)


def test_days_that_do_not_exist_do_not_match() -> None:
    for value in ("2023-02-29", "1900-02-29", "0000-01-01", "2025-04-31", "2025-13-01"):
        assert not re.fullmatch(DATE_PATTERN, value), value
    assert re.fullmatch(DATE_PATTERN, "2000-02-29")


@settings(max_examples=500, database=None)
@given(st.from_regex(fields_pattern(citizen_paths()), fullmatch=True))
def test_what_the_fields_pattern_generates_parses(value: str) -> None:
    try:
        parse_fields(value)
    except BadRequest as error:  # pragma: no cover - the failure's message names the path
        raise AssertionError(error.detail) from None
