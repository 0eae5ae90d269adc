"""Schemathesis over the tracker's whole OpenAPI and the gateway's on PostgreSQL (tests/gateway runs it on
SQLite), and a stateful hypothesis machine over the dossier life cycle across two agencies.

Operations are driven through their hypothesis strategies directly (schemathesis' pytest plugin does
not run under this pytest). ``EXAMPLES`` per operation keeps the suite fast; the figures are in
docs/SECURITY.md.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from onceonly.common.db import make_engine
from onceonly.gateway.audit import verify_chain
from onceonly.tracker.app import create_app as tracker_app
from onceonly.tracker.ledger import apply_batch
from onceonly.tracker.store import create_tables
from onceonly.tracker.targets import default_targets
from tests.fuzzing import Crafted, boundary_cases, widen
from tests.gateway.conftest import Gateway, LookupServer, auth, make_gateway
from tests.gateway.test_openapi_fuzz import crafted_requests
from tests.tracker.builders import known_mix

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 15


def _fuzz(
    app: FastAPI, headers: dict[str, str], crafted: Sequence[Crafted] = ()
) -> tuple[int, int, list[str]]:
    """Every operation of ``app``'s OpenAPI, with boundary datetimes, huge numbers and ``crafted``
    requests mixed in (tests/fuzzing.py); returns (operations, cases, failures)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    widen(schema, crafted)
    failures: list[str] = []
    operations = cases = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def run(case: schemathesis.Case[Any]) -> None:
            nonlocal cases
            cases += 1
            case.call_and_validate(headers={**dict(case.headers or {}), **headers}, checks=CHECKS)

        try:
            run()
        except Exception as error:
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
        for case in boundary_cases(operation):
            try:
                case.call_and_validate(headers={**dict(case.headers or {}), **headers}, checks=CHECKS)
            except Exception as error:
                failures.append(f"{operation.method.upper()} {operation.path} {case.query}: {error}")
    return operations, cases, failures


def test_tracker_openapi_no_server_errors_and_answers_as_documented(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url, pool_size=2)
    create_tables(engine)
    with engine.begin() as conn:
        apply_batch(conn, known_mix())
    app = tracker_app(engine=engine, targets=default_targets())
    with TestClient(app):
        operations, cases, failures = _fuzz(app, {})
    engine.dispose()
    assert operations >= 6
    assert cases >= operations * 5
    assert not failures, "\n\n".join(failures)


def test_gateway_openapi_on_postgresql(postgres_url: str, lookup_server: LookupServer) -> None:
    for gw in make_gateway(postgres_url, lookup_server.target, {"rate_limit_per_agency": 100_000}):
        key = gw.agency("FUZZ-PG")
        app: FastAPI = gw.client.app  # type: ignore[assignment]
        crafted = crafted_requests(lookup_server)
        operations, cases, failures = _fuzz(app, auth(key, procedure="1.004194"), crafted)
        assert operations >= 12
        assert cases >= operations * 5
        assert not failures, "\n\n".join(failures)
        assert verify_chain(gw.engine).intact


# -- stateful: dossiers across two agencies --------------------------------------------------

PROCEDURE = "2.000635"
AGENCIES = ("HN-A", "HN-B")


class DossierLifeCycle(RuleBasedStateMachine):
    """Receipts, repeats, conflicting repeats and resolutions by either agency, against a model."""

    gw: Gateway
    keys: dict[str, str]
    citizens: list[str]
    dossiers = Bundle("dossiers")

    def __init__(self) -> None:
        super().__init__()
        self.received: dict[str, tuple[str, str, str]] = {}  # id -> (agency, applicant, channel)
        self.resolved: dict[str, str] = {}  # id -> outcome
        self.prefix = f"S{id(self) % 100_000}-"

    def _body(self, dossier_id: str, applicant: str, channel: str) -> dict[str, Any]:
        return {"dossier_id": dossier_id, "procedure_code": PROCEDURE, "applicant_personal_id": applicant,
                "channel": channel, "components": [{"code": "to_khai", "state": 1}]}  # fmt: skip

    @rule(target=dossiers, n=st.integers(0, 5))
    def name(self, n: int) -> str:
        return f"{self.prefix}{n}"

    @rule(dossier=dossiers, agency=st.sampled_from(AGENCIES), who=st.integers(0, 2),
          channel=st.sampled_from(["online", "counter", "postal"]))  # fmt: skip
    def receive(self, dossier: str, agency: str, who: int, channel: str) -> None:
        applicant = self.citizens[who]
        r = self.gw.client.post("/v1/dossiers", json=self._body(dossier, applicant, channel),
                                headers=auth(self.keys[agency]))  # fmt: skip
        assert r.status_code < 500, r.text
        known = self.received.get(dossier)
        if known is None:
            assert r.status_code == 201, r.text
            assert r.json()["agency_code"] == agency
            self.received[dossier] = (agency, applicant, channel)
        elif known == (agency, applicant, channel):
            assert r.status_code == 200, r.text
        else:
            assert r.status_code == 409, r.text

    @rule(dossier=dossiers, agency=st.sampled_from(AGENCIES),
          outcome=st.sampled_from(["approved", "rejected", "withdrawn"]))  # fmt: skip
    def resolve(self, dossier: str, agency: str, outcome: str) -> None:
        r = self.gw.client.post(f"/v1/dossiers/{dossier}/resolution", json={"outcome": outcome},
                                headers=auth(self.keys[agency]))  # fmt: skip
        assert r.status_code < 500, r.text
        known = self.received.get(dossier)
        if known is None:
            assert r.status_code == 404, r.text
        elif known[0] != agency:
            assert r.status_code == 403, r.text
            assert r.json()["type"].endswith("not-your-dossier")
        elif dossier not in self.resolved:
            assert r.status_code == 201, r.text
            self.resolved[dossier] = outcome
        elif self.resolved[dossier] == outcome:
            assert r.status_code == 200, r.text
        else:
            assert r.status_code == 409, r.text

    @rule(agency=st.sampled_from(AGENCIES), who=st.integers(0, 2), dossier=dossiers)
    def read(self, agency: str, who: int, dossier: str) -> None:
        headers = auth(self.keys[agency], dossier=dossier, procedure=PROCEDURE)
        r = self.gw.client.get(f"/v1/citizens/{self.citizens[who]}", headers=headers)
        assert r.status_code == 200, r.text

    @invariant()
    def chain_intact(self) -> None:
        assert verify_chain(self.gw.engine).intact


@pytest.fixture
def stateful_gateway(sqlite_url: str, lookup_server: LookupServer) -> Iterator[Gateway]:
    yield from make_gateway(sqlite_url, lookup_server.target, {"rate_limit_per_agency": 100_000})


def test_dossier_life_cycle_state_machine(stateful_gateway: Gateway, lookup_server: LookupServer) -> None:
    DossierLifeCycle.gw = stateful_gateway
    DossierLifeCycle.keys = {code: stateful_gateway.agency(code) for code in AGENCIES}
    DossierLifeCycle.citizens = lookup_server.citizens[30:33]
    run_state_machine_as_test(
        DossierLifeCycle,
        settings=settings(
            max_examples=15,
            stateful_step_count=12,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
