"""Schemathesis over the OpenAPI document with every check: no 5xx, every answer as documented (status,
media type, headers, body), no well-formed request refused for its form and no malformed one accepted,
405s that name the resource's methods, and the links' stateful machine fed with real ids.

Each operation is driven through its hypothesis strategies here (schemathesis' pytest plugin does not
yet run under this pytest), with a valid key and purpose headers so the fuzzer reaches the handlers.
The same checks run from outside against a running gateway (docs/CONTRIBUTING.md).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks

from onceonly.gateway.app import allowed_methods
from onceonly.results.v1 import results_pb2, results_pb2_grpc
from tests.fuzzing import (
    Crafted,
    forged_page_tokens,
    fuzz_operations,
    load_schema,
    run_stateful,
    widen,
)
from tests.gateway.conftest import Gateway, LookupServer, auth, make_gateway

PROCEDURE = "1.004194"


@pytest.fixture(scope="module")
def fuzzed_gateway(
    tmp_path_factory: pytest.TempPathFactory, lookup_server: LookupServer
) -> Iterator[Gateway]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'gateway.db'}"
    # A generous rate limit: the fuzzer is one fast agency.
    # No relay runs here: the outbox's age is no failure of readiness in this test.
    overrides = {"rate_limit_per_agency": 100_000, "outbox_stale_seconds": 10**9}
    yield from make_gateway(url, lookup_server.target, overrides)


@pytest.fixture(scope="module")
def schema(fuzzed_gateway: Gateway) -> Any:
    return load_schema(fuzzed_gateway.client.app)


def crafted_requests(lookup_server: LookupServer) -> list[Crafted]:
    """Forged page tokens for an owner with more than one result: a token lookup issued for that
    owner, its key replaced (the scope still matches, so only a check of the key stops it)."""
    with grpc.insecure_channel(lookup_server.target) as channel:
        results = results_pb2_grpc.DigitizedResultsStub(channel)
        for owner in lookup_server.citizens:
            page = results.ListResults(
                results_pb2.ListResultsRequest(owner_personal_id=owner, page_size=1), timeout=10
            )
            if page.next_page_token:
                return forged_page_tokens(owner, page.next_page_token)
    raise AssertionError("no sampled citizen has two results")


def test_every_check_is_on(schema: Any) -> None:
    """The runs below validate with the configuration's checks: every built-in one, none turned off."""
    load_all_checks()
    config = schema.config.checks_config_for()
    names = CHECKS.get_all_names()
    assert {"positive_data_acceptance", "negative_data_rejection", "allow_header_conformance"} <= set(names)
    assert all(getattr(config, name).enabled for name in names)


def test_no_server_errors_and_responses_match_the_schema(
    schema: Any, fuzzed_gateway: Gateway, lookup_server: LookupServer
) -> None:
    key = fuzzed_gateway.agency("HN-01")
    # The purpose headers name a dossier the agency opened (the fuzzer's subjects are mostly strangers
    # to its applicant: 403, as documented).
    fuzzed_gateway.open(key, lookup_server.citizens[0], procedure=PROCEDURE)
    widen(schema, crafted_requests(lookup_server))
    purpose = auth(key, procedure=PROCEDURE)
    key_only = {"Authorization": f"Bearer {key}"}

    def headers(case: schemathesis.Case[Any]) -> dict[str, str]:
        # Positive cases carry the purpose headers as the outside run sets them (a procedure code is
        # checked against the catalog, which no schema states); negative ones keep what was generated,
        # so a header made invalid reaches the gateway as such.
        positive = case.meta is None or case.meta.generation.mode is GenerationMode.POSITIVE
        return purpose if positive else key_only

    operations, cases, failures = fuzz_operations(schema, headers, examples=5, sweep_headers=purpose)
    assert operations >= 13
    assert cases >= operations * 2 * 3
    assert not failures, "\n\n".join(failures)


def test_links_fed_with_real_ids(schema: Any, fuzzed_gateway: Gateway, lookup_server: LookupServer) -> None:
    """The stateful machine the links define, fed with real ids: an intake is given a dossier id of the
    caller's and an applicant of the registry, an access-log read that applicant, so the links' next
    requests (receipts, resolutions, data requests, next pages) follow on real dossiers and pages."""
    key = fuzzed_gateway.agency("HN-ST")
    applicant = lookup_server.citizens[1]
    purpose = fuzzed_gateway.open(key, applicant, dossier="HN-ST-S0", procedure=PROCEDURE)
    numbers = itertools.count(1)
    steps: list[str] = []

    def prepare(case: schemathesis.Case[Any]) -> None:
        steps.append(case.operation.label)
        if case.operation.path.endswith("/intake") and isinstance(case.body, dict):
            case.path_parameters = {
                **dict(case.path_parameters or {}),
                "dossier_id": f"HN-ST-S{next(numbers)}",
            }
            case.body = {**case.body, "procedure_code": PROCEDURE, "applicant_personal_id": applicant}
        elif case.operation.path == "/v1/dossiers" and isinstance(case.body, dict):
            case.body = {**case.body, "applicant_personal_id": applicant}
        elif case.operation.path == "/v1/access-log" and not (case.query or {}).get("page_token"):
            case.query = {**dict(case.query or {}), "personal_id": applicant}

    def headers(case: schemathesis.Case[Any]) -> dict[str, str]:
        # A link's purpose headers (a dossier an intake opened) are kept; else the dossier opened above.
        dossier = dict(case.headers or {}).get("X-Dossier-Id", "")
        return auth(key, dossier=dossier, procedure=PROCEDURE) if dossier.startswith("HN-ST-") else purpose

    run_stateful(schema, headers, prepare=prepare, scenarios=15, steps=6)
    assert steps, "the machine made no request"


def test_allow_names_the_methods_the_document_gives_the_path() -> None:
    paths: dict[str, dict[str, Any]] = {
        "/v1/citizens/{personal_id}": {"get": {}},
        "/v1/citizens/verify": {"post": {}},
        "/v1/dossiers": {"post": {}},
    }
    # The concrete path wins over the template beside it, as OpenAPI matches URLs.
    assert allowed_methods(paths, "/v1/citizens/verify") == ["POST"]
    assert allowed_methods(paths, "/v1/citizens/001090012345") == ["GET"]
    assert allowed_methods(paths, "/v1/dossiers") == ["POST"]
    assert allowed_methods(paths, "/v1/nothing") == []


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("OPTIONS", "/v1/citizens/verify", "POST"),
        ("GET", "/v1/citizens/verify", "POST"),
        ("OPTIONS", "/v1/results/verify", "POST"),
        ("GET", "/v1/results/verify", "POST"),
        ("DELETE", "/v1/citizens/001090012345", "GET"),
        ("PUT", "/v1/dossiers", "POST"),
    ],
)
def test_405_carries_allow(fuzzed_gateway: Gateway, method: str, path: str, allow: str) -> None:
    r = fuzzed_gateway.client.request(method, path, headers={"Authorization": "Bearer none"})
    assert r.status_code == 405, r.text
    assert r.headers["Allow"] == allow
    assert r.headers["Content-Type"] == "application/problem+json"
    assert r.json()["type"].endswith("/method-not-allowed")
