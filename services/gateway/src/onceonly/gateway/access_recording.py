"""Recording one access to a citizen's data: its audit record, its ``DataReused`` event and its metric.

An access is written in the transaction of the request's batch (``group_commit``): the audit record and
the outbox row commit or roll back together with whatever else the request wrote, so an event is
published if and only if the access it reports happened (the relay publishes the outbox afterwards, at
least once; consumers drop repeated event ids). A refusal is recorded too, as ``denied``, and reported
with the audit hash on the problem (``deny``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Generic, NoReturn, TypeAlias, TypeVar

from onceonly.common.events import DataReused
from onceonly.events.v1 import events_pb2
from onceonly.gateway.audit import AuditEntry
from onceonly.gateway.auth import Caller, DataRequest
from onceonly.gateway.binding import RELATION_UNSPECIFIED, Bound, Relation
from onceonly.gateway.group_commit import Batch
from onceonly.gateway.problems import GatewayError

AUDIT_HASH_HEADER = "X-Audit-Hash"

T = TypeVar("T")

Source: TypeAlias = events_pb2.DataSource.ValueType
Outcome: TypeAlias = events_pb2.LookupOutcome.ValueType

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


@dataclass(frozen=True, slots=True)
class Access:
    """One access as it is audited and reported; ``fields`` are the citizen field paths disclosed."""

    request_id: str
    agency_code: str
    procedure_code: str
    dossier_id: str
    officer_id: str
    action: str
    subject_pseudonym: str
    source: Source
    outcome: Outcome
    fields: Sequence[str] = ()
    result_id: str = ""
    result_type: str = ""
    applicant_pseudonym: str = ""
    subject_relation: Relation = RELATION_UNSPECIFIED

    def audit_entry(self) -> AuditEntry:
        return AuditEntry(
            request_id=self.request_id,
            agency_code=self.agency_code,
            action=self.action,
            procedure_code=self.procedure_code,
            dossier_id=self.dossier_id,
            officer_id=self.officer_id,
            subject_pseudonym=self.subject_pseudonym,
            source=source_name(self.source),
            result_id=self.result_id,
            fields=tuple(self.fields),
            outcome=outcome_name(self.outcome),
        )

    def data_reused(self) -> DataReused:
        return DataReused(
            dossier_id=self.dossier_id,
            agency_code=self.agency_code,
            procedure_code=self.procedure_code,
            source=self.source,
            result_id=self.result_id,
            result_type=self.result_type,
            outcome=self.outcome,
            officer_id=self.officer_id,
            request_id=self.request_id,
            subject_pseudonym=self.subject_pseudonym,
            fields=list(self.fields),
            applicant_pseudonym=self.applicant_pseudonym,
            subject_relation=self.subject_relation,
        )


@dataclass(frozen=True, slots=True)
class Recorded(Generic[T]):
    """What a request was answered, and the hash of the audit record of the access (``X-Audit-Hash``)."""

    value: T
    audit_hash: str


def write(batch: Batch, access: Access, *, topic: str, emit_event: bool = True) -> str:
    """Audit ``access`` in the batch and, for reads, report it as ``DataReused``; returns the audit hash."""
    audit_hash = batch.audit(access.audit_entry())
    if emit_event:
        batch.emit(access.data_reused(), topic=topic)
    return audit_hash


async def record(
    request: DataRequest,
    *,
    action: str,
    subject_personal_id: str,
    source: Source,
    outcome: Outcome,
    fields: Sequence[str] = (),
    result_id: str = "",
    result_type: str = "",
    emit_event: bool = True,
    bound: Bound | None = None,
    relatives: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """Write the access in one transaction (shared with concurrent requests' through group commit),
    which also confirms the caller's key; returns the audit record's hash once committed.

    ``relatives`` maps each relative whose data the answer carries (a spouse's name) to the paths
    disclosed: the disclosure is written to that relative's own access log too."""
    runtime, purpose = request.runtime, request.purpose
    pseudonym = runtime.pseudonyms.pseudonym
    binding = bound.binding if bound is not None else None
    access = Access(
        request_id=request.request_id,
        agency_code=request.agency.code,
        procedure_code=purpose.procedure.code,
        dossier_id=purpose.dossier_id,
        officer_id=purpose.officer_id,
        action=action,
        subject_pseudonym=pseudonym(subject_personal_id) if subject_personal_id else "",
        source=source,
        outcome=outcome,
        fields=fields,
        result_id=result_id,
        result_type=result_type,
        applicant_pseudonym=binding.applicant_pseudonym if binding is not None else "",
        subject_relation=bound.relation if bound is not None else RELATION_UNSPECIFIED,
    )
    # A relative's record is audit only: the reuse is the subject's, reported once.
    to_relatives = [
        replace(
            access,
            action=f"{action}.relative",
            subject_pseudonym=pseudonym(pid),
            fields=list(paths),
            applicant_pseudonym="",
            subject_relation=RELATION_UNSPECIFIED,
        )
        for pid, paths in (relatives or {}).items()
        if pid
    ]
    topic = runtime.settings.kafka.topic

    def work(batch: Batch) -> str:
        batch.on_behalf_of(request.agency)
        audit_hash = write(batch, access, topic=topic, emit_event=emit_event)
        for other in to_relatives:
            write(batch, other, topic=topic, emit_event=False)
        return audit_hash

    audit_hash = await runtime.writes.submit(work)
    runtime.metrics.lookups.labels(source_name(source), outcome_name(outcome)).inc()
    return audit_hash


async def audit_only(
    caller: Caller,
    *,
    action: str,
    subject_personal_id: str,
    source: str,
    outcome: str,
    dossier_id: str = "",
    procedure_code: str = "",
    officer_id: str = "",
    fields: Sequence[str] = (),
) -> str:
    """An audit record with no event, for disclosures that are not reuse (a receipt's residence
    check, a read of the access log); returns its hash once committed."""
    runtime = caller.runtime
    entry = AuditEntry(
        request_id=caller.request_id,
        agency_code=caller.agency.code,
        action=action,
        procedure_code=procedure_code,
        dossier_id=dossier_id,
        officer_id=officer_id,
        subject_pseudonym=runtime.pseudonyms.pseudonym(subject_personal_id) if subject_personal_id else "",
        source=source,
        fields=tuple(fields),
        outcome=outcome,
    )

    def work(batch: Batch) -> str:
        batch.on_behalf_of(caller.agency)
        return batch.audit(entry)

    return await runtime.writes.submit(work)


async def deny(
    request: DataRequest,
    error: GatewayError,
    *,
    action: str,
    subject_personal_id: str,
    source: Source,
    bound: Bound | None = None,
    fields: Sequence[str] = (),
    result_id: str = "",
    result_type: str = "",
) -> NoReturn:
    """Audit and report the refusal as ``denied``, then raise ``error`` carrying the audit hash."""
    error.headers[AUDIT_HASH_HEADER] = await record(
        request,
        action=action,
        subject_personal_id=subject_personal_id,
        source=source,
        outcome=OUTCOME_DENIED,
        fields=fields,
        result_id=result_id,
        result_type=result_type,
        bound=bound,
    )
    raise error
