"""``onceonly-gateway audit verify`` names a record altered, inserted or deleted, on both stores, over a
chain written by real requests (tests/gateway/test_audit_chain.py covers the chain logic itself).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func, select, update
from typer.testing import CliRunner

from onceonly.gateway.audit import record_hash
from onceonly.gateway.checkpoints import generate_key_pair
from onceonly.gateway.cli import app
from onceonly.gateway.store import audit_table
from tests.gateway.conftest import Gateway, LookupServer, make_gateway
from tests.security.conftest import cli

PROCEDURE = "2.000635"


def _fill_chain(gw: Gateway, lookup_server: LookupServer, n: int = 3) -> int:
    """``n`` dossiers opened and their applicant read (the intake, the read, and each relative whose
    data the read disclosed in that relative's log); returns how many records the chain holds."""
    key = gw.agency("HN-AUDIT")
    for i in range(n):
        pid = lookup_server.citizens[i]
        headers = gw.open(key, pid, dossier=f"HN-AUDIT-{i}", procedure=PROCEDURE)
        r = gw.client.get(f"/v1/citizens/{pid}", headers=headers)
        assert r.status_code == 200, r.text
    with gw.engine.connect() as conn:
        records: int = conn.execute(select(func.count()).select_from(audit_table)).scalar_one()
    assert records >= 2 * n
    return records


def _row(engine: Engine, seq: int) -> dict[str, object]:
    with engine.connect() as conn:
        return dict(conn.execute(select(audit_table).where(audit_table.c.seq == seq)).one()._mapping)


def _alter(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(update(audit_table).where(audit_table.c.seq == 3).values(fields='["religion"]'))


def _insert(engine: Engine) -> None:
    before = _row(engine, 2)
    forged = {**_row(engine, 3), "request_id": "forged", "agency_code": "INTRUDER"}
    forged["prev_hash"] = before["hash"]
    forged["hash"] = record_hash(str(before["hash"]), forged)
    with engine.begin() as conn:
        conn.execute(update(audit_table).where(audit_table.c.seq >= 3).values(seq=audit_table.c.seq + 100))
        conn.execute(update(audit_table).where(audit_table.c.seq >= 100).values(seq=audit_table.c.seq - 99))
        conn.execute(audit_table.insert().values(**{**forged, "seq": 3}))


def _delete(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(delete(audit_table).where(audit_table.c.seq == 4))


TAMPERING = {"altered: record 3": _alter, "inserted: record 3": _insert, "deleted: record 4": _delete}


def _signing(tmp_path: Path) -> tuple[dict[str, object], list[str]]:
    """Settings that sign a checkpoint after every record, and the verify options that check them."""
    private, public = tmp_path / "signing.pem", tmp_path / "signing.pub.pem"
    generate_key_pair(private, public)
    checkpoints = tmp_path / "checkpoints.jsonl"
    checkpoints.touch()
    overrides: dict[str, object] = {
        "audit_signing_key_file": private,
        "audit_checkpoint_file": checkpoints,
        "audit_checkpoint_every_records": 1,
    }
    return overrides, ["--checkpoints", str(checkpoints), "--public-key", str(public)]


@pytest.mark.parametrize("finding", list(TAMPERING))
def test_audit_verify_names_the_tampered_record(
    db_url: str, lookup_server: LookupServer, monkeypatch: pytest.MonkeyPatch, finding: str, tmp_path: Path
) -> None:
    monkeypatch.setenv("ONCEONLY_GATEWAY_DATABASE_URL", db_url)
    runner = CliRunner()
    overrides, anchored = _signing(tmp_path)
    for gw in make_gateway(db_url, lookup_server.target, overrides):
        records = _fill_chain(gw, lookup_server)
        intact = runner.invoke(app, ["audit", "verify", *anchored])
        assert intact.exit_code == 0, intact.output
        assert f"intact: {records} records" in intact.output
        TAMPERING[finding](gw.engine)
        broken = runner.invoke(app, ["audit", "verify", *anchored])
        assert broken.exit_code == 1, broken.output
        assert finding in broken.output, broken.output


def test_the_installed_command_exits_non_zero_on_a_broken_chain(
    sqlite_url: str, lookup_server: LookupServer, tmp_path: Path
) -> None:
    env = {**os.environ, "ONCEONLY_GATEWAY_DATABASE_URL": sqlite_url}
    overrides, anchored = _signing(tmp_path)
    for gw in make_gateway(sqlite_url, lookup_server.target, overrides):
        assert _fill_chain(gw, lookup_server, n=2) >= 4
        _delete(gw.engine)
    command = [*cli("onceonly-gateway"), "audit", "verify", *anchored]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "deleted: record 4" in done.stdout
