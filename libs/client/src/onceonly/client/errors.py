"""The errors a gateway call raises.

::

    GatewayError                 every error of this package
    ├── TransportError           the gateway could not be reached (connection, timeout)
    ├── UnexpectedResponse       a success whose body is not what the API documents
    └── ProblemError             an error answer: the RFC 9457 problem document it carried
        ├── BadRequest           400: malformed id, missing purpose headers, unknown procedure …
        ├── Unauthorized         401: missing or invalid API key
        ├── Forbidden            403: scope missing, fields not permitted, another agency's dossier
        ├── NotFound             404: citizen, result, dossier or route
        ├── Conflict             409: same id, different content
        ├── Unprocessable        422: schema mismatch, invalid component, jurisdiction refused
        ├── RateLimited          429: ``retry_after`` seconds, when the gateway said
        └── ServiceUnavailable   503: lookup unreachable; ``retry_after`` seconds, when said

Switch on ``ProblemError.type`` (a stable URI per kind of problem) for finer cases than the status.
An error answer that is not a problem document (a proxy's HTML page) still raises the subclass for
its status, with ``type`` ``about:blank`` and the status's reason phrase as ``title`` (RFC 9457 §4.2.1).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import Any, ClassVar

import httpx

PROBLEM_MEMBERS = frozenset({"type", "title", "status", "detail", "instance"})


class GatewayError(Exception):
    """Base of every error this package raises."""


class TransportError(GatewayError):
    """The request did not get an answer: connection refused, DNS, timeout. ``__cause__`` is httpx's."""


class UnexpectedResponse(GatewayError):
    """A success status whose body does not parse as the documented model."""

    def __init__(self, message: str, *, response: httpx.Response) -> None:
        super().__init__(message)
        self.response = response


class ProblemError(GatewayError):
    """An error answer, with the members of its RFC 9457 problem document.

    ``extra`` holds the extension members (``errors`` on a validation problem, for instance);
    ``request_id`` is the gateway's ``X-Request-Id``, to quote when asking its operators.
    """

    status_code: ClassVar[int | None] = None

    def __init__(
        self,
        *,
        status: int,
        type: str,
        title: str,
        detail: str | None = None,
        instance: str | None = None,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {title}" + (f": {detail}" if detail else ""))
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.instance = instance
        self.extra: dict[str, Any] = dict(extra or {})
        self.headers = httpx.Headers(headers or {})

    @property
    def request_id(self) -> str | None:
        value: str | None = self.headers.get("x-request-id")
        return value


class BadRequest(ProblemError):
    status_code = 400


class Unauthorized(ProblemError):
    status_code = 401


class Forbidden(ProblemError):
    status_code = 403


class NotFound(ProblemError):
    status_code = 404


class Conflict(ProblemError):
    status_code = 409


class Unprocessable(ProblemError):
    status_code = 422


class _RetryLater(ProblemError):
    @property
    def retry_after(self) -> float | None:
        """Seconds to wait before trying again, from ``Retry-After``; None when it was not sent."""
        return retry_after_seconds(self.headers.get("retry-after"))


class RateLimited(_RetryLater):
    status_code = 429


class ServiceUnavailable(_RetryLater):
    status_code = 503


_BY_STATUS: dict[int, type[ProblemError]] = {
    cls.status_code: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
        Unprocessable,
        RateLimited,
        ServiceUnavailable,
    )
    if cls.status_code is not None
}


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: either delta-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def problem_from_response(response: httpx.Response) -> ProblemError:
    """The typed error for an error answer, problem document or not."""
    body: Any = None
    if response.headers.get("content-type", "").split(";")[0].strip().endswith("json"):
        try:
            body = response.json()
        except ValueError:
            body = None
    if not isinstance(body, dict):
        body = {}
    try:
        reason = HTTPStatus(response.status_code).phrase
    except ValueError:
        reason = "Error"
    cls = _BY_STATUS.get(response.status_code, ProblemError)
    return cls(
        # The answer's status wins over the document's, which RFC 9457 calls advisory.
        status=response.status_code,
        type=str(body.get("type") or "about:blank"),
        title=str(body.get("title") or reason),
        detail=None if body.get("detail") is None else str(body["detail"]),
        instance=None if body.get("instance") is None else str(body["instance"]),
        extra={k: v for k, v in body.items() if k not in PROBLEM_MEMBERS},
        headers=response.headers,
    )
