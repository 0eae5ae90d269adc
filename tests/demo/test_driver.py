"""The requests the demo driver (and the reliability load, which uses the same functions) makes of a plan."""

from __future__ import annotations

from onceonly.client import Channel, ResolutionOutcome
from onceonly.common.events import national_code
from onceonly.demo.driver import (
    in_order_of_receipt,
    intake_of,
    receipt_of,
    resolution_of,
    reused_results,
    sources_of,
)
from onceonly.demo.plan import REUSED_COMPONENT, REUSED_RESULT, DossierPlan, build_plan
from onceonly.demo.profiles import load_profiles
from tests.demo.test_plan import AGENCIES, APPLICANTS, CATALOG


def _plans(dossiers: int = 1500) -> list[DossierPlan]:
    profile = load_profiles()["binh-duong-2024"]
    return build_plan(
        profile, agencies=AGENCIES, procedures=CATALOG, applicants=APPLICANTS, dossiers=dossiers
    )


def test_the_intake_binds_what_the_receipt_names_and_the_receipt_carries_the_plan() -> None:
    plans = _plans()
    for plan in plans:
        intake, receipt, resolution = intake_of(plan), receipt_of(plan), resolution_of(plan)
        assert (
            (intake.procedure_code, intake.applicant_personal_id)
            == (
                receipt.procedure_code,
                receipt.applicant_personal_id,
            )
            == (plan.procedure_code, plan.applicant_id)
        )
        assert receipt.dossier_id == plan.dossier_id
        assert receipt.received_at == plan.received_at
        assert receipt.channel == (Channel.ONLINE if plan.online else Channel.COUNTER)
        assert receipt.fee_paid_online == plan.fee_paid_online
        assert [(c.code, c.state, c.result_id, c.source_dossier_id) for c in receipt.components] == [
            (c.code, national_code(c.state), c.result_id, c.source_dossier_id) for c in plan.components
        ]
        assert resolution.outcome == ResolutionOutcome.APPROVED
        assert resolution.resolved_at == plan.resolved_at
        assert resolution.result_electronic == plan.result_electronic
        assert reused_results(plan) == [c.result_id for c in plan.components if c.state == REUSED_RESULT]
        assert sources_of(plan) == {
            c.source_dossier_id for c in plan.components if c.state == REUSED_COMPONENT
        }
    assert any(reused_results(plan) for plan in plans)
    assert any(sources_of(plan) for plan in plans)


def test_in_order_of_receipt_every_source_goes_before_the_dossiers_reusing_it() -> None:
    plans = _plans()
    ordered = in_order_of_receipt(plans)
    assert sorted(p.dossier_id for p in ordered) == sorted(p.dossier_id for p in plans)
    position = {plan.dossier_id: i for i, plan in enumerate(ordered)}
    reusing = [plan for plan in ordered if sources_of(plan)]
    assert len(reusing) > 50
    for plan in reusing:
        for source in sources_of(plan):
            assert position[source] < position[plan.dossier_id], (source, plan.dossier_id)
    # The planner's own order is by dossier number, not by receipt: the sort is what puts sources first.
    assert [p.dossier_id for p in ordered] != [p.dossier_id for p in plans]
