"""Applies batches of events to the store: load the batch's dossiers, fold the events in, write the
changed states back and add the cube deltas — a few statements per batch, not per event, which is what
lets one consumer keep up with a national stream.

This is the hot path of ``consume`` and ``rebuild``, so it is written for speed and checked for
exactness against the pure handlers (``handlers.py``, which define the semantics; the tests replay
random event sequences through both and compare every cell):

- a dossier's state is a plain list (``_FIELDS`` order) mutated in place, not a frozen dataclass
  rebuilt on every event; instants are integer microseconds since the epoch, as the store keeps them;
- cube deltas are summed in Python per batch into the finest cells, which go to a temporary table in
  one statement; every cube then sums them to its own keys inside the database (one
  ``INSERT ... SELECT ... GROUP BY`` upsert per cube), so each touched cube row is written once and no
  cube row passes through Python;
- rows go to the database through the driver's own ``executemany`` (sqlite3, or psycopg's pipelined
  one) with plain tuples, with no per-value processing by SQLAlchemy;
- a dossier's population-database hits (``handlers.DossierState.population_hits``) travel in its row
  as one JSON text, decoded only for the dossiers a batch touches; whether the dossier used population
  data is settled once per touched dossier at the end of the batch, against its receipt as it stands.

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
from onceonly.common.provinces import recorded_name
from onceonly.events.v1 import events_pb2 as ev
from onceonly.tracker.cube import (
    IMPORTED,
    LIVE,
    MEASURES,
    N_MEASURES,
    RECEIPT_MEASURES,
    day_of_us,
    month_of_us,
    timestamp_micros,
)
from onceonly.tracker.handlers import (
    CHANNELS,
    HOME,
    ISSUER,
    LOCAL,
    NON_JURISDICTIONAL,
    REASK,
    CatalogRow,
    catalog_rows,
    issuers_of,
    province_today,
    reasks_of,
    recorded_commune,
    recorded_province,
    recorded_sector,
)
from onceonly.tracker.store import CUBES, DOSSIER, FINEST, LOOKUP, Cube

# Column order of a state row (the tracker_dossier columns).
_FIELDS: tuple[str, ...] = (
    "dossier_id",
    "received",
    "agency",
    "procedure",
    "province",
    "channel",
    "jurisdiction",
    "received_at",
    "due_at",
    "fee",
    "paid_online",
    "any_reused",
    "all_digital",
    "population_used",
    "resolved_at",
    "result_electronic",
    "first_lookup_at",
    "lookup_agency",
    "applicant",
    "origin",
    "population_hits",
    "service_level",
    "province_2025",
    "commune",
    "sector",
    "reasks",
    "issuers",
    "residence",
)
(
    _ID,
    _RECEIVED,
    _AGENCY,
    _PROCEDURE,
    _PROVINCE,
    _CHANNEL,
    _JURISDICTION,
    _RECEIVED_AT,
    _DUE_AT,
    _FEE,
    _PAID_ONLINE,
    _ANY_REUSED,
    _ALL_DIGITAL,
    _POPULATION,
    _RESOLVED_AT,
    _ELECTRONIC,
    _FIRST_LOOKUP,
    _LOOKUP_AGENCY,
    _APPLICANT,
    _ORIGIN,
    _HITS,
    _SERVICE_LEVEL,
    _PROVINCE_2025,
    _COMMUNE,
    _SECTOR,
    _REASKS,
    _ISSUERS,
    _RESIDENCE,
) = range(len(_FIELDS))
assert tuple(c.name for c in DOSSIER.columns) == _FIELDS

_CELL_COLUMNS = (
    "month", "agency", "procedure", "province", "channel", "jurisdiction", "commune", "sector",
    "province_2025", "origin",
)  # fmt: skip
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

_REUSED = frozenset({ev.COMPONENT_STATE_REUSED_COMPONENT, ev.COMPONENT_STATE_REUSED_RESULT})
_DIGITAL = frozenset(
    {ev.COMPONENT_STATE_DIGITIZED, ev.COMPONENT_STATE_REUSED_COMPONENT, ev.COMPONENT_STATE_REUSED_RESULT}
)
_POPULATION_DB = ev.DATA_SOURCE_POPULATION_DATABASE
_HIT = ev.LOOKUP_OUTCOME_HIT
_STRANGER = ev.SUBJECT_RELATION_STRANGER
_IMPORTED_ORIGIN = ev.DOSSIER_ORIGIN_IMPORTED
_FULL_ONLINE = ev.SERVICE_LEVEL_FULL_ONLINE
# SQLite allows 32766 bound parameters per statement; stay far below on both stores.
_CHUNK = 900
# The temporary table a batch's cell deltas pass through on their way into the cubes.
_DELTA = "tracker_cell_delta"

Cell = tuple[str, str, str, str, str, str, str, str, str, str]
# A population hit's binding and earliest time in µs, as in the JSON of a state's population_hits.
Hit = list[Any]


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
        cols = ", ".join(_quote(f) for f in _FIELDS)
        self.select_states = f"SELECT {cols} FROM tracker_dossier WHERE dossier_id "  # noqa: S608
        updates = ", ".join(f"{_quote(f)} = excluded.{_quote(f)}" for f in _FIELDS[1:])
        state_marks = ", ".join([mark] * len(_FIELDS))
        upsert = f"INSERT INTO tracker_dossier ({cols}) VALUES ({state_marks}) ON CONFLICT (dossier_id)"  # noqa: S608
        self.upsert_state = f"{upsert} DO UPDATE SET {updates}"
        self.states = _Stage.of(postgres, "tracker_dossier", _FIELDS, f"DO UPDATE SET {updates}")
        lookup_cols, lookup_marks = ", ".join(_LOOKUP_COLUMNS), ", ".join([mark] * len(_LOOKUP_COLUMNS))
        insert = f"INSERT INTO tracker_lookup ({lookup_cols}) VALUES ({lookup_marks})"  # noqa: S608
        self.insert_lookup = f"{insert} ON CONFLICT (event_id) DO NOTHING"
        self.lookups = _Stage.of(postgres, "tracker_lookup", _LOOKUP_COLUMNS, "DO NOTHING")
        # The batch's cell deltas go to a temporary table in one executemany; each cube then sums its
        # own cells from there in one INSERT ... SELECT ... GROUP BY upsert, inside the database, rather
        # than rolling every cube up in Python and binding each of its rows (three per event).
        delta_columns = ", ".join(
            [
                *(f"{_quote(c)} TEXT NOT NULL" for c in _CELL_COLUMNS),
                *(f"{_quote(m)} INTEGER" for m in MEASURES),
            ]
        )
        # On PostgreSQL the table is the session's; its rows go at commit at the latest.
        on_commit = " ON COMMIT DELETE ROWS" if postgres else ""
        self.create_delta = f"CREATE TEMPORARY TABLE IF NOT EXISTS {_DELTA} ({delta_columns}){on_commit}"
        delta_marks = ", ".join([mark] * (len(_CELL_COLUMNS) + N_MEASURES))
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


def _micros(ts: Any, what: str) -> int | None:
    """A protobuf Timestamp as epoch microseconds; None when unset (as ``handlers._instant``)."""
    seconds: int = ts.seconds
    nanos: int = ts.nanos
    if seconds == 0 and nanos == 0:
        return None
    return timestamp_micros(seconds, nanos, what)


def _hits_of(text: str) -> list[Hit]:
    hits: list[Hit] = orjson.loads(text) if text else []
    return hits


def _hits_text(hits: list[Hit]) -> str:
    return orjson.dumps(sorted(hits)).decode() if hits else ""


def _add_hit(hits: list[Hit], agency: str, procedure: str, applicant: str, at: int) -> bool:
    """Keep the earliest hit per binding (``handlers._with_hit``); whether ``hits`` changed."""
    for hit in hits:
        if hit[0] == agency and hit[1] == procedure and hit[2] == applicant:
            if hit[3] <= at:
                return False
            hit[3] = at
            return True
    hits.append([agency, procedure, applicant, at])
    return True


def _population(s: list[Any], hits: list[Hit]) -> bool:
    """``handlers.population_used`` on a state row."""
    if not s[_RECEIVED]:
        return False
    agency, procedure, applicant = s[_AGENCY], s[_PROCEDURE], s[_APPLICANT]
    resolved = None if s[_ORIGIN] == IMPORTED else s[_RESOLVED_AT]
    for hit in hits:
        if (
            hit[0] == agency
            and hit[1] == procedure
            and (hit[2] == "" or hit[2] == applicant)
            and (resolved is None or hit[3] <= resolved)
        ):
            return True
    return False


def _empty(dossier_id: str) -> list[Any]:
    return [
        dossier_id,
        False,
        "",
        "",
        "",
        "",
        "",
        None,
        None,
        0,
        False,
        False,
        False,
        False,
        None,
        False,
        None,
        "",
        "",
        LIVE,
        "",
        0,
        "",
        "",
        "",
        0,
        "",
        "",
    ]


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


def _contribute(cells: dict[Cell, list[int]], s: Sequence[Any], sign: int) -> None:
    """Add ``sign`` × the dossier's cube contribution (``handlers.contribution``) into ``cells``."""
    received_at = s[_RECEIVED_AT]
    if not s[_RECEIVED] or received_at is None:
        return
    agency, procedure, province, channel, jurisdiction = s[2:7]
    origin, commune, sector, today = s[_ORIGIN], s[_COMMUNE], s[_SECTOR], s[_PROVINCE_2025]
    has_fee = s[_FEE] > 0
    receipt = [
        sign,
        sign if s[_ANY_REUSED] else 0,
        sign if s[_POPULATION] else 0,
        sign if s[_ALL_DIGITAL] else 0,
        sign if channel == "online" else 0,
        sign if has_fee else 0,
        sign if has_fee and s[_PAID_ONLINE] else 0,
        sign if jurisdiction == NON_JURISDICTIONAL else 0,
        0,
        0,
        0,
        sign if channel == "online" and s[_SERVICE_LEVEL] == _FULL_ONLINE else 0,
        0,
    ]
    resolved_at = s[_RESOLVED_AT]
    if resolved_at is not None:
        due = s[_DUE_AT]
        resolution_key = (
            month_of_us(resolved_at),
            agency,
            procedure,
            province,
            channel,
            jurisdiction,
            commune,
            sector,
            today,
            origin,
        )
        on_time = due is None or resolved_at <= due
        early = due is not None and day_of_us(resolved_at) < day_of_us(due)
        electronic = sign if s[_ELECTRONIC] else 0
        total = cells.get(resolution_key)
        if total is None:
            timely, ahead = sign if on_time else 0, sign if early else 0
            cells[resolution_key] = [0] * 8 + [sign, electronic, timely, 0, ahead]
        else:
            total[8] += sign
            total[9] += electronic
            if on_time:
                total[10] += sign
            if early:
                total[12] += sign
    receipt_key = (
        month_of_us(received_at), agency, procedure, province, channel, jurisdiction, commune, sector, today,
        origin,
    )  # fmt: skip
    total = cells.get(receipt_key)
    if total is None:
        cells[receipt_key] = receipt
    else:
        for i in RECEIPT_MEASURES:
            total[i] += receipt[i]


