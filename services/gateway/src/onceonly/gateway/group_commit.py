"""Group commit: the short write transactions of concurrent requests, committed together.

Every data request appends to the audit chain, whose head row serializes all appends; with many requests
each opening its own transaction they would queue on that row (on SQLite, on the database's writer lock,
polling it with back-off sleeps). Here one thread per process takes whatever work is waiting, runs it in
one transaction in arrival order and commits once. Within that transaction the audit records and outbox
rows of the whole batch are written with one statement each (``Batch.flush``), and the agency registry
is read once to confirm that every caller in the batch still holds a valid key. Each caller waits until
its own work is committed, so a response still leaves only after its audit record and outbox row are
durable.

If the batch fails, it is rolled back and each piece of work is retried alone, so one request's error (a
duplicate key, a key revoked meanwhile) is reported to that request only.
"""

from __future__ import annotations

import asyncio
import queue
import socket
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine

from onceonly.common import outbox
from onceonly.common.events import Envelope, Payload, new_envelope
from onceonly.gateway.agencies import Agency, AgencyDirectory
from onceonly.gateway.audit import AuditEntry, ChainWriter
from onceonly.gateway.checkpoints import Checkpointer

T = TypeVar("T")

# The producer every event the gateway writes names.
PRODUCER = f"gateway/{socket.gethostname()}"


class Batch:
    """One transaction shared by several requests' work: its connection, and what they write."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._chain = ChainWriter(conn)
        self._events: dict[str, list[Envelope]] = {}
        self._callers: list[Agency] = []

    def audit(self, entry: AuditEntry) -> str:
        """Append ``entry`` to the audit chain; returns its hash (final once the batch commits)."""
        return self._chain.append(entry)

    @property
    def chain_written(self) -> tuple[int, str] | None:
        """The last audit record ``flush`` wrote, ``(seq, hash)``, if any."""
        return self._chain.written

    def event(self, envelope: Envelope, *, topic: str) -> None:
        """Queue an event for ``topic`` in the outbox, keyed by its dossier."""
        self._events.setdefault(topic, []).append(envelope)

    def emit(self, payload: Payload, *, topic: str, occurred_at: datetime | None = None) -> Envelope:
        """Wrap ``payload`` in a fresh envelope from this gateway and queue it for ``topic``."""
        envelope = new_envelope(payload, producer=PRODUCER, occurred_at=occurred_at)
        self.event(envelope, topic=topic)
        return envelope

    def on_behalf_of(self, caller: Agency) -> None:
        """Have the registry confirm, before commit, that ``caller`` may still act."""
        self._callers.append(caller)

    def flush(self, agencies: AgencyDirectory | None) -> None:
        """Write what the batch queued, then confirm its callers (``Unauthenticated`` if one was revoked).

        The registry is read after the batch's writes: by then it holds the database's write lock
        (SQLite) or has written rows (PostgreSQL), so it sees any revocation committed before it.
        """
        self._chain.flush()
        for topic, envelopes in self._events.items():
            outbox.add_events(self.conn, envelopes, topic=topic)
        self._events.clear()
        if agencies is not None and self._callers:
            agencies.confirm(self.conn, self._callers)


class _Job(Generic[T]):
    __slots__ = ("done", "error", "result", "work")

    def __init__(self, work: Callable[[Batch], T], done: Callable[[_Job[T]], None]) -> None:
        self.work = work
        self.done = done
        self.result: T | None = None
        self.error: BaseException | None = None


class GroupCommit:
    """Runs ``work(batch)`` for many callers, threads or coroutines, batching them into transactions."""

    def __init__(
        self,
        engine: Engine,
        *,
        agencies: AgencyDirectory | None = None,
        max_batch: int = 128,
        checkpoints: Checkpointer | None = None,
    ) -> None:
        self._engine = engine
        self._agencies = agencies
        # Told the chain position of each committed batch, and closed with this object.
        self._checkpoints = checkpoints
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Job[Any] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._closed = False

    @property
    def checkpoints(self) -> Checkpointer | None:
        """The checkpointer told of each commit (``/readyz`` asks it how long records wait)."""
        return self._checkpoints

    def run(self, work: Callable[[Batch], T]) -> T:
        """``work``'s result once the transaction it ran in has committed; its exception otherwise."""
        finished = threading.Event()
        job = self._submit(work, lambda _: finished.set())
        finished.wait()
        return _outcome(job)

    async def submit(self, work: Callable[[Batch], T]) -> T:
        """As ``run``, for the event loop: waits without holding a thread."""
        loop = asyncio.get_running_loop()
        finished = loop.create_future()

        def wake(_: _Job[T]) -> None:
            loop.call_soon_threadsafe(_resolve, finished)

        job = self._submit(work, wake)
        await asyncio.shield(finished)  # cancelling the request does not cancel committed work
        return _outcome(job)

    def close(self) -> None:
        """Finish the work already queued, then stop the thread."""
        self._closed = True
        with self._start_lock:
            thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join()
        if self._checkpoints is not None:
            self._checkpoints.close()

    def _submit(self, work: Callable[[Batch], T], done: Callable[[_Job[T]], None]) -> _Job[T]:
        if self._closed:
            raise RuntimeError("the group commit is closed")
        self._ensure_started()
        job = _Job(work, done)
        self._queue.put(job)
        return job

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

    def _commit(self, jobs: list[_Job[Any]]) -> None:
        try:
            with self._engine.begin() as conn:
                batch = Batch(conn)
                results = [job.work(batch) for job in jobs]
                batch.flush(self._agencies)
        except BaseException as error:  # delivered to the caller(s), never lost in this thread
            if len(jobs) > 1:
                for job in jobs:
                    self._commit([job])
                return
            jobs[0].error = error
            jobs[0].done(jobs[0])
            return
        if self._checkpoints is not None and batch.chain_written is not None:
            self._checkpoints.committed(*batch.chain_written)
        for job, result in zip(jobs, results, strict=True):
            job.result = result
            job.done(job)


def _resolve(finished: asyncio.Future[None]) -> None:
    if not finished.done():
        finished.set_result(None)


def _outcome(job: _Job[T]) -> T:
    if job.error is not None:
        raise job.error
    return job.result  # type: ignore[return-value]
