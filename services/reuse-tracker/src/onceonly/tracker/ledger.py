"""Applies batches of events to the store: load the batch's dossiers, fold the events in, write the
changed states back and add the cube deltas — a few statements per batch, not per event, which is what
lets one consumer keep up with a national stream.

This is the hot path of ``consume`` and ``rebuild``. The dossier rules are the handlers' own
(``handlers.fold``, ``handlers.contribute``, ``handlers.add_flows``), written over state rows in the
store's own form for this path's sake; what is here is getting rows in and out fast:

- cube deltas are summed in Python per batch into the finest cells, which go to a temporary table in
  one statement; every cube then sums them to its own keys inside the database (one
  ``INSERT ... SELECT ... GROUP BY`` upsert per cube), so each touched cube row is written once and no
  cube row passes through Python;
- rows go to the database through the driver's own ``executemany`` (sqlite3, or psycopg's pipelined
  one) with plain tuples, with no per-value processing by SQLAlchemy.

An event carrying an instant outside the tracker's calendar raises ``cube.OutOfRange`` (the consume
loop then applies the batch one by one and dead-letters that event).

Runs inside the consume loop's transaction; it neither commits nor opens one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection

from onceonly.common.events import payload_kind
from onceonly.events.v1 import events_pb2 as ev
from onceonly.tracker.cube import CELL_KEY, MEASURES, N_MEASURES, CellKey
from onceonly.tracker.handlers import (
    FIELDS,
    CatalogRow,
    FlowKey,
    add_flows,
    catalog_rows,
    contribute,
    fold,
    stamp_micros,
)
from onceonly.tracker.store import CUBES, DOSSIER, FINEST, LOOKUP, Cube

assert tuple(c.name for c in DOSSIER.columns) == FIELDS

_LOOKUP_COLUMNS = (
    "event_id",
    "dossier_id",
    "agency",
    "source",
    "outcome",
    "occurred_at",
    "procedure",
    "applicant",
    "subject",
    "relation",
)
assert tuple(c.name for c in LOOKUP.columns) == _LOOKUP_COLUMNS

# SQLite allows 32766 bound parameters per statement; stay far below on both stores.
_CHUNK = 900
# The temporary table a batch's cell deltas pass through on their way into the cubes.
_DELTA = "tracker_cell_delta"


def _quote(name: str) -> str:
    return f'"{name}"'


@dataclass(frozen=True, slots=True)
class _Stage:
    """How a batch's rows go into ``table``: SQLite's ``executemany`` of ``direct``; on PostgreSQL, a
    COPY into a temporary table shaped like it, then one ``merge`` from there (an executemany binds and
    sends every row apart, which cost the tracker's process more than folding the events did)."""

    direct: str
    create: str
    copy: str
    merge: str
    clear: str

    @staticmethod
    def of(postgres: bool, table: str, columns: Sequence[str], on_conflict: str) -> _Stage:
        mark = "%s" if postgres else "?"
        cols = ", ".join(_quote(c) for c in columns)
        key = "event_id" if table == "tracker_lookup" else "dossier_id"
        direct = (
            f"INSERT INTO {table} ({cols}) VALUES ({', '.join([mark] * len(columns))}) "  # noqa: S608
            f"ON CONFLICT ({key}) {on_conflict}"
        )
        stage = f"{table}_stage"
        return _Stage(
            direct=direct,
            # LIKE copies the columns and their NOT NULLs, no key: the merge is what checks conflicts.
            create=f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} (LIKE {table}) ON COMMIT DELETE ROWS",
            copy=f"COPY {stage} ({cols}) FROM STDIN",
            merge=(
                f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {stage} "  # noqa: S608
                f"ON CONFLICT ({key}) {on_conflict}"
            ),
            clear=f"DELETE FROM {stage}",  # noqa: S608
        )

    def write(self, cursor: Any, postgres: bool, rows: Sequence[Sequence[Any]]) -> None:
        if not postgres:
            cursor.executemany(self.direct, rows)
            return
        cursor.execute(self.create)
        _copy(cursor, self.copy, rows)
        cursor.execute(self.merge)
        cursor.execute(self.clear)


def _copy(cursor: Any, statement: str, rows: Sequence[Sequence[Any]]) -> None:
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


