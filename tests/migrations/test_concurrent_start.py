"""Replicas starting together on one fresh store all come up (a Deployment of several replicas):
the migrations run under the store's lock, once, and the others find the store at the head."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

PROCESSES = 3


@pytest.mark.parametrize("service", ["gateway", "lookup", "tracker"])
def test_stores_prepared_at_once_by_several_processes(service: str, db_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.migrations.start_together", service, db_url, str(PROCESSES)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    outcomes = [line for line in done.stdout.splitlines() if line.startswith("outcome:")]
    assert outcomes == ["outcome: ok"] * PROCESSES
    # One of them migrated; the others waited for its lock and found the store at the head.
    assert done.stdout.count("store migrated") == 1, done.stdout
