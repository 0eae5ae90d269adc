"""The gateway's errors and their RFC 9457 problem documents, mapped in this one place.

Every error a handler raises is a ``GatewayError``; each subclass fixes the HTTP status and a stable
``type`` URI that agency systems may switch on. Request validation errors and unknown routes become
problems too, so a client never sees a bare HTML error or a 500 for bad input.
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from onceonly.common.logging import get_logger
from onceonly.gateway.responses import dumps

PROBLEM_BASE = "https://onceonly.gov.vn/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"

log = get_logger(__name__)


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": PROBLEM_BASE + "missing-purpose",
                    "title": "Purpose headers missing",
                    "status": 400,
                    "detail": "X-Dossier-Id and X-Procedure-Code are required on data requests",
                    "instance": "/v1/citizens/001090012345",
                }
            ]
        },
    )

    type: str = Field(description="Stable URI naming the kind of problem.")
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None


class GatewayError(Exception):
    """Base of every error the gateway reports to a caller.

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


class BadRequest(GatewayError):
    status, slug, title = 400, "bad-request", "Bad request"


class InvalidPersonalIdError(GatewayError):
    status, slug, title = 400, "invalid-personal-id", "Malformed personal id"


class MissingPurpose(GatewayError):
    status, slug, title = 400, "missing-purpose", "Purpose headers missing"


class ValidationFailed(GatewayError):
    status, slug, title = 422, "validation-error", "Request does not match the schema"


class Unauthenticated(GatewayError):
    status, slug, title = 401, "unauthenticated", "Missing or invalid API key"

    def __init__(self, detail: str) -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="onceonly"'})


class ScopeMissing(GatewayError):
    status, slug, title = 403, "insufficient-scope", "The API key lacks the scope this route needs"


class FieldsNotPermitted(GatewayError):
    status, slug, title = 403, "fields-not-permitted", "The procedure is not entitled to these fields"


class NotYourDossier(GatewayError):
    status, slug, title = 403, "not-your-dossier", "The dossier belongs to another agency"


class ProcedureMismatch(GatewayError):
    status, slug, title = 409, "procedure-mismatch", "The dossier was opened for another procedure"


class SubjectNotRelated(GatewayError):
    status, slug, title = (
        403,
        "subject-not-related",
        "The subject is neither the dossier's applicant nor a relative the registry links to them",
    )


class ResultTypesNotPermitted(GatewayError):
    status, slug, title = (
        403,
        "result-types-not-permitted",
        "The procedure's components accept no result of this type",
    )


class BackdatingNeedsImport(GatewayError):
    status, slug, title = (
        403,
        "backdating-needs-import",
        "A receipt dated this far back is an import and needs the dossiers:import scope",
    )


class NotFound(GatewayError):
    status, slug, title = 404, "not-found", "Not found"


class CitizenNotFound(NotFound):
    slug, title = "citizen-not-found", "No citizen with this personal id"


class ResultNotFound(NotFound):
    slug, title = "result-not-found", "No digitized result with this id"


class DossierNotFound(NotFound):
    slug, title = "dossier-not-found", "No dossier with this id"


class DossierNotOpen(NotFound):
    slug, title = "dossier-not-open", "No dossier with this id was opened (intake) or received"


class UnknownProcedure(GatewayError):
    status, slug, title = 400, "unknown-procedure", "The procedure code is not in the catalog"


class RouteNotFound(NotFound):
    slug, title = "route-not-found", "No such route"


class MethodNotAllowed(GatewayError):
    status, slug, title = 405, "method-not-allowed", "Method not allowed"


class Conflict(GatewayError):
    status, slug, title = 409, "conflict", "Conflict"


class DossierConflict(Conflict):
    slug, title = "dossier-conflict", "A different dossier was already received under this id"


class BindingConflict(Conflict):
    slug, title = (
        "dossier-binding-conflict",
        "The dossier was opened for another procedure or applicant",
    )


class ResultConflict(Conflict):
    slug, title = "result-conflict", "A different result is already registered under this id"


class PayloadTooLarge(GatewayError):
    status, slug, title = 413, "payload-too-large", "Request body too large"


class UnsupportedMediaType(GatewayError):
    status, slug, title = 415, "unsupported-media-type", "Send JSON"


