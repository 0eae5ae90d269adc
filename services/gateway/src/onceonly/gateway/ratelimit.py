"""Per-agency request rate limit, in memory per process: a token bucket per agency.

Each agency's bucket holds up to one second's worth of requests (the burst) and refills at the rate.
A bucket is two numbers updated under a lock, with no timer: ``limits``' in-memory storage, used
before, started a thread every 10 ms to expire its counters, and on the lookup path that thread start
cost more GIL time than the rest of admission together.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from onceonly.gateway.problems import RateLimited


class AgencyRateLimit:
    def __init__(self, per_second: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._rate = float(per_second)
        self._amount = per_second
        # agency code -> [tokens left, monotonic time they were counted at]
        self._buckets: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def check(self, agency_code: str) -> None:
        """Count one request; raise ``RateLimited`` with a ``Retry-After`` once over the limit."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(agency_code)
            if bucket is None:
                bucket = self._buckets[agency_code] = [self._rate, now]
            tokens = min(self._rate, bucket[0] + (now - bucket[1]) * self._rate)
            bucket[1] = now
            if tokens >= 1.0:
                bucket[0] = tokens - 1.0
                return
            bucket[0] = tokens
        retry_after = max(1, math.ceil((1.0 - tokens) / self._rate))
        raise RateLimited(
            f"more than {self._amount} requests per second for this agency",
            headers={"Retry-After": str(retry_after)},
        )
