"""The indicators of docs/ARCHITECTURE.md, computed from summed cube counters, with targets applied."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from onceonly.tracker.cube import MEASURES, N_MEASURES, Vector


@dataclass(frozen=True, slots=True)
class Definition:
    name: str
    numerator: str
    denominator: str


# Order is the order of the reports: the reuse indicators first.
DEFINITIONS: tuple[Definition, ...] = (
    Definition("reuse_rate", "reused", "received"),
    Definition("population_data_use_rate", "population", "received"),
    Definition("input_digitization_rate", "input_digital", "received"),
    Definition("output_digitization_rate", "output_digital", "resolved"),
    Definition("online_dossier_rate", "online", "received"),
    Definition("online_payment_rate", "paid_online", "fee_carried"),
    Definition("on_time_rate", "on_time", "resolved"),
    Definition("non_jurisdictional_share", "non_jurisdictional", "received"),
)
INDICATORS: tuple[str, ...] = tuple(d.name for d in DEFINITIONS)
_INDEX = {name: i for i, name in enumerate(MEASURES)}


@dataclass(frozen=True, slots=True)
class Indicator:
    name: str
    numerator: int
    denominator: int
    # Percent, two decimals; None when the denominator is empty ("no data", never 0%).
    value: float | None
    target: float | None
    # Percentage points above (positive) or below (negative) the target.
    gap: float | None
    met: bool | None


def rate(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else round(100 * numerator / denominator, 2)


def compute(totals: Vector | Sequence[int], targets: Mapping[str, float]) -> list[Indicator]:
    if len(totals) != N_MEASURES:
        raise ValueError(f"expected {N_MEASURES} counters, got {len(totals)}")
    out: list[Indicator] = []
    for d in DEFINITIONS:
        num, den = int(totals[_INDEX[d.numerator]]), int(totals[_INDEX[d.denominator]])
        value = rate(num, den)
        target = targets.get(d.name)
        gap = None if value is None or target is None else round(value - target, 2)
        # Compared exactly, not on the rounded value: 49.996% does not meet a 50% target.
        met = None if value is None or target is None else 100 * num >= target * den
        out.append(Indicator(d.name, num, den, value, target, gap, met))
    return out


# Below this, a count's percentage rounds the same from integers as from its float (``_hundredths``).
_EXACT_BELOW = 10**11


def _hundredths(num: int, den: int) -> int | None:
    """``round(100 * num / den, 2)`` in whole hundredths, from integers, or None where that might differ.

    ``round`` rounds the float nearest to the exact ratio, whose error (under 1e-16 relative) only
    matters within that distance of a tie; off a tie, the ratio is at least 1 / (200 * den) away from
    one, which is farther for ``num`` below ``_EXACT_BELOW``. On an exact tie the float lies on either
    side: left to ``round``. And ``k / 100`` is the float nearest to k hundredths, as ``round`` returns.
    """
    if not 0 <= num < _EXACT_BELOW:
        return None
    k, rest = divmod(20_000 * num + den, 2 * den)  # half up; ties (rest == 0) declined
    return None if rest == 0 else k


def _target_hundredths(target: float | None) -> int | None:
    """A target that is exactly some hundredths (50.0, 33.33), as those; then ``round(value - target,
    2)`` is ``(k - t) / 100`` for a value of k hundredths (a difference of two-decimal figures)."""
    if target is None or not abs(target) < _EXACT_BELOW:
        return None
    t = round(target * 100)
    return t if t / 100 == target else None


def compute_dicts(
    vectors: Iterable[tuple[str, Sequence[int]]], targets: Mapping[str, float]
) -> list[dict[str, object]]:
    """``compute`` for many keyed vectors at once, as ``{"key", "indicators"}`` dicts of plain values
    (what a breakdown's JSON holds); the same figures, without an object per indicator, and rounded in
    integers where that is exact (a 1,000-row breakdown rounds 16,000 times)."""
    goals = {name: float(t) for name, t in targets.items()}  # as the API model renders them
    plan = [
        (
            d.name,
            _INDEX[d.numerator],
            _INDEX[d.denominator],
            goals.get(d.name),
            _target_hundredths(goals.get(d.name)),
        )
        for d in DEFINITIONS
    ]
    rows: list[dict[str, object]] = []
    for key, totals in vectors:
        if len(totals) != N_MEASURES:
            raise ValueError(f"expected {N_MEASURES} counters, got {len(totals)}")
        out = []
        for name, n, d, target, target_k in plan:
            num, den = int(totals[n]), int(totals[d])
            if den == 0:
                out.append({"name": name, "numerator": num, "denominator": 0, "value": None,
                            "target": target, "gap": None, "met": None})  # fmt: skip
                continue
            k = _hundredths(num, den)
            value = round(100 * num / den, 2) if k is None else k / 100
            if target is None:
                gap = met = None
            else:
                if k is not None and target_k is not None:
                    gap = (k - target_k) / 100
                else:
                    gap = round(value - target, 2)
                met = 100 * num >= target * den
            out.append({"name": name, "numerator": num, "denominator": den, "value": value,
                        "target": target, "gap": gap, "met": met})  # fmt: skip
        rows.append({"key": key, "indicators": out})
    return rows
