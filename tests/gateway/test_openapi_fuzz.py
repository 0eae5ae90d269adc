"""Schemathesis over the OpenAPI document: no 5xx, no response that breaks the schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.schemas import BaseOpenAPISchema

from tests.gateway.conftest import Gateway, LookupServer, auth, make_gateway


@pytest.fixture(scope="module")
def fuzzed_gateway(
    tmp_path_factory: pytest.TempPathFactory, lookup_server: LookupServer
) -> Iterator[Gateway]:
    url = f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'gateway.db'}"
    # A generous rate limit: the fuzzer is one fast agency.
    yield from make_gateway(url, lookup_server.target, {"rate_limit_per_agency": 100_000})


@pytest.fixture(scope="module")
def api_schema(fuzzed_gateway: Gateway) -> BaseOpenAPISchema:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzzed_gateway.client.app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_the_schema(
    case: schemathesis.Case, fuzzed_gateway: Gateway
) -> None:
    key = getattr(fuzzed_gateway, "_fuzz_key", None)
    if key is None:
        key = fuzzed_gateway.agency("FUZZ")
        fuzzed_gateway._fuzz_key = key  # type: ignore[attr-defined]
    headers = {**auth(key, procedure="1.004194"), **(case.headers or {})}
    headers["Authorization"] = f"Bearer {key}"
    case.call_and_validate(headers=headers)
