"""Waits for the tracker to drain the stream, then sets its figures beside the ground truth."""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

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
