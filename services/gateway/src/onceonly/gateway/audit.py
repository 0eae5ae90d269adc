"""The hash-chained audit log: every access to a citizen's data, tamper-evident.

Each record's ``hash`` is SHA-256 over the previous record's hash and the canonical JSON of the
record's content. Appends are serialized through the single-row ``audit_head``: the first statement of
an append is ``UPDATE audit_head … RETURNING``, which takes PostgreSQL's row lock (held to commit) and
SQLite's writer lock, so two writers can never chain onto the same predecessor.

``verify_chain`` walks the log and names each record that was altered, inserted or deleted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import orjson
from sqlalchemy import Connection, Engine, bindparam, select, update

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


Finding = Literal["altered", "inserted", "deleted"]


@dataclass(frozen=True, slots=True)
class Tampering:
    kind: Finding
    seq: int
    detail: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    records: int
    findings: list[Tampering]

    @property
    def intact(self) -> bool:
        return not self.findings


def _check(records: Sequence[Mapping[str, Any]], head_seq: int, head_hash: str) -> list[Tampering]:
    findings: list[Tampering] = []
    prev_prev_hash = prev_hash = GENESIS_HASH
    prev_seq = 0
    stored = {r["hash"] for r in records}
    for i, r in enumerate(records):
        seq = int(r["seq"])
        nxt = records[i + 1] if i + 1 < len(records) else None
        if record_hash(r["prev_hash"], r) != r["hash"]:
            findings.append(Tampering("altered", seq, "its content does not match its hash"))
        elif r["prev_hash"] != prev_hash:
            if r["prev_hash"] == prev_prev_hash and prev_seq > 0:
                # It links past its predecessor: that one was slipped in between two genuine records.
                findings.append(Tampering("inserted", prev_seq, f"record {seq} links past it"))
            elif nxt is not None and nxt["prev_hash"] == prev_hash:
                findings.append(Tampering("inserted", seq, f"record {nxt['seq']} links past it"))
                continue
            elif seq > prev_seq + 1:
                findings.append(Tampering("deleted", prev_seq + 1, _missing(prev_seq + 1, seq - 1)))
            elif r["prev_hash"] not in stored:
                findings.append(
                    Tampering(
                        "altered",
                        prev_seq,
                        f"record {seq} links to a hash no record has: record {prev_seq} was rewritten "
                        "or the record after it deleted",
                    )
                )
            else:
                findings.append(Tampering("altered", seq, "it links to the wrong predecessor"))
        elif seq != prev_seq + 1:
            findings.append(Tampering("deleted", prev_seq + 1, _missing(prev_seq + 1, seq - 1)))
        prev_prev_hash, prev_hash, prev_seq = prev_hash, r["hash"], seq
    kinds = {f.kind for f in findings}
    if prev_seq > head_seq and "inserted" not in kinds:
        findings.append(Tampering("inserted", head_seq + 1, f"records after {head_seq} were never appended"))
    elif prev_seq < head_seq and "deleted" not in kinds:
        findings.append(Tampering("deleted", prev_seq + 1, _missing(prev_seq + 1, head_seq)))
    elif records and prev_seq == head_seq and prev_hash != head_hash and not findings:
        findings.append(Tampering("altered", prev_seq, "the last record does not match the chain head"))
    return findings


def _missing(first: int, last: int) -> str:
    return f"record {first} is missing" if first == last else f"records {first}..{last} are missing"


def verify_chain(engine: Engine, *, batch: int = 10_000) -> ChainReport:
    """Walk the whole log in order and report every break in the chain."""
    records: list[dict[str, Any]] = []
    with engine.connect() as conn:
        head_seq, head_hash = conn.execute(
            select(audit_head_table.c.seq, audit_head_table.c.last_hash).where(audit_head_table.c.id == 1)
        ).one()
        last = 0
        while True:
            rows: Iterable[Any] = conn.execute(
                select(audit_table).where(audit_table.c.seq > last).order_by(audit_table.c.seq).limit(batch)
            ).all()
            chunk = [dict(r._mapping) for r in rows]
            if not chunk:
                break
            records.extend(chunk)
            last = chunk[-1]["seq"]
    return ChainReport(records=len(records), findings=_check(records, head_seq, head_hash))
