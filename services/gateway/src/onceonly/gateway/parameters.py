"""What the OpenAPI document says of the values the gateway checks by hand, in one place.

The checks themselves stay where they are: a malformed personal id is still a 400 naming the part at
fault (``access.checked_personal_id``), not FastAPI's 422. These types only state them, as patterns and
enums, so a client generated from the document sends nothing the gateway refuses for its form.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import Path, Query
from google.protobuf.descriptor import FieldDescriptor
from pydantic import Field, StringConstraints

from onceonly.common.openapi import on_strings
from onceonly.common.provinces import codes
from onceonly.common.working_days import VIETNAM
from onceonly.gateway.minimization import citizen_paths
from onceonly.population.v1.population_pb2 import Citizen

# The digitized result types lookup registers (lookup's ``catalog.RESULT_TYPES``; a test keeps the two equal).
RESULT_TYPES: tuple[str, ...] = (
    "birth_certificate",
    "marriage_certificate",
    "marital_status_confirmation",
    "judicial_record_certificate",
    "residence_confirmation",
    "land_use_right_certificate",
    "business_household_registration",
)


def _two_digits_upto(top: int) -> str:
    """A regex for the two-digit numbers 00..``top``."""
    tens, ones = divmod(top, 10)
    parts = [f"[0-{tens - 1}][0-9]"] if tens else []
    parts.append(f"{tens}[0-{ones}]")
    return "|".join(parts)


def personal_id_pattern(year: int) -> str:
    """The personal ids ``parse_personal_id`` accepts in ``year``: a province code, a century-and-sex
    digit (0-1 the 1900s, 2-3 the 2000s, 4-5 the 2100s), a birth year not after ``year``, six digits."""
    centuries = []
    for index, century in enumerate((1900, 2000, 2100)):
        top = year - century
        if top < 0:
            continue
        years = "[0-9]{2}" if top >= 99 else f"(?:{_two_digits_upto(top)})"
        centuries.append(f"[{2 * index}{2 * index + 1}]{years}")
    # [0-9], not \d: generators read \d as any Unicode digit, and only ASCII ones are digits here.
    return f"^(?:{'|'.join(sorted(codes()))})(?:{'|'.join(centuries)})[0-9]{{6}}$"


def _personal_id_schema(schema: dict[str, Any]) -> None:
    # Built when the document is: the bound on the birth year moves with the calendar.
    schema["pattern"] = personal_id_pattern(datetime.now(VIETNAM).year)


_PERSONAL_ID_DESCRIPTION = (
    "12-digit personal identification number: province code, century-and-sex digit, birth year (not "
    "in the future), serial. Any other value is a 400 invalid-personal-id."
)
_PERSONAL_ID = {
    "description": _PERSONAL_ID_DESCRIPTION,
    "examples": ["001090012345"],
    "json_schema_extra": _personal_id_schema,
}

PersonalIdPath = Annotated[str, Path(max_length=64, **_PERSONAL_ID)]
PersonalIdQuery = Annotated[str, Query(max_length=64, **_PERSONAL_ID)]
PersonalIdField = Annotated[str, StringConstraints(max_length=64), Field(**_PERSONAL_ID)]

ResultTypeField = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:\-]+$"),
    Field(json_schema_extra={"enum": list(RESULT_TYPES)}, description="One of lookup's result types."),
]
ResultTypeQuery = Annotated[
    str,
    Query(
        max_length=64,
        examples=["birth_certificate"],
        description="Only results of this type (empty: every type the procedure accepts).",
        json_schema_extra={"enum": ["", *RESULT_TYPES]},
    ),
]

# A calendar date YYYY-MM-DD that exists (lookup reads it with ``date.fromisoformat``; year 0000 does not).
_DAY = (
    "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
_LEAP = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)"
DATE_PATTERN = f"(?!0000)(?:[0-9]{{4}}-{_DAY}|{_LEAP}-02-29)"
IsoDateField = Annotated[
    str,
    # The model checks the shape (a 422); lookup refuses a day that does not exist (a 400).
    StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"),
    Field(json_schema_extra={"pattern": f"^{DATE_PATTERN}$"}),
]
OptionalIsoDateField = Annotated[
    str,
    StringConstraints(pattern=r"^(\d{4}-\d{2}-\d{2})?$"),
    Field(json_schema_extra={"pattern": f"^(?:{DATE_PATTERN})?$"}, description="Empty: no end."),
]


def _alternatives(values: Iterable[str]) -> str:
    return "|".join(v.replace(".", r"\.") for v in sorted(values, key=lambda v: (-len(v), v)))


def fields_pattern(paths: Iterable[str]) -> str:
    """A comma-separated list of citizen field paths, blanks around them and empty items allowed (the
    gateway drops them), as ``minimization.parse_fields`` reads it."""
    item = rf"\s*(?:(?:{_alternatives(paths)})\s*)?"
    return rf"^{item}(?:,{item})*$"


# An inclusive last day is read up to the next day's start: the calendar's last day has none (a 422).
LAST_DAY: dict[str, Any] = {
    "le": date.max - timedelta(days=1),
    "json_schema_extra": on_strings({"not": {"const": date.max.isoformat()}}),
}


FieldsQuery = Annotated[
    str | None,
    Query(
        description="Comma-separated citizen field paths; intersected with the procedure's entitlement. "
        "A path the citizen record does not have is a 400 bad-request.",
        examples=["full_name,date_of_birth,current_address.province"],
        max_length=2000,
        json_schema_extra=on_strings({"pattern": fields_pattern(citizen_paths())}),
    ),
]


def claim_paths() -> list[str]:
    """The paths a claim may name: a citizen's fields and sub-fields, not a whole address or relative
    (lookup compares values, not records)."""
    records = {f.name for f in Citizen.DESCRIPTOR.fields if f.type == FieldDescriptor.TYPE_MESSAGE}
    return sorted(citizen_paths() - records)


ClaimPath = Annotated[
    str,
    StringConstraints(max_length=64),
    Field(json_schema_extra={"enum": claim_paths()}, description="A citizen field path with a value."),
]


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_DIGITS = frozenset(b"0123456789")


def _char_class(chars: set[str]) -> str:
    return chars.pop() if len(chars) == 1 else "[" + "".join(sorted(chars)).replace("-", r"\-") + "]"


def _block(a: frozenset[int], b: frozenset[int] | None, c: frozenset[int] | None) -> str:
    """A regex for base64url (unpadded) of three bytes (two, one) drawn from these sets; each set other
    than ``a`` has one high part (``b >> 4``, ``c >> 6``), so the characters chain through ``a`` alone."""
    b_hi = {x >> 4 for x in b or {0}}
    c_hi = {x >> 6 for x in c or {0}}
    assert len(b_hi) == 1
    assert len(c_hi) == 1
    first = "|".join(sorted({_B64[x >> 2] + _B64[(x & 3) << 4 | b_hi.copy().pop()] for x in a}))
    out = f"(?:{first})"
    if b is not None:
        out += _char_class({_B64[(x & 15) << 2 | c_hi.copy().pop()] for x in b})
    if c is not None:
        out += _char_class({_B64[x & 63] for x in c})
    return out


def _base64_of(positions: list[frozenset[int]]) -> str:
    out = ""
    for start in range(0, len(positions), 3):
        group = positions[start : start + 3]
        rest: list[frozenset[int] | None] = [*group[1:], None, None]
        out += _block(group[0], rest[0], rest[1])
    return out


def access_log_token_pattern(max_digits: int = 18) -> str:
    """The page tokens the access log issues: unpadded base64url of ``{"before":N}`` with N an audit
    record's sequence number, positive and below 10**18 (``transparency.token_before``); any other value is a
    400 bad-request."""
    prefix = [frozenset({byte}) for byte in b'{"before":']
    lengths = []
    for digits in range(1, max_digits + 1):
        number = [frozenset(_DIGITS - {ord("0")})] + [_DIGITS] * (digits - 1)
        lengths.append(_base64_of([*prefix, *number, frozenset(b"}")]))
    return f"^(?:|{'|'.join(lengths)})$"
