"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from onceonly.common.outbox import outbox_lag
from onceonly.gateway.auth import RuntimeDep
from onceonly.gateway.schemas import Health

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is alive", response_model=Health)
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    summary="Lookup is reachable, the outbox is not stuck and audit checkpoints are being published",
    response_model=Health,
    responses={503: {"model": Health, "description": "Not ready."}},
)
def readyz(runtime: RuntimeDep) -> Response:
    _, age = outbox_lag(runtime.engine)
    checkpoints = runtime.writes.checkpoints
    checks = {
        "lookup": runtime.lookup.reachable(),
        "outbox": age <= runtime.settings.outbox_stale_seconds,
        # A record committed longer ago than the bound and still in no published checkpoint: the pod
        # leaves the Service, so unanchored records stop piling up while its sinks are down.
        "checkpoints": checkpoints is None
        or checkpoints.unanchored_seconds() <= runtime.settings.audit_checkpoint_stale_seconds,
    }
    ready = all(checks.values())
    body = Health(status="ready" if ready else "not ready", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {"schema": {"type": "string"}}}}},
)
def metrics(runtime: RuntimeDep) -> Response:
    return Response(generate_latest(runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)
