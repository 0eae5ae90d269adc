"""PostgreSQL restarted under load, with all three stores on it: requests meanwhile get a 503 problem
with ``Retry-After`` (never a 500), the services reconnect by themselves, and every write accepted
before, during or after the restart survives — the tracker's figures equal the ground truth.

Only the local server of deploy/local/postgres/postgres.sh can be restarted (as in CI)."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.fixtures.databases import LOCAL_POSTGRES_URL, fresh_postgres_database
from tests.fixtures.services import service_missing
from tests.fixtures.stack import SERVICES
from tests.reliability.harness import (
    Deployment,
    catch_up_figures,
    check_audit,
    deployment,
    explain,
    load_figures,
    wait_for_tracker,
    write_figures,
)

pytestmark = [pytest.mark.kafka, pytest.mark.postgres, pytest.mark.slow, pytest.mark.timeout(600)]

POSTGRES_SH = Path(__file__).resolve().parents[2] / "deploy" / "local" / "postgres" / "postgres.sh"


@pytest.fixture
def on_postgres(tmp_path: Path, kafka_bootstrap: str, postgres_server_url: str) -> Iterator[Deployment]:
    if postgres_server_url != LOCAL_POSTGRES_URL:
        service_missing("restarting PostgreSQL needs the local server of deploy/local/postgres/postgres.sh")
    with ExitStack() as cleanup:
        urls = {
            name: cleanup.enter_context(fresh_postgres_database(postgres_server_url)) for name in SERVICES
        }
        yield cleanup.enter_context(deployment(tmp_path, kafka_bootstrap, urls, dossiers=1000))


def _postgres(command: str) -> None:
    subprocess.run([str(POSTGRES_SH), command], check=True, capture_output=True, timeout=180)


def test_postgres_restarted_under_load(on_postgres: Deployment) -> None:
    dep = on_postgres
    try:
        with dep.load() as load:
            time.sleep(3)
            down_at = time.monotonic()
            _postgres("restart")
            back_at = time.monotonic()
            time.sleep(5)
            dep.finish(load)
    finally:
        _postgres("up")  # a no-op when it runs; the rest of the session needs it
    catch_up = wait_for_tracker(dep, since=back_at)
    audit = check_audit(dep, load)
    write_figures(
        "postgres-restart",
        {
            **load_figures(load, down_at, back_at),
            "postgres_restart_seconds": round(back_at - down_at, 2),
            "recovery_first_success_seconds": load.first_success_after(back_at),
            **catch_up_figures(catch_up),
            "audited_2xx_missing": len(audit.missing),
            "audit_chain_intact": audit.chain_intact,
        },
    )

    errors = [a for a in load.attempts if a.status is not None and not a.ok]
    server_errors = [a for a in errors if a.status != 503]
    assert not server_errors, f"{len(server_errors)} answers other than 2xx or 503: {server_errors[:3]}"
    for attempt in errors:
        assert attempt.retry_after, f"503 without Retry-After: {attempt}"
        assert attempt.content_type.startswith("application/problem+json"), attempt
    unanswered = [a for a in load.attempts if a.status is None]
    assert not unanswered, f"{len(unanswered)} requests got no answer: {unanswered[:3]}"
    unfinished = {d: f.failed for d, f in load.flows.items() if not f.resolved}
    assert not unfinished, unfinished
    assert audit.chain_intact, audit.verify_report
    assert not audit.missing, f"2xx answers missing from the audit log: {audit.missing[:5]}"
    assert catch_up.exact, explain(dep, catch_up)
