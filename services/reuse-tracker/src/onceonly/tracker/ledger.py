"""Applies batches of events to the store: load the batch's dossiers, fold the events in with the pure
handlers, write the changed states back and add the cube deltas — a few statements per batch, not per
event, which is what lets one consumer keep up with a national stream.

Runs inside the consume loop's transaction; it neither commits nor opens one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Insert, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from onceonly.events.v1 import events_pb2 as ev
from onceonly.tracker.cube import MEASURES, CellKey, add_into, delta
from onceonly.tracker.handlers import DossierState, apply, contribution, dossier_id_of
from onceonly.tracker.store import CUBES, DOSSIER, LOOKUP

_STATE_FIELDS = tuple(f.name for f in fields(DossierState))
_INSTANT_FIELDS = frozenset({"received_at", "due_at", "resolved_at", "first_lookup_at"})
_CELL_COLUMNS = ("month", "agency", "procedure", "province", "channel", "jurisdiction")
# SQLite allows 32766 bound parameters per statement; stay far below on both stores.
_CHUNK = 900


def _insert(conn: Connection, table: Table) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _utc(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; they were written as UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def load_states(conn: Connection, dossier_ids: Sequence[str]) -> dict[str, DossierState]:
    states: dict[str, DossierState] = {}
    columns = [DOSSIER.c[name] for name in _STATE_FIELDS]
    for chunk in _chunks(dossier_ids):
        for row in conn.execute(select(*columns).where(DOSSIER.c.dossier_id.in_(chunk))):
            values = row._asdict()
            for name in _INSTANT_FIELDS:
                values[name] = _utc(values[name])
            states[values["dossier_id"]] = DossierState(**values)
    return states


def apply_batch(conn: Connection, envelopes: Sequence[ev.Envelope]) -> Counter[str]:
    """Apply decoded envelopes in order; returns how many of each kind were applied.

    Envelopes whose payload this version does not know are skipped. Applied-event bookkeeping is the
    consume loop's; the handlers are idempotent on their own besides (a repeated event leaves the same
    state, hence a zero delta).
    """
    applied: Counter[str] = Counter()
    known = [(e, kind) for e in envelopes if (kind := e.WhichOneof("payload")) is not None]
    if not known:
        return applied
    ids = list(dict.fromkeys(dossier_id_of(e) for e, _ in known))
    before = load_states(conn, ids)
    after = dict(before)
    lookups: dict[str, dict[str, Any]] = {}
    for envelope, kind in known:
        key = dossier_id_of(envelope)
        after[key] = apply(after.get(key), envelope)
        applied[kind] += 1
        if kind == "data_reused":
            reused = envelope.data_reused
            lookups[envelope.event_id] = {
                "event_id": envelope.event_id,
                "dossier_id": reused.dossier_id,
                "agency": reused.agency_code,
                "source": reused.source,
                "outcome": reused.outcome,
                "occurred_at": envelope.occurred_at.ToDatetime(tzinfo=UTC),
            }

    changed = [state for key, state in after.items() if before.get(key) != state]
    if changed:
        _upsert_states(conn, changed)
        cells: dict[CellKey, list[int]] = {}
        for state in changed:
            for cell, vector in delta(
                contribution(before.get(state.dossier_id)), contribution(state)
            ).items():
                add_into(cells, cell, vector)
        _add_to_cubes(conn, cells)
    if lookups:
        statement = _insert(conn, LOOKUP).on_conflict_do_nothing(index_elements=["event_id"])
        conn.execute(statement, list(lookups.values()))
    return applied


def _upsert_states(conn: Connection, states: Sequence[DossierState]) -> None:
    statement = _insert(conn, DOSSIER)
    statement = statement.on_conflict_do_update(
        index_elements=["dossier_id"],
        set_={name: statement.excluded[name] for name in _STATE_FIELDS if name != "dossier_id"},
    )
    # Field by field: dataclasses.astuple deep-copies every value and dominated the ingest profile.
    conn.execute(statement, [{name: getattr(s, name) for name in _STATE_FIELDS} for s in states])


def _add_to_cubes(conn: Connection, cells: dict[CellKey, list[int]]) -> None:
    nonzero = {key: vector for key, vector in cells.items() if any(vector)}
    if not nonzero:
        return
    for cube in CUBES:
        keys = ("month", *cube.dimensions)
        positions = [_CELL_COLUMNS.index(k) for k in keys]
        rolled: dict[CellKey, list[int]] = {}
        for key, vector in nonzero.items():
            add_into(rolled, tuple(key[p] for p in positions), tuple(vector))  # type: ignore[arg-type]
        rows = [
            {**dict(zip(keys, key, strict=True)), **dict(zip(MEASURES, vector, strict=True))}
            for key, vector in rolled.items()
            if any(vector)
        ]
        if not rows:
            continue
        statement: Insert = _insert(conn, cube.table)
        statement = statement.on_conflict_do_update(  # type: ignore[attr-defined]
            index_elements=list(keys),
            set_={m: cube.table.c[m] + statement.excluded[m] for m in MEASURES},  # type: ignore[attr-defined]
        )
        conn.execute(statement, rows)
