"""Builds the tracker's FastAPI app from its settings, store engine and (optional) embedded consumer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine
from starlette.responses import Response

from onceonly.common.working_days import VIETNAM
from onceonly.tracker import drilldown, queries, report, reuse
from onceonly.tracker.api import probes, router
from onceonly.tracker.consuming import ConsumerThread
from onceonly.tracker.indicators import Indicator
from onceonly.tracker.metrics import TrackerMetrics
from onceonly.tracker.problems import install_problem_handlers
from onceonly.tracker.runtime import Runtime
from onceonly.tracker.targets import TargetBook, Targets

DASHBOARD = Path(str(resources.files("onceonly.tracker") / "dashboard"))


def _now() -> datetime:
    return datetime.now(UTC)


def create_app(
    *,
    engine: Engine,
    targets: Targets | TargetBook,
    metrics: TrackerMetrics | None = None,
    consumer: ConsumerThread | None = None,
    stale_lookup_days: int = 7,
    operator_token: str | None = None,
    clock: Callable[[], datetime] | None = None,
) -> FastAPI:
    """The app; an embedded consumer, when given, runs while the app is up. ``clock`` (now, aware)
    dates the Prometheus headline's year to date."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if consumer is not None:
            consumer.start()
        try:
            yield
        finally:
            if consumer is not None:
                consumer.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="Onceonly reuse tracker",
        summary="Data-reuse indicators of the once-only platform, against their targets.",
        version="1",
    )
    book = TargetBook.of(targets)
    app.state.runtime = Runtime(
        engine=engine,
        targets=book,
        consumer=consumer,
        stale_lookup_days=stale_lookup_days,
        operator_token=operator_token,
    )
    metrics = metrics or TrackerMetrics()

    def headline() -> list[Indicator]:
        # The current year to date (Vietnam time), against that year's targets, as the reports steer.
        today = (clock or _now)().astimezone(VIETNAM)
        year = today.year
        so_far = queries.Filters(month_from=f"{year}-01", month_to=f"{year}-{today.month:02d}")
        with engine.connect() as conn:
            return report.indicators(conn, book.resolve(year), so_far)

    metrics.watch_headline(headline)
    metrics.watch_consumer(lambda: consumer.loop.metrics if consumer is not None else None)
    install_problem_handlers(app)
    app.include_router(router)
    app.include_router(drilldown.router)
    app.include_router(reuse.router)
    app.include_router(probes)

    @app.get("/metrics", include_in_schema=False)
    def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/", include_in_schema=False)
    def dashboard() -> FileResponse:
        return FileResponse(DASHBOARD / "index.html", media_type="text/html; charset=utf-8")

    app.mount("/static", StaticFiles(directory=DASHBOARD), name="static")
    return app
