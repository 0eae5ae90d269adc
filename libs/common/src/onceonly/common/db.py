"""Engines for the services' stores: SQLite (WAL) under ./var/ by default, PostgreSQL by URL.

Each service owns its own database. URLs may be given as ``postgresql://…``; they are driven by
psycopg 3 either way.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url


def normalize_url(url: str) -> str:
    """Pin PostgreSQL URLs to psycopg 3, whatever driver (or none) they name."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


# How long an open waits for another process's switch of a new file to WAL.
WAL_SWITCH_WAIT_SECONDS = 30.0


def _journal_to_wal(cursor: sqlite3.Cursor) -> None:
    """Put the file in WAL mode, waiting for a racing process that is switching it right now.

    Switching a new file to WAL takes its exclusive lock, and SQLite answers a racing open
    "database is locked" at once rather than through the busy timeout, so replicas opening a new
    store together retry here until the first one's switch has landed.
    """
    deadline = time.monotonic() + WAL_SWITCH_WAIT_SECONDS
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def make_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> Engine:
    """One engine per process; SQLite files get WAL so readers never wait for the writer."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=pool_size,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA busy_timeout=30000")
            _journal_to_wal(cursor)
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        # Prepared statements on the server for hot reads (psycopg prepares after N uses).
        connect_args={"prepare_threshold": 2},
    )
