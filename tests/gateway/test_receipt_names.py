"""A receipt carries the names beside the codes: the agency's as registered, the procedure's as the
catalog has it in Vietnamese and English, so the tracker can show names without another source."""

from __future__ import annotations

from onceonly.gateway.agencies import add_agency
from tests.gateway.conftest import ALL_SCOPES, Gateway, LookupServer, auth
from tests.gateway.test_agency_place import _receipts
from tests.gateway.test_dossiers import OPEN_PROCEDURE, dossier


def test_a_receipt_names_its_agency_and_procedure(gateway: Gateway, lookup_server: LookupServer) -> None:
    _, key = add_agency(
        gateway.engine,
        code="BD-DIAN",
        name="UBND phường Dĩ An",
        province="Bình Dương",
        scopes=ALL_SCOPES,
        commune="Dĩ An",
    )
    pid = lookup_server.citizens[3]
    r = gateway.client.post(
        "/v1/dossiers",
        json=dossier("BD-DIAN-240506-1", pid, received_at="2024-05-06T09:00:00+07:00"),
        headers=auth(key),
    )
    assert r.status_code == 201, r.text
    receipt = _receipts(gateway)["BD-DIAN-240506-1"]
    assert receipt.procedure_code == OPEN_PROCEDURE
    assert receipt.agency_name == "UBND phường Dĩ An"
    assert receipt.procedure_name == "Cấp bản sao trích lục hộ tịch"
    assert receipt.procedure_name_en == "Copy of a civil status extract"