def _receive(s: list[Any], r: ev.DossierReceived, occurred: int | None) -> None:
    fee = r.fee
    states_of = [c.state for c in r.components]
    received_at = _micros(r.received_at, "received_at")
    s[_RECEIVED] = True
    s[_AGENCY] = r.agency_code
    s[_PROCEDURE] = r.procedure_code
    province = s[_PROVINCE] = recorded_province(r)
    s[_PROVINCE_2025] = province_today(province)
    s[_COMMUNE] = recorded_commune(r)
    s[_SECTOR] = recorded_sector(r)
    s[_CHANNEL] = CHANNELS.get(r.channel, "unspecified")
    s[_JURISDICTION] = NON_JURISDICTIONAL if r.non_jurisdictional else LOCAL
    s[_DUE_AT] = _micros(r.due_at, "due_at")
    s[_RECEIVED_AT] = occurred if received_at is None else received_at
    s[_FEE] = fee
    s[_PAID_ONLINE] = fee > 0 and r.fee_paid_online
    s[_ANY_REUSED] = any(c in _REUSED for c in states_of)
    s[_ALL_DIGITAL] = all(c in _DIGITAL for c in states_of)
    s[_APPLICANT] = r.applicant_pseudonym
    s[_ORIGIN] = IMPORTED if r.origin == _IMPORTED_ORIGIN else LIVE
    s[_SERVICE_LEVEL] = r.service_level
    s[_REASKS] = reasks_of(r.components)
    issuers = issuers_of(r.components)
    s[_ISSUERS] = orjson.dumps(issuers).decode() if issuers else ""
    s[_RESIDENCE] = recorded_name(r.applicant_residence_province)


