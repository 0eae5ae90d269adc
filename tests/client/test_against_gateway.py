"""The client against the real gateway over HTTP: every route, and the problems it really sends."""

from __future__ import annotations

import asyncio
import hashlib

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
    Intake,
    NewResult,
    NotFound,
    Resolution,
    ResolutionOutcome,
    ResultStatus,
    Unauthorized,
    Unprocessable,
)
from tests.client.conftest import LiveGateway

PROBLEMS = "https://onceonly.gov.vn/problems/"
# Civil status extract copy: entitled to identity fields, open to non-jurisdictional filing.
PROCEDURE = "2.000635"


def test_every_route_round_trips_through_the_typed_client(live_gateway: LiveGateway) -> None:
    pid = live_gateway.citizens[0]
    purpose = {"dossier_id": "HN-01-CLIENT-1", "procedure_code": PROCEDURE}
    with GatewayClient(base_url=live_gateway.base_url, api_key=live_gateway.api_key, retries=2) as gateway:
        opened = gateway.open_dossier(
            "HN-01-CLIENT-1", Intake(procedure_code=PROCEDURE, applicant_personal_id=pid)
        )
        assert opened.opened_by == "intake"
        assert gateway.open_dossier(
            "HN-01-CLIENT-1", Intake(procedure_code=PROCEDURE, applicant_personal_id=pid)
        ).replayed
        assert gateway.healthz().ok
        ready = gateway.readyz()
        assert ready.checks["lookup"] is True

        citizen = gateway.get_citizen(pid, **purpose)
        assert citizen.personal_id == pid
        assert citizen.fields
        assert citizen.citizen.full_name
        assert citizen.audit_hash
        assert citizen.request_id

        narrowed = gateway.get_citizen(pid, fields=["full_name"], **purpose)
        assert narrowed.fields == ["full_name"]

        verdict = gateway.verify_citizen(pid, {"full_name": citizen.citizen.full_name}, **purpose)
        assert verdict.match
        assert verdict.field_matches == {"full_name": True}

        content = b"a birth certificate, scanned"
        new = NewResult(
            result_id="KS-CLIENT-0001",
            result_type="birth_certificate",
            owner_personal_id=pid,
            title="Giấy khai sinh",
            issued_on="2024-03-01",
            content_sha256=hashlib.sha256(content).hexdigest(),
        )
        registered = gateway.register_result(new, **purpose)
        assert registered.created
        assert registered.result.issuing_agency == "HN-01"
        assert not gateway.register_result(new, **purpose).created
        assert gateway.get_result("KS-CLIENT-0001", **purpose).status is ResultStatus.VALID
        page = gateway.list_results(pid, page_size=50, **purpose)
        assert "KS-CLIENT-0001" in {r.result_id for r in page.results}
        authentic = gateway.verify_result(new.content_sha256, **purpose)
        assert authentic.authentic
        assert authentic.result is not None

        dossier = Dossier(
            dossier_id="HN-01-CLIENT-1",
            procedure_code=PROCEDURE,
            applicant_personal_id=pid,
            channel=Channel.ONLINE,
            fee_paid_online=True,
            components=[DossierComponent(code="to_khai", state=1)],
        )
        receipt = gateway.file_dossier(dossier)
        assert receipt.dossier_id == "HN-01-CLIENT-1"
        assert not receipt.replayed
        assert gateway.file_dossier(dossier).replayed
        with pytest.raises(Conflict) as conflict:
            gateway.file_dossier(dossier.model_copy(update={"channel": Channel.COUNTER}))
        assert conflict.value.type == PROBLEMS + "dossier-conflict"

        resolved = gateway.resolve_dossier("HN-01-CLIENT-1", Resolution(outcome=ResolutionOutcome.APPROVED))
        assert resolved.outcome is ResolutionOutcome.APPROVED
        assert not resolved.replayed

        log = gateway.access_log(pid)
        assert {"citizen.read", "citizen.verify", "dossier.intake"} <= {a.action for a in log.accesses}
        newest = [a.recorded_at for a in log.accesses]
        assert newest == sorted(newest, reverse=True)
        first = gateway.access_log(pid, page_size=2)
        assert len(first.accesses) == 2
        assert first.next_page_token
        rest = gateway.access_log(pid, page_size=500, page_token=first.next_page_token)
        # Pages follow each other newest first; each read of the log is itself a new (newer) record.
        paged = [a.recorded_at for a in first.accesses + rest.accesses]
        assert paged == sorted(paged, reverse=True)
        assert set(newest) <= set(paged)
        assert "access_log.read" in {a.action for a in first.accesses}


