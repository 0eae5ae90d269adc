"""The audit chain detects a record altered, inserted or deleted, and says which, on both stores."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, delete, select, update
from typer.testing import CliRunner

from onceonly.common.db import make_engine
from onceonly.gateway import audit
from onceonly.gateway.audit import record_hash, verify_chain
from onceonly.gateway.cli import app
from onceonly.gateway.store import audit_table, create_store
from tests.fixtures.audit import read_entry


@pytest.fixture
def chain(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    create_store(engine)
    for i in range(1, 6):
        with engine.begin() as conn:
            audit.append(conn, read_entry(i))
    yield engine
    engine.dispose()


def _row(engine: Engine, seq: int) -> dict[str, object]:
    with engine.connect() as conn:
        return dict(conn.execute(select(audit_table).where(audit_table.c.seq == seq)).one()._mapping)


def _findings(engine: Engine) -> list[tuple[str, int]]:
    return [(f.kind, f.seq) for f in verify_chain(engine).findings]


def test_an_untouched_chain_verifies(chain: Engine) -> None:
    report = verify_chain(chain)
    assert report.intact
    assert report.records == 5


def test_an_altered_record_is_named(chain: Engine) -> None:
    with chain.begin() as conn:
        conn.execute(update(audit_table).where(audit_table.c.seq == 3).values(agency_code="SOMEONE-ELSE"))
    assert _findings(chain) == [("altered", 3)]


def test_an_altered_and_rehashed_record_is_named(chain: Engine) -> None:
    row = _row(chain, 3)
    row["fields"] = '["full_name","religion"]'
    with chain.begin() as conn:
        conn.execute(
            update(audit_table)
            .where(audit_table.c.seq == 3)
            .values(fields=row["fields"], hash=record_hash(str(row["prev_hash"]), row))
        )
    assert _findings(chain) == [("altered", 3)]


def test_a_deleted_record_is_named(chain: Engine) -> None:
    with chain.begin() as conn:
        conn.execute(delete(audit_table).where(audit_table.c.seq == 3))
    assert _findings(chain) == [("deleted", 3)]


def test_a_deleted_last_record_is_named(chain: Engine) -> None:
    with chain.begin() as conn:
        conn.execute(delete(audit_table).where(audit_table.c.seq == 5))
    # The head still says 5: the tail was cut.
    assert _findings(chain) == [("truncated", 5)]


def test_an_inserted_record_is_named(chain: Engine) -> None:
    before = _row(chain, 2)
    forged = {**_row(chain, 3), "request_id": "forged", "agency_code": "FORGER"}
    forged["prev_hash"] = before["hash"]
    forged["hash"] = record_hash(str(before["hash"]), forged)
    with chain.begin() as conn:
        # Make room at 3 by renumbering the genuine records after it.
        conn.execute(update(audit_table).where(audit_table.c.seq >= 3).values(seq=audit_table.c.seq + 100))
        conn.execute(update(audit_table).where(audit_table.c.seq >= 100).values(seq=audit_table.c.seq - 99))
        conn.execute(audit_table.insert().values(**{**forged, "seq": 3}))
    assert _findings(chain) == [("inserted", 3)]


def test_a_record_appended_behind_the_chains_back_is_named(chain: Engine) -> None:
    last = _row(chain, 5)
    forged = {**last, "request_id": "forged", "seq": 6, "prev_hash": last["hash"]}
    forged["hash"] = record_hash(str(last["hash"]), forged)
    with chain.begin() as conn:
        conn.execute(audit_table.insert().values(**forged))
    assert _findings(chain) == [("inserted", 6)]


def test_concurrent_appends_never_fork_the_chain(db_url: str) -> None:
    engine = make_engine(db_url, pool_size=8)
    create_store(engine)

    def write(worker: int) -> None:
        for i in range(15):
            with engine.begin() as conn:
                audit.append(conn, read_entry(worker * 100 + i))

    threads = [threading.Thread(target=write, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = verify_chain(engine)
    engine.dispose()
    assert report.intact, report.findings
    assert report.records == 90


def test_the_cli_reports_tampering_and_exits_non_zero(
    chain: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCEONLY_GATEWAY_DATABASE_URL", db_url)
    runner = CliRunner()
    intact = runner.invoke(app, ["audit", "verify", "--unanchored"])
    assert intact.exit_code == 0, intact.output
    assert "consistent: 5 records, unanchored" in intact.output
    with chain.begin() as conn:
        conn.execute(delete(audit_table).where(audit_table.c.seq == 2))
    broken = runner.invoke(app, ["audit", "verify", "--unanchored"])
    assert broken.exit_code == 1
    assert "deleted: record 2" in broken.output
