"""Authorization beyond tests/gateway/test_authorization.py: every route covered, every scope refused
when it is the one missing, across agencies (another agency's dossier on every route), the access log
per agency and for oversight, and revocation at once in a multi-worker gateway.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from onceonly.gateway.agencies import Scope
from onceonly.gateway.problems import PROBLEM_BASE
from tests.gateway.conftest import Gateway, LookupServer, auth, make_gateway
from tests.gateway.test_authorization import AUDIT_SCOPES, ROUTES, _fill
from tests.security.conftest import GatewayProcess

OPEN_PROCEDURE = "2.000635"  # civil status extract copy: non-jurisdictional allowed
OPS_ROUTES = {("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics")}
# Routes whose requests name a dossier and procedure in their headers (X-Dossier-Id, X-Procedure-Code).
DATA_SCOPES = frozenset(
    {Scope.POPULATION_READ, Scope.POPULATION_VERIFY, Scope.RESULTS_READ, Scope.RESULTS_WRITE}
)
PURPOSE_BOUND = [r for r in ROUTES if r[3] <= DATA_SCOPES]


@pytest.fixture
def gw(sqlite_url: str, lookup_server: LookupServer) -> Iterator[Gateway]:
    yield from make_gateway(sqlite_url, lookup_server.target)


def _template(path: str) -> str:
    path = path.partition("?")[0].replace("{pid}", "{personal_id}")
    return re.sub(r"\{agency\}-AUTHZ(-2)?", "{dossier_id}", path.replace("NO-SUCH", "{result_id}"))


def _open(gw: Gateway, key: str, dossier: str, applicant: str, procedure: str = OPEN_PROCEDURE) -> None:
    r = gw.client.post(
        f"/v1/dossiers/{dossier}/intake",
        json={"procedure_code": procedure, "applicant_personal_id": applicant},
        headers=auth(key),
    )
    assert r.status_code in (200, 201), r.text


def test_the_matrix_covers_every_route_of_the_openapi(gw: Gateway) -> None:
    documented = {
        (method.upper(), path)
        for path, item in gw.client.get("/openapi.json").json()["paths"].items()
        for method in item
    }
    in_matrix = {(method, _template(path)) for method, path, _, _ in ROUTES}
    assert documented - OPS_ROUTES == in_matrix
    # The operations routes disclose nothing personal and are open to probes.
    for method, path in OPS_ROUTES:
        assert gw.client.request(method, path).status_code in (200, 503)


def test_a_key_with_every_scope_but_the_one_needed_is_refused(
    gw: Gateway, lookup_server: LookupServer
) -> None:
    pid = lookup_server.citizens[7]
    # A route any of several scopes opens (the access log: audit:read or audit:oversight) is refused to
    # a key holding every scope but those.
    needs = sorted({needed for *_, needed in ROUTES}, key=sorted)
    codes = {needed: f"ALL-BUT-{i}" for i, needed in enumerate(needs)}
    keys = {
        needed: gw.agency(codes[needed], scopes=[s for s in Scope if s not in needed]) for needed in needs
    }
    for needed, key in keys.items():
        # Its own dossier, opened for the subject: nothing but the missing scope stands in the way.
        if set(Scope) - needed - AUDIT_SCOPES:
            _open(gw, key, f"{codes[needed]}-AUTHZ", pid)
    for method, path, body, needed in ROUTES:
        code = codes[needed]
        r = gw.client.request(
            method,
            _fill(path, pid, code),
            json=_fill(body, pid, code),
            headers=auth(keys[needed], dossier=f"{code}-AUTHZ", procedure=OPEN_PROCEDURE),
        )
        assert r.status_code == 403, (method, path, r.text)
        assert r.json()["type"] == PROBLEM_BASE + "insufficient-scope"


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic {key}",
        "Bearer",
        "Bearer ",
        "{key}",
        "Bearer {key}x",
        "Bearer x{key}",
        "Bearer {upper}",
        "Bearer oo_0000000000000000_{secret}",
        "Bearer {key} {key}",
    ],
)
def test_only_the_exact_key_as_a_bearer_token_authenticates(
    gw: Gateway, lookup_server: LookupServer, authorization: str
) -> None:
    key = gw.agency("HN-01")
    secret = key.split("_", 2)[2]
    value = authorization.format(key=key, upper=key.upper(), secret=secret)
    url = f"/v1/citizens/{lookup_server.citizens[0]}"
    headers = {**auth(key, procedure=OPEN_PROCEDURE), "Authorization": value}
    r = gw.client.get(url, headers=headers)
    assert r.status_code == 401, (value, r.text)
    assert r.json()["type"] == PROBLEM_BASE + "unauthenticated"
    # Nor does a key anywhere else than the Authorization header.
    r = gw.client.get(url, params={"api_key": key}, headers={**auth(key, procedure=OPEN_PROCEDURE),
                                                              "Authorization": ""})  # fmt: skip
    assert r.status_code == 401


def test_data_routes_need_their_purpose_and_unknown_procedures_are_refused(
    gw: Gateway, lookup_server: LookupServer
) -> None:
    key = gw.agency("HN-01")
    pid = lookup_server.citizens[0]
    _open(gw, key, "HN-01-AUTHZ", pid)
    assert len(PURPOSE_BOUND) == 6
    for method, path, body, _ in PURPOSE_BOUND:
        url, payload = _fill(path, pid), _fill(body, pid)
        for headers in (auth(key, dossier=None), auth(key, procedure=None)):
            r = gw.client.request(method, url, json=payload, headers=headers)
            assert r.status_code == 400, (method, path, r.text)
            assert r.json()["type"] == PROBLEM_BASE + "missing-purpose"
        r = gw.client.request(
            method, url, json=payload, headers=auth(key, dossier="HN-01-AUTHZ", procedure="9.999999")
        )
        assert r.status_code == 400
        assert r.json()["type"] == PROBLEM_BASE + "unknown-procedure"


def _problem(r: Any) -> tuple[int, str]:
    return r.status_code, r.json()["type"].removeprefix(PROBLEM_BASE)


def test_another_agencys_dossier_is_refused_on_every_route(gw: Gateway, lookup_server: LookupServer) -> None:
    """A dossier id names its agency: another agency can neither open, use, receive nor resolve it,
    whether it was opened, received, or neither; and a dossier of one's own is held to its intake."""
    pid = lookup_server.citizens[0]
    mine, theirs = gw.agency("HN-01"), gw.agency("HN-02")
    _open(gw, mine, "HN-01-AUTHZ", pid)
    receipt = {"dossier_id": "HN-01-AUTHZ-R", "procedure_code": OPEN_PROCEDURE, "applicant_personal_id": pid,
               "channel": "online", "components": [{"code": "to_khai", "state": 1}]}  # fmt: skip
    assert gw.client.post("/v1/dossiers", json=receipt, headers=auth(mine)).status_code == 201
    for dossier in ("HN-01-AUTHZ", "HN-01-AUTHZ-R", "HN-01-NEVER", "NO-AGENCY-1"):
        for method, path, body, _ in PURPOSE_BOUND:
            headers = auth(theirs, dossier=dossier, procedure=OPEN_PROCEDURE)
            r = gw.client.request(method, _fill(path, pid), json=_fill(body, pid), headers=headers)
            assert _problem(r) == (403, "not-your-dossier"), (dossier, method, path, r.text)
            assert r.headers["X-Audit-Hash"], "a refusal is audited"
        intake = {"procedure_code": OPEN_PROCEDURE, "applicant_personal_id": pid}
        r = gw.client.post(f"/v1/dossiers/{dossier}/intake", json=intake, headers=auth(theirs))
        assert _problem(r) == (403, "not-your-dossier"), (dossier, r.text)
        r = gw.client.post("/v1/dossiers", json={**receipt, "dossier_id": dossier}, headers=auth(theirs))
        assert _problem(r) == (403, "not-your-dossier"), (dossier, r.text)
        r = gw.client.post(f"/v1/dossiers/{dossier}/resolution", json={"outcome": "approved"},
                           headers=auth(theirs))  # fmt: skip
        # Received or not, the same answer: whether another agency's dossier exists is not disclosed.
        assert _problem(r) == (403, "not-your-dossier"), (dossier, r.text)
    # Its own agency's dossiers stay as they were: the intake's binding and the receipt untouched.
    for method, path, body, _ in PURPOSE_BOUND:
        url, payload = _fill(path, pid), _fill(body, pid)
        never_opened = auth(mine, dossier="HN-01-NEVER", procedure=OPEN_PROCEDURE)
        never = gw.client.request(method, url, json=payload, headers=never_opened)
        assert _problem(never) == (404, "dossier-not-open"), (method, path, never.text)
        other_procedure = auth(mine, dossier="HN-01-AUTHZ", procedure="1.004227")
        other = gw.client.request(method, url, json=payload, headers=other_procedure)
        assert _problem(other) == (409, "procedure-mismatch"), (method, path, other.text)
    again = gw.client.post("/v1/dossiers", json=receipt, headers=auth(mine))
    assert again.status_code == 200, again.text
    assert again.json()["agency_code"] == "HN-01"


