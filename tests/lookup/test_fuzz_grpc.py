"""Hypothesis over every unary method of lookup's three gRPC services: whatever the request holds, the
answer is a status the caller can act on (OK, INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS …), never
UNKNOWN or INTERNAL, on SQLite and on PostgreSQL.

Requests are generated from the message descriptors, so a field or method added to the protos is
fuzzed without touching this file. Strings mix arbitrary text with what reaches deep into a handler:
valid personal ids, page tokens crafted in the service's own encoding around arbitrary JSON, dates
at the calendar's ends, NUL characters and over-long values; numbers span their whole wire range.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import grpc
import pytest
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor
from google.protobuf.message import Message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onceonly.catalog.v1 import catalog_pb2
from onceonly.common.db import make_engine
from onceonly.lookup.seeder import seed_store
from onceonly.lookup.settings import LookupSettings
from onceonly.lookup.store import LookupStore
from onceonly.population.v1 import population_pb2
from onceonly.receipts.v1 import receipts_pb2
from onceonly.results.v1 import results_pb2
from tests.fixtures.databases import fresh_postgres_database
from tests.lookup.conftest import running_server

SERVICES = [
    population_pb2.DESCRIPTOR.services_by_name["PopulationRegistry"],
    results_pb2.DESCRIPTOR.services_by_name["DigitizedResults"],
    catalog_pb2.DESCRIPTOR.services_by_name["ProcedureCatalog"],
    receipts_pb2.DESCRIPTOR.services_by_name["ReceiptChecks"],
]
# Statuses that mean "the server failed", not "the request was wrong".
FAILURES = {grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL}
EXAMPLES = 60

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)


def _token(payload: Any) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def page_tokens(personal_ids: list[str]) -> st.SearchStrategy[str]:
    """Tokens shaped as lookup issues them ({"s": scope, "k": key} or {"c": code}), holding anything."""
    scope = st.lists(st.sampled_from(["", *personal_ids[:3], "birth_certificate"]), max_size=3)
    return st.one_of(
        st.builds(lambda s, k: _token({"s": s, "k": k}), scope, _JSON),
        st.builds(lambda s, k: _token({"s": s, "k": k}), scope, st.lists(_JSON, min_size=2, max_size=2)),
        st.builds(lambda c: _token({"c": c}), _JSON),
        _JSON.map(_token),
        st.text(max_size=40),
    )


def strings(personal_ids: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(max_size=30),
        st.sampled_from(personal_ids),
        st.sampled_from(["", "\x00", "a\x00b", "0001-01-01", "9999-12-31", "2024-02-30", "99999-01-01"]),
        st.sampled_from(["birth_certificate", "1.004194", "f" * 64, "x" * 65, "x" * 5000]),
        page_tokens(personal_ids),
    )


_INTS = {
    FieldDescriptor.TYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SINT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    FieldDescriptor.TYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_FIXED32: (0, 2**32 - 1),
    FieldDescriptor.TYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SINT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    FieldDescriptor.TYPE_UINT64: (0, 2**64 - 1),
    FieldDescriptor.TYPE_FIXED64: (0, 2**64 - 1),
}


_SIMPLE: dict[int, st.SearchStrategy[Any]] = {
    FieldDescriptor.TYPE_BYTES: st.binary(max_size=30),
    FieldDescriptor.TYPE_BOOL: st.booleans(),
    FieldDescriptor.TYPE_DOUBLE: st.floats(),
    FieldDescriptor.TYPE_FLOAT: st.floats(width=32),
    # Numbers outside the enum too: proto3 keeps them as open values.
    FieldDescriptor.TYPE_ENUM: st.integers(-(2**31), 2**31 - 1),
}


def _scalar(field: FieldDescriptor, text: st.SearchStrategy[str], depth: int) -> st.SearchStrategy[Any]:
    if field.type == FieldDescriptor.TYPE_STRING:
        return text
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        assert field.message_type is not None
        return messages(field.message_type, text, depth + 1)
    if field.type in _SIMPLE:
        return _SIMPLE[field.type]
    low, high = _INTS[field.type]
    return st.one_of(st.integers(low, high), st.sampled_from([low, high, 0, -1 if low else 1, 1]))


def messages(descriptor: Descriptor, text: st.SearchStrategy[str], depth: int = 0) -> st.SearchStrategy[Any]:
    """A message of ``descriptor``'s type with any subset of its fields set to generated values."""
    cls: type[Message] = _message_class(descriptor)
    if depth > 2:
        return st.just(cls())
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for field in descriptor.fields:
        if field.message_type is not None and field.message_type.GetOptions().map_entry:
            key, value = field.message_type.fields_by_name["key"], field.message_type.fields_by_name["value"]
            fields[field.name] = st.dictionaries(
                _scalar(key, text, depth), _scalar(value, text, depth), max_size=3
            )
        elif field.is_repeated:
            fields[field.name] = st.lists(_scalar(field, text, depth), max_size=4)
        else:
            fields[field.name] = _scalar(field, text, depth)

    @st.composite
    def build(draw: st.DrawFn) -> Message:
        message = cls()
        for name in draw(st.lists(st.sampled_from(sorted(fields)), unique=True)) if fields else []:
            value = draw(fields[name])
            target = getattr(message, name)
            if isinstance(value, Message):
                target.CopyFrom(value)
            elif isinstance(value, dict):
                for k, v in value.items():
                    if isinstance(v, Message):
                        target[k].CopyFrom(v)
                    else:
                        target[k] = v
            elif isinstance(value, list):
                if value and isinstance(value[0], Message):
                    for item in value:
                        target.add().CopyFrom(item)
                else:
                    target.extend(value)
            else:
                setattr(message, name, value)
        return message

    return build()


