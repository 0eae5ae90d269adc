"""Writes a generated population into a lookup store, fast.

Worker processes generate chunks (``generator.generate_chunk``) while this process writes them: SQLite
through ``executemany`` in one transaction, PostgreSQL through binary ``COPY``. Secondary indexes are
built after the load, which is much faster than maintaining them row by row.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import Engine, text

from onceonly.common.logging import get_logger
from onceonly.lookup import generator
from onceonly.lookup.catalog import PROCEDURES
from onceonly.lookup.generator import Chunk
from onceonly.lookup.tables import CITIZEN, METADATA, PROCEDURE, RESULT

log = get_logger(__name__)

_CITIZEN_COLUMNS = ("personal_id", "household_id", "record")
_RESULT_COLUMNS = (
    "result_id", "owner_personal_id", "result_type", "issued_on", "valid_until", "content_sha256",
    "revoked_at_us", "revocation_reason", "record",
)  # fmt: skip
_PG_TYPES = {
    "citizen": ["text", "text", "bytea"],
    "result": ["text", "text", "text", "text", "text", "text", "int8", "text", "bytea"],
}


@dataclass(frozen=True, slots=True)
class SeedReport:
    citizens: int
    results: int
    procedures: int


def _chunks(seed: int, citizens: int, processes: int) -> Iterator[Chunk]:
    count = generator.chunk_count(citizens)
    make = partial(generator.generate_chunk, seed, citizens=citizens)
    if processes <= 1 or count == 1:
        yield from map(make, range(count))
        return
    # fork: workers inherit the imported modules, so start-up costs nothing.
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        yield from pool.imap(make, range(count))


def _load_sqlite(raw: Any, chunks: Iterator[Chunk], progress: Callable[[int], None]) -> tuple[int, int]:
    cursor = raw.cursor()
    # A fresh store is rebuilt from scratch if the load fails, so skip the per-commit fsyncs.
    cursor.execute("PRAGMA synchronous=OFF")
    # Column names are this module's constants, not input.
    citizen_sql = f"INSERT INTO citizen ({', '.join(_CITIZEN_COLUMNS)}) VALUES (?, ?, ?)"  # noqa: S608
    result_sql = f"INSERT INTO result ({', '.join(_RESULT_COLUMNS)}) VALUES ({', '.join('?' * 9)})"  # noqa: S608
    citizens = results = 0
    for chunk in chunks:
        cursor.executemany(citizen_sql, chunk.citizens)
        cursor.executemany(result_sql, chunk.results)
        citizens += len(chunk.citizens)
        results += len(chunk.results)
        progress(citizens)
    raw.commit()
    cursor.execute("PRAGMA synchronous=NORMAL")
    return citizens, results


def _load_postgres(raw: Any, chunks: Iterator[Chunk], progress: Callable[[int], None]) -> tuple[int, int]:
    citizens = results = 0
    with raw.cursor() as cursor:
        for chunk in chunks:
            for table, columns, rows in (
                ("citizen", _CITIZEN_COLUMNS, chunk.citizens),
                ("result", _RESULT_COLUMNS, chunk.results),
            ):
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)") as copy:
                    copy.set_types(_PG_TYPES[table])
                    for row in rows:
                        copy.write_row(row)
            citizens += len(chunk.citizens)
            results += len(chunk.results)
            progress(citizens)
    raw.commit()
    return citizens, results


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
    METADATA.drop_all(engine)
    indexes = [index for table in (CITIZEN, RESULT) for index in table.indexes]
    METADATA.create_all(engine)
    with engine.begin() as conn:
        for index in indexes:
            index.drop(conn)
        conn.execute(
            PROCEDURE.insert(),
            [{"code": p.code, "record": p.SerializeToString(deterministic=True)} for p in PROCEDURES],
        )
    chunks = _chunks(seed, citizens, processes)
    raw = engine.raw_connection()
    try:
        load = _load_postgres if engine.dialect.name == "postgresql" else _load_sqlite
        loaded, results = load(raw.driver_connection, chunks, progress)
    finally:
        raw.close()
    with engine.begin() as conn:
        for index in indexes:
            index.create(conn)
        if engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE citizen; ANALYZE result"))
        else:
            conn.execute(text("ANALYZE"))
    log.info("store seeded", citizens=loaded, results=results, procedures=len(PROCEDURES), seed=seed)
    return SeedReport(citizens=loaded, results=results, procedures=len(PROCEDURES))
