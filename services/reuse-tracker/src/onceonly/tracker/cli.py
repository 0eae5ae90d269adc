"""``onceonly-tracker``: consume the dossier events, rebuild the store, serve the API and dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from onceonly.common.cli import MigrateCheck, MigrateTo, bootstrap, migrate, serve_http
from onceonly.common.db import make_engine
from onceonly.common.logging import get_logger
from onceonly.common.security import refuse_to_start
from onceonly.tracker import queries
from onceonly.tracker.app import create_app
from onceonly.tracker.consuming import build_loop, consumer_thread, prepare_store, rebuild
from onceonly.tracker.indicators import compute
from onceonly.tracker.settings import TrackerSettings
from onceonly.tracker.targets import load_book, load_targets

app = typer.Typer(help="Onceonly reuse tracker: indicators of data reuse, against their targets.")
log = get_logger("onceonly.tracker")


def _settings(**overrides: object) -> TrackerSettings:
    return bootstrap(TrackerSettings, "onceonly-tracker", **overrides)


DatabaseOption = Annotated[
    str | None, typer.Option("--database-url", help="Store URL (default ONCEONLY_TRACKER_DATABASE_URL)")
]


@app.command()
def consume(database_url: DatabaseOption = None) -> None:
    """Apply the dossier-event topic to the store until SIGTERM/SIGINT."""
    settings = _settings(database_url=database_url)
    refuse_to_start(settings, "onceonly-tracker")
    engine = make_engine(settings.database_url)
    prepare_store(engine)
    loop = build_loop(settings, engine)
    loop.install_signal_handlers()
    loop.run()


@app.command("migrate")
def migrate_command(
    database_url: DatabaseOption = None, to: MigrateTo = None, check: MigrateCheck = False
) -> None:
    """Apply the store's pending schema migrations, under a database lock (safe from several replicas)."""
    from onceonly.tracker.migrations import STORE

    migrate(_settings(database_url=database_url).database_url, STORE, to=to, check=check)


@app.command("rebuild")
def rebuild_command(
    database_url: DatabaseOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask before emptying the store")] = False,
    consumers: Annotated[
        int, typer.Option("--consumers", min=1, help="Consumers in the group sharing the partitions")
    ] = 1,
) -> None:
    """Empty the store and recompute everything from the beginning of the topic."""
    settings = _settings(database_url=database_url)
    refuse_to_start(settings, "onceonly-tracker")
    if not yes:
        typer.confirm(f"Empty the tracker store and replay {settings.kafka.topic}?", abort=True)
    engine = make_engine(settings.database_url)
    metrics = rebuild(settings, engine, consumers=consumers)
    log.info("store rebuilt", records=metrics.records, dead_lettered=metrics.dead_lettered)


@app.command()
def serve(
    database_url: DatabaseOption = None,
    host: Annotated[str | None, typer.Option(help="Default ONCEONLY_TRACKER_HOST")] = None,
    port: Annotated[int | None, typer.Option(help="Default ONCEONLY_TRACKER_PORT")] = None,
    consumer: Annotated[
        bool, typer.Option("--consumer/--no-consumer", help="Run the consume loop in a background thread")
    ] = True,
) -> None:
    """Serve the API, /metrics and the dashboard (with the consumer embedded unless --no-consumer)."""
    settings = _settings(database_url=database_url, host=host, port=port)
    refuse_to_start(settings, "onceonly-tracker")
    engine = make_engine(settings.database_url)
    prepare_store(engine)
    embedded = consumer and settings.embedded_consumer
    web = create_app(
        engine=engine,
        targets=load_book(settings.targets_file),
        consumer=consumer_thread(settings, engine) if embedded else None,
        stale_lookup_days=settings.stale_lookup_days,
        operator_token=None
        if settings.operator_token is None
        else settings.operator_token.get_secret_value(),
    )
    serve_http(web, host=settings.host, port=settings.port)


@app.command()
def indicators(
    database_url: DatabaseOption = None,
    period: Annotated[str | None, typer.Option(help="YYYY-MM, YYYY-Qn or YYYY")] = None,
    agency: Annotated[str | None, typer.Option()] = None,
    province: Annotated[str | None, typer.Option()] = None,
    targets_file: Annotated[Path | None, typer.Option(help="TOML targets file")] = None,
) -> None:
    """Print the indicators for a period as a table."""
    settings = _settings(database_url=database_url)
    engine = make_engine(settings.database_url)
    prepare_store(engine)
    try:
        first, last = queries.parse_period(period)
    except queries.PeriodError as exc:
        raise typer.BadParameter(str(exc), param_hint="--period") from None
    filters = queries.Filters(agency=agency, province=province, month_from=first, month_to=last)
    with engine.connect() as conn:
        figures = compute(queries.totals(conn, filters), load_targets(targets_file or settings.targets_file))
    table = Table(title=f"Indicators {period or 'all time'}")
    for column in ("indicator", "numerator", "denominator", "value %", "target %", "gap", "met"):
        table.add_column(column, justify="left" if column == "indicator" else "right")
    for i in figures:
        status = "—" if i.met is None else ("yes" if i.met else "[red]no[/red]")
        table.add_row(
            i.name, str(i.numerator), str(i.denominator), show(i.value), show(i.target), show(i.gap), status
        )
    Console().print(table)


@app.command()
def close(
    period: Annotated[str, typer.Argument(help="The month, quarter or year: YYYY-MM, YYYY-Qn or YYYY")],
    database_url: DatabaseOption = None,
    closed_by: Annotated[str, typer.Option(help="Who closes it, for the record")] = "",
    targets_file: Annotated[Path | None, typer.Option(help="TOML targets file")] = None,
) -> None:
    """Close a period that is over: freeze its figures as published and print their SHA-256."""
    from onceonly.tracker import closing
    from onceonly.tracker.targets import load_book

    settings = _settings(database_url=database_url)
    engine = make_engine(settings.database_url)
    prepare_store(engine)
    book = load_book(targets_file or settings.targets_file)
    goals = book.resolve(int(period[:4]) if period[:4].isdigit() else None, None)
    try:
        with engine.begin() as conn:
            closed = closing.close(conn, goals, period, closed_by=closed_by or "cli")
    except closing.ClosingError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    typer.echo(f"{closed.period} closed at {closed.closed_at.isoformat()}: sha256 {closed.content_sha256}")


def show(value: float | None) -> str:
    return "—" if value is None else str(value)
