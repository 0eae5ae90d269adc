"""Writes a generated population into a lookup store, fast.

Worker processes generate chunks (``generator.generate_chunk``) and turn them into what the store
ingests without per-row work in this process, which only writes:

- SQLite: each worker fills an in-memory database with its chunk and hands over its image
  (``serialize``); this process attaches the image and copies it with ``INSERT … SELECT``, in C.
  During the load: no rollback journal, no syncs, a large page cache.
- PostgreSQL: each worker encodes its chunk as a binary ``COPY`` stream; this process sends it as is,
  ``FREEZE`` (the tables are truncated in the same transaction, so rows need no later hint-bit writes).

Primary keys (PostgreSQL) and secondary indexes (both) are built after the load, which is much faster
than maintaining them row by row. The output does not depend on the number of processes: chunks are
generated from their own seeds and written in order.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import Engine, Table, inspect
from sqlalchemy.schema import CreateIndex

from onceonly.common import migrations
from onceonly.common.logging import get_logger
from onceonly.lookup import generator
from onceonly.lookup.catalog import PROCEDURES, catalog_history
from onceonly.lookup.generator import CitizenRow, ResultRow
from onceonly.lookup.migrations import STORE
from onceonly.lookup.tables import CITIZEN, PROCEDURE, PROCEDURE_LEVEL, RESULT

log = get_logger(__name__)

_CITIZEN_COLUMNS = ("personal_id", "household_id", "record")
_RESULT_COLUMNS = (
    "result_id", "owner_personal_id", "result_type", "issued_on", "valid_until", "content_sha256",
    "revoked_at_us", "revocation_reason", "record",
)  # fmt: skip
_SQLITE_CACHE_KIB = 512 * 1024


@dataclass(frozen=True, slots=True)
class SeedReport:
    citizens: int
    results: int
    procedures: int


@dataclass(frozen=True, slots=True)
class _Prepared:
    """One chunk, ready for the store: a SQLite image, or binary COPY streams for PostgreSQL."""

    citizens: int
    results: int
    sqlite_image: bytes = b""
    citizen_copy: bytes = b""
    result_copy: bytes = b""


# -- worker side -----------------------------------------------------------------------------------


def _sqlite_image(citizens: list[CitizenRow], results: list[ResultRow]) -> bytes:
    staging = sqlite3.connect(":memory:")
    try:
        # Untyped columns: values keep their Python types until the store's columns receive them.
        staging.execute(f"CREATE TABLE citizen ({', '.join(_CITIZEN_COLUMNS)})")
        staging.execute(f"CREATE TABLE result ({', '.join(_RESULT_COLUMNS)})")
        staging.executemany("INSERT INTO citizen VALUES (?, ?, ?)", citizens)
        staging.executemany("INSERT INTO result VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", results)
        staging.commit()
        return staging.serialize()
    finally:
        staging.close()


# PostgreSQL binary COPY: a signature, then per row a 16-bit field count and each field as a 32-bit
# length (-1 for NULL) and its bytes, then a trailer.
_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_COPY_TRAILER = b"\xff\xff"
_NULL = b"\xff\xff\xff\xff"
_INT4 = struct.Struct("!i").pack
_INT8_FIELD = struct.Struct("!iq").pack


def _copy_text(value: str | None) -> bytes:
    if value is None:
        return _NULL
    data = value.encode()
    return _INT4(len(data)) + data


def _citizen_copy(rows: list[CitizenRow]) -> bytes:
    parts = [_COPY_SIGNATURE]
    for personal_id, household_id, record in rows:
        parts.append(
            b"\x00\x03" + _copy_text(personal_id) + _copy_text(household_id) + _INT4(len(record)) + record
        )
    parts.append(_COPY_TRAILER)
    return b"".join(parts)


def _result_copy(rows: list[ResultRow]) -> bytes:
    parts = [_COPY_SIGNATURE]
    for result_id, owner, result_type, issued_on, valid_until, sha256, revoked_at, reason, record in rows:
        parts.append(
            b"\x00\x09"
            + _copy_text(result_id)
            + _copy_text(owner)
            + _copy_text(result_type)
            + _copy_text(issued_on)
            + _copy_text(valid_until)
            + _copy_text(sha256)
            + (_NULL if revoked_at is None else _INT8_FIELD(8, revoked_at))
            + _copy_text(reason)
            + _INT4(len(record))
            + record
        )
    parts.append(_COPY_TRAILER)
    return b"".join(parts)


def _prepare(seed: int, citizens: int, dialect: str, index: int) -> _Prepared:
    chunk = generator.generate_chunk(seed, index, citizens)
    counts = len(chunk.citizens), len(chunk.results)
    if dialect == "postgresql":
        return _Prepared(
            *counts, citizen_copy=_citizen_copy(chunk.citizens), result_copy=_result_copy(chunk.results)
        )
    return _Prepared(*counts, sqlite_image=_sqlite_image(chunk.citizens, chunk.results))


def _chunks(seed: int, citizens: int, processes: int, dialect: str) -> Iterator[_Prepared]:
    count = generator.chunk_count(citizens)
    prepare = partial(_prepare, seed, citizens, dialect)
    if processes <= 1 or count == 1:
        yield from map(prepare, range(count))
        return
    generator.warm_up()  # the look-up tables, built once here and shared with the forked workers
    # fork: workers inherit the imported modules, so start-up costs nothing.
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        yield from pool.imap(prepare, range(count))


# -- writer side -----------------------------------------------------------------------------------


def _load_sqlite(raw: Any, chunks: Iterator[_Prepared], progress: Callable[[int], None]) -> tuple[int, int]:
    # Explicit transactions (ATTACH may not run inside one); seed_store restores the mode.
    raw.isolation_level = None
    # A fresh store is rebuilt from scratch if the load fails: no journal, no syncs, a big cache.
    raw.execute("PRAGMA journal_mode=OFF")
    raw.execute("PRAGMA synchronous=OFF")
    raw.execute(f"PRAGMA cache_size=-{_SQLITE_CACHE_KIB}")
    raw.execute("PRAGMA temp_store=MEMORY")
    raw.execute("ATTACH DATABASE ':memory:' AS chunk")
    # Column names are this module's constants, not input.
    citizen_sql = "INSERT INTO main.citizen ({0}) SELECT {0} FROM chunk.citizen".format(  # noqa: S608
        ", ".join(_CITIZEN_COLUMNS)
    )
    result_sql = "INSERT INTO main.result ({0}) SELECT {0} FROM chunk.result".format(  # noqa: S608
        ", ".join(_RESULT_COLUMNS)
    )
    citizens = results = 0
    for chunk in chunks:
        raw.deserialize(chunk.sqlite_image, name="chunk")
        raw.execute("BEGIN")
        raw.execute(citizen_sql)
        raw.execute(result_sql)
        raw.execute("COMMIT")
        citizens += chunk.citizens
        results += chunk.results
        progress(citizens)
    raw.execute("DETACH DATABASE chunk")
    return citizens, results


def _load_postgres(raw: Any, chunks: Iterator[_Prepared], progress: Callable[[int], None]) -> tuple[int, int]:
    citizens = results = 0
    with raw.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        # Truncated in this transaction, the tables can take frozen rows.
        cursor.execute("TRUNCATE citizen, result")
        for chunk in chunks:
            for table, columns, stream in (
                ("citizen", _CITIZEN_COLUMNS, chunk.citizen_copy),
                ("result", _RESULT_COLUMNS, chunk.result_copy),
            ):
                with cursor.copy(
                    f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY, FREEZE)"
                ) as copy:
                    copy.write(stream)
            citizens += chunk.citizens
            results += chunk.results
            progress(citizens)
    raw.commit()
    return citizens, results


def _primary_key_names(engine: Engine, tables: list[Table]) -> dict[str, str]:
    inspector = inspect(engine)
    return {
        table.name: inspector.get_pk_constraint(table.name)["name"] or f"{table.name}_pkey"
        for table in tables
    }


def seed_store(
    engine: Engine,
    *,
    citizens: int,
    seed: int,
    processes: int | None = None,
    progress: Callable[[int], None] = lambda _: None,
) -> SeedReport:
    """Replaces the store's content with a generated population of ``citizens`` and the catalog."""
    generator.chunk_count(citizens)  # validates the count before anything is dropped
    processes = processes if processes is not None else (os.cpu_count() or 1)
    dialect = engine.dialect.name
    # Dropped with its version table and made again by the migrations: the seeded store is at the head.
    migrations.drop(engine, STORE)
    migrations.upgrade(engine, STORE)
    loaded_tables = [CITIZEN, RESULT]
    indexes = [index for table in loaded_tables for index in table.indexes]
    primary_keys = _primary_key_names(engine, loaded_tables) if dialect == "postgresql" else {}
    with engine.begin() as conn:
        for index in indexes:
            index.drop(conn)
        for table, name in primary_keys.items():
            conn.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        conn.execute(
            PROCEDURE.insert(),
            [{"code": p.code, "record": p.SerializeToString(deterministic=True)} for p in PROCEDURES],
        )
        conn.execute(
            PROCEDURE_LEVEL.insert(),
            [
                {"province": province, "procedure_code": code, "effective_from": since, "level": level}
                for province, code, since, level in catalog_history()
            ],
        )
    chunks = _chunks(seed, citizens, processes, dialect)
    raw = engine.raw_connection()
    driver: Any = raw.driver_connection
    isolation_level = getattr(driver, "isolation_level", None)
    try:
        load = _load_postgres if dialect == "postgresql" else _load_sqlite
        loaded, results = load(driver, chunks, progress)
        # On the loading connection: SQLite keeps its big cache for the index builds.
        statements = [str(CreateIndex(index).compile(dialect=engine.dialect)) for index in indexes]
        if dialect == "postgresql":
            keys = [
                f'ALTER TABLE {table.name} ADD CONSTRAINT "{primary_keys[table.name]}" '
                f"PRIMARY KEY ({', '.join(column.name for column in table.primary_key.columns)})"
                for table in loaded_tables
            ]
            with driver.cursor() as cursor:
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                for statement in [*keys, *statements]:
                    cursor.execute(statement)
            driver.commit()
            with driver.cursor() as cursor:
                cursor.execute("ANALYZE citizen")
                cursor.execute("ANALYZE result")
            driver.commit()
        else:
            driver.execute("BEGIN")
            for statement in statements:
                driver.execute(statement)
            driver.execute("COMMIT")
            driver.execute("ANALYZE")
            driver.execute("PRAGMA journal_mode=WAL")
            driver.execute("PRAGMA synchronous=NORMAL")
            driver.execute("PRAGMA cache_size=-2000")
            driver.execute("PRAGMA temp_store=DEFAULT")
            driver.isolation_level = isolation_level
    finally:
        raw.close()
    log.info("store seeded", citizens=loaded, results=results, procedures=len(PROCEDURES), seed=seed)
    return SeedReport(citizens=loaded, results=results, procedures=len(PROCEDURES))