class _Sql:
    """The statements of one dialect, built once from the table definitions (no outside input)."""

    def __init__(self, postgres: bool) -> None:
        self.postgres = postgres
        mark = "%s" if postgres else "?"
        self.mark = mark
        cols = ", ".join(_quote(f) for f in FIELDS)
        self.select_states = f"SELECT {cols} FROM tracker_dossier WHERE dossier_id "  # noqa: S608
        updates = ", ".join(f"{_quote(f)} = excluded.{_quote(f)}" for f in FIELDS[1:])
        state_marks = ", ".join([mark] * len(FIELDS))
        upsert = f"INSERT INTO tracker_dossier ({cols}) VALUES ({state_marks}) ON CONFLICT (dossier_id)"  # noqa: S608
        self.upsert_state = f"{upsert} DO UPDATE SET {updates}"
        self.states = _Stage.of(postgres, "tracker_dossier", FIELDS, f"DO UPDATE SET {updates}")
        lookup_cols, lookup_marks = ", ".join(_LOOKUP_COLUMNS), ", ".join([mark] * len(_LOOKUP_COLUMNS))
        insert = f"INSERT INTO tracker_lookup ({lookup_cols}) VALUES ({lookup_marks})"  # noqa: S608
        self.insert_lookup = f"{insert} ON CONFLICT (event_id) DO NOTHING"
        self.lookups = _Stage.of(postgres, "tracker_lookup", _LOOKUP_COLUMNS, "DO NOTHING")
        # The batch's cell deltas go to a temporary table in one executemany; each cube then sums its
        # own cells from there in one INSERT ... SELECT ... GROUP BY upsert, inside the database, rather
        # than rolling every cube up in Python and binding each of its rows (three per event).
        delta_columns = ", ".join(
            [
                *(f"{_quote(c)} TEXT NOT NULL" for c in CELL_KEY),
                *(f"{_quote(m)} INTEGER" for m in MEASURES),
            ]
        )
        # On PostgreSQL the table is the session's; its rows go at commit at the latest.
        on_commit = " ON COMMIT DELETE ROWS" if postgres else ""
        self.create_delta = f"CREATE TEMPORARY TABLE IF NOT EXISTS {_DELTA} ({delta_columns}){on_commit}"
        delta_marks = ", ".join([mark] * (len(CELL_KEY) + N_MEASURES))
        self.insert_delta = f"INSERT INTO {_DELTA} VALUES ({delta_marks})"  # noqa: S608
        self.clear_delta = f"DELETE FROM {_DELTA}"  # noqa: S608
        self.roll_ups = [self._roll_up(cube) for cube in CUBES]
        self.finest_roll_up = [self._roll_up(FINEST)]
        self.upsert_catalog = (
            "INSERT INTO tracker_catalog_level (province, as_of, procedure, level) "  # noqa: S608
            f"VALUES ({mark}, {mark}, {mark}, {mark}) "
            "ON CONFLICT (province, as_of, procedure) DO UPDATE SET level = excluded.level"
        )
        self.upsert_flow = (
            "INSERT INTO tracker_reuse_flow (kind, month, source, agency, procedure, province, origin, "  # noqa: S608
            f"dossiers, count) VALUES ({', '.join([mark] * 9)}) "
            "ON CONFLICT (kind, month, source, agency, procedure, province, origin) DO UPDATE SET "
            "dossiers = tracker_reuse_flow.dossiers + excluded.dossiers, "
            "count = tracker_reuse_flow.count + excluded.count"
        )
        self.upsert_receipt = (
            f"INSERT INTO tracker_receipt (dossier_id, components) VALUES ({mark}, {mark}) "  # noqa: S608
            "ON CONFLICT (dossier_id) DO UPDATE SET components = excluded.components"
        )
        self.receipts = _Stage.of(
            postgres,
            "tracker_receipt",
            ("dossier_id", "components"),
            "DO UPDATE SET components = excluded.components",
        )
        # A name changes only for a receipt at least as recent as the one it came from, so a replay in
        # any order across dossiers keeps the latest.
        self.upsert_name = (
            "INSERT INTO tracker_name (kind, code, name, name_en, as_of) "  # noqa: S608
            f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark}) ON CONFLICT (kind, code) DO UPDATE SET "
            "name = excluded.name, name_en = excluded.name_en, as_of = excluded.as_of "
            "WHERE excluded.as_of >= tracker_name.as_of"
        )

    def _roll_up(self, cube: Cube) -> str:
        """The upsert that adds the delta table's cells, summed to ``cube``'s keys, into ``cube``."""
        name = cube.table.name
        # Grouped in primary-key order, so the cube's B-tree is written in order.
        keys = [c.name for c in cube.table.primary_key.columns]
        exprs = ["substr(month, 1, 4)" if k == "year" else _quote(k) for k in keys]
        sums = ", ".join(f"SUM({_quote(m)})" for m in MEASURES)
        changed = " OR ".join(f"SUM({_quote(m)}) <> 0" for m in MEASURES)
        columns = ", ".join(_quote(c) for c in (*keys, *MEASURES))
        groups = ", ".join(exprs)
        pk = ", ".join(map(_quote, keys))
        adds = ", ".join(f"{_quote(m)} = {name}.{_quote(m)} + excluded.{_quote(m)}" for m in MEASURES)
        # WHERE true: SQLite's parser needs it between a SELECT and ON CONFLICT.
        return (
            f"INSERT INTO {name} ({columns}) SELECT {groups}, {sums} FROM {_DELTA} WHERE true "  # noqa: S608
            f"GROUP BY {groups} HAVING {changed} ON CONFLICT ({pk}) DO UPDATE SET {adds}"
        )


