"""Per-agency request rate limit, in memory per process (``limits``' sliding-window counter)."""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter

from onceonly.gateway.problems import RateLimited


class AgencyRateLimit:
    def __init__(self, per_second: int) -> None:
        self._item = RateLimitItemPerSecond(per_second)
        self._limiter = SlidingWindowCounterRateLimiter(MemoryStorage())

    def check(self, agency_code: str) -> None:
        """Count one request; raise ``RateLimited`` with a ``Retry-After`` once over the limit."""
        if self._limiter.hit(self._item, agency_code):
            return
        reset = self._limiter.get_window_stats(self._item, agency_code).reset_time
        retry_after = max(1, math.ceil(reset - time.time()))
        raise RateLimited(
            f"more than {self._item.amount} requests per second for this agency",
            headers={"Retry-After": str(retry_after)},
        )
