"""The indicators of docs/ARCHITECTURE.md, computed from summed cube counters, with targets applied.

Most are a ratio of two counters of one vector (the cube's sums for the filters and period). A few need
more than that vector, which the caller reads and passes as a ``Context``: the same filters a year
earlier (paper dossiers), the receipts of the backlog years (their digitization), how many procedures
were used and used population data (§4.5a, counted over procedures), and the catalog as it stood
(procedures offered online). Without a context those are "no data" (0/0), never 0%.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from onceonly.tracker.cube import MEASURES, N_MEASURES, Vector


@dataclass(frozen=True, slots=True)
class Definition:
    name: str
    numerator: str
    denominator: str


# Order is the order of the reports: the reuse indicators first, then the eight the tracker began
# with, then the rest of the province's report.
DEFINITIONS: tuple[Definition, ...] = (
    Definition("reuse_rate", "reused", "received"),
    Definition("population_data_use_rate", "population", "received"),
    Definition("input_digitization_rate", "input_digital", "received"),
    Definition("output_digitization_rate", "output_digital", "resolved"),
    Definition("online_dossier_rate", "online", "received"),
    Definition("online_payment_rate", "paid_online", "fee_carried"),
    Definition("on_time_rate", "on_time", "resolved"),
    Definition("non_jurisdictional_share", "non_jurisdictional", "received"),
    Definition("full_online_share", "full_online", "online"),
    Definition("early_rate", "early", "resolved"),
    Definition("late_rate", "late", "resolved"),
    Definition("paper_dossier_reduction", "paper_cut", "paper_previous"),
    Definition("backlog_digitization_rate", "backlog_digital", "backlog_received"),
    Definition("population_procedure_share", "procedures_with_population", "procedures_in_use"),
    Definition("online_procedure_share", "catalog_online", "catalog_procedures"),
    Definition("full_online_procedure_share", "catalog_full", "catalog_procedures"),
    Definition("partial_online_procedure_share", "catalog_partial", "catalog_procedures"),
)
INDICATORS: tuple[str, ...] = tuple(d.name for d in DEFINITIONS)

# Counts derived from a vector and its context, after the measures in the extended vector.
DERIVED: tuple[str, ...] = (
    "late",
    "paper",
    "paper_previous",
    "paper_cut",
    "backlog_received",
    "backlog_digital",
    "procedures_in_use",
    "procedures_with_population",
    "catalog_procedures",
    "catalog_online",
    "catalog_full",
    "catalog_partial",
)
_INDEX = {name: i for i, name in enumerate((*MEASURES, *DERIVED))}
_M = {name: i for i, name in enumerate(MEASURES)}

# The years whose dossiers the province set out to digitize in full (số hóa 100% hồ sơ năm 2021, 2022).
BACKLOG_YEARS: tuple[int, ...] = (2021, 2022)


@dataclass(frozen=True, slots=True)
class Catalog:
    """Procedures of the catalog as it stood, by service level."""

    full: int = 0
    partial: int = 0
    offline: int = 0

    @property
    def total(self) -> int:
        return self.full + self.partial + self.offline


@dataclass(frozen=True, slots=True)
class Context:
    """What the indicators beyond one vector need; a None part makes its indicators "no data"."""

    # The counters of the same filters over the same months a year earlier.
    previous: Sequence[int] | None = None
    # The counters of the dossiers received in the backlog years (the other filters alike).
    backlog: Sequence[int] | None = None
    # Procedures with at least one dossier received, and those of them with one using population data.
    procedures_in_use: int = 0
    procedures_with_population: int = 0
    catalog: Catalog | None = None


def paper(totals: Sequence[int]) -> int:
    """Paper dossiers (hồ sơ giấy): received with at least one input component held only on paper."""
    return int(totals[_M["received"]]) - int(totals[_M["input_digital"]])


def extended(totals: Sequence[int], context: Context | None = None) -> list[int]:
    """The measures followed by ``DERIVED``, in that order."""
    if len(totals) != N_MEASURES:
        raise ValueError(f"expected {N_MEASURES} counters, got {len(totals)}")
    c = context or Context()
    now = paper(totals)
    before = 0 if c.previous is None else paper(c.previous)
    backlog = c.backlog
    catalog = c.catalog or Catalog()
    return [
        *map(int, totals),
        int(totals[_M["resolved"]]) - int(totals[_M["on_time"]]),
        now,
        before,
        # Fewer paper dossiers than a year earlier: a cut of 50% is the target, more paper is negative;
        # none a year earlier is no data (0/0).
        before - now if before > 0 else 0,
        0 if backlog is None else int(backlog[_M["received"]]),
        0 if backlog is None else int(backlog[_M["input_digital"]]),
        c.procedures_in_use,
        c.procedures_with_population,
        catalog.total,
        catalog.full + catalog.partial,
        catalog.full,
        catalog.partial,
    ]


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


def compute(
    totals: Vector | Sequence[int], targets: Mapping[str, float], context: Context | None = None
) -> list[Indicator]:
    totals = extended(totals, context)
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
    vectors: Iterable[tuple[str, Sequence[int]]],
    targets: Mapping[str, float],
    contexts: Mapping[str, Context] | None = None,
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
    # An indicator with nothing counted is the same dict in every row (orjson writes it each time).
    nothing: list[dict[str, object]] = [
        {"name": name, "numerator": 0, "denominator": 0, "value": None, "target": target, "gap": None,
         "met": None}
        for name, _, _, target, _ in plan
    ]  # fmt: skip
    steps = list(zip(plan, nothing, strict=True))
    rows: list[dict[str, object]] = []
    # ``_hundredths`` inlined: this loop runs 17 times per row.
    for key, vector in vectors:
        totals = extended(vector, None if contexts is None else contexts.get(key))
        out: list[dict[str, object]] = []
        for (name, n, d, target, target_k), empty in steps:
            num, den = totals[n], totals[d]
            if den == 0:
                if num == 0:
                    out.append(empty)
                else:
                    out.append({"name": name, "numerator": num, "denominator": 0, "value": None,
                                "target": target, "gap": None, "met": None})  # fmt: skip
                continue
            k: int | None = None
            if 0 <= num < _EXACT_BELOW:
                k, rest = divmod(20_000 * num + den, 2 * den)  # half up; ties (rest == 0) declined
                if rest == 0:
                    k = None
            value = round(100 * num / den, 2) if k is None else k / 100
            if target is None:
                out.append({"name": name, "numerator": num, "denominator": den, "value": value,
                            "target": None, "gap": None, "met": None})  # fmt: skip
                continue
            gap = (k - target_k) / 100 if k is not None and target_k is not None else round(value - target, 2)
            out.append({"name": name, "numerator": num, "denominator": den, "value": value,
                        "target": target, "gap": gap, "met": 100 * num >= target * den})  # fmt: skip
        rows.append({"key": key, "indicators": out})
    return rows
