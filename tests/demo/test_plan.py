"""The demo planner turns a profile into exactly the mix it asks for, with consistent dossiers."""

from __future__ import annotations

from datetime import date

import pytest

from onceonly.catalog.v1 import catalog_pb2
from onceonly.common import working_days
from onceonly.common.working_days import VIETNAM
from onceonly.demo.plan import (
    NOT_DIGITIZED,
    REUSED_COMPONENT,
    REUSED_RESULT,
    Agency,
    Applicant,
    DossierPlan,
    PlanError,
    build_plan,
)
from onceonly.demo.profiles import Profile, load_profiles
from onceonly.demo.truth import ground_truth

HCM = "Hồ Chí Minh"


def _procedure(
    code: str, *, fee: int, nj: bool, components: int, fields: bool = True
) -> catalog_pb2.Procedure:
    return catalog_pb2.Procedure(
        code=code,
        name=code,
        service_level=catalog_pb2.SERVICE_LEVEL_PARTIAL_ONLINE,
        processing_days=5,
        fee=fee,
        allows_non_jurisdictional=nj,
        population_fields=["full_name"] if fields else [],
        components=[
            catalog_pb2.Component(
                code=f"{code}-c{i}", accepted_result_types=["birth_certificate"] if i == 0 else []
            )
            for i in range(components)
        ],
    )


CATALOG = [
    _procedure("paid-nj", fee=50_000, nj=True, components=3),
    _procedure("paid-local", fee=100_000, nj=False, components=2),
    _procedure("free-nj", fee=0, nj=True, components=2),
    _procedure("free-single", fee=0, nj=False, components=1),
]
AGENCIES = [Agency("BD-1", "Desk one", HCM, 2), Agency("BD-2", "Desk two", HCM, 1)]
APPLICANTS = [
    Applicant(
        f"0740900{i:05d}", HCM if i % 4 else "Hà Nội", {"birth_certificate": [f"R{i}"]} if i % 3 else {}
    )
    for i in range(400)
]


def test_binh_duong_profile_gives_the_reported_2024_figures_exactly() -> None:
    profile = load_profiles()["binh-duong-2024"]
    plans = build_plan(profile, agencies=AGENCIES, procedures=CATALOG, applicants=APPLICANTS)
    truth = ground_truth(plans)

    assert len(plans) == 10_000
    expected = {
        "reuse_rate": "36.67",
        "population_data_use_rate": "45.12",
        "online_dossier_rate": "77.25",
        "online_payment_rate": "72.95",
        "on_time_rate": "99.74",
        "input_digitization_rate": "80.70",
        "output_digitization_rate": "88.51",
    }
    for name, percent in expected.items():
        value = truth[name].value
        assert value is not None
        assert f"{float(value) * 100:.2f}" == percent, name


def test_each_dossier_is_consistent_with_its_flags() -> None:
    profile = load_profiles()["binh-duong-2024"]
    plans = build_plan(profile, agencies=AGENCIES, procedures=CATALOG, applicants=APPLICANTS, dossiers=2_000)
    residence = {a.personal_id: a.residence_province for a in APPLICANTS}
    procedures = {p.code: p for p in CATALOG}
    for plan in plans:
        procedure = procedures[plan.procedure_code]
        assert plan.fee == procedure.fee
        assert not plan.fee_paid_online or plan.fee > 0
        assert (residence[plan.applicant_id] != HCM) == plan.non_jurisdictional
        assert not plan.non_jurisdictional or procedure.allows_non_jurisdictional
        assert plan.all_digital == all(c.state != NOT_DIGITIZED for c in plan.components)
        for component in plan.components:
            if component.state == REUSED_COMPONENT:
                assert component.source_dossier_id not in {None, plan.dossier_id}
            if component.state == REUSED_RESULT:
                assert component.result_id == f"R{int(plan.applicant_id[-5:])}"
        assert profile.start <= plan.received_at.date()
        assert plan.resolved_at.date() <= profile.end
    assert len({p.dossier_id for p in plans}) == len(plans)


def test_same_seed_same_plan_and_another_seed_another() -> None:
    profile = load_profiles()["small"]

    def plan(p: Profile) -> list[DossierPlan]:
        return build_plan(p, agencies=AGENCIES, procedures=CATALOG, applicants=APPLICANTS)

    assert plan(profile) == plan(profile)
    assert plan(profile.model_copy(update={"seed": profile.seed + 1})) != plan(profile)


def test_a_profile_the_catalog_cannot_serve_is_refused_clearly() -> None:
    profile = load_profiles()["small"]
    free_only = [p for p in CATALOG if p.fee == 0]
    with pytest.raises(PlanError, match="no procedure fits"):
        build_plan(profile, agencies=AGENCIES, procedures=free_only, applicants=APPLICANTS)


def test_profiles_file_adds_profiles(tmp_path: object) -> None:
    from pathlib import Path

    extra = Path(str(tmp_path)) / "profiles.yaml"
    extra.write_text(
        "tiny:\n  dossiers: 10\n  start: 2025-01-01\n  end: 2025-02-01\n  rates: {online_dossier_rate: 1,"
        " fee_share: 0, online_payment_rate: 0, on_time_rate: 1, input_digitization_rate: 1,"
        " output_digitization_rate: 1, reuse_rate: 0, population_data_use_rate: 0,"
        " non_jurisdictional_share: 0}\n  agencies: [{code: A, name: A, province: '001'}]\n",
        encoding="utf-8",
    )
    profiles = load_profiles(extra)
    assert profiles["tiny"].start == date(2025, 1, 1)
    assert "binh-duong-2024" in profiles


def test_a_component_reused_from_a_dossier_points_at_an_earlier_dossier_of_the_same_applicant() -> None:
    profile = load_profiles()["binh-duong-2024"]
    plans = build_plan(profile, agencies=AGENCIES, procedures=CATALOG, applicants=APPLICANTS, dossiers=3000)
    by_id = {plan.dossier_id: plan for plan in plans}
    assert len(by_id) == len(plans)
    sources = 0
    for plan in plans:
        for component in plan.components:
            if component.state != REUSED_COMPONENT:
                continue
            assert component.source_dossier_id is not None
            source = by_id[component.source_dossier_id]
            assert source.applicant_id == plan.applicant_id
            assert source.received_at < plan.received_at
            assert source.dossier_id != plan.dossier_id
            sources += 1
    assert sources > 100


def test_due_dates_count_working_days_as_the_gateway_does() -> None:
    """The plan's on-time dossiers are on time by the gateway's working-day due date, its late ones late,
    and every resolution falls inside the profile's year, Tết and the last weeks of December included."""
    profile = load_profiles()["binh-duong-2024"]
    plans = build_plan(profile, agencies=AGENCIES, procedures=CATALOG, applicants=APPLICANTS)
    assert {p.processing_days for p in plans} == {5}
    for plan in plans:
        due = working_days.due_at(plan.received_at, plan.processing_days)
        assert plan.due_at == due
        assert plan.on_time == (plan.resolved_at <= due)
        assert plan.received_at <= plan.resolved_at
        assert plan.resolved_at.astimezone(VIETNAM).date() <= profile.end
    # Received the day before Tết Giáp Thìn (8–14 February 2024 off): due five working days after it.
    before_tet = [p for p in plans if p.received_at.astimezone(VIETNAM).date() == date(2024, 2, 7)]
    assert before_tet
    assert {p.due_at.astimezone(VIETNAM).date() for p in before_tet} == {date(2024, 2, 21)}
    assert sum(p.on_time for p in plans) == 9974
