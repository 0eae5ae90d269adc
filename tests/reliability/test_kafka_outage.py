"""Kafka SIGKILLed for 30 s under load, then restarted: the gateway answers every request meanwhile
(no 5xx: it writes to its outbox, not to Kafka), and afterwards the tracker's figures equal the ground
truth — nothing lost, nothing doubled.

The broker is the local one every test of the session shares; it is always brought back (and waited
for) before the test ends."""

from __future__ import annotations

import time

import pytest

from tests.fixtures.kafka import LocalBroker
from tests.fixtures.services import service_missing
from tests.reliability.harness import (
    Deployment,
    catch_up_figures,
    explain,
    load_figures,
    outbox_ids,
    topic_census,
    wait_for_tracker,
    write_figures,
)

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(600)]

OUTAGE_SECONDS = 30.0


def test_kafka_killed_for_30_seconds(
    shared: Deployment, kafka_bootstrap: str, local_broker: LocalBroker | None
) -> None:
    if local_broker is None:
        service_missing("killing Kafka needs the local broker of deploy/local/kafka/kafka.sh")
    assert local_broker is not None
    dep = shared
    backlog = 0
    try:
        with dep.load() as load:
            time.sleep(4)
            killed_at = time.monotonic()
            local_broker.kill()
            time.sleep(OUTAGE_SECONDS)
            backlog = outbox_ids(dep)[1]
            restarting_at = time.monotonic()
            local_broker.up()
            back_at = time.monotonic()
            time.sleep(3)
            dep.finish(load)
    finally:
        local_broker.up()  # a no-op when it runs; the rest of the session needs it
    catch_up = wait_for_tracker(dep, since=back_at)
    census = topic_census(kafka_bootstrap, dep.stack.topic)
    write_figures(
        "kafka-outage",
        {
            **load_figures(load, killed_at, back_at),
            "broker_restart_seconds": round(back_at - restarting_at, 2),
            "outbox_backlog_at_restart": backlog,
            **catch_up_figures(catch_up),
            "topic_records": census.records,
            "topic_redelivered": census.redelivered,
        },
    )

    unanswered = [a for a in load.attempts if a.status is None or a.status >= 500]
    assert not unanswered, f"{len(unanswered)} requests got a 5xx or no answer: {unanswered[:3]}"
    assert backlog > 0, "nothing waited in the outbox: the outage was not exercised"
    unfinished = {d: f.failed for d, f in load.flows.items() if not f.resolved}
    assert not unfinished, unfinished
    assert catch_up.exact, explain(dep, catch_up)
