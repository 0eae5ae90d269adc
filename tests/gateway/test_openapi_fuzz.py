"""Schemathesis over the OpenAPI document: no 5xx, no response that breaks the schema.

Each operation is driven through its hypothesis strategy here (schemathesis' pytest plugin does not
yet run under this pytest), with a valid key and purpose headers so the fuzzer reaches the handlers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from onceonly.results.v1 import results_pb2, results_pb2_grpc
from tests.fuzzing import Crafted, boundary_cases, forged_page_tokens, widen
from tests.gateway.conftest import Gateway, LookupServer, auth, make_gateway

# What the gateway promises: never a 5xx, and every answer as documented (status, media type, body).
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def fuzzed_gateway(
    tmp_path_factory: pytest.TempPathFactory, lookup_server: LookupServer
) -> Iterator[Gateway]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'gateway.db'}"
    # A generous rate limit: the fuzzer is one fast agency.
    yield from make_gateway(url, lookup_server.target, {"rate_limit_per_agency": 100_000})


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


def test_no_server_errors_and_responses_match_the_schema(
    fuzzed_gateway: Gateway, lookup_server: LookupServer
) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed_gateway.client.app)
    key = fuzzed_gateway.agency("HN-01")
    # The purpose headers name a dossier the agency opened (the fuzzer's subjects are mostly strangers
    # to its applicant: 403, as documented).
    fuzzed_gateway.open(key, lookup_server.citizens[0], procedure="1.004194")
    widen(schema, crafted_requests(lookup_server))
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        operations += 1

        @given(case=operation.as_strategy(), with_purpose=st.booleans())
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: schemathesis.Case[Any], with_purpose: bool) -> None:
            headers: dict[str, str] = {
                **dict(case.headers or {}),
                **(auth(key, procedure="1.004194") if with_purpose else {}),
            }
            headers["Authorization"] = f"Bearer {key}"
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as error:  # collect every operation's failure, then report them together
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
        for case in boundary_cases(operation):
            try:
                case.call_and_validate(
                    headers={"Authorization": f"Bearer {key}", **auth(key, procedure="1.004194")},
                    checks=CHECKS,
                )
            except Exception as error:
                failures.append(f"{operation.method.upper()} {operation.path} {case.query}: {error}")
    assert operations >= 12
    assert not failures, "\n\n".join(failures)
