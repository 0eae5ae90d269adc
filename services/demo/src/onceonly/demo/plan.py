"""Turns a profile into an exact list of dossiers.

Every rate becomes an exact count (``round(rate × denominator)``) and each count picks its own random
subset of dossiers, so the mix is exactly the profile's and otherwise unremarkable. A dossier's
procedure, applicant and components are then chosen to be consistent with its flags: a fee-carrying
dossier gets a procedure with a fee, a non-jurisdictional one an applicant from another province, a
reusing one a component satisfied by the applicant's own valid result where there is one.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from onceonly.catalog.v1 import catalog_pb2
from onceonly.common import working_days
from onceonly.common.working_days import VIETNAM
from onceonly.demo.profiles import Profile
from onceonly.events.v1 import events_pb2

# A component's state (docs/ARCHITECTURE.md): paper, digitized, reused from another dossier's component,
# reused from an earlier result; sent as its national code (``onceonly.common.events.national_code``).
NOT_DIGITIZED = events_pb2.COMPONENT_STATE_NOT_DIGITIZED
DIGITIZED = events_pb2.COMPONENT_STATE_DIGITIZED
REUSED_COMPONENT = events_pb2.COMPONENT_STATE_REUSED_COMPONENT
REUSED_RESULT = events_pb2.COMPONENT_STATE_REUSED_RESULT


class PlanError(ValueError):
    """The profile asks for a dossier the catalog, agencies or citizens cannot give."""


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    province: str  # as of 2025
    weight: float


@dataclass(frozen=True)
class Applicant:
    personal_id: str
    residence_province: str  # as of 2025
    # Result type → ids of the applicant's valid results of that type.
    valid_results: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class ComponentPlan:
    code: str
    state: events_pb2.ComponentState.ValueType
    result_id: str | None = None
    source_dossier_id: str | None = None


@dataclass(frozen=True)
class DossierPlan:
    dossier_id: str
    agency_code: str
    procedure_code: str
    applicant_id: str
    online: bool
    fee: int
    fee_paid_online: bool
    received_at: datetime
    due_at: datetime
    components: tuple[ComponentPlan, ...]
    population_lookup: bool
    non_jurisdictional: bool
    resolved_at: datetime
    result_electronic: bool
    # The procedure's processing time in working days, from which due_at was computed.
    processing_days: int = 0

    @property
    def reused(self) -> bool:
        return any(c.state in (REUSED_COMPONENT, REUSED_RESULT) for c in self.components)

    @property
    def all_digital(self) -> bool:
        return all(c.state != NOT_DIGITIZED for c in self.components)

    @property
    def on_time(self) -> bool:
        return self.resolved_at <= self.due_at


def _subset(rng: random.Random, population: Sequence[int], rate: float) -> set[int]:
    return set(rng.sample(list(population), round(rate * len(population))))


def _received_at(rng: random.Random, start: date, last_day: date, seq: int) -> datetime:
    span = max((last_day - start).days, 0)
    day = start + timedelta(days=rng.randint(0, span))
    # Office hours, Vietnam time; the dossier's date is the same in UTC.
    minute = 7 * 60 + 30 + rng.randint(0, 9 * 60)
    local = datetime.combine(day, time(minute // 60, minute % 60, seq % 60), tzinfo=VIETNAM)
    return local.astimezone(UTC)


def build_plan(
    profile: Profile,
    *,
    agencies: Sequence[Agency],
    procedures: Sequence[catalog_pb2.Procedure],
    applicants: Sequence[Applicant],
    dossiers: int | None = None,
) -> list[DossierPlan]:
    """The profile's dossiers, deterministic for its seed. ``dossiers`` overrides its size."""
    rng = random.Random(profile.seed)
    rates = profile.rates
    n = dossiers or profile.dossiers
    everyone = range(n)

    online = _subset(rng, everyone, rates.online_dossier_rate)
    with_fee = _subset(rng, everyone, rates.fee_share)
    paid_online = _subset(rng, sorted(with_fee), rates.online_payment_rate)
    reuse = _subset(rng, everyone, rates.reuse_rate)
    population = _subset(rng, everyone, rates.population_data_use_rate)
    digital = _subset(rng, everyone, rates.input_digitization_rate)
    on_time = _subset(rng, everyone, rates.on_time_rate)
    electronic = _subset(rng, everyone, rates.output_digitization_rate)
    non_jurisdictional = _subset(rng, everyone, rates.non_jurisdictional_share)

    weights = profile.procedures
    catalog = [p for p in procedures if not weights or p.code in weights]
    if not catalog:
        raise PlanError("no catalog procedure matches the profile's procedures")
    residents: dict[str, list[Applicant]] = {}
    for applicant in applicants:
        residents.setdefault(applicant.residence_province, []).append(applicant)

    plans: list[DossierPlan] = []
    for i in everyone:
        agency = rng.choices(agencies, weights=[a.weight for a in agencies])[0]
        nj = i in non_jurisdictional
        wants_reuse, wants_digital = i in reuse, i in digital

        def fits(
            p: catalog_pb2.Procedure,
            i: int = i,
            nj: bool = nj,
            reuse_on_paper: bool = wants_reuse and not wants_digital,
        ) -> bool:
            return (
                (p.fee > 0) == (i in with_fee)
                and (p.allows_non_jurisdictional or not nj)
                and (p.service_level != catalog_pb2.SERVICE_LEVEL_OFFLINE or i not in online)
                and len(p.components) >= (2 if reuse_on_paper else 1)
                and (bool(p.population_fields) or i not in population)
            )

        candidates = [p for p in catalog if fits(p)]
        if not candidates:
            raise PlanError(f"dossier {i}: no procedure fits its flags (fee, jurisdiction, channel, reuse)")
        procedure = rng.choices(candidates, weights=[weights.get(p.code, 1.0) for p in candidates])[0]

        pool = (
            [a for province, group in residents.items() if province != agency.province for a in group]
            if nj
            else residents.get(agency.province, [])
        )
        if not pool:
            where = "outside" if nj else "in"
            raise PlanError(f"no sampled citizen lives {where} {agency.province}; sample more citizens")
        applicant = rng.choice(pool)

        received = _received_at(
            rng, profile.start, _last_receipt_day(profile.end, procedure.processing_days), i
        )
        # In working days, as the gateway computes it.
        due = working_days.due_at(received, procedure.processing_days)
        if i in on_time:
            resolved = received + (due - received) * rng.uniform(0.3, 1.0)
        else:
            resolved = due + timedelta(hours=rng.randint(2, 72))
        dossier_id = f"{agency.code}-{received.astimezone(VIETNAM):%y%m%d}-{i:06d}"

        plans.append(
            DossierPlan(
                dossier_id=dossier_id,
                agency_code=agency.code,
                procedure_code=procedure.code,
                applicant_id=applicant.personal_id,
                online=i in online,
                fee=procedure.fee,
                fee_paid_online=i in paid_online,
                received_at=received,
                due_at=due,
                components=_components(rng, procedure, applicant, reuse=wants_reuse, digital=wants_digital),
                population_lookup=i in population,
                non_jurisdictional=nj,
                resolved_at=resolved,
                result_electronic=i in electronic,
                processing_days=procedure.processing_days,
            )
        )
    return _with_reuse_sources(rng, plans, agencies)


