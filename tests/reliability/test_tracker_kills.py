"""The tracker SIGKILLed mid-batch, three times while events flow: its figures come back exact.

Each kill lands while the consumer is applying the stream (the load keeps events coming); the store
records applied event ids in the same transaction as their effect, so a batch cut short is either
wholly applied or not at all, and its redelivery after restart is skipped or applied once."""

from __future__ import annotations

import time

import pytest

from tests.reliability.harness import (
    Deployment,
    catch_up_figures,
    explain,
    load_figures,
    topic_census,
    wait_for_tracker,
    write_figures,
)

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(600)]

KILLS = 3


def test_tracker_killed_mid_batch_repeatedly(shared: Deployment, kafka_bootstrap: str) -> None:
    dep = shared
    tracker = dep.stack.services["tracker"]
    restarts = []
    with dep.load() as load:
        time.sleep(3)
        first_kill = time.monotonic()
        for _ in range(KILLS):
            tracker.kill()
            time.sleep(1.0)  # events pile up meanwhile: the restart starts on a batch
            started = time.monotonic()
            tracker.start()
            restarts.append(round(time.monotonic() - started, 2))
            time.sleep(1.5)
        last_back = time.monotonic()
        time.sleep(2)
        dep.finish(load)
    catch_up = wait_for_tracker(dep, since=last_back)
    census = topic_census(kafka_bootstrap, dep.stack.topic)
    write_figures(
        "tracker-kills",
        {
            **load_figures(load, first_kill, last_back),
            "kills": KILLS,
            "tracker_restart_seconds": restarts,
            **catch_up_figures(catch_up),
            "topic_records": census.records,
            "topic_redelivered": census.redelivered,
        },
    )

    unanswered = [a for a in load.attempts if a.status is None or a.status >= 500]
    assert not unanswered, f"{len(unanswered)} requests got a 5xx or no answer: {unanswered[:3]}"
    unfinished = {d: f.failed for d, f in load.flows.items() if not f.resolved}
    assert not unfinished, unfinished
    assert catch_up.exact, explain(dep, catch_up)