def test_the_gateways_problems_arrive_as_typed_errors(live_gateway: LiveGateway) -> None:
    pid = live_gateway.citizens[0]
    purpose = {"dossier_id": "HN-01-CLIENT-2", "procedure_code": PROCEDURE}
    with GatewayClient(base_url=live_gateway.base_url, api_key=live_gateway.api_key) as gateway:
        gateway.open_dossier("HN-01-CLIENT-2", Intake(procedure_code=PROCEDURE, applicant_personal_id=pid))
        with pytest.raises(Forbidden) as elsewhere:
            gateway.get_citizen(pid, dossier_id="HCM-01-CLIENT-2", procedure_code=PROCEDURE)
        assert elsewhere.value.type == PROBLEMS + "not-your-dossier"
        with pytest.raises(BadRequest) as malformed:
            gateway.get_citizen("12345", **purpose)
        assert malformed.value.type == PROBLEMS + "invalid-personal-id"
        assert malformed.value.instance == "/v1/citizens/12345"
        assert malformed.value.request_id

        with pytest.raises(BadRequest) as unknown:
            gateway.get_citizen(pid, dossier_id="D", procedure_code="9.999999")
        assert unknown.value.type == PROBLEMS + "unknown-procedure"

        with pytest.raises(NotFound) as missing:
            gateway.get_result("KS-DOES-NOT-EXIST", **purpose)
        assert missing.value.type == PROBLEMS + "result-not-found"

        with pytest.raises(Unprocessable) as refused:
            gateway.file_dossier(
                Dossier(
                    dossier_id="HN-01-CLIENT-2",
                    procedure_code=PROCEDURE,
                    applicant_personal_id=pid,
                    channel=Channel.COUNTER,
                    components=[DossierComponent(code="ban_sao", state=3, result_id="KS-DOES-NOT-EXIST")],
                )
            )
        assert refused.value.status == 422

    with GatewayClient(base_url=live_gateway.base_url, api_key="not-a-key") as stranger:
        with pytest.raises(Unauthorized) as unauthorized:
            stranger.access_log(pid)
        assert unauthorized.value.type == PROBLEMS + "unauthenticated"
        assert unauthorized.value.headers["www-authenticate"].startswith("Bearer")


def test_the_async_client_against_the_gateway(live_gateway: LiveGateway) -> None:
    pid = live_gateway.citizens[1]

    async def scenario() -> None:
        async with AsyncGatewayClient(
            base_url=live_gateway.base_url, api_key=live_gateway.api_key
        ) as gateway:
            assert (await gateway.healthz()).ok
            intake = Intake(procedure_code=PROCEDURE, applicant_personal_id=pid)
            await asyncio.gather(*(gateway.open_dossier(f"HN-01-ASYNC-{i}", intake) for i in range(5)))
            citizens = await asyncio.gather(
                *(
                    gateway.get_citizen(pid, dossier_id=f"HN-01-ASYNC-{i}", procedure_code=PROCEDURE)
                    for i in range(5)
                )
            )
            assert {c.personal_id for c in citizens} == {pid}
            assert len({c.audit_hash for c in citizens}) == 5
            with pytest.raises(NotFound):
                await gateway.get_result(
                    "KS-DOES-NOT-EXIST", dossier_id="HN-01-ASYNC-0", procedure_code=PROCEDURE
                )

    asyncio.run(scenario())
