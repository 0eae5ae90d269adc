"""The gateway SIGKILLed under load, twice, and restarted: every request that got a 2xx is in the
audit log (and the chain verifies) and reaches the tracker; the relay of the restarted gateway picks
up the outbox rows the killed one had not published (how many there were at each kill is measured)."""

from __future__ import annotations

import time

import pytest

from tests.reliability.harness import (
    Deployment,
    catch_up_figures,
    check_audit,
    explain,
    load_figures,
    outbox_ids,
    topic_census,
    wait_for_tracker,
    write_figures,
)

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(600)]

KILLS = 2


def test_gateway_killed_under_load(shared: Deployment, kafka_bootstrap: str) -> None:
    dep = shared
    gateway = dep.stack.services["gateway"]
    backlogs, restarts, recoveries = [], [], []
    with dep.load() as load:
        time.sleep(3)
        first_kill = time.monotonic()
        for _ in range(KILLS):
            gateway.kill()
            backlogs.append(outbox_ids(dep)[1])
            started = time.monotonic()
            gateway.start()
            restarts.append(round(time.monotonic() - started, 2))
            recoveries.append(started)
            time.sleep(3)
        last_back = time.monotonic()
        time.sleep(1)
        dep.finish(load)
    catch_up = wait_for_tracker(dep, since=last_back)
    audit = check_audit(dep, load)
    census = topic_census(kafka_bootstrap, dep.stack.topic)
    first_success = [load.first_success_after(moment) for moment in recoveries]
    write_figures(
        "gateway-kill",
        {
            **load_figures(load, first_kill, last_back),
            "kills": KILLS,
            "outbox_unpublished_at_kill": backlogs,
            "gateway_restart_seconds": restarts,
            "recovery_first_success_seconds": [None if s is None else round(s, 2) for s in first_success],
            **catch_up_figures(catch_up),
            "audit_records": audit.records,
            "audited_2xx_answers": audit.audited_2xx,
            "audited_2xx_missing": len(audit.missing),
            "audit_chain_intact": audit.chain_intact,
            "topic_records": census.records,
            "topic_redelivered": census.redelivered,
        },
    )

    server_errors = [a for a in load.attempts if a.status is not None and a.status >= 500]
    assert not server_errors, f"{len(server_errors)} answers were 5xx: {server_errors[:3]}"
    assert any(a.status is None for a in load.attempts), "no request met the kill"
    assert not [f for f in load.flows.values() if f.ambiguous], "a write was left undecided"
    unfinished = {d: f.failed for d, f in load.flows.items() if not f.resolved}
    assert not unfinished, unfinished
    assert audit.chain_intact, audit.verify_report
    assert not audit.missing, f"2xx answers missing from the audit log: {audit.missing[:5]}"
    assert not audit.access_log_missing, audit.access_log_missing[:5]
    assert catch_up.exact, explain(dep, catch_up)
