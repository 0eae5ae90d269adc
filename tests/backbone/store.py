"""A consumer's store for the backbone tests: one row per applied event, in the order applied.

No unique constraint on purpose: a doubled event shows as a second row, so ``count == distinct``
proves exactly-once.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from sqlalchemy import Column, Engine, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.engine import Connection

from onceonly.common import consumer, outbox
from onceonly.common.events import DataReused, Envelope, dossier_id, new_envelope

metadata = MetaData()

received = Table(
    "received",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False),
    Column("dossier_id", String(64), nullable=False),
    Column("request_id", String(64), nullable=False),
)


def create_tables(engine: Engine) -> None:
    metadata.create_all(engine)
    consumer.create_tables(engine)
    outbox.create_tables(engine)


def record_batch(conn: Connection, envelopes: Sequence[Envelope]) -> None:
    conn.execute(
        insert(received),
        [
            {"event_id": e.event_id, "dossier_id": dossier_id(e), "request_id": e.data_reused.request_id}
            for e in envelopes
        ],
    )


def counts(engine: Engine) -> tuple[int, int]:
    """``(rows, distinct event ids)`` in the store."""
    with engine.connect() as conn:
        rows, distinct = conn.execute(select(func.count(), func.count(received.c.event_id.distinct()))).one()
    return int(rows), int(distinct)


def wait_for_count(engine: Engine, expected: int, *, timeout: float) -> tuple[int, int]:
    deadline = time.monotonic() + timeout
    while True:
        seen = counts(engine)
        if seen[0] >= expected or time.monotonic() > deadline:
            return seen
        time.sleep(0.1)


def wait_drained(engine: Engine, *, timeout: float) -> None:
    """Wait until every outbox row is acknowledged by the broker: the relay has published all it was
    given, so the topic's end offsets, taken now, lie past every one of those events."""
    deadline = time.monotonic() + timeout
    while outbox.outbox_lag(engine)[0]:
        assert time.monotonic() < deadline, "the outbox was not drained"
        time.sleep(0.05)


def event(number: int, *, dossiers: int = 200) -> Envelope:
    """Event ``number``: its request id carries the number, so order per dossier can be checked."""
    return new_envelope(
        DataReused(dossier_id=f"HS-{number % dossiers:05d}", request_id=f"{number:09d}"), producer="test"
    )


def order_kept_per_dossier(engine: Engine) -> bool:
    with engine.connect() as conn:
        rows = conn.execute(
            select(received.c.dossier_id, received.c.request_id).order_by(received.c.seq)
        ).all()
    last: dict[str, str] = {}
    for dossier, request in rows:
        if request <= last.get(dossier, ""):
            return False
        last[dossier] = request
    return True
