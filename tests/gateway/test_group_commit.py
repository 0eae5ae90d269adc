"""Group commit: many threads' audit appends share transactions, the chain never forks, errors stay
with the request that caused them — on both stores."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Connection, Engine, func, select

from onceonly.common.db import make_engine
from onceonly.gateway import audit
from onceonly.gateway.audit import AuditEntry, verify_chain
from onceonly.gateway.store import audit_table, create_store
from onceonly.gateway.writes import GroupCommit


def _entry(i: int) -> AuditEntry:
    return AuditEntry(
        request_id=f"req-{i}",
        agency_code="HN-01",
        action="citizen.read",
        procedure_code="1.004873",
        dossier_id=f"D-{i}",
        outcome="hit",
    )


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    create_store(engine)
    yield engine
    engine.dispose()


def test_concurrent_appends_keep_one_chain(engine: Engine) -> None:
    writes = GroupCommit(engine)
    with ThreadPoolExecutor(32) as pool:
        hashes = list(pool.map(lambda i: writes.run(lambda c: audit.append(c, _entry(i))), range(400)))
    writes.close()
    assert len(set(hashes)) == 400
    report = verify_chain(engine)
    assert report.intact
    assert report.records == 400


def test_an_error_reaches_only_its_caller(engine: Engine) -> None:
    writes = GroupCommit(engine)

    def failing(conn: Connection) -> str:
        audit.append(conn, _entry(-1))
        raise ValueError("this request fails")

    def work(i: int) -> str:
        if i % 10 == 0:
            with pytest.raises(ValueError, match="this request fails"):
                writes.run(failing)
            return "failed"
        return writes.run(lambda c: audit.append(c, _entry(i)))

    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(work, range(100)))
    writes.close()
    assert outcomes.count("failed") == 10
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit_table)).scalar_one() == 90
    assert verify_chain(engine).intact


def test_closed_refuses_new_work(engine: Engine) -> None:
    writes = GroupCommit(engine)
    assert writes.run(lambda c: audit.append(c, _entry(1)))
    writes.close()
    with pytest.raises(RuntimeError):
        writes.run(lambda c: audit.append(c, _entry(2)))
