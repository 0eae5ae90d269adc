"""Growth curves for the report: gather the scenarios' points, keep a long run's, fit, draw.

A scenario writes ``bench.harness.Point`` rows to ``<rows>.growth.json``; a long run
(``BENCH_LARGE=1``) reaches sizes a normal run does not, so its points are kept in
``bench/growth/<date>-large.json`` and merged into every later report, each point still naming the run
that produced it. The cost of growth is read as a power law: on log-log axes, a slope ``s`` means a
10× larger work costs ``10**s`` times as much per unit.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

# A Figure of its own, not pyplot: no display backend, no global state between plots.
from matplotlib.figure import Figure

from bench.harness import Point

THIS_RUN = "this run"
# A national registry: Viet Nam's population is about 10⁸.
NATIONAL = 100_000_000


def slug(curve: str) -> str:
    """A file name for ``curve``: ASCII letters, digits and dashes."""
    ascii_name = curve.lower().replace("µ", "u").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")


def load_points(paths: Iterable[Path]) -> list[Point]:
    points = []
    for path in paths:
        points += [Point(**p) for p in json.loads(path.read_text())]
    return points


def merge(this_run: Sequence[Point], kept: Sequence[Point]) -> list[Point]:
    """This run's points, and the kept ones of a (curve, size) this run did not measure; ``kept`` in
    the order the runs were kept (a later one replaces an earlier one)."""
    chosen: dict[tuple[str, int], Point] = {}
    for point in [*kept, *this_run]:
        chosen[(point.curve, point.size)] = point
    return sorted(chosen.values(), key=lambda p: (p.curve, p.size))


def keep_large_run(points: Sequence[Point], directory: Path, date: str) -> Path:
    """Write a long run's points to ``<directory>/<date>-large.json``, labelled with that run."""
    label = f"{date} BENCH_LARGE=1"
    kept = [asdict(p) | ({"run": label} if p.run == THIS_RUN else {}) for p in points]
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{date}-large.json"
    path.write_text(json.dumps(kept, indent=2, ensure_ascii=False) + "\n")
    return path


def kept_points(directory: Path) -> list[Point]:
    """The points of every kept long run, oldest file first (file names start with the date)."""
    return load_points(sorted(directory.glob("*-large.json"))) if directory.is_dir() else []


def curves(points: Iterable[Point]) -> dict[str, list[Point]]:
    by_curve: dict[str, list[Point]] = {}
    for point in points:
        by_curve.setdefault(point.curve, []).append(point)
    return {curve: sorted(ps, key=lambda p: p.size) for curve, ps in sorted(by_curve.items())}


@dataclass
class Fit:
    """How a curve grows: ``slope`` over all its points (least squares on log-log), ``last_slope``
    over its last step; the value at 10⁸ extrapolated along each (None if the curve reaches 10⁸)."""

    slope: float
    last_slope: float
    national: float | None
    national_last: float | None

    @property
    def per_decade(self) -> float:
        """What a 10× step multiplies the value by, over the whole curve."""
        return float(10**self.slope)

    @property
    def last_per_decade(self) -> float:
        return float(10**self.last_slope)


def fit(points: Sequence[Point]) -> Fit | None:
    """The log-log slopes of ``points`` (one curve, sorted by size); None under two positive points."""
    usable = [p for p in points if p.size > 0 and p.value > 0]
    if len({p.size for p in usable}) < 2:
        return None
    xs = [math.log10(p.size) for p in usable]
    ys = [math.log10(p.value) for p in usable]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    last, before = usable[-1], usable[-2]
    last_slope = math.log10(last.value / before.value) / math.log10(last.size / before.size)
    if last.size >= NATIONAL:
        return Fit(slope=slope, last_slope=last_slope, national=None, national_last=None)
    decades = math.log10(NATIONAL)
    return Fit(
        slope=slope,
        last_slope=last_slope,
        national=float(10 ** (mean_y + slope * (decades - mean_x))),
        national_last=last.value * (NATIONAL / last.size) ** last_slope,
    )


def draw(curve: str, points: Sequence[Point], path: Path) -> Path:
    """One curve as a PNG: size on a log x axis, value on y, each point marked and labelled by the
    run that produced it."""
    figure = Figure(figsize=(7, 4.2), dpi=100)
    axes = figure.subplots()
    axes.plot([p.size for p in points], [p.value for p in points], color="0.6", zorder=1)
    markers = "osD^v<>"
    for i, run in enumerate(dict.fromkeys(p.run for p in points)):
        mine = [p for p in points if p.run == run]
        axes.scatter(
            [p.size for p in mine], [p.value for p in mine], marker=markers[i % 7], label=run, zorder=2
        )
    for p in points:
        axes.annotate(
            f"{p.value:,.4g}", (p.size, p.value), textcoords="offset points", xytext=(0, 7), ha="center"
        )
    axes.set_xscale("log")
    axes.set_xlabel("size (log scale)")
    axes.set_ylabel(points[0].unit if points else "")
    axes.set_ylim(bottom=0, top=max((p.value for p in points), default=1) * 1.2)
    axes.set_title(curve)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(title="run", fontsize="small")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format="png")
    return path
