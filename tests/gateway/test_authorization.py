"""Authorization matrix: every scope against every route; missing, unknown and revoked keys."""

from __future__ import annotations

from typing import Any

import pytest

from onceonly.gateway.agencies import Scope, revoke_agency
from onceonly.gateway.problems import PROBLEM_BASE
from tests.gateway.conftest import Gateway, LookupServer, auth

PID = "{pid}"
AGENCY = "{agency}"
DOSSIER_SCOPES = frozenset({Scope.DOSSIERS_WRITE, Scope.DOSSIERS_IMPORT})
AUDIT_SCOPES = frozenset({Scope.AUDIT_READ, Scope.AUDIT_OVERSIGHT})
# Opening a dossier is the first step of any data request: every scope that serves dossiers.
INTAKE_SCOPES = frozenset(Scope) - AUDIT_SCOPES
ROUTES: list[tuple[str, str, dict[str, Any] | None, frozenset[Scope]]] = [
    ("GET", f"/v1/citizens/{PID}", None, frozenset({Scope.POPULATION_READ})),
    ("POST", "/v1/citizens/verify", {"personal_id": PID, "claims": {"full_name": "X"}},
     frozenset({Scope.POPULATION_VERIFY})),
    ("GET", f"/v1/citizens/{PID}/results", None, frozenset({Scope.RESULTS_READ})),
    ("GET", "/v1/results/NO-SUCH", None, frozenset({Scope.RESULTS_READ})),
    ("POST", "/v1/results/verify", {"content_sha256": "0" * 64}, frozenset({Scope.RESULTS_READ})),
    (
        "POST",
        "/v1/results",
        {
            "result_id": "AUTHZ-1",
            "result_type": "birth_certificate",
            "owner_personal_id": PID,
            "title": "Giấy khai sinh",
            "issued_on": "2025-08-01",
            "content_sha256": "1" * 64,
        },
        frozenset({Scope.RESULTS_WRITE}),
    ),
    ("POST", f"/v1/dossiers/{AGENCY}-AUTHZ-2/intake",
     {"procedure_code": "2.000635", "applicant_personal_id": PID}, INTAKE_SCOPES),
    (
        "POST",
        "/v1/dossiers",
        {"dossier_id": f"{AGENCY}-AUTHZ", "procedure_code": "2.000635", "applicant_personal_id": PID,
         "channel": "online", "components": [{"code": "to_khai", "state": 1}]},
        DOSSIER_SCOPES,
    ),
    ("POST", f"/v1/dossiers/{AGENCY}-AUTHZ/resolution", {"outcome": "approved"}, DOSSIER_SCOPES),
    ("GET", f"/v1/access-log?personal_id={PID}", None, AUDIT_SCOPES),
]  # fmt: skip


def _fill(value: Any, pid: str, agency: str = "HN-01") -> Any:
    if isinstance(value, str):
        return value.replace(PID, pid).replace(AGENCY, agency)
    if isinstance(value, dict):
        return {k: _fill(v, pid, agency) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, pid, agency) for v in value]
    return value


def test_each_scope_opens_exactly_its_routes(sqlite_gateway: Gateway, lookup_server: LookupServer) -> None:
    pid = lookup_server.citizens[5]
    keys = {scope: sqlite_gateway.agency(f"ONLY-{i}", scopes=[scope]) for i, scope in enumerate(Scope)}
    codes = {scope: f"ONLY-{i}" for i, scope in enumerate(Scope)}
    headers = {}
    for scope, key in keys.items():
        dossier = f"{codes[scope]}-AUTHZ"
        if scope in INTAKE_SCOPES:
            headers[scope] = sqlite_gateway.open(key, pid, dossier=dossier, procedure="2.000635")
        else:
            headers[scope] = auth(key, dossier=dossier, procedure="2.000635")
    for method, path, body, needed in ROUTES:
        for scope in keys:
            r = sqlite_gateway.client.request(
                method,
                _fill(path, pid, codes[scope]),
                json=_fill(body, pid, codes[scope]),
                headers=headers[scope],
            )
            if scope in needed:
                assert r.status_code not in (401, 403), (method, path, scope, r.text)
                assert r.status_code < 500, (method, path, r.text)
            else:
                assert r.status_code == 403, (method, path, scope, r.text)
                assert r.json()["type"] == PROBLEM_BASE + "insufficient-scope"


@pytest.mark.parametrize("method_path", [(m, p) for m, p, _, _ in ROUTES])
def test_no_key_or_a_wrong_key_is_a_401(sqlite_gateway: Gateway, method_path: tuple[str, str]) -> None:
    method, path = method_path
    path = _fill(path, "001090012345")
    assert sqlite_gateway.client.request(method, path).status_code == 401
    good = sqlite_gateway.agency("HN-01")
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    for key in ("nonsense", forged):
        r = sqlite_gateway.client.request(method, path, headers=auth(key))
        assert r.status_code == 401
        assert r.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_is_refused_at_once(sqlite_gateway: Gateway, lookup_server: LookupServer) -> None:
    key = sqlite_gateway.agency("HN-01")
    url = f"/v1/citizens/{lookup_server.citizens[0]}"
    headers = sqlite_gateway.open(key, lookup_server.citizens[0], procedure="2.000635")
    assert sqlite_gateway.client.get(url, headers=headers).status_code == 200
    revoke_agency(sqlite_gateway.engine, "HN-01")
    assert sqlite_gateway.client.get(url, headers=headers).status_code == 401


def test_the_rate_limit_answers_429_with_retry_after(sqlite_url: str, lookup_server: LookupServer) -> None:
    from tests.gateway.conftest import make_gateway

    for gw in make_gateway(sqlite_url, lookup_server.target, {"rate_limit_per_agency": 3}):
        from onceonly.gateway.ratelimit import AgencyRateLimit

        gw.client.app.state.runtime.rate_limit = AgencyRateLimit(3)  # type: ignore[attr-defined]
        key = gw.agency("HN-01")
        statuses = [
            gw.client.get("/v1/access-log?personal_id=001090012345", headers=auth(key)).status_code
            for _ in range(6)
        ]
        assert 429 in statuses
        r = gw.client.get("/v1/access-log?personal_id=001090012345", headers=auth(key))
        assert r.status_code == 429
        assert int(r.headers["Retry-After"]) >= 1
        assert r.json()["type"] == PROBLEM_BASE + "rate-limited"


def test_oversized_bodies_are_a_413(sqlite_gateway: Gateway) -> None:
    key = sqlite_gateway.agency("HN-01")
    big = {"personal_id": "001090012345", "claims": {"full_name": "x" * 100_000}}
    r = sqlite_gateway.client.post("/v1/citizens/verify", json=big, headers=auth(key))
    assert r.status_code == 413
    assert r.json()["type"] == PROBLEM_BASE + "payload-too-large"