class InvalidComponent(GatewayError):
    status, slug, title = 422, "invalid-component", "A dossier component cannot be accepted"


class ImplausibleDate(GatewayError):
    status, slug, title = 422, "implausible-date", "A date is in the future or out of range"


class UnknownApplicant(GatewayError):
    status, slug, title = 422, "unknown-applicant", "The applicant is not in the population database"


class JurisdictionRefused(GatewayError):
    status, slug, title = (
        422,
        "non-jurisdictional-not-allowed",
        "The procedure cannot be handled outside the applicant's residence province",
    )


class RateLimited(GatewayError):
    status, slug, title = 429, "rate-limited", "Too many requests for this agency"


class LookupUnavailable(GatewayError):
    status, slug, title = 503, "lookup-unavailable", "The lookup service cannot be reached"


class StoreUnavailable(GatewayError):
    status, slug, title = 503, "store-unavailable", "The gateway's database cannot be reached"


def store_unreachable(error: SQLAlchemyError) -> bool:
    """A lost or refused database connection, or a pool with none to give: worth trying again later."""
    if isinstance(error, PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and (
        error.connection_invalidated or isinstance(error, OperationalError | InterfaceError)
    )


AUTH_PROBLEMS: tuple[type[GatewayError], ...] = (
    Unauthenticated,
    ScopeMissing,
    ValidationFailed,
    PayloadTooLarge,
    RateLimited,
    StoreUnavailable,
)
DATA_REQUEST_PROBLEMS: tuple[type[GatewayError], ...] = (
    *AUTH_PROBLEMS,
    BadRequest,
    MissingPurpose,
    UnknownProcedure,
    LookupUnavailable,
    NotYourDossier,
    DossierNotOpen,
    ProcedureMismatch,
    SubjectNotRelated,
)


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
        dumps(body), status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=dict(headers or {})
    )


def _from_error(request: Request, error: GatewayError) -> Response:
    return problem_response(
        status=error.status,
        slug=error.slug,
        title=error.title,
        detail=error.detail,
        instance=request.url.path,
        extra=error.extra,
        headers=error.headers,
    )


def _jsonable_errors(errors: Any) -> list[dict[str, Any]]:
    # Pydantic puts the offending input and exception objects in its errors; keep what is safe to echo.
    return [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in errors
    ]


def install_problem_handlers(app: FastAPI) -> None:
    async def gateway_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, GatewayError)
        return _from_error(request, exc)

    async def validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        error = ValidationFailed(
            "the request does not match the API's schema", extra={"errors": _jsonable_errors(exc.errors())}
        )
        return _from_error(request, error)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            return _from_error(request, RouteNotFound(f"no route for {request.url.path}"))
        if exc.status_code == 405:
            return _from_error(
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
        return _from_error(request, GatewayError("an unexpected error occurred; it has been logged"))

    async def store_error(request: Request, exc: Exception) -> Response:
        # The database away (restart, failover, network): a 503 the caller may retry, not a 500.
        assert isinstance(exc, SQLAlchemyError)
        if not store_unreachable(exc):
            return await unexpected(request, exc)
        log.warning("store unavailable", path=request.url.path, error=type(exc).__name__)
        runtime = getattr(request.app.state, "runtime", None)
        retry_after = getattr(getattr(runtime, "settings", None), "unavailable_retry_after_seconds", 2)
        error = StoreUnavailable(
            "the gateway's database cannot be reached; try again shortly",
            headers={"Retry-After": str(retry_after)},
        )
        return _from_error(request, error)

    app.add_exception_handler(GatewayError, gateway_error)
    app.add_exception_handler(SQLAlchemyError, store_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)


def problem_responses(*errors: type[GatewayError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the problems a route may answer, with examples."""
    by_status: dict[int, list[type[GatewayError]]] = {}
    for error in errors:
        by_status.setdefault(error.status, []).append(error)
    out: dict[int | str, dict[str, Any]] = {}
    for status, kinds in sorted(by_status.items()):
        out[status] = {
            "model": Problem,
            "description": "; ".join(k.title for k in kinds),
            "content": {
                PROBLEM_MEDIA_TYPE: {
                    "examples": {
                        k.slug: {
                            "value": {"type": PROBLEM_BASE + k.slug, "title": k.title, "status": k.status}
                        }
                        for k in kinds
                    }
                }
            },
        }
    return out