def _status(call: Callable[..., Any], request: Message) -> grpc.StatusCode:
    """The call's status; fails the test on UNKNOWN or INTERNAL, naming the request."""
    code, details = grpc.StatusCode.OK, ""
    try:
        call(request, timeout=10)
    except grpc.RpcError as error:
        code, details = error.code(), error.details() or ""
    assert code not in FAILURES, f"{code.name}: {details} for {request!r}"
    return code


def _message_class(descriptor: Descriptor) -> type[Message]:
    from google.protobuf import message_factory

    return message_factory.GetMessageClass(descriptor)


def _caller(channel: grpc.Channel, method: MethodDescriptor) -> Callable[..., Any]:
    output = _message_class(method.output_type)
    return channel.unary_unary(
        f"/{method.containing_service.full_name}/{method.name}",
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=output.FromString,
    )


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def fuzzed_lookup(request: pytest.FixtureRequest) -> Iterator[tuple[grpc.Channel, list[str]]]:
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = str(request.getfixturevalue("seeded_sqlite_url"))
        else:
            url = stack.enter_context(fresh_postgres_database(request.getfixturevalue("postgres_server_url")))
            seed_store(make_engine(url), citizens=40, seed=7, processes=1)
        yield from _serve(url)


def _serve(url: str) -> Iterator[tuple[grpc.Channel, list[str]]]:
    store = LookupStore(make_engine(url))
    try:
        with (
            running_server(LookupSettings(database_url=url, port=0, dev_mode=True), store) as server,
            grpc.insecure_channel(f"127.0.0.1:{server.port}") as channel,
        ):
            yield channel, store.sample_personal_ids(10)
    finally:
        store.engine.dispose()


def _methods() -> list[MethodDescriptor]:
    return [method for service in SERVICES for method in service.methods]


