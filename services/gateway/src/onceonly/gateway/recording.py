"""What each request leaves behind, written in one transaction: an audit record and the events.

The outbox row and the audit record commit or roll back together with whatever else the request
wrote, so an event is published if and only if the access it reports happened (the relay publishes
the outbox afterwards, at least once; consumers drop repeated event ids).
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from datetime import datetime
from typing import TypeAlias

from onceonly.common.events import DataReused, Envelope, Payload, new_envelope
from onceonly.events.v1 import events_pb2
from onceonly.gateway.audit import AuditEntry
from onceonly.gateway.writes import Batch

PRODUCER = f"gateway/{socket.gethostname()}"

Source: TypeAlias = events_pb2.DataSource.ValueType
Outcome: TypeAlias = events_pb2.LookupOutcome.ValueType
Relation: TypeAlias = events_pb2.SubjectRelation.ValueType

SOURCE_POPULATION = events_pb2.DATA_SOURCE_POPULATION_DATABASE
SOURCE_RESULT = events_pb2.DATA_SOURCE_DIGITIZED_RESULT
OUTCOME_HIT = events_pb2.LOOKUP_OUTCOME_HIT
OUTCOME_MISS = events_pb2.LOOKUP_OUTCOME_MISS
OUTCOME_DENIED = events_pb2.LOOKUP_OUTCOME_DENIED

_SOURCE_NAMES = {SOURCE_POPULATION: "population_database", SOURCE_RESULT: "digitized_result"}
_OUTCOME_NAMES = {OUTCOME_HIT: "hit", OUTCOME_MISS: "miss", OUTCOME_DENIED: "denied"}


def source_name(source: Source) -> str:
    return _SOURCE_NAMES.get(source, "")


def outcome_name(outcome: Outcome) -> str:
    return _OUTCOME_NAMES.get(outcome, "")


def add_event(batch: Batch, payload: Payload, *, topic: str, occurred_at: datetime | None = None) -> Envelope:
    """Queue one event for ``topic`` in the batch's outbox rows."""
    envelope = new_envelope(payload, producer=PRODUCER, occurred_at=occurred_at)
    batch.event(envelope, topic=topic)
    return envelope


def record_access(
    batch: Batch,
    *,
    request_id: str,
    agency_code: str,
    action: str,
    procedure_code: str,
    dossier_id: str,
    officer_id: str,
    subject_pseudonym: str,
    source: Source,
    outcome: Outcome,
    fields: Sequence[str] = (),
    result_id: str = "",
    result_type: str = "",
    topic: str,
    emit_event: bool = True,
    applicant_pseudonym: str = "",
    subject_relation: Relation = events_pb2.SUBJECT_RELATION_UNSPECIFIED,
) -> str:
    """Audit one data access and, for reads, report it as ``DataReused``; returns the audit hash."""
    record_hash = batch.audit(
        AuditEntry(
            request_id=request_id,
            agency_code=agency_code,
            action=action,
            procedure_code=procedure_code,
            dossier_id=dossier_id,
            officer_id=officer_id,
            subject_pseudonym=subject_pseudonym,
            source=source_name(source),
            result_id=result_id,
            fields=tuple(fields),
            outcome=outcome_name(outcome),
        )
    )
    if emit_event:
        add_event(
            batch,
            topic=topic,
            payload=DataReused(
                dossier_id=dossier_id,
                agency_code=agency_code,
                procedure_code=procedure_code,
                source=source,
                result_id=result_id,
                result_type=result_type,
                outcome=outcome,
                officer_id=officer_id,
                request_id=request_id,
                subject_pseudonym=subject_pseudonym,
                fields=list(fields),
                applicant_pseudonym=applicant_pseudonym,
                subject_relation=subject_relation,
            ),
        )
    return record_hash
