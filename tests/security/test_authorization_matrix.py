"""Authorization beyond tests/gateway/test_authorization.py: every route covered, every scope refused
when it is the one missing, across agencies, and revocation at once in a multi-worker gateway.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from onceonly.gateway.agencies import Scope
from onceonly.gateway.problems import PROBLEM_BASE
from tests.gateway.conftest import Gateway, LookupServer, auth, make_gateway
from tests.gateway.test_authorization import ROUTES, _fill
from tests.security.conftest import GatewayProcess

OPEN_PROCEDURE = "2.000635"  # civil status extract copy: non-jurisdictional allowed
OPS_ROUTES = {("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics")}


@pytest.fixture
def gw(sqlite_url: str, lookup_server: LookupServer) -> Iterator[Gateway]:
    yield from make_gateway(sqlite_url, lookup_server.target)


def _template(path: str) -> str:
    path = path.partition("?")[0].replace("{pid}", "{personal_id}")
    return path.replace("NO-SUCH", "{result_id}").replace("D-AUTHZ", "{dossier_id}")


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
    keys = {s: gw.agency(f"ALL-BUT-{i}", scopes=[o for o in Scope if o != s]) for i, s in enumerate(Scope)}
    for method, path, body, needed in ROUTES:
        r = gw.client.request(method, _fill(path, pid), json=_fill(body, pid), headers=auth(keys[needed]))
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
    purpose_bound = [r for r in ROUTES if r[3] in (Scope.POPULATION_READ, Scope.POPULATION_VERIFY,
                                                   Scope.RESULTS_READ, Scope.RESULTS_WRITE)]  # fmt: skip
    assert len(purpose_bound) == 6
    for method, path, body, _ in purpose_bound:
        for headers in (auth(key, dossier=None), auth(key, procedure=None)):
            r = gw.client.request(method, _fill(path, pid), json=_fill(body, pid), headers=headers)
            assert r.status_code == 400, (method, path, r.text)
            assert r.json()["type"] == PROBLEM_BASE + "missing-purpose"
        r = gw.client.request(
            method, _fill(path, pid), json=_fill(body, pid), headers=auth(key, procedure="9.999999")
        )
        assert r.status_code == 400
        assert r.json()["type"] == PROBLEM_BASE + "unknown-procedure"


def test_the_access_log_names_each_agency_and_needs_audit_read(
    gw: Gateway, lookup_server: LookupServer
) -> None:
    pid = lookup_server.citizens[8]
    first = gw.agency("HN-01", scopes=[Scope.POPULATION_READ])
    second = gw.agency("HCM-01", province="Hồ Chí Minh", scopes=[Scope.POPULATION_READ, Scope.RESULTS_READ])
    auditor = gw.agency("AUDIT", scopes=[Scope.AUDIT_READ])
    headers = auth(first, dossier="D-A-1", procedure=OPEN_PROCEDURE)
    assert gw.client.get(f"/v1/citizens/{pid}", headers=headers).status_code == 200
    headers = auth(second, dossier="D-B-1", procedure=OPEN_PROCEDURE)
    assert gw.client.get(f"/v1/citizens/{pid}/results", headers=headers).status_code == 200
    # Reading citizens does not open their access log, whatever else the key holds.
    for key in (first, second):
        r = gw.client.get("/v1/access-log", params={"personal_id": pid}, headers=auth(key))
        assert r.status_code == 403
    r = gw.client.get("/v1/access-log", params={"personal_id": pid}, headers=auth(auditor))
    assert r.status_code == 200, r.text
    accesses = r.json()["accesses"]
    assert [(a["agency_code"], a["dossier_id"], a["action"]) for a in accesses] == [
        ("HN-01", "D-A-1", "citizen.read"),
        ("HCM-01", "D-B-1", "results.list"),
    ]
    # Another citizen's log holds none of these.
    other = lookup_server.citizens[9]
    r = gw.client.get("/v1/access-log", params={"personal_id": other}, headers=auth(auditor))
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
    headers = auth(writer, procedure=OPEN_PROCEDURE)
    # A body naming another issuer is refused outright, not silently trusted.
    for name in ("issuing_agency", "issuingAgency"):
        r = gw.client.post("/v1/results", json={**body, name: "SOMEONE-ELSE"}, headers=headers)
        assert r.status_code == 422, r.text
    r = gw.client.post("/v1/results", json=body, headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["result"]["issuing_agency"] == "HN-WRITER"
    r = gw.client.get("/v1/results/SEC-ISSUER-1", headers=auth(reader, procedure=OPEN_PROCEDURE))
    assert r.status_code == 200
    assert r.json()["issuing_agency"] == "HN-WRITER"
    # A second agency registering the same id with its own name does not take it over.
    other = gw.agency("DN-WRITER", province="Đà Nẵng", scopes=[Scope.RESULTS_WRITE])
    r = gw.client.post("/v1/results", json=body, headers=auth(other, procedure=OPEN_PROCEDURE))
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
    url = f"/v1/citizens/{lookup_server.citizens[0]}"
    headers = auth(key, procedure=OPEN_PROCEDURE)
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
        assert all(
            client.get(url, headers=auth(kept, procedure=OPEN_PROCEDURE)).status_code == 200
            for client in pinned
        )
        assert time.monotonic() - revoked_at < 30
    finally:
        for client in pinned:
            client.close()
