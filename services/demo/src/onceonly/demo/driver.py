"""Sends the planned dossiers through the gateway's public API, as the agencies' systems would:
the population lookup and result fetches bound to the dossier, the receipt, then the resolution."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from onceonly.client import (
    AsyncGatewayClient,
    Channel,
    Dossier,
    DossierComponent,
    GatewayError,
    ProblemError,
    Resolution,
    ResolutionOutcome,
)
from onceonly.demo.plan import REUSED_RESULT, DossierPlan


@dataclass
class DriveReport:
    accepted: list[DossierPlan] = field(default_factory=list)
    # "POST /v1/dossiers 422" → count, and the first problem's detail for each.
    failures: Counter[str] = field(default_factory=Counter)
    failure_details: dict[str, str] = field(default_factory=dict)
    # Dossiers whose receipt came back with another jurisdiction than planned.
    jurisdiction_mismatches: list[str] = field(default_factory=list)
    requests: int = 0


def _failed(report: DriveReport, kind: str, detail: str) -> None:
    report.failures[kind] += 1
    report.failure_details.setdefault(kind, detail)


async def _send_one(gateway: AsyncGatewayClient, plan: DossierPlan, report: DriveReport) -> None:
    purpose = {"dossier_id": plan.dossier_id, "procedure_code": plan.procedure_code}
    step = "GET /v1/citizens"
    try:
        if plan.population_lookup:
            report.requests += 1
            await gateway.get_citizen(plan.applicant_id, **purpose)
        step = "GET /v1/results"
        for component in plan.components:
            if component.state == REUSED_RESULT and component.result_id:
                report.requests += 1
                await gateway.get_result(component.result_id, **purpose)
        step = "POST /v1/dossiers"
        report.requests += 1
        receipt = await gateway.file_dossier(
            Dossier(
                dossier_id=plan.dossier_id,
                procedure_code=plan.procedure_code,
                applicant_personal_id=plan.applicant_id,
                channel=Channel.ONLINE if plan.online else Channel.COUNTER,
                fee_paid_online=plan.fee_paid_online,
                received_at=plan.received_at,
                components=[
                    DossierComponent(
                        code=c.code,
                        state=c.state,
                        result_id=c.result_id,
                        source_dossier_id=c.source_dossier_id,
                    )
                    for c in plan.components
                ],
            )
        )
        if receipt.non_jurisdictional != plan.non_jurisdictional:
            report.jurisdiction_mismatches.append(plan.dossier_id)
        step = "POST /v1/dossiers/{id}/resolution"
        report.requests += 1
        await gateway.resolve_dossier(
            plan.dossier_id,
            Resolution(
                outcome=ResolutionOutcome.APPROVED,
                resolved_at=plan.resolved_at,
                result_electronic=plan.result_electronic,
            ),
        )
    except ProblemError as problem:
        _failed(report, f"{step} {problem.status}", f"{plan.dossier_id}: {problem.detail or problem.title}")
        return
    except GatewayError as error:
        _failed(report, f"{step} {type(error).__name__}", f"{plan.dossier_id}: {error}")
        return
    report.accepted.append(plan)


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
    queue: asyncio.Queue[DossierPlan] = asyncio.Queue()
    for plan in plans:
        queue.put_nowait(plan)

    async def worker() -> None:
        while not queue.empty():
            plan = queue.get_nowait()
            await _send_one(clients[plan.agency_code], plan, report)
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
