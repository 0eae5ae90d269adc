"""The catalog's history of service levels: a province's catalog as it stood on a day, over gRPC."""

from __future__ import annotations

from collections import Counter

import grpc
import pytest

from onceonly.catalog.v1 import catalog_pb2, catalog_pb2_grpc
from onceonly.common.db import make_engine
from onceonly.lookup.catalog import PROCEDURES
from onceonly.lookup.store import LookupStore
from onceonly.lookup.tables import PROCEDURE_LEVEL

FULL, PARTIAL, OFFLINE = (
    catalog_pb2.SERVICE_LEVEL_FULL_ONLINE,
    catalog_pb2.SERVICE_LEVEL_PARTIAL_ONLINE,
    catalog_pb2.SERVICE_LEVEL_OFFLINE,
)


@pytest.fixture
def catalog(channel: grpc.Channel) -> catalog_pb2_grpc.ProcedureCatalogStub:
    return catalog_pb2_grpc.ProcedureCatalogStub(channel)


def _all(
    catalog: catalog_pb2_grpc.ProcedureCatalogStub, province: str, as_of: str, page_size: int = 0
) -> list[catalog_pb2.ServiceLevelEntry]:
    entries: list[catalog_pb2.ServiceLevelEntry] = []
    token = ""
    while True:
        page = catalog.ListServiceLevels(
            catalog_pb2.ListServiceLevelsRequest(
                province=province, as_of=as_of, page_size=page_size, page_token=token
            )
        )
        entries += page.entries
        token = page.next_page_token
        if not token:
            return entries


def test_binh_duong_ends_2024_with_the_reported_catalog(
    catalog: catalog_pb2_grpc.ProcedureCatalogStub,
) -> None:
    entries = _all(catalog, "Bình Dương", "2024-12-31")
    levels = Counter(e.service_level for e in entries)
    # The report: 1,507 procedures online, 828 full-process and 679 partly, of 1,882.
    assert (len(entries), levels[FULL], levels[PARTIAL], levels[OFFLINE]) == (1882, 828, 679, 375)
    assert {e.province for e in entries} == {"Bình Dương"}
    # The procedures dossiers are filed for are in it at the level the gateway stamps on receipts.
    by_code = {e.procedure_code: e for e in entries}
    assert all(by_code[p.code].service_level == p.service_level for p in PROCEDURES)


def test_the_catalog_of_a_day_takes_each_procedures_last_level_by_then(
    catalog: catalog_pb2_grpc.ProcedureCatalogStub,
) -> None:
    january = {e.procedure_code: e for e in _all(catalog, "074", "2024-06-30")}
    july = {e.procedure_code: e for e in _all(catalog, "tinh binh duong", "2024-07-01")}
    assert Counter(e.service_level for e in january.values()) == {FULL: 728, PARTIAL: 729, OFFLINE: 425}
    moved = {code for code in july if july[code].service_level != january[code].service_level}
    assert len(moved) == 150
    assert all(july[code].effective_from == "2024-07-01" for code in moved)
    assert all(january[code].effective_from == "2024-01-01" for code in january)
    # Before the history begins the province had no catalog here.
    assert _all(catalog, "Bình Dương", "2023-12-31") == []


def test_pages_cover_the_catalog_once_in_order(catalog: catalog_pb2_grpc.ProcedureCatalogStub) -> None:
    whole = _all(catalog, "", "2024-12-31")
    paged = _all(catalog, "", "2024-12-31", page_size=97)
    assert [(e.province, e.procedure_code) for e in paged] == [(e.province, e.procedure_code) for e in whole]
    assert len({e.procedure_code for e in paged}) == len(paged) == 1882


def test_a_withdrawn_procedure_leaves_the_catalog_from_its_day(seeded_sqlite_url: str) -> None:
    store = LookupStore(make_engine(seeded_sqlite_url))
    with store.engine.begin() as conn:
        conn.execute(
            PROCEDURE_LEVEL.insert(),
            {"province": "Hà Nội", "procedure_code": "1.001193", "effective_from": "2024-01-01", "level": 1},
        )
        conn.execute(
            PROCEDURE_LEVEL.insert(),
            {"province": "Hà Nội", "procedure_code": "1.001193", "effective_from": "2024-03-01", "level": 0},
        )
    try:
        before, _ = store.list_service_levels("Hà Nội", "2024-02-29", 10, "")
        after, _ = store.list_service_levels("Hà Nội", "2024-03-01", 10, "")
        assert [(e.procedure_code, e.service_level) for e in before] == [("1.001193", FULL)]
        assert after == []
    finally:
        with store.engine.begin() as conn:
            conn.execute(PROCEDURE_LEVEL.delete().where(PROCEDURE_LEVEL.c.province == "Hà Nội"))
        store.engine.dispose()


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        (catalog_pb2.ListServiceLevelsRequest(province="Atlantis"), "province"),
        (catalog_pb2.ListServiceLevelsRequest(as_of="31/12/2024"), "as_of"),
        (catalog_pb2.ListServiceLevelsRequest(as_of="2024-12-31", page_size=5001), "page_size"),
        (
            catalog_pb2.ListServiceLevelsRequest(as_of="2024-12-31", page_token="bm90LWEtdG9rZW4"),
            "page_token",
        ),
    ],
)
def test_bad_requests_are_invalid_argument(
    catalog: catalog_pb2_grpc.ProcedureCatalogStub,
    request_: catalog_pb2.ListServiceLevelsRequest,
    reason: str,
) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        catalog.ListServiceLevels(request_)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert reason in (raised.value.details() or "")


def test_a_page_token_of_another_day_is_refused(catalog: catalog_pb2_grpc.ProcedureCatalogStub) -> None:
    page = catalog.ListServiceLevels(catalog_pb2.ListServiceLevelsRequest(as_of="2024-12-31", page_size=10))
    with pytest.raises(grpc.RpcError) as raised:
        catalog.ListServiceLevels(
            catalog_pb2.ListServiceLevelsRequest(as_of="2024-06-30", page_token=page.next_page_token)
        )
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
