"""The per-agency token bucket: a second's worth of burst, refilled at the rate, agencies apart."""

from __future__ import annotations

import pytest

from onceonly.gateway.problems import RateLimited
from onceonly.gateway.ratelimit import AgencyRateLimit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_of_one_seconds_worth_then_429_with_retry_after() -> None:
    clock = Clock()
    limit = AgencyRateLimit(5, clock=clock)
    for _ in range(5):
        limit.check("HN-01")
    with pytest.raises(RateLimited) as refused:
        limit.check("HN-01")
    assert refused.value.headers == {"Retry-After": "1"}
    # Another agency has its own bucket.
    limit.check("HCM-01")


def test_the_bucket_refills_at_the_rate_and_holds_no_more_than_the_burst() -> None:
    clock = Clock()
    limit = AgencyRateLimit(10, clock=clock)
    for _ in range(10):
        limit.check("HN-01")
    clock.now += 0.25  # 2.5 tokens back: two requests pass, the third waits
    limit.check("HN-01")
    limit.check("HN-01")
    with pytest.raises(RateLimited):
        limit.check("HN-01")
    clock.now += 3600  # idle for an hour: still only a second's worth
    for _ in range(10):
        limit.check("HN-01")
    with pytest.raises(RateLimited):
        limit.check("HN-01")


def test_a_slow_rate_asks_to_wait_as_long_as_a_token_takes() -> None:
    clock = Clock()
    limit = AgencyRateLimit(1, clock=clock)
    limit.check("HN-01")
    clock.now += 0.1
    with pytest.raises(RateLimited) as refused:
        limit.check("HN-01")
    assert refused.value.headers == {"Retry-After": "1"}