def _last_receipt_day(end: date, processing_days: int) -> date:
    """The last day a dossier may be received so that it is due, and resolved even three days late, by
    ``end``: processing times are working days, so Tết or a weekend pushes this further back."""
    day = end - timedelta(days=processing_days + 5)
    while working_days.due_date(day, processing_days) > end - timedelta(days=5):
        day -= timedelta(days=1)
    return day


def _with_reuse_sources(
    rng: random.Random, plans: list[DossierPlan], agencies: Sequence[Agency]
) -> list[DossierPlan]:
    """Give every component reused from another dossier a real provenance: an earlier dossier of the
    same applicant, as the gateway requires. Walking the dossiers in order of receipt, one that reuses a
    component takes the applicant of an earlier dossier drawn from its own pool (same agency province,
    same jurisdiction, so its residence stays as planned) and points at that dossier. One with no earlier
    dossier in its pool is moved to just after the next one (its due and resolution move with it)."""
    province = {agency.code: agency.province for agency in agencies}
    plans = list(plans)

    def pool(plan: DossierPlan) -> tuple[str, bool]:
        return province[plan.agency_code], plan.non_jurisdictional

    queue = [(plan.received_at, i) for i, plan in enumerate(plans)]
    heapq.heapify(queue)
    earlier: dict[tuple[str, bool], list[int]] = {}
    while queue:
        _, i = heapq.heappop(queue)
        plan = plans[i]
        if any(c.state == REUSED_COMPONENT for c in plan.components):
            candidates = earlier.get(pool(plan), [])
            if not candidates:
                later = [j for _, j in queue if pool(plans[j]) == pool(plan)]
                if not later:
                    raise PlanError(f"dossier {plan.dossier_id}: no other dossier of its pool to reuse from")
                first = min(later, key=lambda j: plans[j].received_at)
                plans[i] = _moved(plan, plans[first].received_at + timedelta(seconds=1) - plan.received_at)
                heapq.heappush(queue, (plans[i].received_at, i))
                continue
            source = plans[rng.choice(candidates)]
            plans[i] = plan = replace(
                plan,
                applicant_id=source.applicant_id,
                components=tuple(
                    replace(c, source_dossier_id=source.dossier_id) if c.state == REUSED_COMPONENT else c
                    for c in plan.components
                ),
            )
        earlier.setdefault(pool(plan), []).append(i)
    return plans


