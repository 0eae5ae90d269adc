"""A receipt's components: checked against the procedure and against what they say they reuse, and
what the receipt records of each beyond how it was filed.

The REST body carries each component's state as its national code; it is read here once as the
event's ``ComponentState`` (``component_state``, mapped by name), and every rule speaks of that.

Beyond how it was filed, a receipt records whether a result the applicant already held could have
satisfied a component filed on paper or as an upload (an avoidable re-ask), and whose result a
component reused. The types some such component accepts (``asked_types``) go to lookup in the
receipt's one ``CheckReceipt`` call, with the results the components reuse and the applicant's
residence, and only when some component filed so accepts a type does lookup judge them: what the desk
learns is one yes or no per component, never the results. A result counts when it was valid at the
receipt's instant: issued on or before its day, not expired by then, not revoked before it (a dossier
imported from an older system is judged on its own date); lookup judges that, from the result rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from onceonly.catalog.v1 import catalog_pb2
from onceonly.common.events import ComponentState, component_state
from onceonly.events.v1 import events_pb2
from onceonly.gateway.instants import aware
from onceonly.gateway.problems import InvalidComponent
from onceonly.gateway.schemas import ComponentIn, ComponentOut, DossierIn
from onceonly.receipts.v1 import receipts_pb2
from onceonly.results.v1 import results_pb2

REUSED_COMPONENT = events_pb2.COMPONENT_STATE_REUSED_COMPONENT
REUSED_RESULT = events_pb2.COMPONENT_STATE_REUSED_RESULT
# Filed on paper or uploaded as a file: the states a reusable result would spare.
ASKED_STATES = frozenset({events_pb2.COMPONENT_STATE_NOT_DIGITIZED, events_pb2.COMPONENT_STATE_DIGITIZED})


def state_of(component: ComponentIn) -> ComponentState.ValueType:
    return component_state(component.state)


def _refusal(code: str, reason: str) -> InvalidComponent:
    return InvalidComponent(f"component {code}: {reason}", extra={"component": code})


def source_dossiers(body: DossierIn) -> list[str]:
    """The other dossiers the components say they reuse from."""
    return sorted(
        {
            c.source_dossier_id
            for c in body.components
            if state_of(c) == REUSED_COMPONENT
            and c.source_dossier_id
            and c.source_dossier_id != body.dossier_id
        }
    )


def reused_results(body: DossierIn) -> list[str]:
    """The results the components say they reuse."""
    return sorted({c.result_id for c in body.components if state_of(c) == REUSED_RESULT and c.result_id})


def asked_types(
    procedure: catalog_pb2.Procedure, filed: Iterable[tuple[str, ComponentState.ValueType]]
) -> list[str]:
    """The result types accepted by some component filed (``code``, state) as asked again."""
    accepted = {c.code: c.accepted_result_types for c in procedure.components}
    return sorted({t for code, state in filed if state in ASKED_STATES for t in accepted.get(code, ())})


def check_sources(sources: Mapping[str, Any], body: DossierIn, pseudonym: str, received_at: datetime) -> None:
    """A component reused from another dossier names one that was received, earlier, for the same
    applicant: reuse is claimed only where it could have happened."""
    for component in body.components:
        source = component.source_dossier_id
        if state_of(component) != REUSED_COMPONENT or not source:
            continue
        if source == body.dossier_id:
            raise _refusal(component.code, "a dossier cannot reuse its own component")
        row = sources.get(source)
        if row is None:
            raise _refusal(component.code, f"source dossier {source!r} was never received")
        if row.applicant_pseudonym != pseudonym:
            raise _refusal(component.code, f"source dossier {source!r} is another applicant's")
        if aware(row.received_at) > received_at:
            raise _refusal(component.code, f"source dossier {source!r} was received after this one")


def _reused_result_type(
    code: str,
    result_id: str | None,
    results: Mapping[str, receipts_pb2.ReusedResult | None],
    spec: catalog_pb2.Component,
) -> str:
    """The type of the result a component reuses, once it is the applicant's, valid and accepted."""
    if not result_id:
        raise _refusal(code, "state 3 (reused from a result) needs result_id")
    result = results.get(result_id)
    if result is None:
        raise _refusal(code, f"result {result_id!r} does not exist")
    if not result.owned_by_applicant:
        raise _refusal(code, f"result {result_id!r} does not belong to the applicant")
    if result.status != results_pb2.RESULT_STATUS_VALID:
        status = results_pb2.ResultStatus.Name(result.status).removeprefix("RESULT_STATUS_").lower()
        raise _refusal(code, f"result {result_id!r} is {status}")
    if result.result_type not in spec.accepted_result_types:
        raise _refusal(code, f"a {result.result_type} cannot satisfy this component")
    return result.result_type


def check_components(
    body: DossierIn,
    procedure: catalog_pb2.Procedure,
    results: Mapping[str, receipts_pb2.ReusedResult | None],
) -> list[tuple[ComponentOut, events_pb2.DossierComponent]]:
    """Each component as the receipt shows it and as its event carries it, once it is one of the
    procedure's, listed once, with what its state needs; every required component present."""
    catalog = {c.code: c for c in procedure.components}
    seen: set[str] = set()
    out: list[tuple[ComponentOut, events_pb2.DossierComponent]] = []
    for component in body.components:
        code, state = component.code, state_of(component)
        spec = catalog.get(code)
        if spec is None:
            raise _refusal(code, f"procedure {procedure.code} has no such component")
        if code in seen:
            raise _refusal(code, "listed twice")
        seen.add(code)
        result_type = None
        if state == REUSED_RESULT:
            result_type = _reused_result_type(code, component.result_id, results, spec)
        elif component.result_id:
            raise _refusal(code, "result_id is only for state 3")
        if state == REUSED_COMPONENT and not component.source_dossier_id:
            raise _refusal(code, "state 2 (reused from another dossier) needs source_dossier_id")
        if state != REUSED_COMPONENT and component.source_dossier_id:
            raise _refusal(code, "source_dossier_id is only for state 2")
        out.append(
            (
                ComponentOut.model_construct(
                    code=code,
                    state=component.state,
                    result_id=component.result_id,
                    result_type=result_type,
                    source_dossier_id=component.source_dossier_id,
                ),
                events_pb2.DossierComponent(
                    code=code,
                    state=state,
                    result_id=component.result_id or "",
                    result_type=result_type or "",
                    source_dossier_id=component.source_dossier_id or "",
                ),
            )
        )
    missing = [c.code for c in procedure.components if c.required and c.code not in seen]
    if missing:
        raise _refusal(missing[0], f"required by procedure {procedure.code} but missing")
    return out


def annotate(
    components: Sequence[events_pb2.DossierComponent],
    procedure: catalog_pb2.Procedure,
    held: frozenset[str] | None,
    results: Mapping[str, receipts_pb2.ReusedResult | None],
) -> None:
    """Fill ``reusable_result_available`` (components asked again that a held result satisfies) and
    ``result_issuer`` (components reusing a result) on a receipt's event components."""
    accepted = {c.code: c.accepted_result_types for c in procedure.components}
    holds = held or frozenset()
    for component in components:
        if component.state in ASKED_STATES:
            component.reusable_result_available = any(t in holds for t in accepted.get(component.code, ()))
        elif component.state == REUSED_RESULT:
            result = results.get(component.result_id)
            if result is not None:
                component.result_issuer = result.issuing_agency
