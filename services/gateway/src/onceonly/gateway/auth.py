"""Who is calling, with which scopes, and for which dossier and procedure (purpose binding)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from onceonly.catalog.v1 import catalog_pb2
from onceonly.gateway.agencies import Agency, Scope
from onceonly.gateway.problems import MissingPurpose, ScopeMissing, Unauthenticated
from onceonly.gateway.runtime import Runtime

_bearer = HTTPBearer(auto_error=False, description="The agency system's API key.")


# Cheap dependencies are ``async def`` so they run on the event loop: FastAPI runs each sync dependency
# in the thread pool, and those hand-offs, not the work, were most of a lookup's cost under load.


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def _authenticate(
    runtime: RuntimeDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Agency:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("send the agency's API key as 'Authorization: Bearer <key>'")
    agency = runtime.agencies.authenticate(credentials.credentials)
    if agency is None:
        raise Unauthenticated("unknown or revoked API key")
    runtime.rate_limit.check(agency.code)
    return agency


def requires(scope: Scope) -> Callable[[Agency], Coroutine[Any, Any, Agency]]:
    """A dependency that admits an agency holding ``scope``."""

    async def check(agency: Annotated[Agency, Depends(_authenticate)]) -> Agency:
        if scope not in agency.scopes:
            raise ScopeMissing(f"this route needs the {scope.value} scope")
        return agency

    return check


PopulationReader = Annotated[Agency, Depends(requires(Scope.POPULATION_READ))]
PopulationVerifier = Annotated[Agency, Depends(requires(Scope.POPULATION_VERIFY))]
ResultsReader = Annotated[Agency, Depends(requires(Scope.RESULTS_READ))]
ResultsWriter = Annotated[Agency, Depends(requires(Scope.RESULTS_WRITE))]
DossierWriter = Annotated[Agency, Depends(requires(Scope.DOSSIERS_WRITE))]
AuditReader = Annotated[Agency, Depends(requires(Scope.AUDIT_READ))]


@dataclass(frozen=True, slots=True)
class Purpose:
    """The dossier and procedure a data request serves; the procedure is from the catalog."""

    dossier_id: str
    procedure: catalog_pb2.Procedure
    officer_id: str


async def _purpose(
    runtime: RuntimeDep,
    x_dossier_id: Annotated[
        str | None,
        Header(description="Dossier the request serves.", max_length=64, examples=["HN-2025-000001"]),
    ] = None,
    x_procedure_code: Annotated[
        str | None, Header(description="Procedure of that dossier.", max_length=64, examples=["1.001193"])
    ] = None,
    x_officer_id: Annotated[
        str | None, Header(description="Officer or system user acting.", max_length=128)
    ] = None,
) -> Purpose:
    if not x_dossier_id or not x_procedure_code:
        raise MissingPurpose("X-Dossier-Id and X-Procedure-Code are required on data requests")
    procedure = runtime.lookup.cached_procedure(x_procedure_code)
    if procedure is None:
        procedure = await run_in_threadpool(runtime.lookup.procedure, x_procedure_code)
    return Purpose(dossier_id=x_dossier_id, procedure=procedure, officer_id=x_officer_id or "")


PurposeDep = Annotated[Purpose, Depends(_purpose)]


async def request_id(request: Request) -> str:
    rid: str = request.scope["state"]["request_id"]
    return rid


RequestId = Annotated[str, Depends(request_id)]
