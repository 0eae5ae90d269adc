"""Processes opening one fresh SQLite store at the same instant all get a connection.

The first open of a new file switches it to WAL, which takes the file's exclusive lock; SQLite
answers a racing open "database is locked" at once, without waiting on the busy timeout. Replicas
starting together on a new store (tests/migrations/test_concurrent_start.py) hit this about once in
ten starts, so here many fresh stores are opened by several processes at once.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from sqlalchemy import text

from onceonly.common.db import make_engine

PROCESSES = 3
STORES = 30


def _open_each(directory: str, barrier: Barrier, results: Any) -> None:
    failures = []
    for number in range(STORES):
        engine = make_engine(f"sqlite:///{directory}/store-{number}.sqlite")
        barrier.wait()
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql("BEGIN EXCLUSIVE")
                conn.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
                conn.commit()
                mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
                if mode != "wal":
                    failures.append(f"store {number}: journal mode {mode}")
        except Exception as error:  # reported to the test, which fails on it
            failures.append(f"store {number}: {type(error).__name__}: {error}")
        finally:
            engine.dispose()
    results.put(failures)


def test_fresh_stores_opened_together_by_several_processes(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(PROCESSES)
    results = context.Queue()
    workers = [
        context.Process(target=_open_each, args=(str(tmp_path), barrier, results)) for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    failures = [failure for _ in workers for failure in results.get(timeout=120)]
    for worker in workers:
        worker.join(30)
    assert failures == []
