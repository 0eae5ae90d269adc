"""Schema migrations of the services' stores (Alembic), run under a database lock.

Each service keeps its migrations in its own package (``onceonly.<service>.migrations``: ``env.py``
calls :func:`run_env`, ``versions/`` holds the revisions) and describes its store with a
:class:`MigratedStore`. Stores keep their revision in a version table of their own
(``alembic_version_<service>``), so stores that share one database never read each other's.

Every migration runs in one transaction that first takes a lock of the database: PostgreSQL's
transaction-scoped advisory lock (keyed by the store's name), SQLite's ``BEGIN EXCLUSIVE``. Any number
of processes may call :func:`upgrade` at once: the first migrates, the others wait for its commit and
then find nothing left to do. On PostgreSQL the DDL is transactional, so a migration that fails leaves
the schema as it was.

A store made by ``create_all`` before migrations existed has no version table; its baseline revision
creates only what is missing (``IF NOT EXISTS``), so such a store is adopted in place.
"""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    TypeDecorator,
    create_engine,
    inspect,
    text,
)
from sqlalchemy.exc import OperationalError

from onceonly.common.logging import get_logger

__all__ = [
    "MigratedStore",
    "SchemaError",
    "compare",
    "current",
    "downgrade",
    "drop",
    "head",
    "migrate_command",
    "run_env",
    "upgrade",
]

log = get_logger(__name__)

# Alembic says which dialect it found on every context it makes; the steps it runs it says at INFO too,
# and this module logs each store's move from one revision to another.
logging.getLogger("alembic.runtime.migration").setLevel(logging.WARNING)


class SchemaError(RuntimeError):
    """The store's schema is one this release cannot run on (a newer release migrated it)."""


@dataclass(frozen=True)
class MigratedStore:
    """One service's store: its name, where its migrations live, and the metadata its models use."""

    name: str
    # "package:folder", e.g. "onceonly.gateway:migrations": found inside the installed package.
    script_location: str
    # Called when needed, so a store's description can be imported before its models.
    metadata: Callable[[], Sequence[MetaData]]

    @property
    def version_table(self) -> str:
        return f"alembic_version_{self.name}"

    @property
    def command(self) -> str:
        return f"onceonly-{self.name} migrate"

    def tables(self) -> list[Table]:
        return [table for metadata in self.metadata() for table in metadata.sorted_tables]

    def lock_key(self) -> int:
        """A signed 64-bit key for PostgreSQL's advisory lock, stable across processes and releases."""
        digest = hashlib.sha256(f"onceonly.migrations.{self.name}".encode()).digest()
        return int.from_bytes(digest[:8], "big", signed=True)


