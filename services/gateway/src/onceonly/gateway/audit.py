"""The hash-chained audit log: every access to a citizen's data, tamper-evident.

Each record's ``hash`` is SHA-256 over the previous record's hash and the canonical JSON of the
record's content. Appends are serialized through the single-row ``audit_head``: the first statement of
an append is ``UPDATE audit_head … RETURNING``, which takes PostgreSQL's row lock (held to commit) and
SQLite's writer lock, so two writers can never chain onto the same predecessor.

The chain alone holds only against someone who cannot write the database; what anchors it is outside:
signed checkpoints (``onceonly.gateway.checkpoints``) of positions the gateway committed.
``verify_chain`` reads the head and every record in one snapshot and names every finding at once — a
record altered, inserted, deleted, reordered; the tail truncated; a record rewritten with every hash
after it recomputed (the store disagrees with a checkpoint); the head deleted.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import orjson
from sqlalchemy import Connection, Engine, bindparam, create_engine, inspect, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from onceonly.common.db import normalize_url
from onceonly.gateway.checkpoints import Checkpoint, CheckpointProblem
from onceonly.gateway.responses import canonical
from onceonly.gateway.store import GENESIS_HASH, audit_head_table, audit_table

# What is hashed, in this order of meaning; ``seq`` is left out so the chain, not the numbering,
# carries the order (a renumbering to hide an insertion still breaks the links).
CONTENT_FIELDS = (
    "recorded_at",
    "request_id",
    "agency_code",
    "action",
    "procedure_code",
    "dossier_id",
    "officer_id",
    "subject_pseudonym",
    "source",
    "result_id",
    "fields",
    "outcome",
)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """What one access records; ``fields`` are the citizen field paths disclosed."""

    request_id: str
    agency_code: str
    action: str
    procedure_code: str
    dossier_id: str
    outcome: str
    officer_id: str = ""
    subject_pseudonym: str = ""
    source: str = ""
    result_id: str = ""
    fields: Sequence[str] = field(default_factory=tuple)


def _content(entry: AuditEntry, recorded_at: datetime) -> dict[str, Any]:
    # Spelled out rather than dataclasses.asdict, which deep-copies and costs more than the hash.
    return {
        "recorded_at": recorded_at.isoformat(timespec="microseconds"),
        "request_id": entry.request_id,
        "agency_code": entry.agency_code,
        "action": entry.action,
        "procedure_code": entry.procedure_code,
        "dossier_id": entry.dossier_id,
        "officer_id": entry.officer_id,
        "subject_pseudonym": entry.subject_pseudonym,
        "source": entry.source,
        "result_id": entry.result_id,
        "fields": orjson.dumps(list(entry.fields)).decode(),
        "outcome": entry.outcome,
    }


def record_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(prev_hash.encode("ascii"))
    digest.update(canonical({k: content[k] for k in CONTENT_FIELDS}))
    return digest.hexdigest()


# Takes the head's row lock (PostgreSQL) or the writer lock (SQLite) and reads it; held to commit.
_TAKE_HEAD = (
    update(audit_head_table)
    .where(audit_head_table.c.id == 1)
    .values(seq=audit_head_table.c.seq)
    .returning(audit_head_table.c.seq, audit_head_table.c.last_hash)
)
_SET_HEAD = (
    update(audit_head_table)
    .where(audit_head_table.c.id == 1)
    .values(seq=bindparam("new_seq"), last_hash=bindparam("new_hash"))
)
_INSERT = audit_table.insert()


class ChainWriter:
    """Appends records inside one transaction: the head is taken once, records are hashed in order
    here, and ``flush`` inserts them with one statement and moves the head past them."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._head: tuple[int, str] | None = None
        self._rows: list[dict[str, Any]] = []
        # The last record flushed, ``(seq, hash)``: what a checkpoint may vouch for once committed.
        self.written: tuple[int, str] | None = None

    def append(self, entry: AuditEntry, *, now: datetime | None = None) -> str:
        """The record's hash; the record itself is written by ``flush``."""
        if self._head is None:
            seq, last_hash = self._conn.execute(_TAKE_HEAD).one()
            self._head = int(seq), str(last_hash)
        seq, prev_hash = self._head
        content = _content(entry, now or datetime.now(UTC))
        new_hash = record_hash(prev_hash, content)
        self._rows.append({**content, "seq": seq + 1, "prev_hash": prev_hash, "hash": new_hash})
        self._head = seq + 1, new_hash
        return new_hash

    def flush(self) -> None:
        if not self._rows:
            return
        assert self._head is not None
        self._conn.execute(_INSERT, self._rows)
        self._conn.execute(_SET_HEAD, {"new_seq": self._head[0], "new_hash": self._head[1]})
        self._rows = []
        self.written = self._head


