"""The client against httpx.MockTransport: what it sends (an intake first, then data requests naming
the dossier and procedure), how answers and problems map to types, how the access log pages, and when
it retries. Pure unit tests: the gateway itself is in test_against_gateway.py."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from onceonly.client import (
    AsyncGatewayClient,
    BadRequest,
    Channel,
    Conflict,
    Dossier,
    DossierComponent,
    Forbidden,
    GatewayClient,
    GatewayError,
    Intake,
    NotFound,
    ProblemError,
    RateLimited,
    Resolution,
    ResolutionOutcome,
    ServiceUnavailable,
    TransportError,
    Unauthorized,
    UnexpectedResponse,
    Unprocessable,
)
from onceonly.client.errors import retry_after_seconds

BASE = "http://gateway.test"
PROBLEMS = "https://onceonly.gov.vn/problems/"
# Dossier ids begin with their agency's code.
DOSSIER = "HN-01-250801-000001"
CITIZEN = {
    "personal_id": "001090012345",
    "fields": ["full_name", "current_address.province"],
    "citizen": {"full_name": "Nguyễn Văn An", "current_address": {"province": "Hà Nội"}},
}
RECEIPT = {
    "dossier_id": DOSSIER,
    "agency_code": "HN-01",
    "agency_province": "Hà Nội",
    "procedure_code": "2.000635",
    "applicant_residence_province": "Hà Nội",
    "non_jurisdictional": False,
    "channel": "online",
    "fee": 8000,
    "fee_paid_online": True,
    "received_at": "2025-08-01T02:00:00Z",
    "due_at": "2025-08-02T02:00:00Z",
    "components": [{"code": "to_khai", "state": 1}],
    "event_id": "e-1",
    "added_later": "ignored",
}

Handler = Callable[[httpx.Request], httpx.Response]


def problem(status: int, slug: str, *, headers: dict[str, str] | None = None, **extra: Any) -> httpx.Response:
    body = {"type": PROBLEMS + slug, "title": slug.replace("-", " "), "status": status, **extra}
    return httpx.Response(
        status, json=body, headers={"content-type": "application/problem+json", **(headers or {})}
    )


def client(handler: Handler, **kwargs: Any) -> GatewayClient:
    return GatewayClient(base_url=BASE, api_key="k-123", transport=httpx.MockTransport(handler), **kwargs)


def test_a_lookup_sends_key_purpose_and_fields_and_reads_the_answer() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=CITIZEN, headers={"X-Request-Id": "r-1", "X-Audit-Hash": "a" * 64})

    with client(handler) as gateway:
        citizen = gateway.get_citizen(
            "001090012345",
            dossier_id=DOSSIER,
            procedure_code="2.000635",
            fields=["full_name", "current_address.province"],
            officer_id="officer-7",
        )
    (request,) = seen
    assert request.method == "GET"
    assert request.url.path == "/v1/citizens/001090012345"
    assert request.url.params["fields"] == "full_name,current_address.province"
    assert request.headers["authorization"] == "Bearer k-123"
    assert request.headers["x-dossier-id"] == DOSSIER
    assert request.headers["x-procedure-code"] == "2.000635"
    assert request.headers["x-officer-id"] == "officer-7"
    assert request.headers["user-agent"].startswith("onceonly-client/")
    assert citizen.citizen.full_name == "Nguyễn Văn An"
    assert citizen.citizen.current_address is not None
    assert citizen.citizen.current_address.province == "Hà Nội"
    assert citizen.request_id == "r-1"
    assert citizen.audit_hash == "a" * 64


def test_ids_cannot_escape_their_path_segment() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return problem(404, "result-not-found")

    with client(handler) as gateway, pytest.raises(NotFound):
        gateway.get_result("../dossiers/x", dossier_id=DOSSIER, procedure_code="2.000635")
    with client(handler) as gateway, pytest.raises(NotFound):
        gateway.open_dossier("../../citizens/x", Intake(procedure_code="2.000635", applicant_personal_id="1"))
    assert seen[0].url.raw_path == b"/v1/results/..%2Fdossiers%2Fx"
    assert seen[1].url.raw_path == b"/v1/dossiers/..%2F..%2Fcitizens%2Fx/intake"


def test_an_intake_is_sent_without_purpose_headers_and_a_replay_is_recognized() -> None:
    seen: list[httpx.Request] = []
    statuses = iter([201, 200])
    opened = {
        "dossier_id": DOSSIER,
        "agency_code": "HN-01",
        "procedure_code": "2.000635",
        "opened_by": "intake",
    }

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(next(statuses), json=opened, headers={"X-Audit-Hash": "b" * 64})

    intake = Intake(procedure_code="2.000635", applicant_personal_id="001090012345", officer_id="officer-7")
    with client(handler) as gateway:
        first = gateway.open_dossier(DOSSIER, intake)
        again = gateway.open_dossier(DOSSIER, intake)
    assert [(r.method, r.url.path) for r in seen] == [("POST", f"/v1/dossiers/{DOSSIER}/intake")] * 2
    assert json.loads(seen[0].content) == {
        "procedure_code": "2.000635",
        "applicant_personal_id": "001090012345",
        "officer_id": "officer-7",
    }
    # The intake is what later requests are held to: it names no purpose of its own.
    assert "x-dossier-id" not in seen[0].headers
    assert "x-procedure-code" not in seen[0].headers
    assert seen[0].headers["authorization"] == "Bearer k-123"
    assert (first.opened_by, first.procedure_code, first.audit_hash) == ("intake", "2.000635", "b" * 64)
    assert not first.replayed
    assert again.replayed


def test_a_dossier_is_sent_without_unset_members_and_a_replay_is_recognized() -> None:
    bodies: list[dict[str, Any]] = []
    statuses = iter([201, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(next(statuses), json=RECEIPT)

    dossier = Dossier(
        dossier_id=DOSSIER,
        procedure_code="2.000635",
        applicant_personal_id="001090012345",
        channel=Channel.ONLINE,
        fee_paid_online=True,
        components=[DossierComponent(code="to_khai", state=1)],
    )
    with client(handler) as gateway:
        first = gateway.file_dossier(dossier)
        again = gateway.file_dossier(dossier)
    assert bodies[0] == {
        "dossier_id": DOSSIER,
        "procedure_code": "2.000635",
        "applicant_personal_id": "001090012345",
        "channel": "online",
        "fee_paid_online": True,
        "officer_id": "",
        "components": [{"code": "to_khai", "state": 1}],
    }
    assert not first.replayed
    assert again.replayed
    assert first.fee == 8000


def test_request_models_refuse_unknown_members() -> None:
    with pytest.raises(ValueError, match="extra"):
        Resolution.model_validate({"outcome": "approved", "reslved_at": "2025-08-01T00:00:00Z"})
    with pytest.raises(ValueError, match="extra"):
        Intake.model_validate({"procedure_code": "2.000635", "applicant_personal_id": "1", "applicant": "1"})


def test_the_access_log_is_paged_newest_first() -> None:
    def access(when: str) -> dict[str, Any]:
        return {"recorded_at": when, "agency_code": "HN-01", "officer_id": "officer-7",
                "action": "citizen.read", "procedure_code": "2.000635", "dossier_id": DOSSIER,
                "source": "population_database", "result_id": "", "fields": ["full_name"],
                "outcome": "hit"}  # fmt: skip

    pages = {
        "": {"personal_id": "001090012345", "scope": "own", "next_page_token": "t-2",
             "accesses": [access("2025-08-03T00:00:00Z"), access("2025-08-02T00:00:00Z")]},
        "t-2": {"personal_id": "001090012345", "scope": "own", "next_page_token": "",
                "accesses": [access("2025-08-01T00:00:00Z")]},
    }  # fmt: skip
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=pages[request.url.params.get("page_token", "")])

    accesses, token = [], ""
    with client(handler) as gateway:
        while True:
            page = gateway.access_log("001090012345", page_size=2, page_token=token)
            assert page.scope == "own"
            accesses += page.accesses
            token = page.next_page_token
            if not token:
                break
    assert [dict(r.url.params) for r in seen] == [
        {"personal_id": "001090012345", "page_size": "2"},
        {"personal_id": "001090012345", "page_size": "2", "page_token": "t-2"},
    ]
    assert [a.recorded_at for a in accesses] == [
        "2025-08-03T00:00:00Z", "2025-08-02T00:00:00Z", "2025-08-01T00:00:00Z"
    ]  # fmt: skip
    assert accesses[0].dossier_id == DOSSIER


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequest),
        (401, Unauthorized),
        (403, Forbidden),
        (404, NotFound),
        (409, Conflict),
        (422, Unprocessable),
        (429, RateLimited),
        (503, ServiceUnavailable),
        (405, ProblemError),
        (500, ProblemError),
    ],
)
def test_each_status_raises_its_type_with_the_problem(status: int, error: type[ProblemError]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return problem(
            status,
            "some-problem",
            detail="what went wrong",
            instance=request.url.path,
            headers={"X-Request-Id": "r-9"},
            errors=[{"loc": ["body", "x"]}],
        )

    with client(handler) as gateway, pytest.raises(error) as raised:
        gateway.access_log("001090012345")
    problem_error = raised.value
    assert type(problem_error) is error
    assert isinstance(problem_error, GatewayError)
    assert problem_error.status == status
    assert problem_error.type == PROBLEMS + "some-problem"
    assert problem_error.title == "some problem"
    assert problem_error.detail == "what went wrong"
    assert problem_error.instance == "/v1/access-log"
    assert problem_error.extra == {"errors": [{"loc": ["body", "x"]}]}
    assert problem_error.request_id == "r-9"
    assert "what went wrong" in str(problem_error)


@pytest.mark.parametrize(
    ("status", "slug", "error"),
    [
        (403, "not-your-dossier", Forbidden),
        (404, "dossier-not-open", NotFound),
        (409, "procedure-mismatch", Conflict),
        (403, "subject-not-related", Forbidden),
        (409, "dossier-binding-conflict", Conflict),
        (403, "backdating-needs-import", Forbidden),
    ],
)
def test_the_purpose_binding_problems_raise_their_types(
    status: int, slug: str, error: type[ProblemError]
) -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return problem(status, slug)

    with client(handler, retries=3) as gateway, pytest.raises(error) as raised:
        gateway.get_citizen("001090012345", dossier_id=DOSSIER, procedure_code="2.000635")
    assert type(raised.value) is error
    assert raised.value.type == PROBLEMS + slug
    # A refusal of the dossier is never retried: it will not change by waiting.
    assert len(calls) == 1


def test_an_error_that_is_not_a_problem_document_still_has_its_type() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="<html>Bad gateway</html>", headers={"content-type": "text/html"})

    with client(handler) as gateway, pytest.raises(ProblemError) as raised:
        gateway.healthz()
    assert raised.value.status == 502
    assert raised.value.type == "about:blank"
    assert raised.value.title == "Bad Gateway"
    assert raised.value.detail is None


def test_a_success_with_an_unexpected_body_is_reported_as_such() -> None:
    answer = httpx.Response(200, json={"nothing": "here"})
    with client(lambda _: answer) as gateway, pytest.raises(UnexpectedResponse) as raised:
        gateway.healthz()
    assert raised.value.response.status_code == 200


def test_an_unreachable_gateway_is_a_transport_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with client(handler) as gateway, pytest.raises(TransportError) as raised:
        gateway.healthz()
    assert isinstance(raised.value.__cause__, httpx.ConnectError)


def test_readyz_reports_not_ready_without_raising() -> None:
    body = {"status": "not ready", "checks": {"lookup": False, "outbox": True}}
    with client(lambda _: httpx.Response(503, json=body)) as gateway:
        health = gateway.readyz()
    assert not health.ok
    assert health.checks == {"lookup": False, "outbox": True}


def test_retry_after_is_read_as_seconds_or_a_date() -> None:
    now = datetime(2025, 8, 1, 9, 0, tzinfo=UTC)
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds(format_datetime(now + timedelta(seconds=90), usegmt=True), now=now) == 90.0
    assert retry_after_seconds(format_datetime(now - timedelta(seconds=5), usegmt=True), now=now) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_rate_limited_and_unavailable_carry_retry_after() -> None:
    limited_answer = problem(429, "rate-limited", headers={"Retry-After": "7"})
    with client(lambda _: limited_answer) as gateway, pytest.raises(RateLimited) as limited:
        gateway.healthz()
    assert limited.value.retry_after == 7.0
    unavailable_answer = problem(503, "lookup-unavailable")
    with client(lambda _: unavailable_answer) as gateway, pytest.raises(ServiceUnavailable) as unavailable:
        gateway.healthz()
    assert unavailable.value.retry_after is None


def test_retries_on_503_and_429_honour_retry_after_then_succeed() -> None:
    answers = iter(
        [
            problem(503, "lookup-unavailable", headers={"Retry-After": "0"}),
            problem(429, "rate-limited", headers={"Retry-After": "0"}),
            httpx.Response(200, json={"status": "ok"}),
        ]
    )
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return next(answers)

    with client(handler, retries=2) as gateway:
        assert gateway.healthz().ok
    assert len(calls) == 3


def test_retries_stop_after_the_budget_and_raise_the_last_problem() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return problem(503, "lookup-unavailable", headers={"Retry-After": "0"})

    with client(handler, retries=2) as gateway, pytest.raises(ServiceUnavailable):
        gateway.resolve_dossier(DOSSIER, Resolution(outcome=ResolutionOutcome.APPROVED))
    assert len(calls) == 3


def test_no_retry_by_default_nor_when_the_advised_wait_is_too_long() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return problem(429, "rate-limited", headers={"Retry-After": "120"})

    with client(handler) as gateway, pytest.raises(RateLimited):
        gateway.healthz()
    with client(handler, retries=3, max_retry_wait=10) as gateway, pytest.raises(RateLimited):
        gateway.healthz()
    assert len(calls) == 2


def test_other_errors_are_never_retried() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return problem(409, "dossier-conflict")

    with client(handler, retries=3) as gateway, pytest.raises(Conflict):
        gateway.resolve_dossier(DOSSIER, Resolution(outcome=ResolutionOutcome.APPROVED))
    assert len(calls) == 1


def test_the_async_client_sends_the_same_and_maps_the_same() -> None:
    answers = iter(
        [
            problem(503, "lookup-unavailable", headers={"Retry-After": "0"}),
            httpx.Response(200, json=CITIZEN),
            problem(409, "procedure-mismatch"),
            problem(403, "fields-not-permitted"),
        ]
    )
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return next(answers)

    async def scenario() -> None:
        async with AsyncGatewayClient(
            base_url=BASE, api_key="k-123", retries=1, transport=httpx.MockTransport(handler)
        ) as gateway:
            citizen = await gateway.get_citizen("001090012345", dossier_id=DOSSIER, procedure_code="2.000635")
            assert citizen.fields == ["full_name", "current_address.province"]
            # Another procedure than the dossier's intake named.
            with pytest.raises(Conflict):
                await gateway.get_citizen("001090012345", dossier_id=DOSSIER, procedure_code="1.001193")
            with pytest.raises(Forbidden):
                await gateway.get_citizen(
                    "001090012345", dossier_id=DOSSIER, procedure_code="2.000635", fields=["religion"]
                )

    asyncio.run(scenario())
    assert [r.url.path for r in seen] == ["/v1/citizens/001090012345"] * 4
    assert [r.headers["x-procedure-code"] for r in seen] == ["2.000635", "2.000635", "1.001193", "2.000635"]
    assert all(r.headers["x-dossier-id"] == DOSSIER for r in seen)
    assert all(r.headers["authorization"] == "Bearer k-123" for r in seen)
