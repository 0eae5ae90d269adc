"""The lookup store on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from onceonly.common.db import make_engine
from onceonly.lookup.errors import InvalidArgument, NotFound, ResultConflict
from onceonly.lookup.seeder import seed_store
from onceonly.lookup.store import LookupStore
from onceonly.population.v1.population_pb2 import Citizen
from onceonly.results.v1.results_pb2 import RESULT_STATUS_REVOKED, RESULT_STATUS_VALID, Result


@pytest.fixture
def store(db_url: str) -> LookupStore:
    engine = make_engine(db_url)
    report = seed_store(engine, citizens=300, seed=42, processes=1)
    assert report.citizens == 300
    return LookupStore(engine)


def test_citizens_read_back(store: LookupStore) -> None:
    ids = store.sample_personal_ids(5)
    assert len(ids) == 5
    assert store.get_citizen(ids[0]).personal_id == ids[0]
    assert set(store.get_citizens([*ids, "001099999999"])) == set(ids)
    with pytest.raises(NotFound):
        store.get_citizen("001099999999")


def test_results_list_in_pages_and_register_idempotently(store: LookupStore) -> None:
    owner = store.sample_personal_ids(1)[0]
    result = Result(
        result_id="STORE-1",
        result_type="residence_confirmation",
        owner_personal_id=owner,
        issued_on="2025-01-02",
        valid_until="2099-01-01",
        content_sha256=hashlib.sha256(b"x").hexdigest(),
    )
    stored, created = store.register_result(result)
    assert created
    assert stored.status == RESULT_STATUS_VALID
    assert store.register_result(result) == (stored, False)
    result.title = "changed"
    with pytest.raises(ResultConflict):
        store.register_result(result)
    seen: list[str] = []
    token = ""
    while True:
        page, token = store.list_results(owner, "", 1, token)
        seen += [r.result_id for r in page]
        if not token:
            break
    assert "STORE-1" in seen
    with pytest.raises(InvalidArgument):
        store.list_results("079190001234", "", 1, store.list_results(owner, "", 1, "")[1] or "e30")
    revoked = store.revoke_result("STORE-1", "Cấp sai", datetime(2025, 3, 1, tzinfo=UTC))
    assert revoked.status == RESULT_STATUS_REVOKED
    assert store.find_result_by_sha256(hashlib.sha256(b"x").hexdigest()) == revoked


def test_catalog_pages(store: LookupStore) -> None:
    first, token = store.list_procedures(10, "")
    second, last = store.list_procedures(10, token)
    assert len(first) == len(second) == 10
    assert last == ""
    assert store.get_procedure("1.001193").name == "Đăng ký khai sinh"


def test_a_lost_connection_is_reported_once_and_every_thread_reconnects(
    postgres_url: str, postgres_server_url: str
) -> None:
    engine = make_engine(postgres_url, pool_size=4)
    seed_store(engine, citizens=50, seed=42, processes=1)
    store = LookupStore(engine)
    personal_id = store.sample_personal_ids(1)[0]
    with ThreadPoolExecutor(max_workers=1) as other:
        # Both threads pin a connection, and keep no transaction open between reads.
        assert store.get_citizen(personal_id).personal_id == personal_id
        assert other.submit(store.get_citizen, personal_id).result().personal_id == personal_id
        server = make_url(postgres_server_url).set(drivername="postgresql")
        with psycopg.connect(server.render_as_string(hide_password=False), autocommit=True) as admin:
            states = admin.execute(
                "SELECT state FROM pg_stat_activity WHERE datname = %s AND state LIKE 'idle%%'",
                (make_url(postgres_url).database,),
            ).fetchall()
            assert states
            assert {state for (state,) in states} == {"idle"}
            # The store restarts: every connection to it is gone.
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (make_url(postgres_url).database,),
            )
        with pytest.raises(DBAPIError) as lost:
            store.get_citizen(personal_id)
        assert lost.value.connection_invalidated  # what the lookup answers UNAVAILABLE to
        assert store.get_citizen(personal_id).personal_id == personal_id
        # The other thread drops its dead connection before using it: no second failure.
        assert other.submit(store.get_citizen, personal_id).result().personal_id == personal_id
    engine.dispose()


def test_the_loop_reads_drop_lost_connections_and_reconnect(
    postgres_url: str, postgres_server_url: str
) -> None:
    """PostgreSQL's point reads on the event loop: a terminated backend fails the read once, as a lost
    connection (UNAVAILABLE at the server), and every idle connection is dropped, so the next reads,
    concurrent ones too, succeed on new connections."""
    engine = make_engine(postgres_url, pool_size=4)
    seed_store(engine, citizens=50, seed=42, processes=1)
    store = LookupStore(engine)
    assert store.async_point_reads
    ids = store.sample_personal_ids(8)
    server = make_url(postgres_server_url).set(drivername="postgresql")
    database = make_url(postgres_url).database

    async def scenario() -> None:
        records = await asyncio.gather(*(store.get_citizen_record_async(pid) for pid in ids))
        assert [Citizen.FromString(r).personal_id for r in records] == ids
        with pytest.raises(NotFound):
            await store.get_citizen_record_async("001190000001")
        with psycopg.connect(server.render_as_string(hide_password=False), autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (database,)
            )
        with pytest.raises(DBAPIError) as lost:
            await store.get_citizen_record_async(ids[0])
        assert lost.value.connection_invalidated
        records = await asyncio.gather(*(store.get_citizen_record_async(pid) for pid in ids))
        assert [Citizen.FromString(r).personal_id for r in records] == ids
        await store.close_async()

    try:
        asyncio.run(scenario())
    finally:
        engine.dispose()


def test_owners_holding_a_valid_result_of_each_group(store: LookupStore) -> None:
    assert store.count_citizens() == 300
    first, second, third, fourth = store.sample_personal_ids(4)

    def held(result_id: str, owner: str, result_type: str, valid_until: str = "2099-01-01") -> None:
        store.register_result(
            Result(
                result_id=result_id,
                result_type=result_type,
                owner_personal_id=owner,
                issued_on="2025-01-02",
                valid_until=valid_until,
                content_sha256=hashlib.sha256(result_id.encode()).hexdigest(),
            )
        )

    held("H-1", first, "land")
    held("H-0", first, "land")
    held("H-2", first, "marriage")
    held("H-3", second, "land")  # nothing of the second group
    held("H-4", third, "land")
    held("H-5", third, "marital_status")
    store.revoke_result("H-5", "issued in error", datetime.now(UTC))
    held("H-6", fourth, "land")
    held("H-7", fourth, "marital_status", valid_until="2020-01-01")  # expired

    assert store.owners_holding(["land"], ["marriage", "marital_status"], limit=10) == [(first, "H-0", "H-2")]
    assert sorted(store.owners_holding(["land"], limit=10)) == sorted(
        [(first, "H-0"), (second, "H-3"), (third, "H-4"), (fourth, "H-6")]
    )
    assert len(store.owners_holding(["land"], limit=2)) == 2
    with pytest.raises(ValueError, match="at least one group"):
        store.owners_holding(limit=1)