def _reuse(
    s: list[Any], u: ev.DataReused, occurred: int | None, hits: dict[str, list[Hit]], event_id: str
) -> tuple[Any, ...]:
    """Fold a lookup into its dossier's row; returns the lookup's own row."""
    dossier_id = s[_ID]
    if u.source == _POPULATION_DB and u.outcome == _HIT and u.subject_relation != _STRANGER:
        mine = hits.get(dossier_id)
        if mine is None:
            mine = _hits_of(s[_HITS])
        if _add_hit(mine, u.agency_code, u.procedure_code, u.applicant_pseudonym, occurred or 0):
            hits[dossier_id] = mine
    first = s[_FIRST_LOOKUP]
    if occurred is not None and (first is None or occurred < first):
        s[_FIRST_LOOKUP] = occurred
        s[_LOOKUP_AGENCY] = u.agency_code
    return (
        event_id, dossier_id, u.agency_code, u.source, u.outcome, occurred or 0,
        u.procedure_code, u.applicant_pseudonym, u.subject_pseudonym, u.subject_relation,
    )  # fmt: skip


def fold(
    envelopes: Sequence[ev.Envelope], before: dict[str, tuple[Any, ...]]
) -> tuple[dict[str, list[Any]], list[tuple[Any, ...]], Counter[str]]:
    """Apply envelopes in order to the states in ``before`` (by dossier id; missing means unseen).

    Returns the states touched (mutable rows), the lookup rows, and how many of each kind applied.
    """
    states: dict[str, list[Any]] = {}
    # Decoded population hits of the dossiers whose hits this batch changed.
    hits: dict[str, list[Hit]] = {}
    lookups: list[tuple[Any, ...]] = []
    applied: Counter[str] = Counter()
    for envelope in envelopes:
        kind = payload_kind(envelope)
        if kind == "dossier_received":
            p = envelope.dossier_received
        elif kind == "data_reused":
            p = envelope.data_reused  # type: ignore[assignment]
        elif kind == "dossier_resolved":
            p = envelope.dossier_resolved  # type: ignore[assignment]
        else:
            continue  # A kind from a newer producer: skipped, as the consume loop does.
        # Checked for every event, as the handlers do, so both refuse the same events.
        occurred = _micros(envelope.occurred_at, "occurred_at")
        applied[kind] += 1
        dossier_id = p.dossier_id
        s = states.get(dossier_id)
        if s is None:
            old = before.get(dossier_id)
            s = states[dossier_id] = _empty(dossier_id) if old is None else list(old)
        if kind == "dossier_received":
            _receive(s, p, occurred)
        elif kind == "data_reused":
            lookups.append(_reuse(s, p, occurred, hits, envelope.event_id))  # type: ignore[arg-type]
        else:
            d: ev.DossierResolved = p  # type: ignore[assignment]
            resolved_at = _micros(d.resolved_at, "resolved_at")
            s[_RESOLVED_AT] = occurred if resolved_at is None else resolved_at
            s[_ELECTRONIC] = d.result_electronic
    # Settled once per touched dossier: against its receipt and resolution as they now stand.
    for dossier_id, s in states.items():
        mine = hits.get(dossier_id)
        if mine is not None:
            s[_HITS] = _hits_text(mine)
        else:
            mine = _hits_of(s[_HITS]) if s[_HITS] else []
        s[_POPULATION] = _population(s, mine)
    return states, lookups, applied


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
        cells: dict[Cell, list[int]] = {}
        for dossier_id, s in states.items():
            new = tuple(s)
            old = before.get(dossier_id)
            if old == new:
                continue
            changed.append(new)
            _contribute(cells, new, 1)
            if old is not None:
                _contribute(cells, old, -1)
        if changed:
            sql.states.write(cursor, sql.postgres, changed)
            _add_to_cubes(cursor, sql, cells, sql.finest_roll_up if finest_only else sql.roll_ups)
            _add_flows(cursor, sql, changed, [before.get(row[_ID]) for row in changed])
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
        at = _micros(r.received_at, "received_at") or _micros(envelope.occurred_at, "occurred_at") or 0
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


