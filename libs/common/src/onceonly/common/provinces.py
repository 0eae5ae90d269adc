"""The 63 province codes that open every personal id, and the 34 provinces they belong to since 2025.

On 1 July 2025 Vietnam's 63 provinces merged into 34. Personal ids keep the pre-2025 code of the
province where the birth was registered; everything else (addresses, hometowns, jurisdiction) is named
as it stands since the merger. The table is ``provinces.csv`` beside this module.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from importlib import resources

__all__ = [
    "MERGER_DATE",
    "PROVINCES_2025",
    "Place",
    "Province",
    "UnknownProvince",
    "by_code",
    "codes",
    "covered_names",
    "parse_place",
    "province_2025",
    "province_at",
    "provinces",
    "recorded_name",
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


MERGER_DATE = date(2025, 7, 1)
"""The day the 63 provinces became 34 (and districts were abolished: province, then commune)."""

# "Tỉnh Bình Dương", "Thành phố Hồ Chí Minh", "TP. HCM": the administrative prefix is not the name.
_PREFIX = re.compile(r"^(tinh|thanh pho|tp\.?|t\.p\.?)\s+")
_BEFORE = " (trước 01/07/2025)"


def folded_name(name: str) -> str:
    """Casefolded, without diacritics, without the administrative prefix, spaces and dashes collapsed:
    "Tỉnh Bà Rịa-Vũng Tàu" and "ba ria - vung tau" fold the same."""
    text = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = " ".join(text.replace("-", " - ").split()).replace(" - ", "-")
    return _PREFIX.sub("", text)


@dataclass(frozen=True, slots=True)
class Place:
    """A province as a filter names it: one of the 34 of today's map, or one of the 63 before 1 July 2025.

    ``key`` is how filters and targets spell it: the name, and for a pre-2025 province whose name the
    merged province kept (Hồ Chí Minh before Bình Dương and Bà Rịa - Vũng Tàu joined it), the name with
    " (trước 01/07/2025)".
    """

    name: str
    since_2025: bool
    code: str | None = None

    @property
    def key(self) -> str:
        if not self.since_2025 and self.name in PROVINCES_2025:
            return self.name + _BEFORE
        return self.name

    @property
    def province_2025(self) -> str:
        return self.name if self.since_2025 else by_code(self.code or "").province_2025


@cache
def _places() -> tuple[dict[str, Place], dict[str, Place]]:
    new = {folded_name(n): Place(n, True) for n in PROVINCES_2025}
    old = {folded_name(p.name): Place(p.name, False, p.code) for p in provinces()}
    # Spellings of today's provinces seen in the wild.
    new[folded_name("HCM")] = new[folded_name("TP HCM")] = new[folded_name("Hồ Chí Minh")]
    return new, old


def parse_place(value: str) -> Place:
    """A province from a code (``74``, ``074``), a pre-2025 or a 2025 name, with or without diacritics,
    case or the "Tỉnh"/"Thành phố" prefix. A name on today's map means today's province, which covers
    every pre-2025 province merged into it; a code, or a pre-2025 name that is not on today's map, means
    that province as it was. ``UnknownProvince`` for anything else."""
    text = value.strip()
    if text.isascii() and text.isdigit() and 1 <= len(text) <= 3:
        return Place(by_code(text.zfill(3)).name, False, text.zfill(3))
    new, old = _places()
    if text.endswith(_BEFORE):
        found = old.get(folded_name(text.removesuffix(_BEFORE)))
    else:
        folded = folded_name(text)
        found = new.get(folded) or old.get(folded)
    if found is None:
        raise UnknownProvince(
            f"{value!r} is neither a province code, a pre-2025 province nor a 2025 province"
        )
    return found


def covered_names(key: str) -> tuple[str, ...]:
    """The names a dossier's province may be recorded under that fall in the place ``key`` names: for
    today's province, itself and every pre-2025 province merged into it; for a pre-2025 one, its name."""
    place = parse_place(key)
    if not place.since_2025:
        return (place.name,)
    return tuple(sorted({place.name} | {p.name for p in provinces() if p.province_2025 == place.name}))


def province_at(code_or_name: str, day: date) -> str:
    """The name of the province a place belonged to on ``day``: the pre-2025 province before the merger
    (when the place is one), today's after it."""
    place = parse_place(code_or_name)
    if day >= MERGER_DATE or place.since_2025:
        return place.province_2025
    return place.name


@lru_cache(maxsize=4096)
def recorded_name(value: str) -> str:
    """How the tracker records a dossier's province: the canonical name (old or new) for any spelling,
    or the value itself when it is no province."""
    try:
        return parse_place(value).name
    except UnknownProvince:
        return value.strip()