def _moved(plan: DossierPlan, by: timedelta) -> DossierPlan:
    received = plan.received_at + by
    agency_code, _, number = plan.dossier_id.rpartition("-")
    agency_code = agency_code.rsplit("-", 1)[0]
    # The gateway dates the due from the new receipt in working days; the resolution keeps its side of
    # it (on time or late, by as much), and never comes before the receipt.
    due = working_days.due_at(received, plan.processing_days)
    resolved = due - (plan.due_at - plan.resolved_at)
    if plan.on_time:
        resolved = min(due, max(resolved, received + timedelta(minutes=1)))
    return replace(
        plan,
        dossier_id=f"{agency_code}-{received.astimezone(VIETNAM):%y%m%d}-{number}",
        received_at=received,
        due_at=due,
        resolved_at=resolved,
    )


def _components(
    rng: random.Random,
    procedure: catalog_pb2.Procedure,
    applicant: Applicant,
    *,
    reuse: bool,
    digital: bool,
) -> tuple[ComponentPlan, ...]:
    n = len(procedure.components)
    if digital:
        states = [DIGITIZED] * n
    else:
        states = [rng.choice((NOT_DIGITIZED, DIGITIZED)) for _ in range(n)]
        if NOT_DIGITIZED not in states:
            states[rng.randrange(n)] = NOT_DIGITIZED
    plans = [ComponentPlan(c.code, state) for c, state in zip(procedure.components, states, strict=True)]
    if not reuse:
        return tuple(plans)

    # A dossier that is not all-digital keeps at least one paper component besides the reused one.
    paper = [i for i, state in enumerate(states) if state == NOT_DIGITIZED]
    keep = paper[0] if len(paper) == 1 else None
    carriers = [i for i in range(n) if i != keep]
    # Prefer the applicant's own valid result of an accepted type; else another dossier's component.
    for index in carriers:
        component = procedure.components[index]
        for result_type in component.accepted_result_types:
            if results := applicant.valid_results.get(result_type):
                plans[index] = ComponentPlan(component.code, REUSED_RESULT, result_id=rng.choice(results))
                return tuple(plans)
    index = carriers[0]
    # The source dossier (an earlier one of the same applicant) is chosen by _with_reuse_sources.
    plans[index] = ComponentPlan(procedure.components[index].code, REUSED_COMPONENT)
    return tuple(plans)
