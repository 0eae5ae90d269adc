"""When to try a call again: on 429 and 503 only, the answers that promise a later success.

Both mean the gateway did not act on the request (rate limit, lookup unreachable), so even a POST
is safe to repeat; dossier receipts and resolutions are idempotent on top of that.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from onceonly.client.errors import retry_after_seconds

RETRYABLE_STATUSES = frozenset({429, 503})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """``retries`` further attempts at most; each waits what ``Retry-After`` says, else an exponential
    backoff from ``backoff`` seconds; no wait is longer than ``max_wait`` (longer → give up)."""

    retries: int = 0
    backoff: float = 0.5
    max_wait: float = 30.0

    def wait_before_retry(self, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to sleep before attempt ``attempt + 1``, or None to return this answer as final."""
        if response.status_code not in RETRYABLE_STATUSES or attempt >= self.retries:
            return None
        advised = retry_after_seconds(response.headers.get("retry-after"))
        wait = advised if advised is not None else self.backoff * 2**attempt
        return None if wait > self.max_wait else wait
