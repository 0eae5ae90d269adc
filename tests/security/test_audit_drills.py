"""Tamper drills: whoever runs the database rewrites the audit log, and ``audit verify`` — given only the
public key and the checkpoints the gateway published — names every change, on SQLite and PostgreSQL.

The chain is written through the gateway's own write path (``GroupCommit`` with a ``Checkpointer``),
checkpointed every five records; the attacker then edits the tables directly, recomputing hashes and
resetting the head wherever that would hide the change from the chain alone.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select, update
from typer.testing import CliRunner

from onceonly.common.db import make_engine
from onceonly.gateway.audit import record_hash
from onceonly.gateway.checkpoints import (
    Checkpointer,
    CheckpointFile,
    Signer,
    generate_key_pair,
    load_private_key,
)
from onceonly.gateway.cli import app
from onceonly.gateway.group_commit import Batch, GroupCommit
from onceonly.gateway.store import audit_head_table, audit_table, create_store
from tests.fixtures.audit import read_entry
from tests.security.conftest import cli

RECORDS = 30
EVERY = 5
FINDING = re.compile(r"^(\w+): (record \d+|records \d+\.\.\d+):", re.MULTILINE)


@dataclass
class Audited:
    url: str
    engine: Engine
    public_key: Path
    checkpoints: Path

    def verify(self, *extra: str) -> tuple[int, str, list[str]]:
        result = CliRunner().invoke(
            app,
            ["audit", "verify", "--database-url", self.url, "--checkpoints", str(self.checkpoints),
             "--public-key", str(self.public_key), *extra],
        )  # fmt: skip
        return (
            result.exit_code,
            result.output,
            [f"{k}: {where}" for k, where in FINDING.findall(result.output)],
        )

    def row(self, seq: int) -> dict[str, object]:
        with self.engine.connect() as conn:
            return dict(conn.execute(select(audit_table).where(audit_table.c.seq == seq)).one()._mapping)

    def set_head(self, seq: int) -> None:
        last_hash = str(self.row(seq)["hash"])
        with self.engine.begin() as conn:
            conn.execute(update(audit_head_table).values(seq=seq, last_hash=last_hash))


def write_chain(engine: Engine, checkpointer: Checkpointer, records: int, *, every: int) -> None:
    """Append ``records`` through the group commit, with a checkpoint exactly every ``every`` records."""
    writes = GroupCommit(engine, checkpoints=checkpointer)
    for i in range(1, records + 1):

        def work(batch: Batch, i: int = i) -> str:
            return batch.audit(read_entry(i, dossier_prefix="HN-01-"))

        writes.run(work)
        if i % every == 0:
            assert checkpointer.flush()
    writes.close()


@pytest.fixture
def audited(db_url: str, tmp_path: Path) -> Iterator[Audited]:
    private, public = tmp_path / "audit-signing.pem", tmp_path / "audit-signing.pub.pem"
    generate_key_pair(private, public)
    checkpoints = tmp_path / "checkpoints.jsonl"
    engine = make_engine(db_url)
    create_store(engine)
    # The clock never fires here: checkpoints fall exactly on 5, 10, … 30.
    checkpointer = Checkpointer(
        Signer(load_private_key(private)),
        [CheckpointFile(checkpoints)],
        every_records=EVERY,
        every_seconds=3600,
    )
    write_chain(engine, checkpointer, RECORDS, every=EVERY)
    yield Audited(url=db_url, engine=engine, public_key=public, checkpoints=checkpoints)
    engine.dispose()


# The attacks ----------------------------------------------------------------------------------


def truncate_tail(a: Audited) -> None:
    """The last five records deleted and the head set to the new last one (values already there)."""
    with a.engine.begin() as conn:
        conn.execute(delete(audit_table).where(audit_table.c.seq > 25))
    a.set_head(25)


def delete_head(a: Audited) -> None:
    with a.engine.begin() as conn:
        conn.execute(delete(audit_head_table))


def rewrite_recomputed(a: Audited) -> None:
    """Record 13 says another agency read it, and every hash from it on is recomputed, head included."""
    prev_hash = str(a.row(12)["hash"])
    with a.engine.begin() as conn:
        for seq in range(13, RECORDS + 1):
            row = dict(conn.execute(select(audit_table).where(audit_table.c.seq == seq)).one()._mapping)
            if seq == 13:
                row["agency_code"] = "SOMEONE-ELSE"
            new_hash = record_hash(prev_hash, row)
            conn.execute(
                update(audit_table)
                .where(audit_table.c.seq == seq)
                .values(agency_code=row["agency_code"], prev_hash=prev_hash, hash=new_hash)
            )
            prev_hash = new_hash
        conn.execute(update(audit_head_table).values(seq=RECORDS, last_hash=prev_hash))


def reorder(a: Audited) -> None:
    """Records 7 and 8 swap numbers."""
    with a.engine.begin() as conn:
        conn.execute(update(audit_table).where(audit_table.c.seq == 7).values(seq=-7))
        conn.execute(update(audit_table).where(audit_table.c.seq == 8).values(seq=7))
        conn.execute(update(audit_table).where(audit_table.c.seq == -7).values(seq=8))


def insert(a: Audited) -> None:
    """A forged record at 12, linked from 11 with a correct hash; the genuine ones renumbered after it,
    and the head moved along."""
    before = a.row(11)
    forged = {**a.row(12), "request_id": "forged", "agency_code": "FORGER", "prev_hash": before["hash"]}
    forged["hash"] = record_hash(str(before["hash"]), forged)
    with a.engine.begin() as conn:
        conn.execute(update(audit_table).where(audit_table.c.seq >= 12).values(seq=audit_table.c.seq + 1000))
        conn.execute(update(audit_table).where(audit_table.c.seq >= 1000).values(seq=audit_table.c.seq - 999))
        conn.execute(audit_table.insert().values(**{**forged, "seq": 12}))
        conn.execute(update(audit_head_table).values(seq=RECORDS + 1))


def delete_middle_and_tail(a: Audited) -> None:
    """Record 9 deleted, and the last five with the head reset: the issue's two findings at once."""
    with a.engine.begin() as conn:
        conn.execute(delete(audit_table).where(audit_table.c.seq == 9))
        conn.execute(delete(audit_table).where(audit_table.c.seq > 25))
    a.set_head(25)


