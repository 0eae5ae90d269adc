"""What the benchmark scenarios share: result rows, the stack file, and the wrk and ghz runners.

Scenarios are separate processes (``bench/scenarios/<name>.py --out … [--quick]``) run by ``bench/run.sh``
with ``PYTHONPATH`` at the repository root, so they import this as ``bench.harness``. The services they
measure are started by ``bench/stack.py`` and described in ``var/bench/stack.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
STACK_FILE = VAR / "stack.json"
WRK_DIR = ROOT / "bench" / "wrk"
_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Row:
    """One line of the report; the contract between scenario scripts and ``bench/report.py``."""

    scenario: str
    throughput: float
    unit: str
    goal: str
    p50_ms: float | None = None
    p99_ms: float | None = None
    baseline: str | None = None
    baseline_throughput: float | None = None
    ratio: float | None = None
    met: bool | None = None
    notes: str = ""

    @classmethod
    def of_run(cls, run: Run, *, scenario: str, unit: str, goal: str, **rest: Any) -> Row:
        """A row whose rate and percentiles are ``run``'s, rounded as the report shows them."""
        return cls(
            scenario=scenario,
            throughput=round(run.throughput, 1),
            unit=unit,
            goal=goal,
            p50_ms=round(run.p50_ms, 2),
            p99_ms=round(run.p99_ms, 2),
            **rest,
        )


def scenario_args(description: str | None) -> argparse.Namespace:
    """The arguments every scenario takes: where to write its rows, and whether to run short."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--quick", action="store_true")
    return parser.parse_args()


def write_rows(out: Path, rows: Sequence[Row]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([asdict(r) for r in rows], indent=2, ensure_ascii=False) + "\n")
    for r in rows:
        print(
            f"{r.scenario}: {r.throughput:,.1f} {r.unit} p50={r.p50_ms} p99={r.p99_ms} "
            f"ratio={r.ratio} met={r.met} {r.notes}",
            flush=True,
        )


@dataclass
class Point:
    """One point of a growth curve: a hot path's cost at one size of the work (citizens, dossiers,
    events). ``bench/report.py`` draws each ``curve`` as a plot, size on a log axis; ``run`` says which
    run produced the point ("this run", or the date and flag of a long run whose points were kept)."""

    curve: str
    size: int
    value: float
    unit: str
    run: str = "this run"


def growth_path(out: Path) -> Path:
    """Where a scenario whose rows go to ``out`` writes its growth points."""
    return out.with_suffix(".growth.json")


def write_points(out: Path, points: Sequence[Point]) -> None:
    """Write ``points`` beside the rows file ``out`` (replacing points of the same curve and size)."""
    path = growth_path(out)
    kept = json.loads(path.read_text()) if path.exists() else []
    new = {(p.curve, p.size) for p in points}
    merged = [p for p in kept if (p["curve"], p["size"]) not in new] + [asdict(p) for p in points]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")


def load_average() -> float:
    return round(os.getloadavg()[0], 2)


def cpu_seconds(root: int) -> float:
    """User + system CPU time of process ``root`` and all its descendants (uvicorn and lookup fork
    workers). On a shared machine, CPU per request moves much less with the load than rates do."""
    stats = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat") as file:
                    # After the ")" closing the command name: state, ppid, … utime (12th), stime (13th).
                    fields = file.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    tree = {root}
    while grown := {pid for pid, (parent, _) in stats.items() if parent in tree} - tree:
        tree |= grown
    return sum(stats[pid][1] for pid in tree if pid in stats) / _TICKS


def stack() -> dict[str, Any]:
    """Ports, keys and files of the services ``bench/stack.py up`` started."""
    value: dict[str, Any] = json.loads(STACK_FILE.read_text())
    return value


@dataclass
class Run:
    """One load-generator run: requests per second and latency percentiles."""

    throughput: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    load_before: float
    extra: dict[str, Any] = field(default_factory=dict)


def median_run(runs: Sequence[Run]) -> Run:
    """The run of median throughput (a real run, so its percentiles belong to its throughput)."""
    ordered = sorted(runs, key=lambda r: r.throughput)
    return ordered[len(ordered) // 2]


def repeat(times: int, once: Callable[[], Run], *, pause: float = 1.0) -> list[Run]:
    runs = []
    for i in range(times):
        if i:
            time.sleep(pause)
        runs.append(once())
    return runs


def spread(runs: Sequence[Run]) -> str:
    values = [r.throughput for r in runs]
    if len(values) < 2:
        return f"{len(values)} run"
    return (
        f"{len(values)} runs, {min(values):,.0f}–{max(values):,.0f}/s "
        f"(sd {statistics.pstdev(values):,.0f}), load {runs[0].load_before}"
    )


_WRK_REPORT = re.compile(r"^WRK_JSON (.*)$", re.MULTILINE)


def wrk(
    url: str,
    script: str,
    *,
    connections: int,
    seconds: float,
    threads: int = 2,
    env: dict[str, str] | None = None,
) -> Run:
    """Runs ``wrk`` with ``bench/wrk/<script>``; the script's ``done`` prints one WRK_JSON line."""
    load = load_average()
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=10s",
        f"--script={WRK_DIR / script}",
        url,
    ]
    completed = subprocess.run(
        command,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "BENCH_WRK_DIR": str(WRK_DIR), **(env or {})},
    )
    match = _WRK_REPORT.search(completed.stdout)
    if match is None:
        raise RuntimeError(f"wrk printed no report:\n{completed.stdout}\n{completed.stderr}")
    report = json.loads(match.group(1))
    errors = sum(int(report[k]) for k in ("connect", "read", "write", "timeout", "status"))
    seconds_run = report["duration_us"] / 1e6
    # Only successful responses count towards throughput.
    ok = report["requests"] - report["status"]
    return Run(
        throughput=ok / seconds_run,
        p50_ms=report["p50_us"] / 1000,
        p99_ms=report["p99_us"] / 1000,
        requests=report["requests"],
        errors=errors,
        load_before=load,
        extra={"status_errors": report["status"]},
    )


def ghz(
    target: str,
    method: str,
    *,
    protoset: Path,
    data_file: Path | None = None,
    concurrency: int,
    seconds: float,
    connections: int = 1,
) -> Run:
    """Runs ``ghz`` against ``target``; counts non-OK calls as errors."""
    load = load_average()
    command = [
        "ghz",
        "--insecure",
        f"--protoset={protoset}",
        f"--call={method}",
        f"--concurrency={concurrency}",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        "--format=json",
        "--skipFirst=0",
    ]
    command += [f"--data-file={data_file}"] if data_file else ["--data={}"]
    completed = subprocess.run([*command, target], capture_output=True, text=True, check=False)
    if not completed.stdout.strip().startswith("{"):
        raise RuntimeError(f"ghz failed:\n{completed.stdout}\n{completed.stderr}")
    report = json.loads(completed.stdout)
    percentiles = {int(p["percentage"]): p["latency"] / 1e6 for p in report["latencyDistribution"] or []}
    statuses: dict[str, int] = report.get("statusCodeDistribution") or {}
    ok = statuses.get("OK", 0)
    # Calls still in flight when the duration ends are cancelled by ghz itself, not failed.
    failed = int(report["count"]) - ok - statuses.get("Canceled", 0)
    return Run(
        throughput=ok / (report["total"] / 1e9),
        p50_ms=percentiles.get(50, 0.0),
        p99_ms=percentiles.get(99, 0.0),
        requests=int(report["count"]),
        errors=failed,
        load_before=load,
        extra={"statuses": statuses},
    )


def ratio(value: float, base: float | None) -> float | None:
    return round(value / base, 3) if base else None
