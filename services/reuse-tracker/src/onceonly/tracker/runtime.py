"""Everything one tracker app holds for its lifetime, built once by ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from onceonly.tracker.consuming import ConsumerThread
from onceonly.tracker.targets import TargetBook


@dataclass(frozen=True, slots=True)
class Runtime:
    engine: Engine
    targets: TargetBook
    # The embedded consumer, when this process runs one; its health is the probes'.
    consumer: ConsumerThread | None
    # The stale-lookups report's window when a request names none.
    stale_lookup_days: int
    # Closing a period over HTTP needs it as a bearer token; None: only the CLI closes periods.
    operator_token: str | None


async def get_runtime(request: Request) -> Runtime:
    # Async: FastAPI runs a sync dependency on the thread pool, a hop per request for an attribute.
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