@pytest.mark.parametrize("method", _methods(), ids=lambda m: f"{m.containing_service.name}.{m.name}")
def test_no_request_gets_unknown_or_internal(
    fuzzed_lookup: tuple[grpc.Channel, list[str]], method: MethodDescriptor
) -> None:
    channel, personal_ids = fuzzed_lookup
    call = _caller(channel, method)
    seen: set[grpc.StatusCode] = set()

    @given(request=messages(method.input_type, strings(personal_ids)))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(request: Message) -> None:
        seen.add(_status(call, request))

    run()
    # The fuzzer got past validation somewhere, or every request was refused as it should be.
    assert seen


def _method(service: int, name: str) -> MethodDescriptor:
    return SERVICES[service].methods_by_name[name]


def test_crafted_page_tokens_for_the_request_own_scope_are_invalid_argument(
    fuzzed_lookup: tuple[grpc.Channel, list[str]],
) -> None:
    """A token in the service's encoding, for the very owner and type asked, with any key inside: the
    generic fuzzer rarely hits the right scope, so this one always does."""
    channel, personal_ids = fuzzed_lookup
    listing = _caller(channel, _method(1, "ListResults"))
    procedures = _caller(channel, _method(2, "ListProcedures"))

    @given(
        owner=st.sampled_from(personal_ids),
        result_type=st.sampled_from(["", "birth_certificate"]),
        key=st.one_of(_JSON, st.lists(_JSON, min_size=2, max_size=2)),
        size=st.integers(0, 500),
    )
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(owner: str, result_type: str, key: Any, size: int) -> None:
        token = _token({"s": [owner, result_type], "k": key})
        request = results_pb2.ListResultsRequest(
            owner_personal_id=owner, result_type=result_type, page_size=size, page_token=token
        )
        assert _status(listing, request) in {grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT}
        request_c = catalog_pb2.ListProceduresRequest(page_size=size, page_token=_token({"c": key}))
        assert _status(procedures, request_c) in {grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT}

    run()


def test_a_result_with_one_field_out_of_bounds_is_refused_not_a_failure(
    fuzzed_lookup: tuple[grpc.Channel, list[str]],
) -> None:
    """Registration validates the fields it knows; whatever else the store cannot hold (NUL, over-long
    ids) is INVALID_ARGUMENT as well."""
    channel, personal_ids = fuzzed_lookup
    register = _caller(channel, _method(1, "RegisterResult"))
    revoke = _caller(channel, _method(1, "RevokeResult"))
    editable = ["result_id", "title", "document_number", "issued_on", "valid_until", "issuing_agency"]

    @given(field=st.sampled_from(editable), value=strings(personal_ids), n=st.integers(0, 10**6))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(field: str, value: str, n: int) -> None:
        result = results_pb2.Result(
            result_id=f"FUZZ-{n}", result_type="birth_certificate", owner_personal_id=personal_ids[0],
            title="t", issuing_agency="A", issued_on="2024-01-01", content_sha256="ab" * 32,
        )  # fmt: skip
        setattr(result, field, value)
        code = _status(register, results_pb2.RegisterResultRequest(result=result))
        assert code in {grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.ALREADY_EXISTS}
        if code is grpc.StatusCode.OK:
            _status(revoke, results_pb2.RevokeResultRequest(result_id=result.result_id, reason=value or "r"))

    run()


def test_a_page_token_with_objects_for_its_key_is_invalid_argument(
    fuzzed_lookup: tuple[grpc.Channel, list[str]],
) -> None:
    """The crafted token that once reached SQL as a bound dict (ProgrammingError, sent as UNKNOWN)."""
    channel, personal_ids = fuzzed_lookup
    listing = _caller(channel, _method(1, "ListResults"))
    owner = personal_ids[0]
    token = _token({"s": [owner, ""], "k": [{"issued_on": 1}, ["x"]]})
    request = results_pb2.ListResultsRequest(owner_personal_id=owner, page_token=token)
    with pytest.raises(grpc.RpcError) as refused:
        listing(request, timeout=10)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "page_token" in (refused.value.details() or "")