def _config(store: MigratedStore, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", store.script_location)
    config.attributes["store"] = store
    config.attributes["connection"] = connection
    return config


def _script(store: MigratedStore) -> ScriptDirectory:
    return ScriptDirectory.from_config(_config(store))


def head(store: MigratedStore) -> str:
    """The newest revision this release ships."""
    revision = _script(store).get_current_head()
    assert revision is not None, f"{store.name} has no migrations"
    return revision


# How long a process waits for another's migration on SQLite (PostgreSQL's advisory lock waits as
# long as it takes): far longer than the busy timeout, since a table copy of a big store takes minutes.
SQLITE_LOCK_WAIT_SECONDS = 900.0


def _begin_exclusive(conn: Connection) -> None:
    """SQLite's writer lock, taken before anything is read, waiting for another process's migration."""
    deadline = time.monotonic() + SQLITE_LOCK_WAIT_SECONDS
    while True:
        try:
            conn.exec_driver_sql("BEGIN EXCLUSIVE")
            return
        except OperationalError as error:
            # Each attempt already waited the connection's busy timeout.
            if "locked" not in str(error.orig) or time.monotonic() > deadline:
                raise
            conn.rollback()
            log.info("waiting for another process's migration", error=str(error.orig))


@contextmanager
def _locked(engine: Engine, store: MigratedStore) -> Iterator[Connection]:
    """One transaction holding the store's migration lock until it commits (or rolls back)."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": store.lock_key()})
        elif conn.dialect.name == "sqlite":
            _begin_exclusive(conn)
        else:  # pragma: no cover - the services run on SQLite and PostgreSQL only
            raise SchemaError(f"no migration lock for {conn.dialect.name}")
        try:
            yield conn
        except BaseException:
            conn.rollback()
            raise
        conn.commit()


def _current(conn: Connection, store: MigratedStore) -> str | None:
    context = MigrationContext.configure(conn, opts={"version_table": store.version_table})
    return context.get_current_revision()


def current(engine: Engine, store: MigratedStore) -> str | None:
    """The store's revision, None for a store never migrated."""
    with engine.connect() as conn:
        return _current(conn, store)


def _known(store: MigratedStore, revision: str | None) -> None:
    if revision is None:
        return
    try:
        _script(store).get_revision(revision)
    except CommandError:
        raise SchemaError(
            f"the {store.name} store is at schema revision {revision}, which this release does not know "
            f"(its newest is {head(store)}): a newer release migrated it. Run that release, or downgrade "
            f"the store with that release's `{store.command} --to {head(store)}` before rolling back."
        ) from None


def upgrade(engine: Engine, store: MigratedStore, revision: str = "head") -> tuple[str | None, str | None]:
    """Apply the pending migrations up to ``revision`` under the lock; returns (from, to) revisions.

    Raises :class:`SchemaError` on a store migrated by a newer release, rather than run on a schema
    that does not match the code.
    """
    with _locked(engine, store) as conn:
        before = _current(conn, store)
        _known(store, before)
        command.upgrade(_config(store, conn), revision)
        after = _current(conn, store)
    if before != after:
        log.info("store migrated", store=store.name, from_revision=before, to_revision=after)
    return before, after


def downgrade(engine: Engine, store: MigratedStore, revision: str) -> tuple[str | None, str | None]:
    """Undo migrations down to ``revision`` ("base" undoes them all) under the lock."""
    with _locked(engine, store) as conn:
        before = _current(conn, store)
        _known(store, before)
        command.downgrade(_config(store, conn), revision)
        after = _current(conn, store)
    log.info("store downgraded", store=store.name, from_revision=before, to_revision=after)
    return before, after


def _ancestors(store: MigratedStore, revision: str) -> set[str]:
    return {script.revision for script in _script(store).iterate_revisions(revision, "base")}


def migrate_command(
    engine: Engine, store: MigratedStore, *, to: str | None = None, check: bool = False
) -> tuple[int, str]:
    """What each service's ``migrate`` command does: (exit code, what to print).

    ``check`` changes nothing and fails while migrations are pending; ``to`` moves the store up or down
    to that revision (down is how a release is rolled back); neither means up to this release's head.
    """
    newest = head(store)
    try:
        before = current(engine, store)
        _known(store, before)
        if check:
            if before == newest:
                return 0, f"{store.name} store at {newest}, this release's newest schema"
            return 1, (
                f"{store.name} store at {before or 'no revision'}; this release needs {newest}: "
                f"run `{store.command}`"
            )
        target = to or "head"
        if target == "base" or (before is not None and target in _ancestors(store, before)):
            before, after = downgrade(engine, store, target)
        else:
            before, after = upgrade(engine, store, target)
    except (SchemaError, CommandError) as error:
        return 1, str(error)
    if before == after:
        return 0, f"{store.name} store already at {after}"
    return 0, f"{store.name} store migrated from {before or 'no revision'} to {after or 'no revision'}"


def drop(engine: Engine, store: MigratedStore) -> None:
    """Drop every table of the store and its version table (a rebuild or a reseed starts from here)."""
    with _locked(engine, store) as conn:
        for metadata in store.metadata():
            metadata.drop_all(conn)
        conn.execute(text(f'DROP TABLE IF EXISTS "{store.version_table}"'))


_QUOTED = re.compile(r"""^\(?"?'(.*)'"?\)?$""", re.DOTALL)


def _compare_server_default(
    context: MigrationContext,
    inspected_column: Any,
    metadata_column: Any,
    inspected_default: str | None,
    metadata_default: Any,
    rendered_metadata_default: str | None,
) -> bool | None:
    """True when the defaults differ; None leaves it to Alembic. On SQLite Alembic unquotes a string
    default only when it is not empty, so it sees ``''`` and ``''`` as different: compared here."""
    if context.dialect.name != "sqlite" or inspected_default is None or rendered_metadata_default is None:
        return None

    def unquoted(default: str) -> str:
        match = _QUOTED.match(default)
        return match.group(1) if match else default

    return unquoted(inspected_default) != unquoted(rendered_metadata_default)


def compare(engine: Engine, store: MigratedStore) -> list[Any]:
    """What autogenerate finds between the store's schema and its models: empty when they agree."""
    names = {table.name for table in store.tables()}

    def include_name(name: str | None, type_: str, _parents: Any) -> bool:
        return type_ != "table" or name in names

    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "version_table": store.version_table,
                "compare_type": True,
                "compare_server_default": _compare_server_default,
                "include_name": include_name,
            },
        )
        # A sequence of MetaData works as autogenerate's target (its stub says one MetaData).
        diff = list(compare_metadata(context, list(store.metadata())))  # type: ignore[arg-type]
        # Autogenerate leaves primary keys out; a cube's key is what its upserts conflict on.
        inspector = inspect(conn)
        existing = set(inspector.get_table_names())
        for table in store.tables():
            if table.name in existing:
                stored = inspector.get_pk_constraint(table.name)["constrained_columns"]
                modelled = [column.name for column in table.primary_key.columns]
                if stored != modelled:
                    diff.append(("modify_primary_key", table.name, stored, modelled))
        if conn.dialect.name == "sqlite":
            # Nor does it see SQLite's WITHOUT ROWID, which a table copy (batch mode) may lose.
            for table in store.tables():
                if table.name in existing:
                    sql = conn.exec_driver_sql(
                        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table.name,)
                    ).scalar_one()
                    stored_rowid = "WITHOUT ROWID" not in sql.upper()
                    modelled_rowid = table.dialect_options["sqlite"]["with_rowid"] is not False
                    if stored_rowid != modelled_rowid:
                        diff.append(("modify_sqlite_with_rowid", table.name, stored_rowid, modelled_rowid))
        return diff


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Write SQLModel's column types as the plain SQLAlchemy types they are in the database, so a
    revision does not depend on SQLModel's internals."""
    if type_ != "type":
        return False
    if isinstance(obj, TypeDecorator) and isinstance(obj.impl_instance, DateTime):
        return f"sa.DateTime(timezone={obj.impl_instance.timezone!r})"
    if type(obj).__module__.startswith("sqlmodel") and isinstance(obj, String):
        return f"sa.String(length={obj.length})" if obj.length else "sa.String()"
    return False


