"""The models and the migrations agree: a model change without its migration fails here."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, inspect

from onceonly.common import migrations
from onceonly.common.db import make_engine
from tests.migrations.stores import SERVICES, STORES


@pytest.mark.parametrize("service", SERVICES)
def test_autogenerate_finds_nothing_between_head_and_the_models(service: str, db_url: str) -> None:
    store = STORES[service]
    engine = make_engine(db_url)
    try:
        migrations.upgrade(engine, store)
        assert migrations.current(engine, store) == migrations.head(store)
        diff = migrations.compare(engine, store)
        assert diff == [], (
            f"the {service} models and migrations differ: add a migration to "
            f"{store.script_location.replace(':', '/')}/versions for {diff}"
        )
    finally:
        engine.dispose()


@pytest.mark.parametrize("service", SERVICES)
def test_every_migration_goes_down_and_up_again(service: str, db_url: str) -> None:
    """The rollback path: down to nothing and back to the head leaves the schema the models describe."""
    store = STORES[service]
    engine = make_engine(db_url)
    try:
        migrations.upgrade(engine, store)
        migrations.downgrade(engine, store, "base")
        assert migrations.current(engine, store) is None
        assert not set(inspect(engine).get_table_names()) & {t.name for t in store.tables()}
        migrations.upgrade(engine, store)
        assert migrations.compare(engine, store) == []
    finally:
        engine.dispose()


def test_a_store_migrated_by_a_newer_release_is_refused(sqlite_url: str) -> None:
    store = STORES["gateway"]
    engine = make_engine(sqlite_url)
    try:
        migrations.upgrade(engine, store)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE {store.version_table} SET version_num = '9999_from_the_future'")
        with pytest.raises(migrations.SchemaError, match="onceonly-gateway migrate"):
            migrations.upgrade(engine, store)
        code, message = migrations.migrate_command(engine, store, check=True)
        assert code == 1
        assert "9999_from_the_future" in message
    finally:
        engine.dispose()


def test_migrate_check_fails_while_migrations_are_pending(sqlite_url: str) -> None:
    store = STORES["tracker"]
    engine = make_engine(sqlite_url)
    try:
        code, message = migrations.migrate_command(engine, store, check=True)
        assert code == 1
        assert "onceonly-tracker migrate" in message
        assert migrations.migrate_command(engine, store) == (
            0,
            f"tracker store migrated from no revision to {migrations.head(store)}",
        )
        assert migrations.migrate_command(engine, store, check=True)[0] == 0
    finally:
        engine.dispose()


def test_on_sqlite_a_migration_waits_for_another_longer_than_the_busy_timeout(sqlite_url: str) -> None:
    """Another process's migration may hold SQLite's writer lock far longer than a busy timeout."""
    store = STORES["lookup"]
    path = sqlite_url.removeprefix("sqlite:///")
    wal = make_engine(sqlite_url)  # the store's file in WAL mode, as the services open it
    with wal.connect():
        pass
    wal.dispose()
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(1.5, holder.execute, args=("COMMIT",))
    # A busy timeout of 0.1 s: every attempt gives up quickly, the migration keeps trying.
    engine = create_engine(sqlite_url, connect_args={"timeout": 0.1})
    assert migrations.SQLITE_LOCK_WAIT_SECONDS > 30
    try:
        release.start()
        started = time.monotonic()
        migrations.upgrade(engine, store)
        assert time.monotonic() - started >= 1.0
        assert migrations.current(engine, store) == migrations.head(store)
    finally:
        release.join()
        holder.close()
        engine.dispose()
