"""bench/report.py: previous figures beside this run's, and growth curves drawn, tabled and kept."""

from __future__ import annotations

import json
from pathlib import Path

from bench import plots
from bench.harness import Point, Row, write_points, write_rows
from bench.report import render

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MACHINE = {
    "cpu": "test CPU",
    "cores": 2,
    "load_at_start": [0.1, 0.2, 0.3],
    "python": "3.11",
    "started": "2026-12-01 10:00:00 UTC",
    "gateway_workers": 2,
    "lookup_processes": 2,
}
CPU_CURVE = "lookup GetCitizen (SQLite): server CPU per call"


def _previous(directory: Path) -> None:
    directory.mkdir()
    report = {
        "machine": {**MACHINE, "started": "2026-11-27 20:18:15 UTC"},
        "scenarios": [
            {
                "name": "lookup_grpc",
                "rows": [
                    {
                        "scenario": "lookup GetCitizen (SQLite)",
                        "throughput": 2188.3,
                        "unit": "calls/s",
                        "ratio": 0.586,
                    }
                ],
            }
        ],
    }
    (directory / "2026-11-27.json").write_text(json.dumps(report))


def _results(directory: Path) -> None:
    rows = [
        Row(
            scenario="lookup GetCitizen (SQLite)",
            throughput=3456.7,
            unit="calls/s",
            goal=">= 4,000 calls/s",
            baseline="health Check, same server",
            baseline_throughput=4000.0,
            ratio=0.864,
        ),
        Row(scenario="lookup GetResult (SQLite)", throughput=1234.5, unit="calls/s", goal="—"),
    ]
    out = directory / "lookup_grpc.json"
    write_rows(out, rows)
    write_points(
        out,
        [Point(CPU_CURVE, 100_000, 200.0, "µs/call"), Point(CPU_CURVE, 1_000_000, 220.0, "µs/call")],
    )


def _render(tmp_path: Path, machine: dict[str, object] = MACHINE, *, large: bool = False) -> Path:
    """Renders tmp_path/results into tmp_path/out, with previous reports and kept growth under tmp_path."""
    out = tmp_path / "out"
    render(
        tmp_path / "results",
        machine,
        out_dir=out,
        large=large,
        previous_dir=tmp_path / "previous",
        growth_dir=tmp_path / "growth",
        findings=tmp_path / "findings.md",
    )
    return out


def _cells(markdown: str, scenario: str) -> list[str]:
    line = next(line for line in markdown.splitlines() if line.startswith(f"| {scenario} |"))
    return [cell.strip() for cell in line.strip("|").split(" | ")]


def test_rows_show_the_previous_figure_and_ratio_beside_this_runs(tmp_path: Path) -> None:
    _previous(tmp_path / "previous")
    _results(tmp_path / "results")
    out = _render(tmp_path)

    markdown = (out / "report.md").read_text()
    assert "the run of 2026-11-27 20:18:15 UTC (bench/previous/2026-11-27.json)" in markdown
    header = _cells(markdown, "scenario")
    kept = dict(zip(header, _cells(markdown, "lookup GetCitizen (SQLite)"), strict=True))
    assert kept["throughput"] == "3,456.7 calls/s"
    assert kept["previous"] == "2,188.3 calls/s"
    assert kept["ratio"] == "0.86"
    assert kept["previous ratio"] == "0.59"
    new = dict(zip(header, _cells(markdown, "lookup GetResult (SQLite)"), strict=True))
    assert new["throughput"] == "1,234.5 calls/s"
    assert (new["previous"], new["previous ratio"]) == ("—", "—")


def test_growth_curve_is_drawn_tabled_and_its_decade_cost_stated(tmp_path: Path) -> None:
    _results(tmp_path / "results")
    stale = tmp_path / "out" / "plots" / "a-curve-no-longer-measured.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(PNG_SIGNATURE)
    out = _render(tmp_path)

    png = out / "plots" / f"{plots.slug(CPU_CURVE)}.png"
    assert png.read_bytes().startswith(PNG_SIGNATURE)
    markdown = (out / "report.md").read_text()
    section = markdown[markdown.index("## Cost as work grows") :]
    assert f"](plots/{png.name})" in section
    assert "| 100,000 | 200 µs/call | this run |" in section
    assert "| 1,000,000 | 220 µs/call | this run |" in section
    # 200 → 220 per 10×: ×1.10; two more decades from 10⁶ to 10⁸: 220 × 1.1² = 266.2.
    assert "A 10× step costs **×1.10**" in section
    assert "Predicted at 10⁸: **266.2 µs/call**" in section
    assert not stale.exists()
    assert not (tmp_path / "growth").exists(), "a normal run keeps no growth file"


def test_long_run_points_survive_a_later_normal_run(tmp_path: Path) -> None:
    results, growth = tmp_path / "results", tmp_path / "growth"
    write_points(
        results / "lookup_grpc.json",
        [Point(CPU_CURVE, 1_000_000, 230.0, "µs/call"), Point(CPU_CURVE, 10_000_000, 260.0, "µs/call")],
    )
    _render(tmp_path, large=True)
    kept = json.loads((growth / "2026-12-01-large.json").read_text())
    assert {p["run"] for p in kept} == {"2026-12-01 BENCH_LARGE=1"}

    # A later normal run measures 10⁵ and 10⁶ only: 10⁷ comes from the long run, under its name.
    (results / "lookup_grpc.growth.json").unlink()
    _results(results)
    later = {**MACHINE, "started": "2026-12-02 10:00:00 UTC"}
    out = _render(tmp_path, later)

    report = json.loads((out / "report.json").read_text())
    points = {p["size"]: p for p in report["growth"] if p["curve"] == CPU_CURVE}
    assert {size: (p["value"], p["run"]) for size, p in points.items()} == {
        100_000: (200.0, "this run"),
        1_000_000: (220.0, "this run"),
        10_000_000: (260.0, "2026-12-01 BENCH_LARGE=1"),
    }
    markdown = (out / "report.md").read_text()
    assert "| 10,000,000 | 260 µs/call | 2026-12-01 BENCH_LARGE=1 |" in markdown
    # Fitted through 200, 220, 260 at 10⁵, 10⁶, 10⁷: slope 0.057 (×1.14 per 10×), 293 at 10⁸; the last
    # step alone (×260/220) gives 307.3.
    assert "A 10× step costs **×1.14** (log-log slope +0.06 over 10⁵–10⁷; last step ×1.18" in markdown
    assert "Predicted at 10⁸: **292.9 µs/call** along the fit, 307.3 µs/call from the last step" in markdown
    assert list(growth.iterdir()) == [growth / "2026-12-01-large.json"]
