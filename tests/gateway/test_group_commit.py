"""Group commit: many threads' and coroutines' audit appends share transactions, the chain never forks,
errors (a revoked key among them) stay with the request that caused them — on both stores."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, func, select

from onceonly.common.db import make_engine
from onceonly.gateway.agencies import AgencyDirectory, Scope, add_agency, revoke_agency
from onceonly.gateway.audit import verify_chain
from onceonly.gateway.group_commit import Batch, GroupCommit
from onceonly.gateway.problems import Unauthenticated
from onceonly.gateway.store import audit_table, create_store
from tests.fixtures.audit import read_entry


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    create_store(engine)
    yield engine
    engine.dispose()


def test_concurrent_appends_keep_one_chain(engine: Engine) -> None:
    writes = GroupCommit(engine)
    with ThreadPoolExecutor(32) as pool:
        hashes = list(pool.map(lambda i: writes.run(lambda b: b.audit(read_entry(i))), range(400)))
    writes.close()
    assert len(set(hashes)) == 400
    report = verify_chain(engine)
    assert report.intact
    assert report.records == 400


def test_an_error_reaches_only_its_caller(engine: Engine) -> None:
    writes = GroupCommit(engine)

    def failing(batch: Batch) -> str:
        batch.audit(read_entry(-1))
        raise ValueError("this request fails")

    def work(i: int) -> str:
        if i % 10 == 0:
            with pytest.raises(ValueError, match="this request fails"):
                writes.run(failing)
            return "failed"
        return writes.run(lambda b: b.audit(read_entry(i)))

    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(work, range(100)))
    writes.close()
    assert outcomes.count("failed") == 10
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit_table)).scalar_one() == 90
    assert verify_chain(engine).intact


def test_closed_refuses_new_work(engine: Engine) -> None:
    writes = GroupCommit(engine)
    assert writes.run(lambda b: b.audit(read_entry(1)))
    writes.close()
    with pytest.raises(RuntimeError):
        writes.run(lambda b: b.audit(read_entry(2)))


def test_coroutines_share_batches_and_the_chain(engine: Engine) -> None:
    writes = GroupCommit(engine)

    def append(i: int) -> Callable[[Batch], str]:
        return lambda batch: batch.audit(read_entry(i))

    async def many() -> list[str]:
        return await asyncio.gather(*(writes.submit(append(i)) for i in range(300)))

    hashes = asyncio.run(many())
    writes.close()
    assert len(set(hashes)) == 300
    report = verify_chain(engine)
    assert report.intact
    assert report.records == 300


def test_a_key_revoked_before_the_commit_fails_its_request_only(engine: Engine) -> None:
    kept, _ = add_agency(
        engine, code="HN-KEPT", name="Kept", province="Hà Nội", scopes=[Scope.POPULATION_READ]
    )
    gone, _ = add_agency(
        engine, code="HN-GONE", name="Gone", province="Hà Nội", scopes=[Scope.POPULATION_READ]
    )
    agencies = AgencyDirectory(engine)
    agencies.refresh()
    writes = GroupCommit(engine, agencies=agencies)

    def work(caller: str, i: int) -> str:
        agency = kept if caller == "kept" else gone

        def write(batch: Batch) -> str:
            batch.on_behalf_of(agency)
            return batch.audit(read_entry(i))

        return writes.run(write)

    assert work("gone", 0)
    # Revoked in another process: this one's memory still admits the key; the commit must not.
    revoke_agency(engine, "HN-GONE")

    def outcome(i: int) -> str:
        try:
            work("gone" if i % 4 == 0 else "kept", i)
        except Unauthenticated:
            return "refused"
        return "written"

    with ThreadPoolExecutor(16) as pool:
        outcomes = list(pool.map(outcome, range(1, 81)))
    writes.close()
    assert outcomes.count("refused") == 20
    assert outcomes.count("written") == 60
    report = verify_chain(engine)
    assert report.intact
    assert report.records == 61
