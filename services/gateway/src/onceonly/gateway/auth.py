"""Who is calling, with which scopes, and for which dossier and procedure (purpose binding).

Each route takes one dependency that does all of it (``Caller`` or ``DataRequest``): FastAPI's cost is
per dependency, and on the hot path it was a quarter of a request's CPU. Everything here runs on the
event loop from memory; only a key the loaded registry does not know, a write to lookup (``strict``),
or a procedure not yet cached reaches out, and then off the loop.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from onceonly.catalog.v1 import catalog_pb2
from onceonly.gateway.agencies import Agency, Scope
from onceonly.gateway.problems import BadRequest, MissingPurpose, ScopeMissing, Unauthenticated
from onceonly.gateway.runtime import Runtime

_bearer = HTTPBearer(auto_error=False, description="The agency system's API key.")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


@dataclass(frozen=True, slots=True)
class Purpose:
    """The dossier and procedure a data request serves; the procedure is from the catalog."""

    dossier_id: str
    procedure: catalog_pb2.Procedure
    officer_id: str


@dataclass(frozen=True, slots=True)
class Caller:
    """An admitted request: the agency making it, its request id, and the process's runtime.

    The agency is admitted from the in-memory registry; the transaction that audits the request
    confirms it (``Batch.on_behalf_of``), so a key revoked meanwhile still gets a 401.
    """

    runtime: Runtime
    agency: Agency
    request_id: str


@dataclass(frozen=True, slots=True)
class DataRequest(Caller):
    """A request for a citizen's data, bound to the dossier and procedure it serves."""

    purpose: Purpose


async def _admit(request: Request, scopes: tuple[Scope, ...], *, strict: bool) -> Caller:
    runtime: Runtime = request.app.state.runtime
    scheme, _, key = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not key:
        raise Unauthenticated("send the agency's API key as 'Authorization: Bearer <key>'")
    agencies = runtime.agencies
    if strict or not agencies.knows(key):
        await run_in_threadpool(agencies.refresh)
    agency = agencies.authenticate(key)
    if agency is None:
        raise Unauthenticated("unknown or revoked API key")
    runtime.rate_limit.check(agency.code)
    if agency.scopes.isdisjoint(scopes):
        raise ScopeMissing(f"this route needs the {' or '.join(s.value for s in scopes)} scope")
    return Caller(runtime=runtime, agency=agency, request_id=request.scope["state"]["request_id"])


def _header(request: Request, name: str, max_length: int) -> str:
    value = request.headers.get(name, "")
    if len(value) > max_length:
        raise BadRequest(f"the {name} header is longer than {max_length} characters")
    return value


def caller(*scopes: Scope, strict: bool = False) -> Callable[..., Coroutine[Any, Any, Caller]]:
    """A dependency admitting an agency that holds one of ``scopes``; ``strict`` re-reads the registry
    first, for routes that can act or answer before (or without) an audit record confirms the caller."""

    # ``_`` declares the bearer scheme in the OpenAPI document (where DATA_REQUEST_OPENAPI refers to it
    # too); the key itself is read by ``_admit``, as for data requests.
    async def admit(request: Request, _: Credentials) -> Caller:
        return await _admit(request, scopes, strict=strict)

    return admit


def data_request(scope: Scope, *, strict: bool = False) -> Callable[..., Coroutine[Any, Any, DataRequest]]:
    """As ``caller``, and the request must name the dossier and procedure it serves.

    The key and the purpose headers are read from the request here rather than declared as FastAPI
    parameters (each declared parameter or sub-dependency costs the hot path a validation step);
    routes document them with ``DATA_REQUEST_OPENAPI``.
    """

    async def admit(request: Request) -> DataRequest:
        admitted = await _admit(request, (scope,), strict=strict)
        dossier_id = _header(request, "x-dossier-id", 64)
        procedure_code = _header(request, "x-procedure-code", 64)
        officer_id = _header(request, "x-officer-id", 128)
        if not dossier_id or not procedure_code:
            raise MissingPurpose("X-Dossier-Id and X-Procedure-Code are required on data requests")
        runtime = admitted.runtime
        procedure = runtime.lookup.cached_procedure(procedure_code) or await runtime.lookup.procedure(
            procedure_code
        )
        return DataRequest(
            runtime=runtime,
            agency=admitted.agency,
            request_id=admitted.request_id,
            purpose=Purpose(dossier_id=dossier_id, procedure=procedure, officer_id=officer_id),
        )

    return admit


def _header_doc(
    name: str, description: str, max_length: int, example: str | None = None, *, required: bool = False
) -> dict[str, Any]:
    # Required ones may not be empty either (a 400 missing-purpose); longer than max_length is a 400.
    schema: dict[str, Any] = {"type": "string", "maxLength": max_length} | (
        {"minLength": 1} if required else {}
    )
    doc = {"name": name, "in": "header", "required": required, "description": description, "schema": schema}
    if example is not None:
        doc["example"] = example
    return doc


# What ``data_request`` reads, for the OpenAPI document of each route that uses it.
DATA_REQUEST_OPENAPI: dict[str, Any] = {
    "security": [{_bearer.scheme_name: []}],
    "parameters": [
        _header_doc(
            "X-Dossier-Id",
            "Dossier the request serves: one of the caller's, opened by its intake.",
            64,
            "HN-HOANKIEM-250801-000001",
            required=True,
        ),
        _header_doc(
            "X-Procedure-Code",
            "Procedure of that dossier; a code the catalog does not hold is a 400 unknown-procedure.",
            64,
            "1.001193",
            required=True,
        ),
        _header_doc("X-Officer-Id", "Officer or system user acting.", 128),
    ],
}

PopulationRead = Annotated[DataRequest, Depends(data_request(Scope.POPULATION_READ))]
PopulationVerify = Annotated[DataRequest, Depends(data_request(Scope.POPULATION_VERIFY))]
ResultsRead = Annotated[DataRequest, Depends(data_request(Scope.RESULTS_READ))]
ResultsWrite = Annotated[DataRequest, Depends(data_request(Scope.RESULTS_WRITE, strict=True))]
# Receipts can be refused with details of the applicant's results before anything is audited: they
# re-read the registry first. So do intakes and the access log, which answer before their audit
# record's transaction confirms the caller.
DossiersWrite = Annotated[Caller, Depends(caller(Scope.DOSSIERS_WRITE, Scope.DOSSIERS_IMPORT, strict=True))]
# Opening a dossier is the first step of any of its data requests: any scope that serves dossiers.
DossierIntake = Annotated[
    Caller,
    Depends(
        caller(
            Scope.POPULATION_READ,
            Scope.POPULATION_VERIFY,
            Scope.RESULTS_READ,
            Scope.RESULTS_WRITE,
            Scope.DOSSIERS_WRITE,
            Scope.DOSSIERS_IMPORT,
            strict=True,
        )
    ),
]
AuditRead = Annotated[Caller, Depends(caller(Scope.AUDIT_READ, Scope.AUDIT_OVERSIGHT, strict=True))]
