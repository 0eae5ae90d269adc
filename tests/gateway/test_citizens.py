"""Citizen lookups: purpose binding, minimization per procedure, malformed ids, audit headers."""

from __future__ import annotations

import base64

import pytest

from onceonly.gateway.agencies import Scope
from onceonly.gateway.audit import verify_chain
from onceonly.gateway.problems import PROBLEM_BASE
from tests.gateway.conftest import Gateway, LookupServer, auth


def test_a_lookup_returns_only_the_procedures_fields_and_is_audited(
    gateway: Gateway, lookup_server: LookupServer
) -> None:
    key = gateway.agency("HN-01")
    pid = lookup_server.citizens[0]
    # 2.000635 (civil status extract copy) may read identity and parents, not addresses.
    r = gateway.client.get(f"/v1/citizens/{pid}", headers=gateway.open(key, pid, procedure="2.000635"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body["fields"]) == {"full_name", "date_of_birth", "sex", "nationality", "father", "mother"}
    # A parent the registry does not hold is absent, never rendered as protobuf zeros.
    assert {"full_name", "date_of_birth", "sex", "nationality"} <= set(body["citizen"]) <= set(body["fields"])
    for parent in ("father", "mother"):
        if parent in body["citizen"]:
            assert body["citizen"][parent]["full_name"]
    assert body["citizen"]["full_name"]
    assert len(r.headers["X-Audit-Hash"]) == 64
    assert r.headers["X-Request-Id"]
    assert verify_chain(gateway.engine).records == 2  # the intake and the read


def test_fields_narrow_the_entitlement_and_never_widen_it(
    gateway: Gateway, lookup_server: LookupServer
) -> None:
    key = gateway.agency("HN-01")
    pid = lookup_server.citizens[1]
    r = gateway.client.get(
        f"/v1/citizens/{pid}",
        params={"fields": "full_name,current_address.province,religion"},
        headers=gateway.open(key, pid, procedure="1.004227"),  # residence confirmation: no religion
    )
    assert r.status_code == 200, r.text
    assert r.json()["fields"] == ["current_address.province", "full_name"]
    assert set(r.json()["citizen"]["current_address"]) == {"province"}


def test_fields_outside_the_entitlement_only_are_refused_and_recorded(
    sqlite_gateway: Gateway, lookup_server: LookupServer
) -> None:
    key = sqlite_gateway.agency("HN-01")
    pid = lookup_server.citizens[0]
    r = sqlite_gateway.client.get(
        f"/v1/citizens/{pid}",
        params={"fields": "religion"},
        headers=sqlite_gateway.open(key, pid, procedure="2.000635"),
    )
    assert r.status_code == 403
    assert r.json()["type"] == PROBLEM_BASE + "fields-not-permitted"
    assert r.headers["content-type"].startswith("application/problem+json")
    assert len(r.headers["X-Audit-Hash"]) == 64


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"X-Procedure-Code": "1.004873"}, 400),
        ({"X-Dossier-Id": "HN-01-D-1"}, 400),
        ({}, 400),
        ({"X-Dossier-Id": "HN-01-D-1", "X-Procedure-Code": "9.999999"}, 400),
    ],
)
def test_data_requests_need_a_purpose(
    sqlite_gateway: Gateway, lookup_server: LookupServer, headers: dict[str, str], status: int
) -> None:
    key = sqlite_gateway.agency("HN-01")
    r = sqlite_gateway.client.get(
        f"/v1/citizens/{lookup_server.citizens[0]}",
        headers={"Authorization": f"Bearer {key}", **headers},
    )
    assert r.status_code == status
    expected = (
        "unknown-procedure"
        if "X-Procedure-Code" in headers and "X-Dossier-Id" in headers
        else "missing-purpose"
    )
    assert r.json()["type"] == PROBLEM_BASE + expected
    assert verify_chain(sqlite_gateway.engine).records == 0


@pytest.mark.parametrize(
    ("personal_id", "part"),
    [
        ("12345", "length"),
        ("00109001234x", "digits"),
        ("999090012345", "province"),
        ("001990012345", "century_sex"),
    ],
)
def test_malformed_ids_get_the_parsers_reason(sqlite_gateway: Gateway, personal_id: str, part: str) -> None:
    key = sqlite_gateway.agency("HN-01")
    r = sqlite_gateway.client.get(f"/v1/citizens/{personal_id}", headers=auth(key))
    assert r.status_code == 400
    assert r.json()["type"] == PROBLEM_BASE + "invalid-personal-id"
    assert r.json()["part"] == part
    assert r.json()["detail"]


