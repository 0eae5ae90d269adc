"""``create_app(settings)``: the gateway's FastAPI application, nothing built at import time."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.telemetry import TelemetryConfig
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from onceonly.common.db import make_engine
from onceonly.common.outbox import outbox_lag
from onceonly.common.pseudonym import Pseudonymizer
from onceonly.common.working_days import VIETNAM
from onceonly.gateway.agencies import AgencyDirectory
from onceonly.gateway.checkpoints import open_checkpointer
from onceonly.gateway.group_commit import GroupCommit
from onceonly.gateway.lookup_client import LookupClient, channel_credentials
from onceonly.gateway.metrics import GatewayMetrics
from onceonly.gateway.middleware import GatewayMiddleware
from onceonly.gateway.problems import MethodNotAllowed, install_problem_handlers, problem_response
from onceonly.gateway.ratelimit import AgencyRateLimit
from onceonly.gateway.routers import access_log, citizens, dossiers, health, results
from onceonly.gateway.runtime import Runtime
from onceonly.gateway.settings import GatewaySettings
from onceonly.gateway.store import create_store

DESCRIPTION = """\
The API agency systems call to reuse data the state already holds.

Every request is authenticated with the agency's API key (`Authorization: Bearer <key>`). A dossier is
opened first (`POST /v1/dossiers/{id}/intake`: its procedure and applicant); data requests then name it
in `X-Dossier-Id` and `X-Procedure-Code`, may concern only its applicant or a relative the registry links
to them, and return only what that procedure is entitled to. Each access is written to a
hash-chained audit log (its hash comes back in `X-Audit-Hash`) and reported on the event stream.
Errors are RFC 9457 problems (`application/problem+json`) with a stable `type` URI.
"""


NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def build_runtime(settings: GatewaySettings, engine: Engine | None = None) -> Runtime:
    engine = engine or make_engine(settings.database_url)
    create_store(engine)
    agencies = AgencyDirectory(engine)
    return Runtime(
        settings=settings,
        engine=engine,
        lookup=LookupClient(
            settings.lookup_target,
            deadline_seconds=settings.grpc_deadline_seconds,
            max_attempts=settings.grpc_max_attempts,
            retry_after_seconds=settings.unavailable_retry_after_seconds,
            catalog_ttl_seconds=settings.catalog_ttl_seconds,
            credentials=channel_credentials(
                settings.lookup_ca_file, settings.lookup_client_cert_file, settings.lookup_client_key_file
            ),
        ),
        agencies=agencies,
        pseudonyms=Pseudonymizer(settings.pseudonym.key),
        rate_limit=AgencyRateLimit(settings.rate_limit_per_agency),
        metrics=GatewayMetrics(lambda: outbox_lag(engine)[1]),
        writes=GroupCommit(engine, agencies=agencies, checkpoints=open_checkpointer(settings)),
    )


_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


def allowed_methods(paths: Mapping[str, Mapping[str, Any]], path: str) -> list[str]:
    """The methods the OpenAPI ``paths`` give the resource at ``path``, for a 405's ``Allow`` (RFC 9110).
    A URL is matched as OpenAPI matches it, a template with fewer parameters first: ``/v1/results/verify``
    is ``POST /v1/results/verify``'s, not ``GET /v1/results/{result_id}``'s (Starlette would name only the
    first route whose template matches, here the GET)."""
    segments = path.split("/")
    matching: list[tuple[int, list[str]]] = []
    for template, operations in paths.items():
        parts = template.split("/")
        if len(parts) != len(segments):
            continue
        if all(
            p == s or (p.startswith("{") and p.endswith("}") and s)
            for p, s in zip(parts, segments, strict=True)
        ):
            methods = sorted(m.upper() for m in operations if m in _METHODS)
            matching.append((sum(p.startswith("{") for p in parts), methods))
    if not matching:
        return []
    fewest = min(params for params, _ in matching)
    return sorted({m for params, methods in matching if params == fewest for m in methods})


def _allow_on_405(app: FastAPI) -> None:
    """Wrap the problem handler of HTTP errors: a 405 carries the resource's methods in ``Allow``."""
    problems = app.exception_handlers[StarletteHTTPException]

    async def http_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, StarletteHTTPException) and exc.status_code == 405:
            # Undocumented routes (the document itself, its viewers) keep Starlette's Allow.
            allow = allowed_methods(app.openapi()["paths"], request.url.path)
            if allow:
                headers = {**(exc.headers or {}), "Allow": ", ".join(allow)}
                exc = StarletteHTTPException(405, exc.detail, headers=headers)
        response = problems(request, exc)
        return await response if inspect.isawaitable(response) else response

    app.add_exception_handler(StarletteHTTPException, http_error)


