"""Recording one data access from a route: audit record, DataReused event and metrics together."""

from __future__ import annotations

from collections.abc import Sequence

from onceonly.common.personal_id import InvalidPersonalId, parse_personal_id
from onceonly.gateway.auth import DataRequest
from onceonly.gateway.problems import InvalidPersonalIdError
from onceonly.gateway.recording import Outcome, Source, outcome_name, record_access, source_name
from onceonly.gateway.writes import Batch

AUDIT_HASH_HEADER = "X-Audit-Hash"


def checked_personal_id(value: str) -> str:
    """The id when well-formed; else a 400 whose detail is the parser's reason."""
    try:
        return parse_personal_id(value).value
    except InvalidPersonalId as error:
        raise InvalidPersonalIdError(error.message, extra={"part": error.part}) from None


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
) -> str:
    """Write the access in one transaction (shared with concurrent requests' through group commit),
    which also confirms the caller's key; returns the audit record's hash once committed."""
    runtime, purpose = request.runtime, request.purpose
    subject = runtime.pseudonyms.pseudonym(subject_personal_id) if subject_personal_id else ""

    def write(batch: Batch) -> str:
        batch.on_behalf_of(request.agency)
        return record_access(
            batch,
            request_id=request.request_id,
            agency_code=request.agency.code,
            action=action,
            procedure_code=purpose.procedure.code,
            dossier_id=purpose.dossier_id,
            officer_id=purpose.officer_id,
            subject_pseudonym=subject,
            source=source,
            outcome=outcome,
            fields=fields,
            result_id=result_id,
            result_type=result_type,
            emit_event=emit_event,
            topic=runtime.settings.kafka.topic,
        )

    audit_hash = await runtime.writes.submit(write)
    runtime.metrics.lookups.labels(source_name(source), outcome_name(outcome)).inc()
    return audit_hash