def append(conn: Connection, entry: AuditEntry, *, now: datetime | None = None) -> str:
    """Append one record inside the caller's transaction; returns its hash."""
    writer = ChainWriter(conn)
    record = writer.append(entry, now=now)
    writer.flush()
    return record


def access_log(conn: Connection, subject_pseudonym: str, *, limit: int = 500) -> list[dict[str, Any]]:
    """One citizen's accesses, oldest first."""
    rows = conn.execute(
        select(audit_table)
        .where(audit_table.c.subject_pseudonym == subject_pseudonym)
        .order_by(audit_table.c.seq)
        .limit(limit)
    ).all()
    return [dict(r._mapping) for r in rows]


# ---- verification ------------------------------------------------------------------------------

Finding = Literal[
    "altered",  # a record's content no longer matches its hash, or a link to it is broken
    "rewritten",  # the store disagrees with a signed checkpoint and no record holds the signed hash
    "inserted",  # a record no genuine record links to, or one past the chain head
    "deleted",  # records missing between two records of the chain
    "truncated",  # records missing at the tail: the head or a signed checkpoint reaches further
    "reordered",  # a record whose links place it elsewhere than its number
    "moved",  # a signed record is intact but numbered differently
    "head",  # the chain head is missing or does not match the last record
    "checkpoint",  # a checkpoint line that is not a genuine checkpoint of a given key
]


@dataclass(frozen=True, slots=True)
class Tampering:
    kind: Finding
    seq: int
    detail: str
    # The last record of a range (``records seq..last``); None for one record.
    last: int | None = None

    def __str__(self) -> str:
        if self.kind == "checkpoint":
            return f"checkpoint: {self.detail}"
        where = f"record {self.seq}" if self.last in (None, self.seq) else f"records {self.seq}..{self.last}"
        return f"{self.kind}: {where}: {self.detail}"


@dataclass(frozen=True, slots=True)
class ChainReport:
    records: int
    findings: list[Tampering]
    # The latest checkpoint the chain was checked against (None: none given or none valid).
    anchor: Checkpoint | None = None
    checkpoints: int = 0
    last_seq: int = 0

    @property
    def intact(self) -> bool:
        return not self.findings

    @property
    def unanchored(self) -> int:
        """Records after the latest checkpoint: not yet vouched for by a signature."""
        return max(0, self.last_seq - (self.anchor.seq if self.anchor else 0))


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The head (None when its row or table is gone) and every record, read in one snapshot."""

    head: tuple[int, str] | None
    records: list[dict[str, Any]]


def open_read_only(url: str) -> Engine:
    """An engine that can only read: SQLite opened with ``mode=ro`` (nothing created, no WAL switch,
    no pragma written), PostgreSQL in read-only REPEATABLE READ transactions."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if not database or database == ":memory:" or not Path(database).is_file():
            raise FileNotFoundError(f"no SQLite database at {database or '(none)'}")
        uri = f"file:{quote(str(Path(database).resolve()))}?mode=ro"

        def connect() -> sqlite3.Connection:
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=30)
            conn.execute("PRAGMA query_only = 1")
            return conn

        return create_engine("sqlite://", creator=connect, poolclass=NullPool)
    return create_engine(url, poolclass=NullPool).execution_options(
        isolation_level="REPEATABLE READ", postgresql_readonly=True
    )