class ConcretePathMethods:
    """ASGI: a 405 for a method a path without parameters lacks, though a template matching it has it.
    ``GET /v1/citizens/verify`` is no read of a citizen ``verify``: OpenAPI matches a concrete path
    first, so the document gives that URL only POST, and so does the gateway."""

    def __init__(self, app: ASGIApp, *, gateway: FastAPI) -> None:
        self.app = app
        self.gateway = gateway
        self._allow: dict[str, list[str]] | None = None

    def _shadowed(self) -> dict[str, list[str]]:
        if self._allow is None:
            paths = self.gateway.openapi()["paths"]
            templates = {p: ops for p, ops in paths.items() if "{" in p}
            self._allow = {
                path: allowed_methods(paths, path)
                for path in paths
                if "{" not in path and allowed_methods(templates, path)
            }
        return self._allow

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            allow = self._shadowed().get(scope["path"])
            if allow is not None and scope["method"] not in allow:
                response = problem_response(
                    status=MethodNotAllowed.status,
                    slug=MethodNotAllowed.slug,
                    title=MethodNotAllowed.title,
                    detail=f"{scope['method']} is not allowed here",
                    instance=scope["path"],
                    headers={"Allow": ", ".join(allow)},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


_INTAKE = ("/v1/dossiers/{dossier_id}/intake", "post")
_RECEIPT = ("/v1/dossiers", "post")
_RESOLUTION = ("/v1/dossiers/{dossier_id}/resolution", "post")
_RESULTS = ("/v1/citizens/{personal_id}/results", "get")
_RESULT = ("/v1/results/{result_id}", "get")
_REGISTER = ("/v1/results", "post")
_VERIFY_RESULT = ("/v1/results/verify", "post")
_ACCESS_LOG = ("/v1/access-log", "get")
_OPENED = {
    "parameters": {
        "header.X-Dossier-Id": "$response.body#/dossier_id",
        "header.X-Procedure-Code": "$response.body#/procedure_code",
    }
}
_DOSSIER = {"parameters": {"path.dossier_id": "$response.body#/dossier_id"}}
# (operation, its success statuses) -> {link name: (target operation, link body)}: the ids one answer
# gives that another request takes, for clients and for stateful tests.
LINKS: dict[tuple[tuple[str, str], tuple[str, ...]], dict[str, tuple[tuple[str, str], dict[str, Any]]]] = {
    (_INTAKE, ("200", "201")): {
        "ReceiveIt": (_RECEIPT, {"requestBody": {"dossier_id": "$response.body#/dossier_id",
                                                 "procedure_code": "$response.body#/procedure_code"}}),
        "ResolveIt": (_RESOLUTION, _DOSSIER),
        "ReadItsApplicantsResults": (_RESULTS, _OPENED),
        "RegisterAResultForIt": (_REGISTER, _OPENED),
    },
    (_RECEIPT, ("200", "201")): {"ResolveIt": (_RESOLUTION, _DOSSIER)},
    (_REGISTER, ("200", "201")): {
        "ReadIt": (_RESULT, {"parameters": {"path.result_id": "$response.body#/result/result_id"}}),
        "VerifyIt": (
            _VERIFY_RESULT, {"requestBody": {"content_sha256": "$response.body#/result/content_sha256"}}
        ),
    },
    (_RESULTS, ("200",)): {
        "NextPage": (_RESULTS, {"parameters": {
            "path.personal_id": "$request.path.personal_id",
            "query.result_type": "$request.query.result_type",
            "query.page_token": "$response.body#/next_page_token",
        }}),
        "ReadTheFirst": (_RESULT, {"parameters": {"path.result_id": "$response.body#/results/0/result_id"}}),
    },
    (_ACCESS_LOG, ("200",)): {
        "NextPage": (_ACCESS_LOG, {"parameters": {
            "query.personal_id": "$request.query.personal_id",
            "query.page_token": "$response.body#/next_page_token",
        }}),
    },
}  # fmt: skip


def add_links(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with the OpenAPI links of ``LINKS``, naming their targets by operationId."""
    paths = document["paths"]
    for ((path, method), statuses), links in LINKS.items():
        responses = paths[path][method]["responses"]
        for status in statuses:
            responses[status]["links"] = {
                name: {"operationId": paths[target[0]][target[1]]["operationId"], **body}
                for name, (target, body) in links.items()
            }
    return document


def _openapi_of_the_year(app: FastAPI) -> None:
    """The document with its links, built again when the year turns (the personal-id pattern bounds
    birth years by it)."""
    build = app.openapi
    built_for: list[int] = []

    def openapi() -> dict[str, Any]:
        year = datetime.now(VIETNAM).year
        if built_for != [year]:
            app.openapi_schema = None
            built_for[:] = [year]
        if app.openapi_schema is None:
            app.openapi_schema = add_links(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: GatewaySettings, *, runtime: Runtime | None = None) -> FastAPI:
    """The app; its engine and lookup channel are opened here and closed at shutdown."""
    runtime = runtime or build_runtime(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            runtime.writes.close()
            runtime.lookup.close()

    app = FastAPI(
        title="Onceonly gateway",
        version="1.0.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        # Operators get Prometheus metrics (/metrics) and structured logs. FastAPI's own OpenTelemetry
        # hooks would look up the tracer, meter and logger providers on every request for nothing.
        telemetry=NO_TELEMETRY,
    )
    app.state.runtime = runtime
    install_problem_handlers(app)
    _allow_on_405(app)
    _openapi_of_the_year(app)
    for router in (citizens.router, results.citizen_results, results.router, dossiers.router):
        app.include_router(router)
    app.include_router(access_log.router)
    app.include_router(health.router)
    app.add_middleware(ConcretePathMethods, gateway=app)
    app.add_middleware(GatewayMiddleware, metrics=runtime.metrics, max_body_bytes=settings.max_body_bytes)
    return app
