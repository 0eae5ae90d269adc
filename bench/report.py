"""Gathers the scenarios' rows into bench/report.md and bench/report.json.

    python bench/report.py --results bench/results --machine var/bench/machine.json [--seconds N]
                           [--steps name=seconds ...] [--quick] [--large] [--out-dir bench]

Every row that the previous report (the newest bench/previous/<date>.json) also holds shows its
previous figure and previous ratio beside this run's. To compare the next round with this one, copy
bench/report.json to bench/previous/<its date>.json before running the bench again.

The scenarios' growth points (``<rows>.growth.json``) are merged with those kept from long runs
(bench/growth/*-large.json), drawn as bench/plots/<curve>.png and tabled under "Cost as work grows";
``--large`` (``BENCH_LARGE=1``) keeps this run's points in bench/growth/<date>-large.json.

The hand-written bench/findings.md (profiles, what was tried where a goal is missed) is appended to the
Markdown report.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench import plots
from bench.harness import ROOT, Point

BENCH = ROOT / "bench"

ORDER = (
    ("gateway_lookup", "1. gateway lookup"),
    ("lookup_grpc", "2. lookup service"),
    ("dossier_receipt", "3. dossier receipt"),
    ("tracker_ingest", "4. tracker ingest"),
    ("freshness", "5. freshness"),
    ("tracker_queries", "6. tracker queries"),
    ("seeding", "7. seeding"),
)


def _num(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def _met(value: bool | None) -> str:
    return {True: "**yes**", False: "**no**", None: "—"}[value]


# Rows renamed since the previous report: this run's name → the name the previous report gave the same
# measure (the SQLite rebuild was then measured on 500,000 events only, PostgreSQL with one consumer).
RENAMED = {
    "tracker ingest, SQLite, 500,000 events (rebuild from a pre-filled topic)": (
        "tracker ingest, SQLite (rebuild from a pre-filled topic)"
    ),
    "tracker ingest, PostgreSQL, one consumer (rebuild from a pre-filled topic)": (
        "tracker ingest, PostgreSQL (rebuild from a pre-filled topic)"
    ),
}


def _previous(directory: Path) -> tuple[Path, dict[str, Any]] | None:
    """The newest previous report kept in ``directory`` (file names start with its date)."""
    files = sorted(directory.glob("*.json")) if directory.is_dir() else []
    return (files[-1], json.loads(files[-1].read_text())) if files else None


def _previous_rows(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["scenario"]: r for section in report.get("scenarios", []) for r in section.get("rows", [])}


def _row(r: dict[str, Any], previous: dict[str, Any] | None) -> str:
    cells = [
        r["scenario"],
        f"{_num(r['throughput'])} {r['unit']}",
        f"{_num(previous['throughput'])} {previous['unit']}" if previous else "—",
        _num(r.get("p50_ms"), 2),
        _num(r.get("p99_ms"), 2),
        f"{r['baseline']}: {_num(r.get('baseline_throughput'))}" if r.get("baseline") else "—",
        _num(r.get("ratio"), 2),
        _num(previous.get("ratio"), 2) if previous else "—",
        r["goal"],
        _met(r.get("met")),
        r.get("notes", ""),
    ]
    return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"


def _size(n: int) -> str:
    exponent = len(str(n)) - 1
    return f"10{str(exponent).translate(_SUPERSCRIPT)}" if n == 10**exponent else f"{n:,}"


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _growth_section(points: list[Point], out_dir: Path) -> list[str]:
    """The "Cost as work grows" section: per curve, its plot, its points and what a 10× step costs."""
    # Plots of curves no longer measured would linger beside the report: draw all of them afresh.
    for stale in (out_dir / "plots").glob("*.png"):
        stale.unlink()
    if not points:
        return []
    lines = [
        "",
        "## Cost as work grows",
        "",
        "Each curve is one hot path's cost measured at several sizes of the work (citizens in the store, "
        "events, rows). A point of this run replaces a point of the same curve and size kept from a long "
        "run (`BENCH_LARGE=1`, kept in bench/growth/); every point names the run that produced it. "
        "On log-log axes a slope *s* means a 10× larger work costs 10^*s* times as much: 0 is flat, "
        "1 is proportional. The value at 10⁸ (a national registry) is extrapolated, not measured: "
        "along the line fitted through all the points, and from the last step alone (where a store "
        "outgrowing a cache would show first).",
    ]
    for curve, mine in plots.curves(points).items():
        image = plots.draw(curve, mine, out_dir / "plots" / f"{plots.slug(curve)}.png")
        unit = mine[0].unit
        lines += ["", f"### {curve}", "", f"![{curve}]({image.relative_to(out_dir).as_posix()})", ""]
        lines += ["| size | value | run |", "|---:|---:|---|"]
        lines += [f"| {p.size:,} | {p.value:,.4g} {p.unit} | {p.run} |" for p in mine]
        fitted = plots.fit(mine)
        lines.append("")
        if fitted is None:
            lines.append("One size only: no slope yet.")
            continue
        span = f"{_size(mine[0].size)}–{_size(mine[-1].size)}"
        text = (
            f"A 10× step costs **×{fitted.per_decade:.2f}** (log-log slope {fitted.slope:+.2f} over {span}"
            f"; last step ×{fitted.last_per_decade:.2f}, slope {fitted.last_slope:+.2f})."
        )
        if fitted.national is not None and fitted.national_last is not None:
            text += f" Predicted at 10⁸: **{fitted.national:,.4g} {unit}** along the fit" + (
                f", {fitted.national_last:,.4g} {unit} from the last step (extrapolated)."
                if len(mine) > 2
                else " (extrapolated)."
            )
        lines.append(text)
    return lines


def render(
    results: Path,
    machine: dict[str, Any],
    *,
    out_dir: Path = BENCH,
    seconds: int | None = None,
    steps: list[tuple[str, int]] | None = None,
    quick: bool = False,
    large: bool = False,
    previous_dir: Path = BENCH / "previous",
    growth_dir: Path = BENCH / "growth",
    findings: Path = BENCH / "findings.md",
) -> None:
    """Write ``out_dir``/report.md, report.json and plots/ from the rows and points in ``results``."""
    steps = steps or []
    timings = ", ".join(f"{name} {secs} s" for name, secs in steps)
    sections: list[dict[str, Any]] = []
    for name, title in ORDER:
        path = results / f"{name}.json"
        if path.exists():
            sections.append({"name": name, "title": title, "rows": json.loads(path.read_text())})
        else:
            sections.append({"name": name, "title": title, "rows": [], "missing": True})
    previous = _previous(previous_dir)
    before = _previous_rows(previous[1]) if previous else {}
    this_run = plots.load_points(sorted(results.glob("*.growth.json")))
    if large and not quick:
        plots.keep_large_run(this_run, growth_dir, machine["started"][:10])
    points = plots.merge(this_run, plots.kept_points(growth_dir))
    load = ", ".join(str(x) for x in machine["load_at_start"])
    if previous:
        started = previous[1].get("machine", {}).get("started", previous[0].stem)
        compared = (
            f"- previous: the run of {started} (bench/previous/{previous[0].name}); "
            '"previous" and "previous ratio" are its figure and its ratio to the ceiling measured in '
            "that run, beside this run's; — marks a row new since"
        )
    else:
        compared = "- previous: none kept in bench/previous/"
    lines = [
        "# Benchmark report",
        "",
        "Written by `make bench`"
        + (" --quick (smoke test: 100,000 citizens, one short run each)" if quick else "")
        + (" with BENCH_LARGE=1 (long run: larger growth sizes)" if large and not quick else "")
        + f" on {machine['started']}"
        + (f", in {seconds // 60} min {seconds % 60} s." if seconds is not None else "."),
        "",
        f"- machine: {machine['cpu']}, {machine['cores']} cores; load average at start {load} (1, 5, 15 min)",
        f"- Python {machine['python']}; gateway and baselines on uvicorn with {machine['gateway_workers']} "
        f"worker process(es); lookup with {machine.get('lookup_processes', 1)} process(es); "
        "services log at WARNING",
        "- **The load generators (wrk, ghz, the probes) run on the same machine and share its "
        f"{machine['cores']} cores with the services they measure**, and the machine is shared with other "
        "work: compare each figure with the baseline measured beside it in the same run (the ratio), "
        "more than with the absolute goal.",
        "- throughput is the median of the repeated runs (its own p50/p99 beside it); the notes give the "
        "spread and the load average before the runs.",
        compared,
        *([f"- time per step: {timings}"] if timings else []),
        "",
        "| scenario | throughput | previous | p50 ms | p99 ms | baseline (same run) | ratio | previous ratio "
        "| goal | met | notes |",
        "|---|---:|---:|---:|---:|---|---:|---:|---|---|---|",
    ]
    for section in sections:
        if section.get("missing"):
            cells = [section["title"], *["—"] * 9, "not run: no result (script missing or failed)"]
            lines.append("| " + " | ".join(cells) + " |")
        lines.extend(_row(r, before.get(RENAMED.get(r["scenario"], r["scenario"]))) for r in section["rows"])
    lines += _growth_section(points, out_dir)
    if findings.exists():
        lines += ["", findings.read_text().rstrip()]
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "report.md").write_text("\n".join(lines) + "\n")
    (out_dir / "report.json").write_text(
        json.dumps(
            {
                "machine": machine,
                "quick": quick,
                "large": large,
                "seconds": seconds,
                "steps": dict(steps),
                "previous": previous[0].name if previous else None,
                "scenarios": sections,
                "growth": [asdict(p) for p in points],
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--machine", type=Path, required=True)
    parser.add_argument("--seconds", type=int)
    parser.add_argument("--steps", nargs="*", default=[], help="name=seconds of each step, in order")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--large", action="store_true", help="a BENCH_LARGE=1 run: keep its growth points")
    parser.add_argument("--out-dir", type=Path, default=BENCH, help="where report.md, .json, plots/ go")
    args = parser.parse_args()
    steps = [(name, int(secs)) for name, _, secs in (s.rpartition("=") for s in args.steps)]
    render(
        args.results,
        json.loads(args.machine.read_text()),
        out_dir=args.out_dir,
        seconds=args.seconds,
        steps=steps,
        quick=args.quick,
        large=args.large,
    )


if __name__ == "__main__":
    main()