def read_snapshot(engine: Engine, *, batch: int = 10_000) -> Snapshot:
    """Head and records as of one moment, whatever the gateway commits meanwhile: one read transaction
    on SQLite (WAL keeps its snapshot), one REPEATABLE READ transaction on PostgreSQL."""
    records: list[dict[str, Any]] = []
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            # pysqlite opens no transaction for reads: without BEGIN each SELECT sees its own moment.
            conn.exec_driver_sql("BEGIN")
        else:
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        inspector = inspect(conn)
        head: tuple[int, str] | None = None
        if inspector.has_table(audit_head_table.name):
            row = conn.execute(
                select(audit_head_table.c.seq, audit_head_table.c.last_hash).where(audit_head_table.c.id == 1)
            ).first()
            head = (int(row[0]), str(row[1])) if row is not None else None
        if inspector.has_table(audit_table.name):
            last: int | None = None
            while True:
                query = select(audit_table).order_by(audit_table.c.seq).limit(batch)
                if last is not None:
                    query = query.where(audit_table.c.seq > last)
                chunk = [dict(r._mapping) for r in conn.execute(query)]
                if not chunk:
                    break
                records.extend(chunk)
                last = int(chunk[-1]["seq"])
        conn.rollback()
    return Snapshot(head=head, records=records)


def verify_chain(
    engine: Engine,
    checkpoints: Sequence[Checkpoint] = (),
    checkpoint_problems: Sequence[CheckpointProblem] = (),
) -> ChainReport:
    """Check the log against itself, its head and the signed checkpoints; report every finding."""
    snapshot = read_snapshot(engine)
    return check(snapshot, checkpoints, checkpoint_problems)


def check(
    snapshot: Snapshot,
    checkpoints: Sequence[Checkpoint] = (),
    checkpoint_problems: Sequence[CheckpointProblem] = (),
) -> ChainReport:
    records = sorted(snapshot.records, key=lambda r: int(r["seq"]))
    findings = [Tampering("checkpoint", p.line, f"{p.where}: {p.detail}") for p in checkpoint_problems]
    findings += _altered_content(records)
    findings += _links(records)
    last_seq = int(records[-1]["seq"]) if records else 0
    findings += _head_and_tail(records, snapshot.head, checkpoints)
    findings += _against_checkpoints(records, checkpoints)
    anchor = checkpoints[-1] if checkpoints else None
    return ChainReport(
        records=len(records),
        findings=findings,
        anchor=anchor,
        checkpoints=len(checkpoints),
        last_seq=last_seq,
    )


def _altered_content(records: Sequence[Mapping[str, Any]]) -> list[Tampering]:
    return [
        Tampering("altered", int(r["seq"]), "its content does not match its hash")
        for r in records
        if record_hash(str(r["prev_hash"]), r) != r["hash"]
    ]


def _links(records: Sequence[Mapping[str, Any]]) -> list[Tampering]:  # noqa: PLR0912
    """Follow the links back from the last record (the spine), then name what is off it or out of place.

    Following hashes rather than numbers is what tells an insertion (a record nothing links to) from a
    reordering (every record linked, in another order) from a deletion (a link to a hash no record has).
    """
    findings: list[Tampering] = []
    if not records:
        return findings
    by_hash: dict[str, Mapping[str, Any]] = {}
    for r in records:
        by_hash.setdefault(str(r["hash"]), r)
    index = {id(r): i for i, r in enumerate(records)}
    visited: set[int] = set()
    spine: list[Mapping[str, Any]] = []
    cur: Mapping[str, Any] | None = records[-1]
    while cur is not None:
        spine.append(cur)
        visited.add(id(cur))
        seq = int(cur["seq"])
        prev_hash = str(cur["prev_hash"])
        if prev_hash == GENESIS_HASH:
            if seq > 1 and not any(int(r["seq"]) < seq and id(r) not in visited for r in records):
                findings.append(Tampering("deleted", 1, _missing(1, seq - 1), seq - 1))
            break
        parent = by_hash.get(prev_hash)
        if parent is not None and id(parent) not in visited:
            cur = parent
            continue
        # A broken link: resume from the nearest lower record not yet on the spine.
        below = next(
            (records[i] for i in range(index[id(cur)] - 1, -1, -1) if id(records[i]) not in visited), None
        )
        if below is None:
            if seq > 1:
                findings.append(Tampering("deleted", 1, _missing(1, seq - 1), seq - 1))
            else:
                findings.append(Tampering("altered", seq, "it links to a predecessor no record is"))
            break
        below_seq = int(below["seq"])
        if below_seq < seq - 1:
            findings.append(Tampering("deleted", below_seq + 1, _missing(below_seq + 1, seq - 1), seq - 1))
        else:
            findings.append(
                Tampering(
                    "altered",
                    below_seq,
                    f"record {seq} links to a hash no record has: record {below_seq} was rewritten "
                    f"(or record {seq} is not genuine)",
                )
            )
        cur = below
    on_spine = {id(r) for r in spine}
    for r in records:
        if id(r) not in on_spine:
            findings.append(Tampering("inserted", int(r["seq"]), "no record of the chain links to it"))
    forward = [int(r["seq"]) for r in reversed(spine)]
    for at, (actual, expected) in enumerate(zip(forward, sorted(forward), strict=True)):
        if actual != expected:
            before = f"after record {forward[at - 1]}" if at else "first"
            findings.append(
                Tampering("reordered", actual, f"its links place it {before}, where record {expected} stands")
            )
    return findings