def delete_everything(a: Audited) -> None:
    with a.engine.begin() as conn:
        conn.execute(delete(audit_table))
        conn.execute(delete(audit_head_table))


DRILLS: dict[str, tuple[Callable[[Audited], None], set[str]]] = {
    "truncate the tail, head reset": (truncate_tail, {"truncated: records 26..30"}),
    "delete the head": (delete_head, {"head: record 30"}),
    # A checkpoint every five records: the rewrite is placed between the checkpoints around it.
    "rewrite one record, hashes recomputed": (rewrite_recomputed, {"rewritten: records 11..15"}),
    "reorder two records": (reorder, {"reordered: record 8", "reordered: record 7"}),
    # The genuine records the checkpoints signed are intact, one number further on.
    "insert one": (insert, {"inserted: record 12", "moved: records 15..30"}),
    "delete one in the middle and the tail": (
        delete_middle_and_tail,
        {"deleted: record 9", "truncated: records 26..30"},
    ),
    "delete every record and the head": (delete_everything, {"head: record 0", "truncated: records 1..30"}),
}


@pytest.mark.parametrize("drill", list(DRILLS))
def test_each_tampering_is_named_against_the_checkpoints(audited: Audited, drill: str) -> None:
    code, output, findings = audited.verify()
    assert code == 0, output
    assert f"intact: {RECORDS} records, anchored by {RECORDS // EVERY} checkpoints up to record 30" in output
    attack, expected = DRILLS[drill]
    attack(audited)
    code, output, findings = audited.verify()
    assert code == 1, output
    assert set(findings) == expected, output


def test_all_the_drills_at_once_are_each_named(audited: Audited) -> None:
    """Findings do not hide each other: four changes in one store, four findings in one report."""
    with audited.engine.begin() as conn:
        conn.execute(update(audit_table).where(audit_table.c.seq == 3).values(fields='["religion"]'))
    reorder(audited)
    with audited.engine.begin() as conn:
        conn.execute(delete(audit_table).where(audit_table.c.seq == 18))
    truncate_tail(audited)
    code, output, findings = audited.verify()
    assert code == 1, output
    assert set(findings) == {
        "altered: record 3",
        "reordered: record 8",
        "reordered: record 7",
        "deleted: record 18",
        "truncated: records 26..30",
    }, output


def test_a_forged_or_foreign_checkpoint_is_named(audited: Audited, tmp_path: Path) -> None:
    lines = audited.checkpoints.read_bytes().splitlines()
    # A checkpoint moved forward by someone without the key: its signature no longer verifies.
    forged = lines[-1].replace(b'"seq":30', b'"seq":31')
    other_private, other_public = tmp_path / "other.pem", tmp_path / "other.pub.pem"
    generate_key_pair(other_private, other_public)
    foreign_signer = Signer(load_private_key(other_private))
    audited.checkpoints.write_bytes(
        b"\n".join([*lines, forged, foreign_signer.sign(30, "0" * 64).to_json()]) + b"\n"
    )
    code, output, findings = audited.verify()
    assert code == 1, output
    assert f"line {len(lines) + 1}: signature does not verify (record 31)" in output, output
    assert f"line {len(lines) + 2}: signed by key {foreign_signer.key_id}, not given" in output, output
    # The genuine checkpoints still anchor the chain: nothing else is reported.
    assert findings == [], output


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_verify_runs_elsewhere_with_only_the_public_key_and_the_checkpoints(
    audited: Audited, tmp_path: Path
) -> None:
    """The installed command, none of the gateway's settings or keys in its environment; it opens the
    store read-only and repairs nothing: a deleted head stays deleted and is reported each time."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ONCEONLY_", "KAFKA_"))}
    command = [*cli("onceonly-gateway"), "audit", "verify", "--database-url", audited.url]
    command += ["--checkpoints", str(audited.checkpoints), "--public-key", str(audited.public_key)]
    database = Path(audited.url.removeprefix("sqlite:///")) if audited.url.startswith("sqlite") else None
    before = _digest(database) if database else ""
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "intact: 30 records" in done.stdout
    if database:
        assert _digest(database) == before
    delete_head(audited)
    for _ in range(2):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "head: record 30: the chain head (audit_head) is missing" in done.stdout
    with audited.engine.connect() as conn:
        assert conn.execute(select(audit_head_table)).first() is None


def test_verify_without_checkpoints_is_refused_unless_asked_for(audited: Audited) -> None:
    result = CliRunner().invoke(app, ["audit", "verify", "--database-url", audited.url])
    assert result.exit_code == 2
    assert "--checkpoints" in result.output
