"""``onceonly-lookup``: serve the lookup, seed its store, print sample personal ids."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from onceonly.common.cli import MigrateCheck, MigrateTo, bootstrap, migrate
from onceonly.common.db import make_engine
from onceonly.common.security import refuse_to_start
from onceonly.lookup.settings import LookupSettings
from onceonly.lookup.store import LookupStore

app = typer.Typer(help="The Onceonly lookup service: population registry, digitized results, catalog.")

DatabaseOption = Annotated[
    str | None,
    typer.Option(help="Store URL; default ONCEONLY_LOOKUP_DATABASE_URL or sqlite:///var/lookup.db"),
]


def _settings(**overrides: object) -> LookupSettings:
    return bootstrap(LookupSettings, "onceonly-lookup", **overrides)


@app.command()
def serve(
    database_url: DatabaseOption = None,
    host: Annotated[str | None, typer.Option(help="Default ONCEONLY_LOOKUP_HOST or 127.0.0.1")] = None,
    port: Annotated[int | None, typer.Option(help="Default ONCEONLY_LOOKUP_PORT or 50051")] = None,
) -> None:
    """Serve PopulationRegistry, DigitizedResults and ProcedureCatalog over gRPC until SIGTERM."""
    from onceonly.lookup.server import serve as run

    settings = _settings(database_url=database_url, host=host, port=port)
    refuse_to_start(settings, "onceonly-lookup")
    engine = make_engine(settings.database_url, pool_size=settings.max_workers)
    store = LookupStore(engine)
    store.create_tables()
    run(settings, store)


@app.command("migrate")
def migrate_command(
    database_url: DatabaseOption = None, to: MigrateTo = None, check: MigrateCheck = False
) -> None:
    """Apply the store's pending schema migrations, under a database lock (safe from several replicas)."""
    from onceonly.lookup.migrations import STORE

    migrate(_settings(database_url=database_url).database_url, STORE, to=to, check=check)


@app.command()
def seed(
    citizens: Annotated[int, typer.Option(help="How many citizens to generate")] = 10_000,
    seed: Annotated[int, typer.Option(help="Same seed, same population")] = 1,
    processes: Annotated[int | None, typer.Option(help="Generator processes; default: one per core")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Replace the store's content with a deterministic synthetic population and the catalog."""
    from onceonly.lookup.seeder import seed_store

    settings = _settings(database_url=database_url)
    engine = make_engine(settings.database_url)
    start = time.perf_counter()
    report = seed_store(engine, citizens=citizens, seed=seed, processes=processes)
    typer.echo(
        f"seeded {report.citizens:,} citizens, {report.results:,} results and {report.procedures} procedures "
        f"in {time.perf_counter() - start:.1f} s"
    )


@app.command()
def sample(
    count: Annotated[int, typer.Option(help="How many personal ids")] = 10,
    database_url: DatabaseOption = None,
) -> None:
    """Print existing personal ids, one per line."""
    settings = _settings(database_url=database_url)
    store = LookupStore(make_engine(settings.database_url))
    for personal_id in store.sample_personal_ids(count):
        typer.echo(personal_id)
