"""Gathers the scenarios' rows into bench/report.md and bench/report.json.

    python bench/report.py --results bench/results --machine var/bench/machine.json [--seconds N]
                           [--steps name=seconds ...]

The hand-written bench/findings.md (profiles, what was tried where a goal is missed) is appended to the
Markdown report.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bench.harness import ROOT

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


def _row(r: dict[str, Any]) -> str:
    cells = [
        r["scenario"],
        f"{_num(r['throughput'])} {r['unit']}",
        _num(r.get("p50_ms"), 2),
        _num(r.get("p99_ms"), 2),
        f"{r['baseline']}: {_num(r.get('baseline_throughput'))}" if r.get("baseline") else "—",
        _num(r.get("ratio"), 2),
        r["goal"],
        _met(r.get("met")),
        r.get("notes", ""),
    ]
    return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--machine", type=Path, required=True)
    parser.add_argument("--seconds", type=int)
    parser.add_argument("--steps", nargs="*", default=[], help="name=seconds of each step, in order")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    steps = [(name, int(seconds)) for name, _, seconds in (s.rpartition("=") for s in args.steps)]
    timings = ", ".join(f"{name} {seconds} s" for name, seconds in steps)
    machine = json.loads(args.machine.read_text())
    sections: list[dict[str, Any]] = []
    for name, title in ORDER:
        path = args.results / f"{name}.json"
        if path.exists():
            sections.append({"name": name, "title": title, "rows": json.loads(path.read_text())})
        else:
            sections.append({"name": name, "title": title, "rows": [], "missing": True})
    load = ", ".join(str(x) for x in machine["load_at_start"])
    lines = [
        "# Benchmark report",
        "",
        "Written by `make bench`"
        + (" --quick (smoke test: 100,000 citizens, one short run each)" if args.quick else "")
        + f" on {machine['started']}"
        + (f", in {args.seconds // 60} min {args.seconds % 60} s." if args.seconds is not None else "."),
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
        *([f"- time per step: {timings}"] if timings else []),
        "",
        "| scenario | throughput | p50 ms | p99 ms | baseline (same run) | ratio | goal | met | notes |",
        "|---|---:|---:|---:|---|---:|---|---|---|",
    ]
    for section in sections:
        if section.get("missing"):
            cells = [section["title"], *["—"] * 7, "not run: no result (script missing or failed)"]
            lines.append("| " + " | ".join(cells) + " |")
        lines.extend(_row(r) for r in section["rows"])
    findings = ROOT / "bench" / "findings.md"
    if findings.exists():
        lines += ["", findings.read_text().rstrip()]
    (ROOT / "bench" / "report.md").write_text("\n".join(lines) + "\n")
    (ROOT / "bench" / "report.json").write_text(
        json.dumps(
            {
                "machine": machine,
                "quick": args.quick,
                "seconds": args.seconds,
                "steps": dict(steps),
                "scenarios": sections,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
