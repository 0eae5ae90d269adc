"""Digitized-result requests: a citizen's results listed, one read, a new one registered, one verified
by its hash. Each is held to its dossier, shows only the result types the procedure's components
accept, and is recorded as an access (a refusal too, as ``denied``); a spouse a shown result names has
the disclosure in their own access log."""

from __future__ import annotations

from onceonly.gateway.access_recording import (
    AUDIT_HASH_HEADER,
    OUTCOME_HIT,
    OUTCOME_MISS,
    SOURCE_RESULT,
    Recorded,
    deny,
    record,
)
from onceonly.gateway.auth import DataRequest
from onceonly.gateway.binding import Binding, Bound
from onceonly.gateway.minimization import accepted_result_types
from onceonly.gateway.problems import ResultNotFound, ResultTypesNotPermitted
from onceonly.gateway.purpose_binding import bind, checked_personal_id, dossier_of, held_to_dossier
from onceonly.gateway.result_view import result_out
from onceonly.gateway.schemas import ResultIn
from onceonly.results.v1 import results_pb2


def _spouse_of(result: results_pb2.Result, bound: Bound, request: DataRequest) -> dict[str, list[str]]:
    """A relative the shown attributes name (a marriage certificate's spouse), for that relative's log."""
    shown = result_out(result, request.purpose.procedure.population_fields).attributes
    spouse = shown.get("spouse_personal_id", "")
    if not spouse or bound.binding is None or spouse == bound.binding.applicant_personal_id:
        return {}
    return {spouse: [f"attributes.{name}" for name in sorted(shown) if name.startswith("spouse_")]}


async def _held_to_result(
    request: DataRequest, binding: Binding, result: results_pb2.Result, *, action: str
) -> Bound:
    """A result shown is held as a read is: its owner to the dossier's applicant (or a relative), its
    type to those the procedure accepts in some component."""
    bound = await held_to_dossier(
        request,
        binding,
        result.owner_personal_id,
        action=action,
        source=SOURCE_RESULT,
        result_id=result.result_id,
        result_type=result.result_type,
    )
    procedure = request.purpose.procedure
    if result.result_type not in accepted_result_types(procedure):
        await deny(
            request,
            ResultTypesNotPermitted(
                f"procedure {procedure.code} accepts no {result.result_type} in any of its components"
            ),
            action=action,
            subject_personal_id=result.owner_personal_id,
            source=SOURCE_RESULT,
            bound=bound,
            result_id=result.result_id,
            result_type=result.result_type,
        )
    return bound


async def list_results(
    request: DataRequest, personal_id: str, *, result_type: str, page_size: int, page_token: str
) -> Recorded[results_pb2.ListResultsResponse]:
    """One page of the citizen's results of the types the procedure accepts (``result_type`` alone
    when given), newest first."""
    pid = checked_personal_id(personal_id)
    action = "results.list"
    bound = await bind(request, pid, action=action, source=SOURCE_RESULT)
    procedure = request.purpose.procedure
    accepted = accepted_result_types(procedure)
    if not accepted or (result_type and result_type not in accepted):
        what = result_type or "result"
        await deny(
            request,
            ResultTypesNotPermitted(f"procedure {procedure.code} accepts no {what} in any of its components"),
            action=action,
            subject_personal_id=pid,
            source=SOURCE_RESULT,
            bound=bound,
            result_type=result_type,
        )
    page = await request.runtime.lookup.list_results(
        pid,
        result_type=result_type,
        result_types=sorted(accepted),
        page_size=page_size,
        page_token=page_token,
    )
    relatives: dict[str, list[str]] = {}
    for result in page.results:
        for other, paths in _spouse_of(result, bound, request).items():
            relatives.setdefault(other, []).extend(paths)
    audit_hash = await record(
        request,
        action=action,
        subject_personal_id=pid,
        source=SOURCE_RESULT,
        outcome=OUTCOME_HIT if page.results else OUTCOME_MISS,
        result_type=result_type,
        bound=bound,
        relatives=relatives,
    )
    return Recorded(page, audit_hash)


async def get_result(request: DataRequest, result_id: str) -> Recorded[results_pb2.Result]:
    action = "result.read"
    # The dossier is checked before the result is read: a request that may not be made reads nothing.
    binding = await dossier_of(
        request, action=action, subject_personal_id="", source=SOURCE_RESULT, result_id=result_id
    )
    try:
        result = await request.runtime.lookup.get_result(result_id)
    except ResultNotFound as missing:
        # Audited as a miss, like a citizen not found: the attempt is an access too.
        missing.headers[AUDIT_HASH_HEADER] = await record(
            request,
            action=action,
            subject_personal_id="",
            source=SOURCE_RESULT,
            outcome=OUTCOME_MISS,
            result_id=result_id,
            bound=Bound(binding),
        )
        raise
    bound = await _held_to_result(request, binding, result, action=action)
    audit_hash = await record(
        request,
        action=action,
        subject_personal_id=result.owner_personal_id,
        source=SOURCE_RESULT,
        outcome=OUTCOME_HIT,
        result_id=result.result_id,
        result_type=result.result_type,
        bound=bound,
        relatives=_spouse_of(result, bound, request),
    )
    return Recorded(result, audit_hash)


async def register_result(
    request: DataRequest, body: ResultIn
) -> Recorded[results_pb2.RegisterResultResponse]:
    """The result registered with the caller as its issuing agency (or the same one, already)."""
    owner = checked_personal_id(body.owner_personal_id)
    # Issued for the dossier's applicant or a relative of theirs (a birth certificate for a child).
    bound = await bind(request, owner, action="result.register", source=SOURCE_RESULT)
    answer = await request.runtime.lookup.register_result(
        results_pb2.Result(
            result_id=body.result_id,
            result_type=body.result_type,
            owner_personal_id=owner,
            title=body.title,
            issuing_agency=request.agency.code,
            document_number=body.document_number,
            issued_on=body.issued_on,
            valid_until=body.valid_until,
            content_sha256=body.content_sha256,
            attributes=body.attributes,
        )
    )
    # A write, not a reuse: audited, but no DataReused event.
    audit_hash = await record(
        request,
        action="result.register",
        subject_personal_id=owner,
        source=SOURCE_RESULT,
        outcome=OUTCOME_HIT,
        result_id=body.result_id,
        result_type=body.result_type,
        emit_event=False,
        bound=bound,
    )
    return Recorded(answer, audit_hash)


async def verify_result(request: DataRequest, content_sha256: str) -> Recorded[results_pb2.Result | None]:
    """The issued result whose document has this SHA-256; None when it is none."""
    action = "result.verify"
    binding = await dossier_of(request, action=action, subject_personal_id="", source=SOURCE_RESULT)
    answer = await request.runtime.lookup.verify_result(content_sha256)
    result = answer.result if answer.authentic else None
    bound = Bound(binding)
    if result is not None:
        # The answer shows the result: held to the dossier's applicant and the procedure, as a read is.
        bound = await _held_to_result(request, binding, result, action=action)
    audit_hash = await record(
        request,
        action=action,
        subject_personal_id=result.owner_personal_id if result is not None else "",
        source=SOURCE_RESULT,
        outcome=OUTCOME_HIT if result is not None else OUTCOME_MISS,
        result_id=result.result_id if result is not None else "",
        result_type=result.result_type if result is not None else "",
        bound=bound,
    )
    return Recorded(result, audit_hash)
