"""Targets per indicator, in percent: the 2025 targets of Bình Dương by default, or a TOML file.

A targets file looks like::

    [targets]
    reuse_rate = 50
    population_data_use_rate = 50
    on_time_rate = 95

Indicators the file leaves out have no target (gap and met are then null). Targets may also be set per
year and per province (a province's own over the national ones; a year's over those of every year; a
target set for a year stays in force until a later year sets that indicator anew)::

    [years.2025]
    online_dossier_rate = 80

    [provinces."Bình Dương".years.2025]
    reuse_rate = 50

A province is named by code or by any spelling of an old or a new name.
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from onceonly.common.provinces import UnknownProvince, parse_place
from onceonly.tracker.indicators import INDICATORS

Targets = dict[str, float]

DEFAULT_SOURCE = "binh-duong-2024.csv"


class TargetsError(ValueError):
    """The targets file names an unknown indicator or a value that is not a percentage."""


def default_targets() -> Targets:
    """The ``target_2025`` column of the Bình Dương 2024 report shipped with the package."""
    text = resources.files("onceonly.tracker").joinpath(DEFAULT_SOURCE).read_text(encoding="utf-8")
    targets: Targets = {}
    for row in csv.DictReader(io.StringIO(text)):
        # The report also lists indicators the tracker does not compute (full_online_share).
        if row["indicator"] in INDICATORS and row["target_2025"].strip():
            targets[row["indicator"]] = float(row["target_2025"])
    return targets


def load_targets(path: Path | None) -> Targets:
    if path is None:
        return default_targets()
    with path.open("rb") as handle:
        document = tomllib.load(handle)
    table = document.get("targets", {})
    if not isinstance(table, dict):
        raise TargetsError(f"{path}: [targets] must be a table")
    targets: Targets = {}
    for name, value in table.items():
        if name not in INDICATORS:
            raise TargetsError(f"{path}: unknown indicator {name!r}")
        if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 100:
            raise TargetsError(f"{path}: target of {name} must be a percentage, got {value!r}")
        targets[name] = float(value)
    return targets


@dataclass(frozen=True)
class TargetBook:
    """Targets by year and by place; ``resolve`` gives the ones in force for a year and a province."""

    national: Targets = field(default_factory=dict)
    years: dict[int, Targets] = field(default_factory=dict)
    provinces: dict[str, Targets] = field(default_factory=dict)
    province_years: dict[tuple[str, int], Targets] = field(default_factory=dict)

    @classmethod
    def of(cls, targets: TargetBook | Mapping[str, float]) -> TargetBook:
        return targets if isinstance(targets, TargetBook) else cls(national=dict(targets))

    @staticmethod
    def _in_force(by_year: Mapping[int, Targets], year: int | None) -> Targets:
        """Each indicator's target as the latest year up to ``year`` set it."""
        out: Targets = {}
        for y in sorted(y for y in by_year if year is None or y <= year):
            out.update(by_year[y])
        return out

    def resolve(self, year: int | None = None, province: str | None = None) -> Targets:
        """Most specific first: the province's for the year, the province's, the nation's for the
        year, the nation's. ``year`` None: the latest set."""
        out = dict(self.national)
        out.update(self._in_force(self.years, year))
        if province is not None:
            key = _place_key(province)
            out.update(self.provinces.get(key, {}))
            mine = {y: t for (p, y), t in self.province_years.items() if p == key}
            out.update(self._in_force(mine, year))
        return out


def _place_key(province: str) -> str:
    try:
        return parse_place(province).key
    except UnknownProvince:
        return province


def _table(value: Any, where: str) -> Targets:
    if not isinstance(value, dict):
        raise TargetsError(f"{where} must be a table")
    targets: Targets = {}
    for name, target in value.items():
        if name in ("years",):
            continue
        if name not in INDICATORS:
            raise TargetsError(f"{where}: unknown indicator {name!r}")
        if not isinstance(target, int | float) or isinstance(target, bool) or not 0 <= target <= 100:
            raise TargetsError(f"{where}: target of {name} must be a percentage, got {target!r}")
        targets[name] = float(target)
    return targets


def _years(value: Any, where: str) -> dict[int, Targets]:
    if not isinstance(value, dict):
        raise TargetsError(f"{where} must be a table of years")
    out: dict[int, Targets] = {}
    for year, table in value.items():
        if not (isinstance(year, str) and year.isdigit() and len(year) == 4):
            raise TargetsError(f"{where}: {year!r} is not a year")
        out[int(year)] = _table(table, f"{where}.{year}")
    return out


def load_book(path: Path | None) -> TargetBook:
    """The targets file as a book of targets per year and province (the defaults without a file)."""
    if path is None:
        return TargetBook(national=default_targets())
    with path.open("rb") as handle:
        document = tomllib.load(handle)
    provinces: dict[str, Targets] = {}
    province_years: dict[tuple[str, int], Targets] = {}
    places = document.get("provinces", {})
    if not isinstance(places, dict):
        raise TargetsError(f"{path}: [provinces] must be a table")
    for name, table in places.items():
        try:
            key = parse_place(name).key
        except UnknownProvince as exc:
            raise TargetsError(f"{path}: {exc}") from None
        provinces[key] = _table(table, f"{path}: provinces.{name}")
        for year, targets in _years(table.get("years", {}), f"{path}: provinces.{name}.years").items():
            province_years[(key, year)] = targets
    return TargetBook(
        national=_table(document.get("targets", {}), f"{path}: [targets]"),
        years=_years(document.get("years", {}), f"{path}: [years]"),
        provinces=provinces,
        province_years=province_years,
    )