def test_the_access_log_is_per_agency_and_needs_an_audit_scope(
    gw: Gateway, lookup_server: LookupServer
) -> None:
    pid = lookup_server.citizens[8]
    first = gw.agency("HN-01", scopes=[Scope.POPULATION_READ])
    second = gw.agency("HCM-01", province="Hồ Chí Minh", scopes=[Scope.POPULATION_READ, Scope.RESULTS_READ])
    auditor = gw.agency("AUDIT", scopes=[Scope.AUDIT_READ])
    oversight = gw.agency("THANH-TRA", scopes=[Scope.AUDIT_OVERSIGHT])
    _open(gw, first, "HN-01-A-1", pid)
    headers = auth(first, dossier="HN-01-A-1", procedure=OPEN_PROCEDURE)
    assert gw.client.get(f"/v1/citizens/{pid}", headers=headers).status_code == 200
    _open(gw, second, "HCM-01-B-1", pid)
    headers = auth(second, dossier="HCM-01-B-1", procedure=OPEN_PROCEDURE)
    assert gw.client.get(f"/v1/citizens/{pid}/results", headers=headers).status_code == 200
    # Reading citizens does not open their access log, whatever else the key holds.
    for key in (first, second):
        r = gw.client.get("/v1/access-log", params={"personal_id": pid}, headers=auth(key))
        assert r.status_code == 403
        assert r.json()["type"] == PROBLEM_BASE + "insufficient-scope"
    # audit:read shows an agency its own accesses only: this one made none.
    r = gw.client.get("/v1/access-log", params={"personal_id": pid}, headers=auth(auditor))
    assert r.status_code == 200, r.text
    assert (r.json()["scope"], r.json()["accesses"]) == ("own", [])
    # audit:oversight shows every agency's, newest first: the intakes, the reads, the auditor's read.
    r = gw.client.get("/v1/access-log", params={"personal_id": pid}, headers=auth(oversight))
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == "all"
    assert [(a["agency_code"], a["dossier_id"], a["action"]) for a in r.json()["accesses"]] == [
        ("AUDIT", "", "access_log.read"),
        ("HCM-01", "HCM-01-B-1", "results.list"),
        ("HCM-01", "HCM-01-B-1", "dossier.intake"),
        ("HN-01", "HN-01-A-1", "citizen.read"),
        ("HN-01", "HN-01-A-1", "dossier.intake"),
    ]
    # Another citizen's log holds none of these.
    other = lookup_server.citizens[9]
    r = gw.client.get("/v1/access-log", params={"personal_id": other}, headers=auth(oversight))
    assert r.json()["accesses"] == []


