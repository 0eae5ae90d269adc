"""Targets per indicator, in percent: the 2025 targets of Bình Dương by default, or a TOML file.

A targets file looks like::

    [targets]
    reuse_rate = 50
    population_data_use_rate = 50
    on_time_rate = 95

Indicators the file leaves out have no target (gap and met are then null).
"""

from __future__ import annotations

import csv
import io
import tomllib
from importlib import resources
from pathlib import Path

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