def new_revision(store: MigratedStore, message: str, rev_id: str) -> str:
    """Write the revision autogenerate finds between the head and the models (for a developer to read
    and adjust: renames, data, server defaults); returns its path."""
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{Path(folder) / 'head.db'}")
        try:
            upgrade(engine, store)
            with engine.connect() as conn:
                script = command.revision(
                    _config(store, conn), message=message, autogenerate=True, rev_id=rev_id
                )
        finally:
            engine.dispose()
    assert script is not None
    assert not isinstance(script, list)
    return str(script.path)


def main() -> None:
    """``python -m onceonly.common.migrations revision <service> <rev id> <message>``."""
    import importlib
    import sys

    _, action, service, rev_id, message = sys.argv
    assert action == "revision", "usage: revision <service> <rev id> <message>"
    store: MigratedStore = importlib.import_module(f"onceonly.{service}.migrations").STORE
    print(new_revision(store, message, rev_id))  # noqa: T201


def run_env(store: MigratedStore) -> None:
    """The body of every service's ``env.py``: run the migrations on the connection given."""
    from alembic import context

    conn = context.config.attributes.get("connection")
    if conn is None:
        raise SchemaError(f"run the {store.name} migrations with `{store.command}`")
    names = {table.name for table in store.tables()}

    def include_name(name: str | None, type_: str, _parents: Any) -> bool:
        # Autogenerate sees only this store's tables, even in a database shared with another store.
        return type_ != "table" or name in names

    context.configure(
        connection=conn,
        target_metadata=list(store.metadata()),
        version_table=store.version_table,
        # SQLite alters most things by copying the table: Alembic's batch mode does that.
        render_as_batch=conn.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=_compare_server_default,
        include_name=include_name,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


if __name__ == "__main__":
    main()
