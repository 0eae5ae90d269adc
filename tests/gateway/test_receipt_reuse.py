"""At receipt the gateway tells, per component filed on paper or as an upload, whether the applicant
already held a valid result the component accepts (an avoidable re-ask), and names the issuer of every
result a component reuses — with one look at the applicant's results per receipt, audited."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from sqlalchemy import select

from onceonly.common.events import decode
from onceonly.common.outbox import outbox_table
from onceonly.events.v1 import events_pb2
from onceonly.gateway.store import audit_table
from onceonly.receipts.v1 import receipts_pb2
from onceonly.results.v1 import results_pb2, results_pb2_grpc
from tests.gateway.conftest import Gateway, LookupServer, auth

# Civil status extract copy: "to_khai" accepts no result, "giay_khai_sinh" a birth certificate.
PROCEDURE = "2.000635"


@pytest.fixture(scope="module")
def results(lookup_server: LookupServer) -> Iterator[results_pb2_grpc.DigitizedResultsStub]:
    with grpc.insecure_channel(lookup_server.target) as channel:
        yield results_pb2_grpc.DigitizedResultsStub(channel)


def _without_birth_certificate(stub: results_pb2_grpc.DigitizedResultsStub, citizens: list[str]) -> str:
    for pid in citizens:
        held = stub.ListResults(
            results_pb2.ListResultsRequest(owner_personal_id=pid, result_type="birth_certificate")
        )
        if not held.results:
            return pid
    pytest.fail("every sampled citizen holds a birth certificate")


def _register(
    stub: results_pb2_grpc.DigitizedResultsStub,
    owner: str,
    issuer: str,
    issued_on: str,
    valid_until: str = "",
) -> str:
    result_id = f"TEST-BC-{uuid.uuid4().hex[:12]}"
    stub.RegisterResult(
        results_pb2.RegisterResultRequest(
            result=results_pb2.Result(
                result_id=result_id,
                result_type="birth_certificate",
                owner_personal_id=owner,
                title="Giấy khai sinh",
                issuing_agency=issuer,
                document_number=result_id,
                issued_on=issued_on,
                valid_until=valid_until,
                content_sha256=hashlib.sha256(result_id.encode()).hexdigest(),
            )
        )
    )
    return result_id


def _receive(
    gateway: Gateway, key: str, dossier_id: str, pid: str, *components: dict[str, Any], **extra: Any
) -> None:
    body = {
        "dossier_id": dossier_id,
        "procedure_code": PROCEDURE,
        "applicant_personal_id": pid,
        "channel": "online",
        "components": [{"code": "to_khai", "state": 1}, *components],
        **extra,
    }
    r = gateway.client.post("/v1/dossiers", json=body, headers=auth(key))
    assert r.status_code == 201, r.text


def _components(gateway: Gateway, dossier_id: str) -> dict[str, events_pb2.DossierComponent]:
    with gateway.engine.connect() as conn:
        values = conn.execute(
            select(outbox_table.c.value).where(outbox_table.c.key == dossier_id.encode())
        ).scalars()
        (envelope,) = [decode(v) for v in values]
    return {c.code: c for c in envelope.dossier_received.components}


def _reuse_checks(gateway: Gateway, dossier_id: str) -> list[str]:
    with gateway.engine.connect() as conn:
        rows = conn.execute(
            select(audit_table.c.action, audit_table.c.outcome).where(audit_table.c.dossier_id == dossier_id)
        ).all()
    return [outcome for action, outcome in rows if action == "dossier.reuse_check"]


def test_the_receipt_says_which_asked_components_a_held_result_would_have_spared(
    sqlite_gateway: Gateway, lookup_server: LookupServer, results: results_pb2_grpc.DigitizedResultsStub
) -> None:
    gw = sqlite_gateway
    key = gw.agency("HN-01")
    pid = _without_birth_certificate(results, lookup_server.citizens)
    calls: list[object] = []
    lookup = gw.client.app.state.runtime.lookup  # type: ignore[attr-defined]
    check_receipt = lookup.check_receipt

    async def counted(applicant: str, received_at: Any, **kwargs: Any) -> receipts_pb2.CheckReceiptResponse:
        calls.append(list(kwargs.get("held_result_types", ())))
        answer: receipts_pb2.CheckReceiptResponse = await check_receipt(applicant, received_at, **kwargs)
        return answer

    def elsewhere(name: str) -> Any:
        async def call(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return await getattr(type(lookup), name)(lookup, *args, **kwargs)

        return call

    lookup.check_receipt = counted
    for name in ("get_citizen", "get_result", "list_results"):
        setattr(lookup, name, elsewhere(name))

    # Only an expired certificate: nothing could have been reused.
    _register(results, pid, "UBND-OLD", "2010-01-04", valid_until="2015-01-04")
    _receive(gw, key, "HN-01-RA-1", pid, {"code": "giay_khai_sinh", "state": 0})
    assert _components(gw, "HN-01-RA-1")["giay_khai_sinh"].reusable_result_available is False
    assert _reuse_checks(gw, "HN-01-RA-1") == ["miss"]

    valid = _register(results, pid, "UBND-PHUONG-1", "2024-03-01")
    # Received before the certificate was issued (an import): not held then.
    _receive(
        gw,
        key,
        "HN-01-RA-2",
        pid,
        {"code": "giay_khai_sinh", "state": 1},
        received_at="2024-01-15T10:00:00+07:00",
    )
    assert _components(gw, "HN-01-RA-2")["giay_khai_sinh"].reusable_result_available is False

    # Received today, on paper and as an upload: each could have reused the certificate.
    for dossier_id, state in (("HN-01-RA-3", 0), ("HN-01-RA-4", 1)):
        _receive(gw, key, dossier_id, pid, {"code": "giay_khai_sinh", "state": state})
        components = _components(gw, dossier_id)
        assert components["giay_khai_sinh"].reusable_result_available is True
        # The declaration accepts no result: never avoidable.
        assert components["to_khai"].reusable_result_available is False
        assert components["giay_khai_sinh"].result_issuer == ""
        assert _reuse_checks(gw, dossier_id) == ["hit"]

    # Reused: the issuer of the result is named; the component was not asked again.
    _receive(gw, key, "HN-01-RA-5", pid, {"code": "giay_khai_sinh", "state": 3, "result_id": valid})
    reused = _components(gw, "HN-01-RA-5")["giay_khai_sinh"]
    assert (reused.result_issuer, reused.reusable_result_available) == ("UBND-PHUONG-1", False)

    # Nothing filed asks for a result type: lookup is not asked, and nothing is audited of it.
    _receive(gw, key, "HN-01-RA-6", pid)
    assert _components(gw, "HN-01-RA-6")["to_khai"].reusable_result_available is False
    assert _reuse_checks(gw, "HN-01-RA-6") == []
    assert _reuse_checks(gw, "HN-01-RA-5") == []

    # One call to lookup per receipt, whatever its number of components; the held types are asked
    # only by the receipts that filed a component on paper or as an upload accepting one.
    assert calls == [["birth_certificate"]] * 4 + [[], []]


def test_a_revoked_result_spares_nothing_after_its_revocation(
    sqlite_gateway: Gateway, lookup_server: LookupServer, results: results_pb2_grpc.DigitizedResultsStub
) -> None:
    gw = sqlite_gateway
    key = gw.agency("HN-02")
    pid = _without_birth_certificate(results, lookup_server.citizens[::-1])
    revoked = _register(results, pid, "UBND-PHUONG-2", "2020-05-05")
    results.RevokeResult(results_pb2.RevokeResultRequest(result_id=revoked, reason="issued in error"))
    _receive(gw, key, "HN-02-RA-1", pid, {"code": "giay_khai_sinh", "state": 1})
    assert _components(gw, "HN-02-RA-1")["giay_khai_sinh"].reusable_result_available is False
