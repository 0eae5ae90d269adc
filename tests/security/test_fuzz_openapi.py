"""Schemathesis over the tracker's whole OpenAPI and the gateway's on PostgreSQL (tests/gateway runs it on
SQLite), and a stateful hypothesis machine over the dossier life cycle across two agencies. Both runs
validate with every check (tests/fuzzing.py), as the outside run does (docs/CONTRIBUTING.md).

Operations are driven through their hypothesis strategies directly (schemathesis' pytest plugin does
not run under this pytest). ``EXAMPLES`` per operation keeps the suite fast; the figures are in
docs/SECURITY.md.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import grpc
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from schemathesis import GenerationMode

from onceonly.common.db import make_engine
from onceonly.gateway.audit import verify_chain
from onceonly.gateway.binding import RELATIVE_LINKS
from onceonly.gateway.problems import PROBLEM_BASE
from onceonly.population.v1 import population_pb2, population_pb2_grpc
from onceonly.tracker.app import create_app as tracker_app
from onceonly.tracker.ledger import apply_batch
from onceonly.tracker.store import create_tables
from onceonly.tracker.targets import default_targets
from tests.fuzzing import fuzz_operations, load_schema, widen
from tests.gateway.conftest import Gateway, LookupServer, auth, make_gateway
from tests.gateway.test_openapi_fuzz import crafted_requests
from tests.tracker.builders import known_mix

# Cases of each mode per operation: the tracker's run stays well under a minute.
EXAMPLES = 15


def test_tracker_openapi_with_every_check(sqlite_url: str) -> None:
    """Every operation's positive and negative cases and the boundary sweep, validated with every check
    the outside run has (schemathesis.toml lists the refusals no schema can state)."""
    engine = make_engine(sqlite_url, pool_size=2)
    create_tables(engine)
    with engine.begin() as conn:
        apply_batch(conn, known_mix())
    app = tracker_app(engine=engine, targets=default_targets())
    with TestClient(app):
        schema = load_schema(app)
        widen(schema)
        operations, cases, failures = fuzz_operations(schema, lambda case: {}, examples=EXAMPLES)
    engine.dispose()
    assert operations >= 6
    assert cases >= operations * 5
    assert not failures, "\n\n".join(failures)


def test_gateway_openapi_on_postgresql(postgres_url: str, lookup_server: LookupServer) -> None:
    # No relay runs here: the outbox's age is no failure of readiness in this test.
    overrides = {"rate_limit_per_agency": 100_000, "outbox_stale_seconds": 10**9}
    for gw in make_gateway(postgres_url, lookup_server.target, overrides):
        key = gw.agency("FUZZ-PG")
        app: FastAPI = gw.client.app  # type: ignore[assignment]
        crafted = crafted_requests(lookup_server)
        # The purpose names a dossier of the agency's, opened for the owner of the forged page tokens, so
        # they reach lookup; the fuzzer's other subjects are mostly strangers to it (403, as documented).
        owner = crafted[0].path["personal_id"]
        purpose = gw.open(key, owner, dossier="FUZZ-PG-1", procedure="1.004194")
        schema = load_schema(app)
        widen(schema, crafted)

        def headers(case: schemathesis.Case[Any], purpose: dict[str, str] = purpose) -> dict[str, str]:
            # Negative cases keep their generated purpose headers, so an invalid one reaches the gateway.
            positive = case.meta is None or case.meta.generation.mode is GenerationMode.POSITIVE
            return purpose if positive else {"Authorization": purpose["Authorization"]}

        operations, cases, failures = fuzz_operations(schema, headers, examples=6, sweep_headers=purpose)
        assert operations >= 13
        assert cases >= operations * 2 * 3
        assert not failures, "\n\n".join(failures)
        assert verify_chain(gw.engine).intact


# -- stateful: dossiers across two agencies --------------------------------------------------

PROCEDURE = "2.000635"
OTHER_PROCEDURE = "1.004227"
AGENCIES = ("HN-A", "HN-B")
_machines = itertools.count()


def _slug(r: Any) -> str:
    return str(r.json()["type"]).removeprefix(PROBLEM_BASE)


class DossierLifeCycle(RuleBasedStateMachine):
    """Intakes, receipts, repeats, conflicting repeats, resolutions and reads by either agency on
    either's dossiers, against a model of who owns what and what each dossier was bound to."""

    gw: Gateway
    keys: dict[str, str]
    citizens: list[str]
    # (applicant, subject) -> whether the registry links them (parent, child, spouse, household).
    related: dict[tuple[str, str], bool]
    dossiers = Bundle("dossiers")

    def __init__(self) -> None:
        super().__init__()
        self.bound: dict[str, tuple[str, str]] = {}  # id -> (procedure, applicant)
        self.received: dict[str, tuple[str, str]] = {}  # id -> (applicant, channel)
        self.resolved: dict[str, str] = {}  # id -> outcome
        # The gateway is shared by every run: each run's dossiers are its own.
        self.run = next(_machines)

    def _body(self, dossier_id: str, applicant: str, channel: str) -> dict[str, Any]:
        return {"dossier_id": dossier_id, "procedure_code": PROCEDURE, "applicant_personal_id": applicant,
                "channel": channel, "components": [{"code": "to_khai", "state": 1}]}  # fmt: skip

    @staticmethod
    def owner(dossier: str) -> str:
        return dossier.rsplit("-", 2)[0]

    @rule(target=dossiers, owner=st.sampled_from(AGENCIES), n=st.integers(0, 3))
    def name(self, owner: str, n: int) -> str:
        # Ids begin with their agency's code.
        return f"{owner}-S{self.run}-{n}"

    @rule(dossier=dossiers, agency=st.sampled_from(AGENCIES), who=st.integers(0, 2),
          procedure=st.sampled_from([PROCEDURE, OTHER_PROCEDURE]))  # fmt: skip
    def intake(self, dossier: str, agency: str, who: int, procedure: str) -> None:
        applicant = self.citizens[who]
        intake = {"procedure_code": procedure, "applicant_personal_id": applicant}
        r = self.gw.client.post(
            f"/v1/dossiers/{dossier}/intake", json=intake, headers=auth(self.keys[agency])
        )
        assert r.status_code < 500, r.text
        known = self.bound.get(dossier)
        if agency != self.owner(dossier):
            assert (r.status_code, _slug(r)) == (403, "not-your-dossier"), r.text
        elif known is None:
            assert r.status_code == 201, r.text
            self.bound[dossier] = (procedure, applicant)
        elif known == (procedure, applicant):
            assert r.status_code == 200, r.text
        else:
            assert (r.status_code, _slug(r)) == (409, "dossier-binding-conflict"), r.text

    @rule(dossier=dossiers, agency=st.sampled_from(AGENCIES), who=st.integers(0, 2),
          channel=st.sampled_from(["online", "counter", "postal"]))  # fmt: skip
    def receive(self, dossier: str, agency: str, who: int, channel: str) -> None:
        applicant = self.citizens[who]
        r = self.gw.client.post("/v1/dossiers", json=self._body(dossier, applicant, channel),
                                headers=auth(self.keys[agency]))  # fmt: skip
        assert r.status_code < 500, r.text
        known, binding = self.received.get(dossier), self.bound.get(dossier)
        if agency != self.owner(dossier):
            assert (r.status_code, _slug(r)) == (403, "not-your-dossier"), r.text
        elif known is not None:
            if known == (applicant, channel):
                assert r.status_code == 200, r.text
            else:
                assert (r.status_code, _slug(r)) == (409, "dossier-conflict"), r.text
        elif binding is not None and binding != (PROCEDURE, applicant):
            # The intake fixed another procedure or applicant: the receipt must name those.
            assert (r.status_code, _slug(r)) == (409, "dossier-binding-conflict"), r.text
        else:
            assert r.status_code == 201, r.text
            assert r.json()["agency_code"] == agency
            self.received[dossier] = (applicant, channel)
            self.bound.setdefault(dossier, (PROCEDURE, applicant))  # a receipt opens what it receives

    @rule(dossier=dossiers, agency=st.sampled_from(AGENCIES),
          outcome=st.sampled_from(["approved", "rejected", "withdrawn"]))  # fmt: skip
    def resolve(self, dossier: str, agency: str, outcome: str) -> None:
        r = self.gw.client.post(f"/v1/dossiers/{dossier}/resolution", json={"outcome": outcome},
                                headers=auth(self.keys[agency]))  # fmt: skip
        assert r.status_code < 500, r.text
        if agency != self.owner(dossier):
            # Received or not: another agency learns nothing of the dossier.
            assert (r.status_code, _slug(r)) == (403, "not-your-dossier"), r.text
        elif dossier not in self.received:
            assert (r.status_code, _slug(r)) == (404, "dossier-not-found"), r.text
        elif dossier not in self.resolved:
            assert r.status_code == 201, r.text
            self.resolved[dossier] = outcome
        elif self.resolved[dossier] == outcome:
            assert r.status_code == 200, r.text
        else:
            assert (r.status_code, _slug(r)) == (409, "dossier-conflict"), r.text

    @rule(agency=st.sampled_from(AGENCIES), who=st.integers(0, 2), dossier=dossiers,
          procedure=st.sampled_from([PROCEDURE, OTHER_PROCEDURE]))  # fmt: skip
    def read(self, agency: str, who: int, dossier: str, procedure: str) -> None:
        subject = self.citizens[who]
        headers = auth(self.keys[agency], dossier=dossier, procedure=procedure)
        r = self.gw.client.get(f"/v1/citizens/{subject}", headers=headers)
        assert r.status_code < 500, r.text
        binding = self.bound.get(dossier)
        if agency != self.owner(dossier):
            assert (r.status_code, _slug(r)) == (403, "not-your-dossier"), r.text
        elif binding is None:
            assert (r.status_code, _slug(r)) == (404, "dossier-not-open"), r.text
        elif binding[0] != procedure:
            assert (r.status_code, _slug(r)) == (409, "procedure-mismatch"), r.text
        elif subject == binding[1] or self.related[binding[1], subject]:
            assert r.status_code == 200, r.text
            assert r.json()["personal_id"] == subject
        else:
            assert (r.status_code, _slug(r)) == (403, "subject-not-related"), r.text
        assert r.headers["X-Audit-Hash"], "every read, refused or not, is audited"

    @invariant()
    def chain_intact(self) -> None:
        assert verify_chain(self.gw.engine).intact


@pytest.fixture
def stateful_gateway(sqlite_url: str, lookup_server: LookupServer) -> Iterator[Gateway]:
    yield from make_gateway(sqlite_url, lookup_server.target, {"rate_limit_per_agency": 100_000})


def _relations(target: str, citizens: Sequence[str]) -> dict[tuple[str, str], bool]:
    with grpc.insecure_channel(target) as channel:
        registry = population_pb2_grpc.PopulationRegistryStub(channel)
        return {
            (a, b): registry.GetRelation(
                population_pb2.GetRelationRequest(applicant_personal_id=a, subject_personal_id=b), timeout=5
            ).relation
            in RELATIVE_LINKS
            for a in citizens
            for b in citizens
            if a != b
        }


def test_dossier_life_cycle_state_machine(stateful_gateway: Gateway, lookup_server: LookupServer) -> None:
    DossierLifeCycle.gw = stateful_gateway
    DossierLifeCycle.keys = {code: stateful_gateway.agency(code) for code in AGENCIES}
    DossierLifeCycle.citizens = lookup_server.citizens[30:33]
    DossierLifeCycle.related = _relations(lookup_server.target, DossierLifeCycle.citizens)
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
