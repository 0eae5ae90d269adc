"""Baseline: a bare FastAPI endpoint that reads the citizen row straight from the lookup's database.

What the gateway's lookup would cost with no gRPC hop and nothing around it: one prepared primary-key
read, one protobuf parse and three fields out, on the gateway's uvicorn and worker setup (a sync route:
the read blocks; FastAPI's telemetry off, as in the gateway).

    uvicorn --factory bench.baselines.db:create_app   (BENCH_LOOKUP_DATABASE_URL=…)
"""

from __future__ import annotations

import os

from fastapi import FastAPI, HTTPException

from onceonly.common.db import make_engine
from onceonly.gateway.app import NO_TELEMETRY
from onceonly.lookup.errors import NotFound
from onceonly.lookup.store import LookupStore


def create_app() -> FastAPI:
    store = LookupStore(make_engine(os.environ["BENCH_LOOKUP_DATABASE_URL"], pool_size=40))
    app = FastAPI(telemetry=NO_TELEMETRY)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/v1/citizens/{personal_id}")
    def citizen(personal_id: str) -> dict[str, str]:
        try:
            found = store.get_citizen(personal_id)
        except NotFound:
            raise HTTPException(404) from None
        return {
            "personal_id": personal_id,
            "full_name": found.full_name,
            "date_of_birth": found.date_of_birth,
        }

    return app