def test_an_unknown_citizen_is_a_404_and_a_recorded_miss(sqlite_gateway: Gateway) -> None:
    key = sqlite_gateway.agency("HN-01")
    r = sqlite_gateway.client.get(
        "/v1/citizens/001090999999", headers=sqlite_gateway.open(key, "001090999999")
    )
    assert r.status_code == 404
    assert r.json()["type"] == PROBLEM_BASE + "citizen-not-found"
    log = sqlite_gateway.client.get(
        "/v1/access-log", params={"personal_id": "001090999999"}, headers=auth(key)
    ).json()
    # Newest first: the miss, then the intake that opened the dossier.
    assert [(a["action"], a["outcome"]) for a in log["accesses"]] == [
        ("citizen.read", "miss"),
        ("dossier.intake", "opened"),
    ]


def test_verify_answers_per_field_without_disclosing(
    sqlite_gateway: Gateway, lookup_server: LookupServer
) -> None:
    key = sqlite_gateway.agency("HN-01", scopes=[Scope.POPULATION_VERIFY, Scope.POPULATION_READ])
    pid = lookup_server.citizens[2]
    headers = sqlite_gateway.open(key, pid, procedure="2.000635")
    real = sqlite_gateway.client.get(f"/v1/citizens/{pid}", headers=headers).json()
    name, dob = real["citizen"]["full_name"], real["citizen"]["date_of_birth"]
    r = sqlite_gateway.client.post(
        "/v1/citizens/verify",
        json={"personal_id": pid, "claims": {"full_name": name.upper(), "date_of_birth": "1900-01-01"}},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    assert r.json() == {
        "match": dob == "1900-01-01",
        "field_matches": {"full_name": True, "date_of_birth": dob == "1900-01-01"},
    }


def test_the_access_log_lists_who_read_what(sqlite_gateway: Gateway, lookup_server: LookupServer) -> None:
    reader = sqlite_gateway.agency("HN-01", scopes=[Scope.POPULATION_READ, Scope.DOSSIERS_WRITE])
    auditor = sqlite_gateway.agency("OVERSIGHT", scopes=[Scope.AUDIT_OVERSIGHT])
    pid = lookup_server.citizens[3]
    headers = sqlite_gateway.open(reader, pid, dossier="HN-01-D-77", procedure="2.000635")
    sqlite_gateway.client.get(f"/v1/citizens/{pid}", headers={**headers, "X-Officer-Id": "can-bo-07"})
    log = sqlite_gateway.client.get("/v1/access-log", params={"personal_id": pid}, headers=auth(auditor))
    assert log.status_code == 200
    assert log.json()["scope"] == "all"
    access, intake = log.json()["accesses"]
    assert intake["action"] == "dossier.intake"
    assert access["agency_code"] == "HN-01"
    assert access["officer_id"] == "can-bo-07"
    assert access["dossier_id"] == "HN-01-D-77"
    assert access["procedure_code"] == "2.000635"
    assert "full_name" in access["fields"]


@pytest.mark.parametrize("before", [0, -1, 10**18, 2**63, 10**19 - 1, 2**64])
def test_an_access_log_token_out_of_the_issued_range_is_a_bad_request(
    sqlite_gateway: Gateway, before: int
) -> None:
    """Tokens carry an audit sequence number, positive and below 10**18 as the document says; a forged
    one beyond what the store can hold is refused at the door, not passed to the query (a 500)."""
    auditor = sqlite_gateway.agency("OVERSIGHT", scopes=[Scope.AUDIT_OVERSIGHT])
    forged = base64.urlsafe_b64encode(b'{"before":%d}' % before).decode().rstrip("=")
    r = sqlite_gateway.client.get(
        "/v1/access-log",
        params={"personal_id": "001090999999", "page_token": forged},
        headers=auth(auditor),
    )
    assert r.status_code == 400, r.text
    assert r.json()["type"] == PROBLEM_BASE + "bad-request"


@pytest.mark.parametrize("before", [2**31 - 1, 2**31, 10**18 - 1])
def test_an_access_log_token_beyond_every_record_reads_the_first_page(
    gateway: Gateway, lookup_server: LookupServer, before: int
) -> None:
    """A token the document allows, naming a sequence number larger than any record (and than the
    PostgreSQL key holds), is before every record: the first page, on SQLite and PostgreSQL alike."""
    reader = gateway.agency("HN-01", scopes=[Scope.POPULATION_READ])
    auditor = gateway.agency("OVERSIGHT", scopes=[Scope.AUDIT_OVERSIGHT])
    pid = lookup_server.citizens[4]
    gateway.open(reader, pid, dossier="HN-01-D-78", procedure="2.000635")
    token = base64.urlsafe_b64encode(b'{"before":%d}' % before).decode().rstrip("=")
    first = gateway.client.get("/v1/access-log", params={"personal_id": pid}, headers=auth(auditor))
    paged = gateway.client.get(
        "/v1/access-log", params={"personal_id": pid, "page_token": token}, headers=auth(auditor)
    )
    assert paged.status_code == 200, paged.text
    # Every record so far, newest first: the first read (itself an access), then the intake.
    assert [a["action"] for a in paged.json()["accesses"]] == ["access_log.read", "dossier.intake"]
    assert paged.json()["accesses"][1:] == first.json()["accesses"]
