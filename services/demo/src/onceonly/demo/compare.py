"""Waits for the tracker to drain the stream, then sets its figures beside the ground truth."""

from __future__ import annotations

import csv
import io
import math
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from importlib import resources
from pathlib import Path

import httpx

from onceonly.demo.truth import INDICATORS, Figure

# Receipt-based indicators count every dossier the demo filed; these count resolutions.
_DRAIN_MARKERS = ("online_dossier_rate", "on_time_rate")


@dataclass(frozen=True)
class Row:
    indicator: str
    expected: Figure
    reported: Figure | None
    target: float | None
    gap: float | None

    @property
    def matches(self) -> bool:
        return self.reported == self.expected


def _period(start: date, end: date) -> dict[str, str]:
    return {"from": f"{start:%Y-%m}", "to": f"{end:%Y-%m}"}


def fetch(
    tracker: httpx.Client, start: date, end: date, agencies: Collection[str]
) -> dict[str, dict[str, object]]:
    """The demo's own figures: the per-agency breakdown summed over the demo's agencies, so dossiers
    that other agencies filed in the same period (a store in use holds them) are left out."""
    response = tracker.get("/v1/indicators/breakdown", params={**_period(start, end), "by": "agency"})
    response.raise_for_status()
    counts: dict[str, tuple[int, int]] = {}
    targets: dict[str, float | None] = {}
    for row in response.json()["rows"]:
        if row["key"] in agencies:
            for item in row["indicators"]:
                numerator, denominator = counts.get(item["name"], (0, 0))
                counts[item["name"]] = (numerator + item["numerator"], denominator + item["denominator"])
                targets[item["name"]] = item["target"]
    summed: dict[str, dict[str, object]] = {}
    for name, (numerator, denominator) in counts.items():
        target = targets[name]
        gap = None
        if denominator and target is not None:
            gap = round(100 * numerator / denominator - target, 2)
        summed[name] = {"numerator": numerator, "denominator": denominator, "target": target, "gap": gap}
    return summed


def wait_for_drain(
    tracker: httpx.Client,
    truth: dict[str, Figure],
    *,
    start: date,
    end: date,
    agencies: Collection[str],
    timeout: float = 300.0,
) -> dict[str, dict[str, object]]:
    """Poll until the tracker has seen every receipt and resolution the demo sent (or time runs out)."""
    deadline = time.monotonic() + timeout
    while True:
        reported = fetch(tracker, start, end, agencies)
        done = all(
            reported.get(name, {}).get("denominator") == truth[name].denominator for name in _DRAIN_MARKERS
        )
        if done or time.monotonic() > deadline:
            # One more read after the markers settle: lookups for a dossier may trail its receipt.
            time.sleep(1.0)
            return fetch(tracker, start, end, agencies)
        time.sleep(0.5)


def compare(truth: dict[str, Figure], reported: dict[str, dict[str, object]]) -> list[Row]:
    rows = []
    for name in INDICATORS:
        item = reported.get(name)
        figure = None
        if item is not None:
            figure = Figure(int(item["numerator"]), int(item["denominator"]))  # type: ignore[call-overload]
        target = item.get("target") if item else None
        gap = item.get("gap") if item else None
        rows.append(
            Row(
                name,
                truth[name],
                figure,
                float(target) if isinstance(target, int | float) else None,
                float(gap) if isinstance(gap, int | float) else None,
            )
        )
    return rows


# The rest of the province's report, after the eight figures the demo checks exactly: the tracker's
# figures for the profile's province and period, beside the province's published values.
REPORT_INDICATORS = (
    "full_online_share",
    "early_rate",
    "late_rate",
    "paper_dossier_reduction",
    "backlog_digitization_rate",
    "population_procedure_share",
    "online_procedure_share",
    "full_online_procedure_share",
    "partial_online_procedure_share",
)


@dataclass(frozen=True)
class ReportRow:
    indicator: str
    published: float | None
    reported: Figure | None
    note: str


def published_report() -> Path | None:
    """The province's published figures, as the tracker ships them (its targets file); None where the
    tracker package is not installed beside the demo."""
    try:
        found = resources.files("onceonly.tracker") / "binh-duong-2024.csv"
    except ModuleNotFoundError:
        return None
    return Path(str(found)) if found.is_file() else None


def load_published(path: Path) -> dict[str, float | None]:
    """The ``actual_2024`` column of the province's report (``binh-duong-2024.csv``), in percent."""
    rows = csv.DictReader(io.StringIO(path.read_text("utf-8")))
    return {row["indicator"]: float(row["actual_2024"]) if row["actual_2024"] else None for row in rows}


def fetch_report(tracker: httpx.Client, start: date, end: date, province: str | None) -> dict[str, Figure]:
    params = _period(start, end)
    if province is not None:
        params["province"] = province
    response = tracker.get("/v1/indicators", params=params)
    response.raise_for_status()
    return {i["name"]: Figure(i["numerator"], i["denominator"]) for i in response.json()["indicators"]}


def _hundredths(numerator: int, denominator: int) -> Fraction:
    """The percent of two whole counts rounded half up to two decimals, exactly."""
    return Fraction(math.floor(Fraction(10_000 * numerator, denominator) + Fraction(1, 2)), 100)


def whole_denominators(numerator: int, published: float) -> tuple[list[int], int, int]:
    """The denominators that give ``numerator`` exactly the published percent, and the two whole ones
    around the published figure (below and above it)."""
    target = Fraction(str(published))
    centre = math.floor(Fraction(100 * numerator) / target) if target else numerator
    near = range(max(numerator, 1, centre - 3), centre + 4)
    exact = [d for d in near if _hundredths(numerator, d) == target]
    above = max(d for d in near if Fraction(100 * numerator, d) >= target) if centre >= 1 else numerator
    return exact, above, above + 1


def _pct(value: Fraction | float) -> str:
    return f"{float(value):.2f}%"


def report_rows(published: dict[str, float | None], reported: dict[str, Figure]) -> list[ReportRow]:
    rows = []
    for name in REPORT_INDICATORS:
        figure, value = reported.get(name), published.get(name)
        if figure is None:
            note = "not reported by the tracker"
        elif figure.value is None:
            note = "no data: nothing to count (empty denominator)"
        elif value is None:
            note = "not in the 2024 report"
        elif _hundredths(figure.numerator, figure.denominator) == Fraction(str(value)):
            note = "as published"
        else:
            exact, low, high = whole_denominators(figure.numerator, value)
            if exact:
                note = (
                    f"differs from the published {_pct(value)} ({figure.numerator}/{exact[0]} would give it)"
                )
            else:
                note = (
                    f"no whole count gives {_pct(value)} with {figure.numerator:,}: "
                    f"{figure.numerator:,}/{low:,} = {_pct(_hundredths(figure.numerator, low))}, "
                    f"/{high:,} = {_pct(_hundredths(figure.numerator, high))}; "
                    f"{_pct(_hundredths(figure.numerator, figure.denominator))} is the nearest exact figure"
                )
        rows.append(ReportRow(name, value, figure, note))
    return rows
