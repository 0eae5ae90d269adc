"""What the OpenAPI document says of the values the tracker checks by hand, in one place.

The checks stay where they are (``queries.parse_period``, ``api.instant``): a malformed period is still a
422 invalid-period. These types only state them, as patterns, so a request the document calls valid is
never refused for its form. ``[0-9]``, not ``\\d``: generators read ``\\d`` as any Unicode digit.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from fastapi import Query

from onceonly.common.openapi import on_strings

# The tracker's calendar (``cube.EARLIEST`` to ``LATEST``): year 0000 is no date at all.
YEAR = "(?:19|20|21)[0-9]{2}"
MONTH = f"{YEAR}-(?:0[1-9]|1[0-2])"
# Empty is no period (the dashboard sends none); from/to have no empty value.
PERIOD = f"(?:{MONTH}|{YEAR}-Q[1-4]|{YEAR})?"

# An instant of RFC 3339 whose day is one of the tracker's calendar (1900 to 2199) that no offset (less
# than a day) carries outside it: 1900-01-02 to 2199-12-30, days that exist.
_DAY = (
    "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
_LEAP = "(?:(?:19|20|21)(?:0[48]|[2468][048]|[13579][26])|2000)"
_DATE = f"(?!1900-01-01)(?!2199-12-31)(?:(?:19|20|21)[0-9]{{2}}-{_DAY}|{_LEAP}-02-29)"
_TIME = (
    "T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,6})?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
)
INSTANT = _DATE + _TIME
# Any year: an instant of this shape outside the calendar is instant-out-of-range, not malformed.
INSTANT_SHAPE = "[0-9]{4}-[0-9]{2}-[0-9]{2}" + _TIME

INSTANT_RE = re.compile(INSTANT)
INSTANT_SHAPE_RE = re.compile(INSTANT_SHAPE)


def _pattern(regex: str) -> Any:
    return on_strings({"pattern": f"^{regex}$"})


PeriodQuery = Annotated[
    str | None,
    Query(
        description="YYYY-MM, YYYY-Qn or YYYY, years 1900 to 2199 (empty: none); not with from/to",
        examples=["2025-Q1"],
        json_schema_extra=_pattern(PERIOD),
    ),
]
MonthFromQuery = Annotated[
    str | None,
    Query(
        alias="from",
        description="First month, YYYY-MM (1900 to 2199)",
        examples=["2025-01"],
        json_schema_extra=_pattern(MONTH),
    ),
]
MonthToQuery = Annotated[
    str | None,
    Query(
        alias="to",
        description="Last month, YYYY-MM, not before from",
        examples=["2025-03"],
        json_schema_extra=_pattern(MONTH),
    ),
]
InstantQuery = Annotated[
    str | None,
    Query(
        description="An RFC 3339 date-time with its offset, from 1900-01-02 to 2199-12-30 (default now)",
        examples=["2025-03-20T00:00:00+07:00"],
        json_schema_extra=on_strings({"format": "date-time", "pattern": f"^{INSTANT}$"}),
    ),
]

AgencyQuery = Annotated[str | None, Query(examples=["SOTP-BD"])]
ProcedureQuery = Annotated[str | None, Query(examples=["1.001"])]
ProvinceQuery = Annotated[
    str | None,
    Query(
        description="The receiving agency's province on the day of receipt, any spelling: a code (74) "
        "or a pre-2025 name (Bình Dương) is that province as it was; a 2025 name covers the provinces "
        "merged into it",
        examples=["Thành phố Hồ Chí Minh"],
    ),
]
OriginQuery = Annotated[
    Literal["live", "imported"] | None,
    Query(description="Live dossiers, or those imported from an older system; both when absent"),
]
