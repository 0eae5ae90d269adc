"""Sends the planned dossiers through the gateway's public API, as the agencies' systems would: the
dossier's intake, the population lookup and result fetches bound to it, the receipt, then the resolution.

The year is an import (its receipts are dated beyond the backdating window: ``dossiers:import``). A
dossier reusing another dossier's component is filed once that earlier dossier's receipt is recorded,
since the gateway checks that the source exists and is the same applicant's."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from onceonly.client import (
    AsyncGatewayClient,
    Channel,
    Dossier,
    DossierComponent,
    GatewayError,
    Intake,
    ProblemError,
    Resolution,
    ResolutionOutcome,
    TransportError,
)
from onceonly.common.events import national_code
from onceonly.demo.plan import REUSED_RESULT, DossierPlan

T = TypeVar("T")


@dataclass
class DriveReport:
    accepted: list[DossierPlan] = field(default_factory=list)
    # "POST /v1/dossiers 422" → count, and the first problem's detail for each.
    failures: Counter[str] = field(default_factory=Counter)
    failure_details: dict[str, str] = field(default_factory=dict)
    # Dossiers whose receipt came back with another jurisdiction than planned.
    jurisdiction_mismatches: list[str] = field(default_factory=list)
    requests: int = 0


# Every step may be sent again: lookups only read, and the gateway answers a repeated receipt or
# resolution with the one it recorded. So a request that got no answer is retried, as an agency
# system would, before the dossier is given up.
_TRANSPORT_RETRIES = (0.5, 1.0, 2.0, 4.0)


async def _call(report: DriveReport, send: Callable[[], Awaitable[T]]) -> T:
    for pause in (*_TRANSPORT_RETRIES, None):
        report.requests += 1
        try:
            return await send()
        except TransportError:
            if pause is None:
                raise
            await asyncio.sleep(pause)
    raise AssertionError("unreachable")


def _failed(report: DriveReport, kind: str, detail: str) -> None:
    report.failures[kind] += 1
    report.failure_details.setdefault(kind, detail)


def intake_of(plan: DossierPlan) -> Intake:
    """The dossier's opening: its procedure and applicant, before anything is looked up for it."""
    return Intake(procedure_code=plan.procedure_code, applicant_personal_id=plan.applicant_id)


def reused_results(plan: DossierPlan) -> list[str]:
    """The results the dossier reuses, each fetched under its purpose before the receipt."""
    return [c.result_id for c in plan.components if c.state == REUSED_RESULT and c.result_id]


def sources_of(plan: DossierPlan) -> set[str]:
    """The earlier dossiers whose components it reuses: each must be received before this receipt."""
    return {c.source_dossier_id for c in plan.components if c.source_dossier_id}


def receipt_of(plan: DossierPlan) -> Dossier:
    return Dossier(
        dossier_id=plan.dossier_id,
        procedure_code=plan.procedure_code,
        applicant_personal_id=plan.applicant_id,
        channel=Channel.ONLINE if plan.online else Channel.COUNTER,
        fee_paid_online=plan.fee_paid_online,
        received_at=plan.received_at,
        components=[
            DossierComponent(
                code=c.code,
                state=national_code(c.state),
                result_id=c.result_id,
                source_dossier_id=c.source_dossier_id,
            )
            for c in plan.components
        ],
    )


def resolution_of(plan: DossierPlan) -> Resolution:
    return Resolution(
        outcome=ResolutionOutcome.APPROVED,
        resolved_at=plan.resolved_at,
        result_electronic=plan.result_electronic,
    )


def in_order_of_receipt(plans: Sequence[DossierPlan]) -> list[DossierPlan]:
    """The plans in the order they are sent: a dossier's sources are received no later than it, so each
    is sent before the dossiers reusing it (a stable sort keeps the plan's order between equals)."""
    return sorted(plans, key=lambda plan: plan.received_at)


async def _send_one(
    gateway: AsyncGatewayClient,
    plan: DossierPlan,
    report: DriveReport,
    received: Mapping[str, asyncio.Future[bool]],
) -> bool:
    purpose = {"dossier_id": plan.dossier_id, "procedure_code": plan.procedure_code}
    step = "POST /v1/dossiers/{id}/intake"
    try:
        await _call(report, lambda: gateway.open_dossier(plan.dossier_id, intake_of(plan)))
        step = "GET /v1/citizens"
        if plan.population_lookup:
            await _call(report, lambda: gateway.get_citizen(plan.applicant_id, **purpose))
        step = "GET /v1/results"
        for result_id in reused_results(plan):
            await _call(report, partial(gateway.get_result, result_id, **purpose))
        step = "POST /v1/dossiers"
        for source in sources_of(plan):
            if source in received and not await received[source]:
                _failed(report, f"{step} source refused", f"{plan.dossier_id}: source {source} was refused")
                return False
        receipt = await _call(report, lambda: gateway.file_dossier(receipt_of(plan)))
        received[plan.dossier_id].set_result(True)
        if receipt.non_jurisdictional != plan.non_jurisdictional:
            report.jurisdiction_mismatches.append(plan.dossier_id)
        step = "POST /v1/dossiers/{id}/resolution"
        await _call(report, lambda: gateway.resolve_dossier(plan.dossier_id, resolution_of(plan)))
    except ProblemError as problem:
        _failed(report, f"{step} {problem.status}", f"{plan.dossier_id}: {problem.detail or problem.title}")
        return False
    except GatewayError as error:
        _failed(report, f"{step} {type(error).__name__}", f"{plan.dossier_id}: {error}")
        return False
    report.accepted.append(plan)
    return True


async def drive(
    plans: Sequence[DossierPlan],
    *,
    gateway_url: str,
    keys: Mapping[str, str],
    concurrency: int = 32,
    progress: Callable[[int], None] | None = None,
) -> DriveReport:
    """Send every plan, ``concurrency`` dossiers at a time; each agency calls with its own key."""
    report = DriveReport()
    clients = {
        code: AsyncGatewayClient(base_url=gateway_url, api_key=key, retries=8, timeout=30.0)
        for code, key in keys.items()
    }
    # Sent in order of receipt, so a dossier's source is filed before it (or is being filed).
    queue: asyncio.Queue[DossierPlan] = asyncio.Queue()
    for plan in in_order_of_receipt(plans):
        queue.put_nowait(plan)
    loop = asyncio.get_running_loop()
    received: dict[str, asyncio.Future[bool]] = {plan.dossier_id: loop.create_future() for plan in plans}

    async def worker() -> None:
        while not queue.empty():
            plan = queue.get_nowait()
            try:
                ok = await _send_one(clients[plan.agency_code], plan, report, received)
            finally:
                if not received[plan.dossier_id].done():
                    received[plan.dossier_id].set_result(False)
            del ok
            if progress:
                progress(1)

    try:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    finally:
        await asyncio.gather(*(client.aclose() for client in clients.values()))
    # Keep the plan's order, so reports and ground truth read the same every run.
    order = {plan.dossier_id: i for i, plan in enumerate(plans)}
    report.accepted.sort(key=lambda plan: order[plan.dossier_id])
    return report
