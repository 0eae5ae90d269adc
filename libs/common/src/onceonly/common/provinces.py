"""The 63 province codes that open every personal id, and the 34 provinces they belong to since 2025.

On 1 July 2025 Vietnam's 63 provinces merged into 34. Personal ids keep the pre-2025 code of the
province where the birth was registered; everything else (addresses, hometowns, jurisdiction) is named
as it stands since the merger. The table is ``provinces.csv`` beside this module.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = [
    "PROVINCES_2025",
    "Province",
    "UnknownProvince",
    "by_code",
    "codes",
    "province_2025",
    "provinces",
    "same_province",
]


class UnknownProvince(ValueError):
    """Neither a province code, a pre-2025 province name nor a 2025 province name."""


@dataclass(frozen=True, slots=True)
class Province:
    """One of the 63 codes: its pre-2025 name and the province it has belonged to since 1 July 2025."""

    code: str
    name: str
    province_2025: str


@cache
def provinces() -> tuple[Province, ...]:
    """The 63 pre-2025 provinces, by code."""
    text = resources.files(__package__).joinpath("provinces.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return tuple(
        Province(code=row["code"], name=row["province"], province_2025=row["province_from_2025_07_01"])
        for row in rows
    )


@cache
def _by_code() -> dict[str, Province]:
    return {p.code: p for p in provinces()}


@cache
def codes() -> frozenset[str]:
    """The 63 three-digit codes that may open a personal id."""
    return frozenset(_by_code())


def by_code(code: str) -> Province:
    try:
        return _by_code()[code]
    except KeyError:
        raise UnknownProvince(f"province code {code} is not a Vietnamese province code") from None


def _key(name: str) -> str:
    # Compare names as NFC, case-insensitively, ignoring surrounding space: "hồ chí minh " matches.
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


@cache
def _by_name() -> dict[str, str]:
    names: dict[str, str] = {}
    for p in provinces():
        names[_key(p.name)] = p.province_2025
        names[_key(p.province_2025)] = p.province_2025
    # Common longer spellings of the two cities whose 2025 names are short.
    names[_key("Thành phố Hồ Chí Minh")] = "Hồ Chí Minh"
    names[_key("TP. Hồ Chí Minh")] = "Hồ Chí Minh"
    names[_key("Thừa Thiên Huế")] = "Huế"
    return names


PROVINCES_2025: tuple[str, ...] = tuple(sorted({p.province_2025 for p in provinces()}))
"""The 34 provinces as they stand since 1 July 2025, sorted."""


def province_2025(code_or_name: str) -> str:
    """The 2025 province for a three-digit code, a pre-2025 province name or a 2025 province name.

    Raises ``UnknownProvince`` for anything else.
    """
    value = code_or_name.strip()
    if len(value) == 3 and value.isascii() and value.isdigit():
        return by_code(value).province_2025
    try:
        return _by_name()[_key(value)]
    except KeyError:
        raise UnknownProvince(
            f"{code_or_name!r} is neither a province code, a pre-2025 province nor a 2025 province"
        ) from None


def same_province(a: str, b: str) -> bool:
    """Whether two codes or names (old or new) fall in the same 2025 province."""
    return province_2025(a) == province_2025(b)
