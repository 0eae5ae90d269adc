"""Dossier receipts: idempotency, conflicts, component checks and non-jurisdictional decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from onceonly.gateway.problems import PROBLEM_BASE
from tests.gateway.conftest import Gateway, LookupServer, auth

# Civil status extract copy: allows non-jurisdictional; its optional component takes a birth certificate.
OPEN_PROCEDURE = "2.000635"
# Birth registration: only in the applicant's residence province.
LOCAL_PROCEDURE = "1.001193"


def residence(gateway: Gateway, key: str, pid: str, agency: str = "PROBE") -> str:
    r = gateway.client.get(
        f"/v1/citizens/{pid}",
        params={"fields": "current_address.province"},
        headers=gateway.open(key, pid, dossier=f"{agency}-RES-{pid}", procedure="1.004227"),
    )
    assert r.status_code == 200, r.text
    return str(r.json()["citizen"]["current_address"]["province"])


def other_province(province: str) -> str:
    return "Cà Mau" if province != "Cà Mau" else "Hà Nội"


def dossier(dossier_id: str, pid: str, procedure: str = OPEN_PROCEDURE, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "dossier_id": dossier_id,
        "procedure_code": procedure,
        "applicant_personal_id": pid,
        "channel": "online",
        "fee_paid_online": True,
        "components": [{"code": "to_khai", "state": 1}],
    }
    body.update(extra)
    return body


def test_the_same_receipt_twice_answers_the_same_and_a_different_one_conflicts(
    gateway: Gateway, lookup_server: LookupServer
) -> None:
    key = gateway.agency("HN-01")
    pid = lookup_server.citizens[0]
    body = dossier("HN-01-D-IDEM-1", pid, received_at="2025-08-01T09:00:00+07:00")
    first = gateway.client.post("/v1/dossiers", json=body, headers=auth(key))
    assert first.status_code == 201, first.text
    again = gateway.client.post("/v1/dossiers", json=body, headers=auth(key))
    assert again.status_code == 200
    assert again.json() == first.json()
    changed = gateway.client.post("/v1/dossiers", json={**body, "channel": "counter"}, headers=auth(key))
    assert changed.status_code == 409
    assert changed.json()["type"] == PROBLEM_BASE + "dossier-conflict"
    assert first.json()["fee"] == 8000
    # Friday 1 August, one working day: due at the end of Monday 4 August, Vietnam time.
    assert first.json()["due_at"] == "2025-08-04T16:59:59Z"


def test_another_agency_cannot_take_or_resolve_a_dossier(
    gateway: Gateway, lookup_server: LookupServer
) -> None:
    mine = gateway.agency("HN-01")
    theirs = gateway.agency("HN-02")
    body = dossier("HN-01-D-OWN-1", lookup_server.citizens[0])
    assert gateway.client.post("/v1/dossiers", json=body, headers=auth(mine)).status_code == 201
    # Dossier ids begin with their agency's code: another agency cannot take one, received or not.
    taken = gateway.client.post("/v1/dossiers", json=body, headers=auth(theirs))
    assert taken.status_code == 403
    assert taken.json()["type"] == PROBLEM_BASE + "not-your-dossier"
    squat = gateway.client.post(
        "/v1/dossiers", json=dossier("HN-01-D-NOT-YET", lookup_server.citizens[0]), headers=auth(theirs)
    )
    assert squat.status_code == 403
    r = gateway.client.post(
        "/v1/dossiers/HN-01-D-OWN-1/resolution", json={"outcome": "approved"}, headers=auth(theirs)
    )
    assert r.status_code == 403
    assert r.json()["type"] == PROBLEM_BASE + "not-your-dossier"
    # One never received answers the same, not a 404: whether it exists is not another agency's to know.
    r = gateway.client.post(
        "/v1/dossiers/HN-01-D-NOT-YET/resolution", json={"outcome": "approved"}, headers=auth(theirs)
    )
    assert r.status_code == 403, r.text
    assert r.json()["type"] == PROBLEM_BASE + "not-your-dossier"


def test_resolution_is_idempotent_and_conflicts_when_changed(
    sqlite_gateway: Gateway, lookup_server: LookupServer
) -> None:
    key = sqlite_gateway.agency("HN-01")
    now = datetime.now(UTC)
    received = sqlite_gateway.client.post(
        "/v1/dossiers",
        json=dossier(
            "HN-01-D-RES-1", lookup_server.citizens[0], received_at=(now - timedelta(days=60)).isoformat()
        ),
        headers=auth(key),
    )
    assert received.status_code == 201, received.text
    late = (now - timedelta(days=1)).isoformat()
    body = {"outcome": "approved", "resolved_at": late, "result_electronic": True}
    first = sqlite_gateway.client.post("/v1/dossiers/HN-01-D-RES-1/resolution", json=body, headers=auth(key))
    assert first.status_code == 201, first.text
    assert first.json()["on_time"] is False
    assert (
        sqlite_gateway.client.post(
            "/v1/dossiers/HN-01-D-RES-1/resolution", json=body, headers=auth(key)
        ).json()
        == first.json()
    )
    other = sqlite_gateway.client.post(
        "/v1/dossiers/HN-01-D-RES-1/resolution", json={**body, "outcome": "rejected"}, headers=auth(key)
    )
    assert other.status_code == 409
    missing = sqlite_gateway.client.post("/v1/dossiers/HN-01-NOPE/resolution", json=body, headers=auth(key))
    assert missing.status_code == 404
    assert missing.json()["type"] == PROBLEM_BASE + "dossier-not-found"


@pytest.mark.parametrize("same_province", [True, False])
def test_the_gateway_decides_non_jurisdiction(
    sqlite_gateway: Gateway, lookup_server: LookupServer, same_province: bool
) -> None:
    pid = lookup_server.citizens[4]
    probe = sqlite_gateway.agency("PROBE")
    home = residence(sqlite_gateway, probe, pid)
    key = sqlite_gateway.agency("DESK", province=home if same_province else other_province(home))
    r = sqlite_gateway.client.post("/v1/dossiers", json=dossier("DESK-NJ", pid), headers=auth(key))
    assert r.status_code == 201, r.text
    assert r.json()["non_jurisdictional"] is (not same_province)
    assert r.json()["applicant_residence_province"] == home
    local = sqlite_gateway.client.post(
        "/v1/dossiers",
        json=dossier(
            "DESK-LOCAL",
            pid,
            LOCAL_PROCEDURE,
            components=[{"code": "to_khai", "state": 0}, {"code": "giay_chung_sinh", "state": 1}],
        ),
        headers=auth(key),
    )
    if same_province:
        assert local.status_code == 201, local.text
    else:
        assert local.status_code == 422
        assert local.json()["type"] == PROBLEM_BASE + "non-jurisdictional-not-allowed"


def _birth_certificate(gateway: Gateway, key: str, lookup_server: LookupServer) -> tuple[str, dict[str, Any]]:
    for pid in lookup_server.citizens:
        # 2.000635 (civil status extract copy) accepts a birth certificate, so it may list them.
        headers = gateway.open(key, pid, dossier=f"HN-01-BC-{pid}", procedure=OPEN_PROCEDURE)
        r = gateway.client.get(
            f"/v1/citizens/{pid}/results", params={"result_type": "birth_certificate"}, headers=headers
        )
        valid = [x for x in r.json()["results"] if x["status"] == "valid"]
        if valid:
            return pid, valid[0]
    pytest.fail("the seeded store has no valid birth certificate")


def test_reused_results_must_exist_belong_to_the_applicant_and_fit(
    sqlite_gateway: Gateway, lookup_server: LookupServer
) -> None:
    key = sqlite_gateway.agency("HN-01")
    pid, certificate = _birth_certificate(sqlite_gateway, key, lookup_server)
    stranger = next(p for p in lookup_server.citizens if p != pid)
    reuse = {"code": "giay_khai_sinh", "state": 3, "result_id": certificate["result_id"]}
    ok = sqlite_gateway.client.post(
        "/v1/dossiers",
        json=dossier("HN-01-D-REUSE-1", pid, components=[{"code": "to_khai", "state": 1}, reuse]),
        headers=auth(key),
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["components"][1]["result_type"] == "birth_certificate"

    cases = [
        (stranger, reuse, "does not belong to the applicant"),
        (pid, {**reuse, "result_id": "NO-SUCH-RESULT"}, "does not exist"),
        (pid, {"code": "giay_khai_sinh", "state": 3}, "needs result_id"),
        (pid, {"code": "no_such_component", "state": 1}, "no such component"),
    ]
    for i, (applicant, component, reason) in enumerate(cases):
        r = sqlite_gateway.client.post(
            "/v1/dossiers",
            json=dossier(
                f"HN-01-D-BAD-{i}", applicant, components=[{"code": "to_khai", "state": 1}, component]
            ),
            headers=auth(key),
        )
        assert r.status_code == 422, r.text
        assert r.json()["type"] == PROBLEM_BASE + "invalid-component"
        assert r.json()["component"] == component["code"]
        assert reason in r.json()["detail"]
    missing_required = sqlite_gateway.client.post(
        "/v1/dossiers", json=dossier("HN-01-D-BAD-REQ", pid, components=[]), headers=auth(key)
    )
    assert missing_required.status_code == 422
    assert missing_required.json()["component"] == "to_khai"
