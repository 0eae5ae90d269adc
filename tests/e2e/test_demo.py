"""The demo scenario, smaller, through the real stack: real processes, real Kafka, and once with every
store on PostgreSQL. The tracker's figures must equal what the demo sent, exactly; the demo is an
import (each dossier opened by its intake, looked up, received under ``dossiers:import``, resolved),
and every lookup it made fits its dossier."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from onceonly.demo.profiles import load_profiles
from tests.fixtures.databases import fresh_postgres_database
from tests.fixtures.stack import SERVICES, Stack, cli

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

PROFILE = "small"
DOSSIERS = 120


@pytest.fixture(params=["sqlite", "postgresql"])
def stack(request: pytest.FixtureRequest, tmp_path: Path, kafka_bootstrap: str) -> Iterator[Stack]:
    with ExitStack() as cleanup:
        if request.param == "sqlite":
            urls = {name: f"sqlite:///{tmp_path / name}.db" for name in SERVICES}
        else:
            server = request.getfixturevalue("postgres_server_url")
            urls = {name: cleanup.enter_context(fresh_postgres_database(server)) for name in SERVICES}
        stack = Stack(root=tmp_path, kafka_bootstrap=kafka_bootstrap, database_urls=urls)
        citizens = stack.seed_registry()
        (tmp_path / "citizens.txt").write_text("\n".join(citizens), encoding="utf-8")
        stack.start()
        cleanup.callback(stack.stop)
        yield stack


def test_the_demo_comes_back_exact(stack: Stack, tmp_path: Path) -> None:
    agencies = subprocess.run(
        [*cli("demo"), "agencies", "--profile", PROFILE], check=True, capture_output=True, text=True
    ).stdout
    keys = []
    for line in agencies.splitlines():
        code, name, province = line.split("\t")
        keys.append(f"{code}\t{stack.register_agency(code, name, province)}")
    (tmp_path / "keys.tsv").write_text("\n".join(keys), encoding="utf-8")

    demo = subprocess.run(
        [
            *cli("demo"),
            "run",
            "--profile",
            PROFILE,
            "--dossiers",
            str(DOSSIERS),
            "--keys",
            str(tmp_path / "keys.tsv"),
            "--citizens",
            str(tmp_path / "citizens.txt"),
            "--lookup",
            stack.lookup_target,
            "--gateway",
            stack.gateway_url,
            "--tracker",
            stack.tracker_url,
            "--drain-timeout",
            "120",
        ],
        check=False,  # the exit code is asserted below, with the output
        capture_output=True,
        text=True,
        timeout=600,
        env={**stack.env(), "COLUMNS": "200"},
    )
    assert demo.returncode == 0, f"{demo.stdout}\n{demo.stderr}\n{stack.logs()}"
    assert f"{DOSSIERS} of {DOSSIERS} dossiers accepted" in demo.stdout
    assert "✗" not in demo.stdout
    assert demo.stdout.count("✓") == 8

    # Its year is counted as imported, none of it as live, and the receipts confirmed every lookup.
    profile = load_profiles()[PROFILE]
    period = {"from": f"{profile.start:%Y-%m}", "to": f"{profile.end:%Y-%m}"}
    with httpx.Client(base_url=stack.tracker_url, timeout=30) as tracker:
        by_origin = tracker.get("/v1/indicators/breakdown", params={**period, "by": "origin"})
        by_origin.raise_for_status()
        received = {
            row["key"]: item["denominator"]
            for row in by_origin.json()["rows"]
            for item in row["indicators"]
            if item["name"] == "online_dossier_rate" and item["denominator"]
        }
        assert received == {"imported": DOSSIERS}, by_origin.json()
        misuse = tracker.get("/v1/lookups/misuse")
        misuse.raise_for_status()
        assert misuse.json()["total"] == 0, misuse.json()
