"""One access, one value: the audit record and the DataReused event are both read from it (pure)."""

from __future__ import annotations

from dataclasses import replace

from onceonly.events.v1 import events_pb2 as ev
from onceonly.gateway.access_recording import (
    OUTCOME_DENIED,
    OUTCOME_HIT,
    SOURCE_POPULATION,
    SOURCE_RESULT,
    Access,
)

ACCESS = Access(
    request_id="req-1",
    agency_code="HN-01",
    procedure_code="1.001193",
    dossier_id="HN-01-000001",
    officer_id="officer-7",
    action="citizen.read",
    subject_pseudonym="p-subject",
    source=SOURCE_POPULATION,
    outcome=OUTCOME_HIT,
    fields=["full_name", "current_address.province"],
    applicant_pseudonym="p-applicant",
    subject_relation=ev.SUBJECT_RELATION_RELATIVE,
)


def test_the_audit_record_names_the_source_and_outcome_and_lists_the_fields() -> None:
    entry = ACCESS.audit_entry()
    assert (entry.request_id, entry.agency_code, entry.action) == ("req-1", "HN-01", "citizen.read")
    assert (entry.procedure_code, entry.dossier_id, entry.officer_id) == (
        "1.001193",
        "HN-01-000001",
        "officer-7",
    )
    assert (entry.subject_pseudonym, entry.source, entry.outcome) == (
        "p-subject",
        "population_database",
        "hit",
    )
    assert entry.fields == ("full_name", "current_address.province")
    denied = replace(ACCESS, source=SOURCE_RESULT, outcome=OUTCOME_DENIED).audit_entry()
    assert (denied.source, denied.outcome) == ("digitized_result", "denied")


def test_the_event_carries_the_same_access_with_its_applicant_and_relation() -> None:
    event = ACCESS.data_reused()
    assert event == ev.DataReused(
        dossier_id="HN-01-000001",
        agency_code="HN-01",
        procedure_code="1.001193",
        source=ev.DATA_SOURCE_POPULATION_DATABASE,
        outcome=ev.LOOKUP_OUTCOME_HIT,
        officer_id="officer-7",
        request_id="req-1",
        subject_pseudonym="p-subject",
        fields=["full_name", "current_address.province"],
        applicant_pseudonym="p-applicant",
        subject_relation=ev.SUBJECT_RELATION_RELATIVE,
    )