_SQL = {False: _Sql(False), True: _Sql(True)}


def _load(cursor: Any, sql: _Sql, ids: list[str]) -> dict[str, tuple[Any, ...]]:
    found: dict[str, tuple[Any, ...]] = {}
    if sql.postgres:
        cursor.execute(sql.select_states + "= ANY(%s)", (ids,))
        for row in cursor.fetchall():
            found[row[0]] = tuple(row)
        return found
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        cursor.execute(f"{sql.select_states}IN ({', '.join('?' * len(chunk))})", chunk)
        for row in cursor.fetchall():
            found[row[0]] = row
    return found


def apply_batch(
    conn: Connection, envelopes: Sequence[ev.Envelope], *, finest_only: bool = False
) -> Counter[str]:
    """Apply decoded envelopes in order; returns how many of each kind were applied.

    Envelopes whose payload this version does not know are skipped. Applied-event bookkeeping is the
    consume loop's; the handlers are idempotent on their own besides (a repeated event leaves the same
    state, hence a zero delta).

    ``finest_only`` (``rebuild``) adds the cell deltas to the finest cube alone: every other cube is a
    function of it, derived once by :func:`derive_cubes` when the rebuild ends.
    """
    sql = _SQL[conn.dialect.name == "postgresql"]
    ids: dict[str, None] = {}
    catalog: list[CatalogRow] = []
    snapshots = Counter[str]()
    for envelope in envelopes:
        kind = payload_kind(envelope)
        if kind == "catalog_snapshot":
            catalog += catalog_rows(envelope)
            snapshots[kind] += 1
        elif kind is not None:
            ids[getattr(envelope, kind).dossier_id] = None
    if catalog:
        _write_catalog(conn, sql, catalog)
    if not ids:
        return snapshots
    cursor = conn.connection.cursor()
    try:
        if not sql.postgres:
            # The default 2 MB page cache thrashes once the cubes and their indexes outgrow it; and a
            # checkpoint every 1,000 pages (the default) came after nearly every batch, copying the same
            # cube pages to the database file again and again: let the WAL grow to ~64 MB first.
            cursor.execute("PRAGMA cache_size = -131072")
            cursor.execute("PRAGMA wal_autocheckpoint = 16384")
        before = _load(cursor, sql, list(ids))
        states, lookups, applied = fold(envelopes, before)
        changed: list[tuple[Any, ...]] = []
        olds: list[tuple[Any, ...] | None] = []
        cells: dict[CellKey, list[int]] = {}
        for dossier_id, s in states.items():
            new = tuple(s)
            old = before.get(dossier_id)
            if old == new:
                continue
            changed.append(new)
            olds.append(old)
            contribute(cells, new, 1)
            if old is not None:
                contribute(cells, old, -1)
        if changed:
            sql.states.write(cursor, sql.postgres, changed)
            _add_to_cubes(cursor, sql, cells, sql.finest_roll_up if finest_only else sql.roll_ups)
            _add_flows(cursor, sql, changed, olds)
        if lookups:
            sql.lookups.write(cursor, sql.postgres, lookups)
        _write_receipts(cursor, sql, envelopes)
    finally:
        cursor.close()
    return applied + snapshots


def receipt_rows(
    envelopes: Sequence[ev.Envelope],
) -> tuple[dict[str, str], dict[tuple[str, str], tuple[str, str, int]]]:
    """The batch's receipts as the drill-down keeps them: each dossier's components (JSON of [code,
    state] pairs, the last receipt's), and the latest name per agency and procedure (by receipt time;
    receipts written before names were carried give none)."""
    components: dict[str, str] = {}
    names: dict[tuple[str, str], tuple[str, str, int]] = {}
    for envelope in envelopes:
        if payload_kind(envelope) != "dossier_received":
            continue
        r = envelope.dossier_received
        components[r.dossier_id] = orjson.dumps([[c.code, int(c.state)] for c in r.components]).decode()
        at = (
            stamp_micros(r.received_at, "received_at")
            or stamp_micros(envelope.occurred_at, "occurred_at")
            or 0
        )
        for key, name, name_en in (
            (("agency", r.agency_code), r.agency_name, ""),
            (("procedure", r.procedure_code), r.procedure_name, r.procedure_name_en),
        ):
            if name and (key not in names or names[key][2] <= at):
                names[key] = (name, name_en, at)
    return components, names


