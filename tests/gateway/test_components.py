"""A receipt's component rules on their own (pure): the national code read as the event's state once,
what each state needs, and what the receipt adds to each component's event."""

from __future__ import annotations

import re
from typing import Any

import pytest

from onceonly.catalog.v1 import catalog_pb2
from onceonly.events.v1 import events_pb2 as ev
from onceonly.gateway import components
from onceonly.gateway.problems import InvalidComponent
from onceonly.gateway.schemas import DossierIn
from onceonly.receipts.v1 import receipts_pb2
from onceonly.results.v1 import results_pb2

PROCEDURE = catalog_pb2.Procedure(
    code="P1",
    components=[
        catalog_pb2.Component(code="FORM", required=True),
        catalog_pb2.Component(code="BIRTH", accepted_result_types=["birth_certificate"]),
        catalog_pb2.Component(code="MARRIAGE", accepted_result_types=["marriage_certificate"]),
    ],
)
VALID_BIRTH = receipts_pb2.ReusedResult(
    result_id="KS-1",
    owned_by_applicant=True,
    status=results_pb2.RESULT_STATUS_VALID,
    result_type="birth_certificate",
    issuing_agency="UBND-1",
)


def _body(*filed: dict[str, Any]) -> DossierIn:
    return DossierIn.model_validate(
        {
            "dossier_id": "HN-1",
            "procedure_code": "P1",
            "applicant_personal_id": "001090012345",
            "channel": "online",
            "components": list(filed),
        }
    )


def test_each_national_code_becomes_the_event_state_of_that_name_and_the_receipt_keeps_the_code() -> None:
    body = _body(
        {"code": "FORM", "state": 0},
        {"code": "BIRTH", "state": 3, "result_id": "KS-1"},
        {"code": "MARRIAGE", "state": 2, "source_dossier_id": "HN-0"},
    )
    checked = components.check_components(body, PROCEDURE, {"KS-1": VALID_BIRTH})
    assert [(shown.code, shown.state) for shown, _ in checked] == [("FORM", 0), ("BIRTH", 3), ("MARRIAGE", 2)]
    assert [event.state for _, event in checked] == [
        ev.COMPONENT_STATE_NOT_DIGITIZED,
        ev.COMPONENT_STATE_REUSED_RESULT,
        ev.COMPONENT_STATE_REUSED_COMPONENT,
    ]
    assert checked[1][1].result_type == "birth_certificate"
    assert components.reused_results(body) == ["KS-1"]
    assert components.source_dossiers(body) == ["HN-0"]


@pytest.mark.parametrize(
    ("filed", "reason"),
    [
        ({"code": "BIRTH", "state": 3}, "state 3 (reused from a result) needs result_id"),
        ({"code": "BIRTH", "state": 1, "result_id": "KS-1"}, "result_id is only for state 3"),
        ({"code": "BIRTH", "state": 2}, "state 2 (reused from another dossier) needs source_dossier_id"),
        ({"code": "BIRTH", "state": 1, "source_dossier_id": "HN-0"}, "source_dossier_id is only for state 2"),
        ({"code": "MARRIAGE", "state": 3, "result_id": "KS-1"}, "a birth_certificate cannot satisfy"),
        ({"code": "NONE", "state": 1}, "procedure P1 has no such component"),
    ],
)
def test_a_component_lacking_what_its_state_needs_is_refused(filed: dict[str, Any], reason: str) -> None:
    body = _body({"code": "FORM", "state": 1}, filed)
    with pytest.raises(InvalidComponent, match=re.escape(f"component {filed['code']}: {reason}")) as refused:
        components.check_components(body, PROCEDURE, {"KS-1": VALID_BIRTH})
    assert refused.value.extra == {"component": filed["code"]}


def test_a_required_component_left_out_is_refused() -> None:
    with pytest.raises(InvalidComponent, match="component FORM: required by procedure P1 but missing"):
        components.check_components(_body({"code": "BIRTH", "state": 1}), PROCEDURE, {})


def test_asked_types_are_those_of_components_filed_on_paper_or_uploaded() -> None:
    filed = [
        ("BIRTH", ev.COMPONENT_STATE_NOT_DIGITIZED),
        ("MARRIAGE", ev.COMPONENT_STATE_REUSED_RESULT),
        ("FORM", ev.COMPONENT_STATE_DIGITIZED),
    ]
    assert components.asked_types(PROCEDURE, filed) == ["birth_certificate"]
    assert components.asked_types(PROCEDURE, [("MARRIAGE", ev.COMPONENT_STATE_DIGITIZED)]) == [
        "marriage_certificate"
    ]


def test_annotate_marks_avoidable_re_asks_and_names_the_issuer_of_a_reused_result() -> None:
    events = [
        ev.DossierComponent(code="BIRTH", state=ev.COMPONENT_STATE_DIGITIZED),
        ev.DossierComponent(code="MARRIAGE", state=ev.COMPONENT_STATE_NOT_DIGITIZED),
        ev.DossierComponent(code="BIRTH", state=ev.COMPONENT_STATE_REUSED_RESULT, result_id="KS-1"),
    ]
    components.annotate(events, PROCEDURE, frozenset({"birth_certificate"}), {"KS-1": VALID_BIRTH})
    assert [c.reusable_result_available for c in events] == [True, False, False]
    assert [c.result_issuer for c in events] == ["", "", "UBND-1"]
