"""Group commit: the short write transactions of concurrent requests, committed together.

Every data request appends to the audit chain, whose head row serializes all appends; with many request
threads each opening its own transaction they queue on that row (on SQLite, on the database's writer
lock, polling it with back-off sleeps). Here one thread per process takes whatever work is waiting,
runs it in one transaction in arrival order and commits once; each caller blocks until its own work is
committed, so a response still leaves only after its audit record and outbox row are durable.

If the batch fails, it is rolled back and each piece of work is retried alone, so one request's error
(a duplicate key, say) is reported to that request only.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine

T = TypeVar("T")


class _Job(Generic[T]):
    __slots__ = ("done", "error", "result", "work")

    def __init__(self, work: Callable[[Connection], T]) -> None:
        self.work = work
        self.done = threading.Event()
        self.result: T | None = None
        self.error: BaseException | None = None


class GroupCommit:
    """Runs ``work(conn)`` for callers on many threads, batching them into shared transactions."""

    def __init__(self, engine: Engine, *, max_batch: int = 128) -> None:
        self._engine = engine
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Job[Any] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._closed = False

    def run(self, work: Callable[[Connection], T]) -> T:
        """``work``'s result once the transaction it ran in has committed; its exception otherwise."""
        if self._closed:
            raise RuntimeError("the group commit is closed")
        self._ensure_started()
        job = _Job(work)
        self._queue.put(job)
        job.done.wait()
        if job.error is not None:
            raise job.error
        return job.result  # type: ignore[return-value]

    def close(self) -> None:
        """Finish the work already queued, then stop the thread."""
        self._closed = True
        with self._start_lock:
            thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join()

    def _ensure_started(self) -> None:
        if self._thread is not None:
            return
        with self._start_lock:
            if self._thread is None:
                # Started on first use, so a process forked or spawned later gets its own.
                self._thread = threading.Thread(target=self._loop, name="group-commit", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        stopping = False
        while not stopping:
            job = self._queue.get()
            if job is None:
                break
            batch = [job]
            while len(batch) < self._max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                batch.append(more)
            self._commit(batch)

    def _commit(self, batch: list[_Job[Any]]) -> None:
        try:
            with self._engine.begin() as conn:
                results = [job.work(conn) for job in batch]
        except BaseException as error:  # delivered to the caller(s), never lost in this thread
            if len(batch) > 1:
                for job in batch:
                    self._commit([job])
                return
            batch[0].error = error
            batch[0].done.set()
            return
        for job, result in zip(batch, results, strict=True):
            job.result = result
            job.done.set()