def _write_receipts(cursor: Any, sql: _Sql, envelopes: Sequence[ev.Envelope]) -> None:
    components, names = receipt_rows(envelopes)
    if components:
        sql.receipts.write(cursor, sql.postgres, list(components.items()))
    if names:
        cursor.executemany(sql.upsert_name, [(*key, *value) for key, value in names.items()])


def _add_flows(
    cursor: Any, sql: _Sql, new: Sequence[tuple[Any, ...]], old: Sequence[tuple[Any, ...] | None]
) -> None:
    acc: dict[FlowKey, list[int]] = {}
    for after, before in zip(new, old, strict=True):
        add_flows(acc, after, 1)
        if before is not None:
            add_flows(acc, before, -1)
    rows = [(*key, *vector) for key, vector in acc.items() if any(vector)]
    if rows:
        cursor.executemany(sql.upsert_flow, rows)


def _write_catalog(conn: Connection, sql: _Sql, rows: list[CatalogRow]) -> None:
    """Store a batch's catalog snapshots (a snapshot applied again writes the same rows)."""
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(sql.upsert_catalog, rows)
    finally:
        cursor.close()


def add_to_cubes(conn: Connection, cells: dict[CellKey, list[int]]) -> None:
    """Add counter deltas per finest cell to every cube (bulk loads write a whole cube this way)."""
    cursor = conn.connection.cursor()
    try:
        _add_to_cubes(cursor, _SQL[conn.dialect.name == "postgresql"], cells)
    finally:
        cursor.close()


def _add_to_cubes(
    cursor: Any, sql: _Sql, cells: dict[CellKey, list[int]], roll_ups: Sequence[str] | None = None
) -> None:
    rows = [(*key, *vector) for key, vector in cells.items() if any(vector)]
    if not rows:
        return
    cursor.execute(sql.create_delta)
    if sql.postgres:
        _copy(cursor, f"COPY {_DELTA} FROM STDIN", rows)
    else:
        cursor.executemany(sql.insert_delta, rows)
    for statement in sql.roll_ups if roll_ups is None else roll_ups:
        cursor.execute(statement)
    cursor.execute(sql.clear_delta)


# -- cubes derived from the finest one -------------------------------------------------------------


def _derivations() -> list[tuple[Cube, str]]:
    """Each cube but the finest, with the INSERT that sums it from the smallest cube already derived
    that holds its keys (a year is its month's first four characters), biggest cubes first."""
    built = [FINEST]
    derivations: list[tuple[Cube, str]] = []
    for cube in sorted(CUBES, key=lambda c: (c.period == "year", -len(c.keys))):
        if cube is FINEST:
            continue

        def holds(source: Cube, cube: Cube = cube) -> bool:
            wanted = {"month" if k == "year" and source.period == "month" else k for k in cube.keys}
            return wanted <= set(source.keys)

        source = min((c for c in built if holds(c)), key=lambda c: len(c.keys))
        keys = [c.name for c in cube.table.primary_key.columns]
        exprs = ", ".join(
            "substr(month, 1, 4)" if k == "year" and source.period == "month" else _quote(k) for k in keys
        )
        sums = ", ".join(f"SUM({_quote(m)})" for m in MEASURES)
        columns = ", ".join(_quote(c) for c in (*keys, *MEASURES))
        derivations.append(
            (
                cube,
                f"INSERT INTO {cube.table.name} ({columns}) "  # noqa: S608
                f"SELECT {exprs}, {sums} FROM {source.table.name} GROUP BY {exprs}",
            )
        )
        built.append(cube)
    return derivations


# Without HAVING: cell counts are never negative between batches, so a coarser cell has had a non-zero
# count after some batch exactly when one of its finer cells has, which is when the per-batch roll-up
# wrote its row; a derived cube so holds the same rows, zero rows included, as one rolled up per batch.
_DERIVATIONS = _derivations()
_COARSEST = min(CUBES, key=lambda c: len(c.keys))


def cubes_pending(conn: Connection) -> bool:
    """Whether the finest cube holds cells the others were not derived from: a ``rebuild`` that has not
    ended (or died before it did). Every roll-up writes the coarsest cube whenever it writes the finest,
    so in a store kept per batch the one is empty exactly when the other is."""
    finest = conn.exec_driver_sql(f"SELECT 1 FROM {FINEST.table.name} LIMIT 1").first()  # noqa: S608
    if finest is None:
        return False
    return conn.exec_driver_sql(f"SELECT 1 FROM {_COARSEST.table.name} LIMIT 1").first() is None  # noqa: S608


def derive_cubes(conn: Connection) -> None:
    """Recompute every cube but the finest from it (in the caller's transaction)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA cache_size = -131072")
    for cube, statement in _DERIVATIONS:
        conn.exec_driver_sql(f"DELETE FROM {cube.table.name}")  # noqa: S608
        conn.exec_driver_sql(statement)
