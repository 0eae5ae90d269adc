"""``create_app(settings)``: the gateway's FastAPI application, nothing built at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from sqlalchemy import Engine

from onceonly.common.db import make_engine
from onceonly.common.outbox import outbox_lag
from onceonly.common.pseudonym import Pseudonymizer
from onceonly.gateway.agencies import AgencyDirectory
from onceonly.gateway.checkpoints import open_checkpointer
from onceonly.gateway.group_commit import GroupCommit
from onceonly.gateway.lookup_client import LookupClient, channel_credentials
from onceonly.gateway.metrics import GatewayMetrics
from onceonly.gateway.middleware import GatewayMiddleware
from onceonly.gateway.problems import install_problem_handlers
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
    for router in (citizens.router, results.citizen_results, results.router, dossiers.router):
        app.include_router(router)
    app.include_router(access_log.router)
    app.include_router(health.router)
    app.add_middleware(GatewayMiddleware, metrics=runtime.metrics, max_body_bytes=settings.max_body_bytes)
    return app
