"""Digitized results: list a citizen's, read one, register a new one, verify one by its hash."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from onceonly.gateway.access_recording import (
    AUDIT_HASH_HEADER,
    OUTCOME_HIT,
    OUTCOME_MISS,
    SOURCE_RESULT,
    deny,
    record,
)
from onceonly.gateway.auth import DATA_REQUEST_OPENAPI, DataRequest, ResultsRead, ResultsWrite
from onceonly.gateway.binding import Bound
from onceonly.gateway.minimization import accepted_result_types
from onceonly.gateway.parameters import PersonalIdPath, ResultTypeQuery
from onceonly.gateway.problems import (
    DATA_REQUEST_PROBLEMS,
    InvalidPersonalIdError,
    ResultConflict,
    ResultNotFound,
    ResultTypesNotPermitted,
    problem_responses,
)
from onceonly.gateway.purpose_binding import bind, checked_personal_id, dossier_of, held_to_dossier
from onceonly.gateway.result_view import result_out
from onceonly.gateway.schemas import (
    ResultIn,
    ResultList,
    ResultOut,
    ResultRegistered,
    VerifyResultIn,
    VerifyResultOut,
)
from onceonly.results.v1 import results_pb2

citizen_results = APIRouter(prefix="/v1/citizens", tags=["results"])
router = APIRouter(prefix="/v1/results", tags=["results"])


def _spouse_of(result: results_pb2.Result, bound: Bound, request: DataRequest) -> dict[str, list[str]]:
    """A relative the shown attributes name (a marriage certificate's spouse), for that relative's log."""
    shown = result_out(result, request.purpose.procedure.population_fields).attributes
    spouse = shown.get("spouse_personal_id", "")
    if not spouse or bound.binding is None or spouse == bound.binding.applicant_personal_id:
        return {}
    return {spouse: [f"attributes.{name}" for name in sorted(shown) if name.startswith("spouse_")]}


async def _type_allowed(
    request: DataRequest, bound: Bound, result: results_pb2.Result, *, action: str
) -> None:
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


@citizen_results.get(
    "/{personal_id}/results",
    summary="List a citizen's digitized results that the procedure accepts, newest first",
    openapi_extra=DATA_REQUEST_OPENAPI,
    response_model=ResultList,
    responses=problem_responses(*DATA_REQUEST_PROBLEMS, InvalidPersonalIdError, ResultTypesNotPermitted),
)
async def list_results(
    *,
    request: ResultsRead,
    response: Response,
    personal_id: PersonalIdPath,
    result_type: ResultTypeQuery = "",
    page_size: Annotated[int, Query(ge=0, le=500)] = 0,
    page_token: Annotated[str, Query(max_length=200)] = "",
) -> ResultList:
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
    response.headers[AUDIT_HASH_HEADER] = await record(
        request,
        action=action,
        subject_personal_id=pid,
        source=SOURCE_RESULT,
        outcome=OUTCOME_HIT if page.results else OUTCOME_MISS,
        result_type=result_type,
        bound=bound,
        relatives=relatives,
    )
    entitled = procedure.population_fields
    return ResultList(
        results=[result_out(r, entitled) for r in page.results], next_page_token=page.next_page_token
    )


@router.get(
    "/{result_id}",
    summary="Read one digitized result the procedure accepts; revoked and expired ones say so",
    openapi_extra=DATA_REQUEST_OPENAPI,
    response_model=ResultOut,
    responses=problem_responses(*DATA_REQUEST_PROBLEMS, ResultNotFound, ResultTypesNotPermitted),
)
async def get_result(
    *,
    request: ResultsRead,
    response: Response,
    result_id: Annotated[str, Path(max_length=64, examples=["KS-2024-000123"])],
) -> ResultOut:
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
    bound = await held_to_dossier(
        request,
        binding,
        result.owner_personal_id,
        action=action,
        source=SOURCE_RESULT,
        result_id=result.result_id,
        result_type=result.result_type,
    )
    await _type_allowed(request, bound, result, action=action)
    response.headers[AUDIT_HASH_HEADER] = await record(
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
    return result_out(result, request.purpose.procedure.population_fields)


@router.post(
    "",
    summary="Register a newly digitized result; the caller is its issuing agency",
    openapi_extra=DATA_REQUEST_OPENAPI,
    response_model=ResultRegistered,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"model": ResultRegistered, "description": "The same result was already registered."},
        **problem_responses(*DATA_REQUEST_PROBLEMS, InvalidPersonalIdError, ResultConflict),
    },
)
async def register_result(
    *,
    request: ResultsWrite,
    response: Response,
    body: ResultIn,
) -> ResultRegistered:
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
    response.headers[AUDIT_HASH_HEADER] = await record(
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
    if not answer.created:
        response.status_code = status.HTTP_200_OK
    return ResultRegistered(
        result=result_out(answer.result, request.purpose.procedure.population_fields), created=answer.created
    )


@router.post(
    "/verify",
    summary="Is a document with this SHA-256 an issued result, and what is its status?",
    openapi_extra=DATA_REQUEST_OPENAPI,
    response_model=VerifyResultOut,
    responses=problem_responses(*DATA_REQUEST_PROBLEMS, ResultTypesNotPermitted),
)
async def verify_result(
    *,
    request: ResultsRead,
    response: Response,
    body: VerifyResultIn,
) -> VerifyResultOut:
    action = "result.verify"
    binding = await dossier_of(request, action=action, subject_personal_id="", source=SOURCE_RESULT)
    answer = await request.runtime.lookup.verify_result(body.content_sha256)
    result = answer.result if answer.authentic else None
    bound = Bound(binding)
    if result is not None:
        # The answer shows the result: held to the dossier's applicant and the procedure, as a read is.
        bound = await held_to_dossier(
            request,
            binding,
            result.owner_personal_id,
            action=action,
            source=SOURCE_RESULT,
            result_id=result.result_id,
            result_type=result.result_type,
        )
        await _type_allowed(request, bound, result, action=action)
    response.headers[AUDIT_HASH_HEADER] = await record(
        request,
        action=action,
        subject_personal_id=result.owner_personal_id if result is not None else "",
        source=SOURCE_RESULT,
        outcome=OUTCOME_HIT if result is not None else OUTCOME_MISS,
        result_id=result.result_id if result is not None else "",
        result_type=result.result_type if result is not None else "",
        bound=bound,
    )
    entitled = request.purpose.procedure.population_fields
    return VerifyResultOut(
        authentic=answer.authentic, result=result_out(result, entitled) if result is not None else None
    )
