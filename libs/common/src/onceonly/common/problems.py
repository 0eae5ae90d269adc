"""RFC 9457 problem documents for the platform's HTTP services, and which failures are a store away.

Every error a service reports to a caller is a ``ProblemError``; each subclass fixes the HTTP status,
a title and a stable ``type`` URI (``PROBLEM_BASE + slug``) that callers may switch on, the same
scheme in every service. ``install_problem_handlers`` maps these, request validation errors, unknown
routes and unexpected errors onto ``application/problem+json``, so a caller never sees an HTML error
page, a stack trace, or a 500 for bad input or a database that is away (a 503 it may retry).

Starlette only, no FastAPI: lookup (gRPC) takes ``store_unreachable`` from here too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from typing import Any, ClassVar, Protocol, cast

import orjson
import psycopg
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from onceonly.common.logging import get_logger

__all__ = [
    "PROBLEM_BASE",
    "PROBLEM_MEDIA_TYPE",
    "MethodNotAllowed",
    "NotFound",
    "Problem",
    "ProblemError",
    "RouteNotFound",
    "StoreUnavailable",
    "ValidationFailed",
    "error_response",
    "install_problem_handlers",
    "problem_response",
    "store_unreachable",
]

PROBLEM_BASE = "https://onceonly.gov.vn/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"

log = get_logger(__name__)


class Problem(BaseModel):
    """An RFC 9457 problem document, as the services' OpenAPI describes it."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="Stable URI naming the kind of problem.")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


class ProblemError(Exception):
    """Base of every error a service reports to a caller.

    ``slug`` names the problem type (``PROBLEM_BASE + slug``), ``status`` its HTTP status; ``extra``
    members are added to the problem document; ``headers`` go on the response (``Retry-After``).
    """

    status: ClassVar[int] = 500
    slug: ClassVar[str] = "internal"
    title: ClassVar[str] = "Internal error"

    def __init__(
        self,
        detail: str,
        *,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = dict(extra or {})
        self.headers = dict(headers or {})


class ValidationFailed(ProblemError):
    status, slug, title = 422, "validation-error", "Request does not match the schema"


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", "Not found"


class RouteNotFound(NotFound):
    slug, title = "route-not-found", "No such route"


class MethodNotAllowed(ProblemError):
    status, slug, title = 405, "method-not-allowed", "Method not allowed"


class StoreUnavailable(ProblemError):
    status, slug, title = 503, "store-unavailable", "The service's database cannot be reached"


_LOST = (
    OperationalError,
    InterfaceError,
    # The driver's own, for statements run on its cursor rather than through SQLAlchemy.
    sqlite3.OperationalError,
    sqlite3.InterfaceError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
)


def store_unreachable(error: BaseException) -> bool:
    """A lost or refused database connection (server restart, failover, network, a locked SQLite
    file), or a pool with none to give: the request or event is fine, the store is not, so it is
    worth trying again later. Other database errors (a constraint, bad SQL) are not."""
    if isinstance(error, PoolTimeout):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, _LOST)


def problem_response(
    *,
    status: int,
    slug: str,
    title: str,
    detail: str | None,
    instance: str | None,
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {"type": PROBLEM_BASE + slug, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update(extra or {})
    return Response(
        orjson.dumps(body), status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=dict(headers or {})
    )


def error_response(request: Request, error: ProblemError) -> Response:
    """The problem document of ``error``, its instance the request's path."""
    return problem_response(
        status=error.status,
        slug=error.slug,
        title=error.title,
        detail=error.detail,
        instance=request.url.path,
        extra=error.extra,
        headers=error.headers,
    )


class _Invalid(Protocol):
    """A request validation error (FastAPI's ``RequestValidationError``) as far as it is read here."""

    def errors(self) -> Sequence[Any]: ...


def _jsonable_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    # Pydantic puts the offending input and exception objects in its errors; keep what is safe to echo.
    return [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in errors
    ]


def _store_unavailable(_: Request) -> ProblemError:
    return StoreUnavailable(
        "the service's database cannot be reached; try again shortly", headers={"Retry-After": "2"}
    )


def install_problem_handlers(
    app: Starlette,
    *,
    request_validation: type[Exception] | None = None,
    store_unavailable: Callable[[Request], ProblemError] = _store_unavailable,
) -> None:
    """Answers every error on ``app`` with a problem document.

    ``request_validation`` is the framework's request validation error (FastAPI's
    ``RequestValidationError``, passed in to keep FastAPI out of here); ``store_unavailable`` builds
    the 503 for a database that cannot be reached (with the service's ``Retry-After``).
    """

    async def problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ProblemError)
        return error_response(request, exc)

    async def validation_error(request: Request, exc: Exception) -> Response:
        error = ValidationFailed(
            "the request does not match the API's schema",
            extra={"errors": _jsonable_errors(cast(_Invalid, exc).errors())},
        )
        return error_response(request, error)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            return error_response(request, RouteNotFound(f"no route for {request.url.path}"))
        if exc.status_code == 405:
            return error_response(
                request,
                MethodNotAllowed(f"{request.method} is not allowed here", headers=exc.headers or {}),
            )
        phrase = HTTPStatus(exc.status_code).phrase
        return problem_response(
            status=exc.status_code,
            slug=phrase.lower().replace(" ", "-"),
            title=phrase,
            detail=str(exc.detail),
            instance=request.url.path,
            headers=exc.headers,
        )

    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", path=request.url.path)
        return error_response(request, ProblemError("an unexpected error occurred; it has been logged"))

    async def store_error(request: Request, exc: Exception) -> Response:
        # The database away (restart, failover, network): a 503 the caller may retry, not a 500.
        assert isinstance(exc, SQLAlchemyError)
        if not store_unreachable(exc):
            return await unexpected(request, exc)
        log.warning("store unavailable", path=request.url.path, error=type(exc).__name__)
        return error_response(request, store_unavailable(request))

    app.add_exception_handler(ProblemError, problem)
    app.add_exception_handler(SQLAlchemyError, store_error)
    if request_validation is not None:
        app.add_exception_handler(request_validation, validation_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
