"""Replicas starting together on one fresh database all come up (a Deployment of several replicas)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

PROCESSES = 4


@pytest.mark.parametrize("service", ["gateway", "lookup", "tracker"])
def test_stores_prepared_at_once_by_several_processes(service: str, postgres_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tests.migrations.start_together", service, postgres_url, str(PROCESSES)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.split() == ["ok"] * PROCESSES