def _flows(acc: dict[tuple[str, ...], list[int]], s: Sequence[Any], sign: int) -> None:
    """Add ``sign`` × the dossier's reuse flows (``handlers.flows``) into ``acc``."""
    received_at = s[_RECEIVED_AT]
    if not s[_RECEIVED] or received_at is None:
        return
    month = month_of_us(received_at)
    where = (s[_AGENCY], s[_PROCEDURE], s[_PROVINCE], s[_ORIGIN])

    def add(kind: str, source: str, dossiers: int, count: int) -> None:
        cell = acc.setdefault((kind, month, source, *where), [0, 0])
        cell[0] += sign * dossiers
        cell[1] += sign * count

    if s[_REASKS]:
        add(REASK, "", 1, s[_REASKS])
    if s[_ISSUERS]:
        issuers: list[str] = orjson.loads(s[_ISSUERS])
        for issuer in sorted(set(issuers)):
            add(ISSUER, issuer, 1, issuers.count(issuer))
    if s[_JURISDICTION] == NON_JURISDICTIONAL:
        add(HOME, s[_RESIDENCE], 1, 1 if s[_ANY_REUSED] else 0)


def _add_flows(
    cursor: Any, sql: _Sql, new: Sequence[tuple[Any, ...]], old: Sequence[tuple[Any, ...] | None]
) -> None:
    acc: dict[tuple[str, ...], list[int]] = {}
    for after, before in zip(new, old, strict=True):
        _flows(acc, after, 1)
        if before is not None:
            _flows(acc, before, -1)
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


def add_to_cubes(conn: Connection, cells: dict[Cell, list[int]]) -> None:
    """Add counter deltas per finest cell to every cube (bulk loads write a whole cube this way)."""
    cursor = conn.connection.cursor()
    try:
        _add_to_cubes(cursor, _SQL[conn.dialect.name == "postgresql"], cells)
    finally:
        cursor.close()


def _add_to_cubes(
    cursor: Any, sql: _Sql, cells: dict[Cell, list[int]], roll_ups: Sequence[str] | None = None
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
