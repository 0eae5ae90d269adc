"""The three stores for the migration tests: their descriptions, and the legacy stores of
``legacy/`` (written by the code before migrations, see ``legacy/make.py``) restored into a database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Engine, MetaData, func, select
from sqlalchemy.engine import make_url

from onceonly.common.migrations import MigratedStore
from onceonly.gateway.migrations import STORE as GATEWAY
from onceonly.lookup.migrations import STORE as LOOKUP
from onceonly.tracker.migrations import STORE as TRACKER

STORES: dict[str, MigratedStore] = {"gateway": GATEWAY, "lookup": LOOKUP, "tracker": TRACKER}
SERVICES = tuple(STORES)

LEGACY = Path(__file__).parent / "legacy"


def legacy_figures(service: str) -> dict[str, Any]:
    figures: dict[str, Any] = json.loads((LEGACY / "figures.json").read_text())[service]
    return figures


def restore_legacy(url: str, service: str) -> str:
    """Load the service's legacy dump into the (empty) database at ``url``; returns the dialect."""
    parsed = make_url(url)
    dialect = parsed.get_backend_name()
    dump = (LEGACY / f"{service}.{dialect}.sql").read_text()
    if dialect == "sqlite":
        conn = sqlite3.connect(str(parsed.database))
        try:
            conn.executescript(dump)
        finally:
            conn.close()
    else:
        libpq = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(libpq, autocommit=True) as pg:
            pg.execute(dump)  # a script without parameters: psycopg sends it as one simple query
    return dialect


def row_counts(engine: Engine, tables: set[str] | None = None) -> dict[str, int]:
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as conn:
        return {
            name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in sorted(metadata.tables.items())
            if tables is None or name in tables
        }
