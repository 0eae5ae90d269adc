"""The gateway's errors and their RFC 9457 problem documents, mapped in this one place.

Every error a handler raises is a ``GatewayError`` (``onceonly.common.problems.ProblemError``); each
subclass fixes the HTTP status and a stable ``type`` URI that agency systems may switch on. Request
validation errors and unknown routes become problems too (the handlers shared with the tracker), so a
client never sees a bare HTML error or a 500 for bad input.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ConfigDict

from onceonly.common import problems as common

# The shared kinds and helpers, named from here by the gateway's modules and tests.
GatewayError = common.ProblemError
ValidationFailed = common.ValidationFailed
NotFound = common.NotFound
RouteNotFound = common.RouteNotFound
MethodNotAllowed = common.MethodNotAllowed
PROBLEM_BASE = common.PROBLEM_BASE
PROBLEM_MEDIA_TYPE = common.PROBLEM_MEDIA_TYPE
problem_response = common.problem_response
store_unreachable = common.store_unreachable


class Problem(common.Problem):
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


class BadRequest(GatewayError):
    status, slug, title = 400, "bad-request", "Bad request"


class InvalidPersonalIdError(GatewayError):
    status, slug, title = 400, "invalid-personal-id", "Malformed personal id"


class MissingPurpose(GatewayError):
    status, slug, title = 400, "missing-purpose", "Purpose headers missing"


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


class StoreUnavailable(common.StoreUnavailable):
    title = "The gateway's database cannot be reached"


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


def _store_unavailable(request: Request) -> StoreUnavailable:
    runtime = getattr(request.app.state, "runtime", None)
    retry_after = getattr(getattr(runtime, "settings", None), "unavailable_retry_after_seconds", 2)
    return StoreUnavailable(
        "the gateway's database cannot be reached; try again shortly",
        headers={"Retry-After": str(retry_after)},
    )


def install_problem_handlers(app: FastAPI) -> None:
    common.install_problem_handlers(
        app, request_validation=RequestValidationError, store_unavailable=_store_unavailable
    )


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
