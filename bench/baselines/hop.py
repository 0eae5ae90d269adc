"""Baseline: a bare FastAPI endpoint that makes one trivial gRPC call (health ``Check``) to lookup.

The ceiling of the gateway's HTTP-to-gRPC hop: same uvicorn and worker setup, same kind of route and
call as the gateway (an ``async`` route awaiting the sync channel's future through the gateway's own
``completed``; FastAPI's telemetry off), but no auth, catalog, audit, outbox or minimization.

    uvicorn --factory bench.baselines.hop:create_app   (BENCH_LOOKUP_TARGET=host:port)
"""

from __future__ import annotations

import os

import grpc
from fastapi import FastAPI
from grpc_health.v1 import health_pb2, health_pb2_grpc

from onceonly.gateway.app import NO_TELEMETRY
from onceonly.gateway.lookup_client import completed


def create_app() -> FastAPI:
    channel = grpc.insecure_channel(os.environ.get("BENCH_LOOKUP_TARGET", "127.0.0.1:50051"))
    stub = health_pb2_grpc.HealthStub(channel)
    request = health_pb2.HealthCheckRequest(service="")
    app = FastAPI(telemetry=NO_TELEMETRY)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/citizens/{personal_id}")
    async def citizen(personal_id: str) -> dict[str, str]:
        answer = await completed(stub.Check.future(request, timeout=2.0))
        status = health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status)
        return {"personal_id": personal_id, "status": status}

    return app
