"""A digitized result as the REST API shows it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC

from onceonly.gateway.minimization import narrowed_attributes
from onceonly.gateway.schemas import ResultOut, ResultStatus
from onceonly.results.v1 import results_pb2

_STATUS = {
    results_pb2.RESULT_STATUS_VALID: ResultStatus.VALID,
    results_pb2.RESULT_STATUS_EXPIRED: ResultStatus.EXPIRED,
    results_pb2.RESULT_STATUS_REVOKED: ResultStatus.REVOKED,
}


def result_out(result: results_pb2.Result, entitled: Iterable[str] | None = None) -> ResultOut:
    """The result as shown; with ``entitled`` (a procedure's population fields), its attributes
    narrowed to what that procedure may see."""
    attributes = dict(result.attributes)
    if entitled is not None:
        attributes = narrowed_attributes(attributes, entitled)
    return ResultOut(
        result_id=result.result_id,
        result_type=result.result_type,
        owner_personal_id=result.owner_personal_id,
        title=result.title,
        issuing_agency=result.issuing_agency,
        document_number=result.document_number,
        issued_on=result.issued_on,
        valid_until=result.valid_until,
        content_sha256=result.content_sha256,
        status=_STATUS.get(result.status, ResultStatus.UNSPECIFIED),
        revoked_at=result.revoked_at.ToDatetime(tzinfo=UTC) if result.HasField("revoked_at") else None,
        revocation_reason=result.revocation_reason,
        attributes=attributes,
    )
