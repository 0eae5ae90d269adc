"""An agency keeps its province as registered and its commune; each receipt names the province of its
day (the pre-2025 one before the merger), the commune and the procedure's sector."""

from __future__ import annotations

from sqlalchemy import select

from onceonly.common.events import decode, payload_kind
from onceonly.common.outbox import outbox_table
from onceonly.events.v1 import events_pb2
from onceonly.gateway.agencies import add_agency, list_agencies
from tests.gateway.conftest import ALL_SCOPES, Gateway, LookupServer, auth
from tests.gateway.test_dossiers import OPEN_PROCEDURE, dossier


def _receipts(gateway: Gateway) -> dict[str, events_pb2.DossierReceived]:
    with gateway.engine.connect() as conn:
        envelopes = [decode(value) for (value,) in conn.execute(select(outbox_table.c.value))]
    return {
        e.dossier_received.dossier_id: e.dossier_received
        for e in envelopes
        if payload_kind(e) == "dossier_received"
    }


def test_a_receipt_names_the_province_of_its_day(gateway: Gateway, lookup_server: LookupServer) -> None:
    _, key = add_agency(
        gateway.engine,
        code="BD-TDM",
        name="UBND phường Thủ Dầu Một",
        province="Tỉnh Bình Dương",
        scopes=ALL_SCOPES,
        commune="  Thủ  Dầu Một ",
    )
    (agency,) = [a for a in list_agencies(gateway.engine) if a.code == "BD-TDM"]
    assert (agency.province, agency.registered_province, agency.commune) == (
        "Hồ Chí Minh",
        "Bình Dương",
        "Thủ Dầu Một",
    )
    pid = lookup_server.citizens[1]
    dated = {
        "BD-TDM-240506-1": "2024-05-06T09:00:00+07:00",
        # 30 June 2025, 23:30 in Vietnam is still before the merger (16:30 UTC).
        "BD-TDM-250630-1": "2025-06-30T23:30:00+07:00",
        "BD-TDM-250701-1": "2025-07-01T00:10:00+07:00",
    }
    for dossier_id, received_at in dated.items():
        r = gateway.client.post(
            "/v1/dossiers", json=dossier(dossier_id, pid, received_at=received_at), headers=auth(key)
        )
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["agency_province"] == "Hồ Chí Minh"
        assert body["agency_commune"] == "Thủ Dầu Một"
    receipts = _receipts(gateway)
    then = {d: receipts[d].agency_province_at_receipt for d in dated}
    assert then == {
        "BD-TDM-240506-1": "Bình Dương",
        "BD-TDM-250630-1": "Bình Dương",
        "BD-TDM-250701-1": "Hồ Chí Minh",
    }
    for d in dated:
        assert receipts[d].agency_province == "Hồ Chí Minh"
        assert receipts[d].agency_commune == "Thủ Dầu Một"
        # 2.000635 is a civil status procedure in the catalog.
        assert receipts[d].procedure_sector == "civil_status"
        assert receipts[d].procedure_code == OPEN_PROCEDURE


def test_an_agency_registered_on_todays_map_stays_there(
    gateway: Gateway, lookup_server: LookupServer
) -> None:
    key = gateway.agency("HN-02", province="Thành phố Hà Nội")
    pid = lookup_server.citizens[2]
    r = gateway.client.post(
        "/v1/dossiers",
        json=dossier("HN-02-240506-1", pid, received_at="2024-05-06T09:00:00+07:00"),
        headers=auth(key),
    )
    assert r.status_code == 201, r.text
    receipt = _receipts(gateway)["HN-02-240506-1"]
    assert (receipt.agency_province, receipt.agency_province_at_receipt, receipt.agency_commune) == (
        "Hà Nội",
        "Hà Nội",
        "",
    )
