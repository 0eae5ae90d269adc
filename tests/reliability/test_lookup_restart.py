"""Lookup SIGKILLed under load, then restarted: the gateway answers 503 problems with ``Retry-After``
meanwhile (never a 500), resumes by itself once lookup is back, and loses nothing already accepted."""

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
from tests.reliability.load import LOOKUP_STEPS

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(600)]

OUTAGE_SECONDS = 6.0


def test_lookup_killed_and_restarted(shared: Deployment, kafka_bootstrap: str) -> None:
    dep = shared
    lookup = dep.stack.services["lookup"]
    with dep.load() as load:
        time.sleep(3)
        killed_at = time.monotonic()
        lookup.kill()
        time.sleep(OUTAGE_SECONDS)
        restarting_at = time.monotonic()
        lookup.start()
        back_at = time.monotonic()
        time.sleep(4)
        dep.finish(load)
    catch_up = wait_for_tracker(dep, since=back_at)
    census = topic_census(kafka_bootstrap, dep.stack.topic)

    during = load.during(killed_at, back_at)
    failures = [a for a in during if not a.ok]
    server_errors = [a for a in load.attempts if a.status is not None and a.status >= 500 and a.status != 503]
    unanswered = [a for a in load.attempts if a.status is None]
    figures = {
        **load_figures(load, killed_at, back_at),
        "lookup_restart_seconds": round(back_at - restarting_at, 2),
        "recovery_first_success_seconds": load.first_success_after(back_at, LOOKUP_STEPS),
        **catch_up_figures(catch_up),
        "topic_records": census.records,
        "topic_redelivered": census.redelivered,
        "unanswered": [
            {
                "step": a.step,
                "error": a.error,
                "sent_s": round(a.started - killed_at, 2),
                "took_s": round(a.ended - a.started, 2),
            }
            for a in unanswered
        ],
    }
    write_figures("lookup-restart", figures)

    assert not server_errors, f"{len(server_errors)} answers were 5xx other than 503: {server_errors[:3]}"
    assert not unanswered, f"{len(unanswered)} requests got no answer: {unanswered[:3]}"
    assert failures, "no request met the outage: the fault was not exercised"
    for attempt in failures:
        assert attempt.status == 503, attempt
        assert attempt.retry_after, f"503 without Retry-After: {attempt}"
        assert attempt.content_type.startswith("application/problem+json"), attempt
        assert attempt.problem_type.endswith("/lookup-unavailable"), attempt
    # The lookup came back by itself: every flow finished, nothing is left undecided.
    unfinished = {d: f.failed for d, f in load.flows.items() if not f.resolved}
    assert not unfinished, unfinished
    assert catch_up.exact, explain(dep, catch_up)