def _head_and_tail(
    records: Sequence[Mapping[str, Any]], head: tuple[int, str] | None, checkpoints: Sequence[Checkpoint]
) -> list[Tampering]:
    findings: list[Tampering] = []
    last = records[-1] if records else None
    last_seq = int(last["seq"]) if last else 0
    hashes = {str(r["hash"]) for r in records}
    if head is None:
        findings.append(Tampering("head", last_seq, "the chain head (audit_head) is missing: it was deleted"))
    else:
        head_seq, head_hash = head
        # A head that holds the last record's hash under another number: records were renumbered by an
        # insertion or deletion, named from the links.
        renumbered = last is not None and head_hash == last["hash"]
        if head_seq < last_seq and not renumbered:
            findings.append(
                Tampering(
                    "inserted",
                    head_seq + 1,
                    f"after the chain head ({head_seq}): never appended through the gateway",
                    last_seq,
                )
            )
        elif head_seq == last_seq and last is not None and head_hash != last["hash"]:
            findings.append(Tampering("head", head_seq, "the chain head does not match the last record"))
    # The tail: how far the head, or the latest signed checkpoint, says the chain reached.
    reach = head[0] if head and head[1] not in hashes else 0
    evidence = f"the chain head says {reach}" if reach > last_seq else ""
    if checkpoints:
        latest = checkpoints[-1]
        if latest.seq > last_seq and latest.hash not in hashes and latest.seq >= reach:
            reach = latest.seq
            evidence = f"the checkpoint signed at {latest.time} holds record {latest.seq}"
    if reach > last_seq:
        findings.append(
            Tampering("truncated", last_seq + 1, f"{evidence}; the store ends at {last_seq}", reach)
        )
    return findings


def _against_checkpoints(
    records: Sequence[Mapping[str, Any]], checkpoints: Sequence[Checkpoint]
) -> list[Tampering]:
    findings: list[Tampering] = []
    by_seq = {int(r["seq"]): r for r in records}
    by_hash = {str(r["hash"]): int(r["seq"]) for r in records}
    last_seq = max(by_seq, default=0)
    matched = 0
    rewritten = False
    moved: list[tuple[int, int]] = []
    for c in checkpoints:
        r = by_seq.get(c.seq)
        if r is not None and r["hash"] == c.hash:
            matched, rewritten = c.seq, False
            continue
        if c.hash in by_hash:
            moved.append((c.seq, by_hash[c.hash]))
            continue
        if r is None:
            continue  # past the tail (truncated) or deleted in the middle: named from the chain
        if c.seq <= last_seq and not rewritten:
            # Once one record's hash differs, every later one does too: the first mismatch after a match
            # bounds where the rewrite happened.
            rewritten = True
            findings.append(
                Tampering(
                    "rewritten",
                    matched + 1,
                    f"the store's record {c.seq} does not match the checkpoint signed at {c.time}: a record "
                    "here was changed and the hashes after it recomputed",
                    c.seq,
                )
            )
    # One finding per run of signed records shifted by the same amount.
    run: list[tuple[int, int]] = []
    for item in [*moved, (0, 0)]:
        if run and (item == (0, 0) or item[1] - item[0] != run[0][1] - run[0][0]):
            shift = run[0][1] - run[0][0]
            findings.append(
                Tampering(
                    "moved",
                    run[0][0],
                    f"signed records are intact but renumbered {shift:+d} "
                    f"(checkpoints {run[0][0]}..{run[-1][0]})",
                    run[-1][0],
                )
            )
            run = []
        if item != (0, 0):
            run.append(item)
    return findings


def _missing(first: int, last: int) -> str:
    return "it is missing" if first == last else "they are missing"