def test_the_issuing_agency_of_a_result_is_always_the_caller(
    gw: Gateway, lookup_server: LookupServer
) -> None:
    writer = gw.agency("HN-WRITER", scopes=[Scope.RESULTS_WRITE, Scope.RESULTS_READ])
    reader = gw.agency("HCM-READER", province="Hồ Chí Minh", scopes=[Scope.RESULTS_READ])
    body = {
        "result_id": "SEC-ISSUER-1",
        "result_type": "birth_certificate",
        "owner_personal_id": lookup_server.citizens[10],
        "title": "Giấy khai sinh",
        "issued_on": "2025-08-01",
        "content_sha256": "c" * 64,
    }
    owner = body["owner_personal_id"]
    _open(gw, writer, "HN-WRITER-1", owner)
    headers = auth(writer, dossier="HN-WRITER-1", procedure=OPEN_PROCEDURE)
    # A body naming another issuer is refused outright, not silently trusted.
    for name in ("issuing_agency", "issuingAgency"):
        r = gw.client.post("/v1/results", json={**body, name: "SOMEONE-ELSE"}, headers=headers)
        assert r.status_code == 422, r.text
    r = gw.client.post("/v1/results", json=body, headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["result"]["issuing_agency"] == "HN-WRITER"
    _open(gw, reader, "HCM-READER-1", owner)
    r = gw.client.get(
        "/v1/results/SEC-ISSUER-1", headers=auth(reader, dossier="HCM-READER-1", procedure=OPEN_PROCEDURE)
    )
    assert r.status_code == 200, r.text
    assert r.json()["issuing_agency"] == "HN-WRITER"
    # A second agency registering the same id with its own name does not take it over.
    other = gw.agency("DN-WRITER", province="Đà Nẵng", scopes=[Scope.RESULTS_WRITE])
    _open(gw, other, "DN-WRITER-1", owner)
    r = gw.client.post(
        "/v1/results", json=body, headers=auth(other, dossier="DN-WRITER-1", procedure=OPEN_PROCEDURE)
    )
    assert r.status_code == 409, r.text
    assert r.json()["type"] == PROBLEM_BASE + "result-conflict"


@pytest.mark.slow
def test_a_key_revoked_by_the_cli_is_refused_at_once_by_every_worker(
    gateway_process: GatewayProcess, lookup_server: LookupServer
) -> None:
    workers = 2
    gateway_process.env["ONCEONLY_GATEWAY_WORKERS"] = str(workers)
    key = gateway_process.add_agency("HN-REVOKED", "population:read")
    kept = gateway_process.add_agency("HN-KEPT", "population:read")
    gateway_process.start()
    pid = lookup_server.citizens[0]
    url = f"/v1/citizens/{pid}"
    with gateway_process.client() as client:
        headers = gateway_process.open(client, key, pid, dossier="HN-REVOKED-1", procedure=OPEN_PROCEDURE)
        kept_headers = gateway_process.open(client, kept, pid, dossier="HN-KEPT-1", procedure=OPEN_PROCEDURE)
    # Kept-alive connections opened before the revocation, spread over the workers, with warm caches.
    pinned = [gateway_process.client() for _ in range(3 * workers)]
    try:
        for client in pinned:
            assert client.get(url, headers=headers).status_code == 200
        for _ in range(10):
            with gateway_process.client() as fresh:
                assert fresh.get(url, headers=headers).status_code == 200
        revoked_at = time.monotonic()
        assert "revoked HN-REVOKED" in gateway_process.run("agency", "revoke", "HN-REVOKED").stdout
        statuses = [client.get(url, headers=headers).status_code for client in pinned]
        for _ in range(20):
            with gateway_process.client(limits=httpx.Limits(max_keepalive_connections=0)) as fresh:
                statuses.append(fresh.get(url, headers=headers).status_code)
        assert statuses == [401] * len(statuses)
        # The other agency is untouched.
        assert all(client.get(url, headers=kept_headers).status_code == 200 for client in pinned)
        assert time.monotonic() - revoked_at < 30
    finally:
        for client in pinned:
            client.close()
