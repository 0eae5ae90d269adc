"""Recording one data access from a route: audit record, DataReused event and metrics together."""

from __future__ import annotations

from collections.abc import Sequence

from onceonly.common.personal_id import InvalidPersonalId, parse_personal_id
from onceonly.gateway.agencies import Agency
from onceonly.gateway.auth import Purpose
from onceonly.gateway.problems import InvalidPersonalIdError
from onceonly.gateway.recording import Outcome, Source, outcome_name, record_access, source_name
from onceonly.gateway.runtime import Runtime

AUDIT_HASH_HEADER = "X-Audit-Hash"


def checked_personal_id(value: str) -> str:
    """The id when well-formed; else a 400 whose detail is the parser's reason."""
    try:
        return parse_personal_id(value).value
    except InvalidPersonalId as error:
        raise InvalidPersonalIdError(error.message, extra={"part": error.part}) from None


def record(
    runtime: Runtime,
    *,
    request_id: str,
    caller: Agency,
    purpose: Purpose,
    action: str,
    subject_personal_id: str,
    source: Source,
    outcome: Outcome,
    fields: Sequence[str] = (),
    result_id: str = "",
    result_type: str = "",
    emit_event: bool = True,
) -> str:
    """Write the access in one transaction (shared with concurrent requests' through group commit);
    returns the audit record's hash for the response once committed."""
    subject = runtime.pseudonyms.pseudonym(subject_personal_id) if subject_personal_id else ""
    audit_hash = runtime.writes.run(
        lambda conn: record_access(
            conn,
            request_id=request_id,
            agency_code=caller.code,
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
    )
    runtime.metrics.lookups.labels(source_name(source), outcome_name(outcome)).inc()
    return audit_hash
