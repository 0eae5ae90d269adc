"""The tracker's errors and their RFC 9457 problem documents, on the platform's one scheme.

Each error is a ``ProblemError`` (``onceonly.common.problems``) that fixes its HTTP status, title and
``type`` URI (``PROBLEM_BASE + slug``, as the gateway's); the handlers shared with the gateway turn
them, invalid parameters, unknown routes, a store away (503) and unexpected errors into problems.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.requests import Request

from onceonly.common import problems as common
from onceonly.common.problems import ProblemError

PROBLEM_JSON = common.PROBLEM_MEDIA_TYPE


class UnknownProvinceError(ProblemError):
    status, slug, title = 422, "unknown-province", "Unknown province"


class InvalidPeriod(ProblemError):
    status, slug, title = 422, "invalid-period", "Invalid period"


class InstantOutOfRange(ProblemError):
    status, slug, title = 422, "instant-out-of-range", "Instant out of range"


class InvalidInstant(ProblemError):
    status, slug, title = 422, "invalid-instant", "Invalid instant"


class UnknownIndicator(ProblemError):
    status, slug, title = 422, "unknown-indicator", "Unknown indicator"


class NoDossiers(ProblemError):
    status, slug, title = 422, "no-dossiers", "No dossiers behind this figure"


class InvalidPageToken(ProblemError):
    status, slug, title = 422, "invalid-page-token", "Invalid page token"


class FilterNotAvailable(ProblemError):
    status, slug, title = 422, "filter-not-available", "Filter not available"


class OperatorTokenRequired(ProblemError):
    status, slug, title = 401, "unauthorized", "Operator token required"


class ClosingDisabled(ProblemError):
    status, slug, title = 403, "closing-disabled", "Closing is not enabled"


class PeriodClosed(ProblemError):
    status, slug, title = 409, "period-closed", "Period already closed"


class NotClosed(common.NotFound):
    slug, title = "not-closed", "Period not closed"


class NotReady(ProblemError):
    status, slug, title = 503, "not-ready", "Not ready"


class NotLive(ProblemError):
    status, slug, title = 503, "not-live", "Consumer stuck"


class StoreUnavailable(common.StoreUnavailable):
    title = "The tracker's database cannot be reached"


def _store_unavailable(_: Request) -> StoreUnavailable:
    return StoreUnavailable(
        "the tracker's database cannot be reached; try again shortly", headers={"Retry-After": "2"}
    )


def install_problem_handlers(app: FastAPI) -> None:
    common.install_problem_handlers(
        app, request_validation=RequestValidationError, store_unavailable=_store_unavailable
    )
