"""Digitized results: list a citizen's, read one, register a new one, verify one by its hash."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from onceonly.gateway.access import AUDIT_HASH_HEADER, checked_personal_id, record
from onceonly.gateway.auth import DATA_REQUEST_OPENAPI, ResultsRead, ResultsWrite
from onceonly.gateway.problems import (
    DATA_REQUEST_PROBLEMS,
    InvalidPersonalIdError,
    ResultConflict,
    ResultNotFound,
    problem_responses,
)
from onceonly.gateway.recording import OUTCOME_HIT, OUTCOME_MISS, SOURCE_RESULT
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


@citizen_results.get(
    "/{personal_id}/results",
    summary="List a citizen's digitized results, newest first",
    openapi_extra=DATA_REQUEST_OPENAPI,
    response_model=ResultList,
    responses=problem_responses(*DATA_REQUEST_PROBLEMS, InvalidPersonalIdError),
)
async def list_results(
    *,
    request: ResultsRead,
    response: Response,
    personal_id: Annotated[str, Path(max_length=64, examples=["001090012345"])],
    result_type: Annotated[str, Query(max_length=64, examples=["birth_certificate"])] = "",
    page_size: Annotated[int, Query(ge=0, le=500)] = 0,
    page_token: Annotated[str, Query(max_length=200)] = "",
) -> ResultList:
    pid = checked_personal_id(personal_id)
    page = await request.runtime.lookup.list_results(
        pid, result_type=result_type, page_size=page_size, page_token=page_token
    )
    response.headers[AUDIT_HASH_HEADER] = await record(
        request,
        action="results.list",
        subject_personal_id=pid,
        source=SOURCE_RESULT,
        outcome=OUTCOME_HIT if page.results else OUTCOME_MISS,
        result_type=result_type,
    )
    return ResultList(results=[result_out(r) for r in page.results], next_page_token=page.next_page_token)


@router.get(
    "/{result_id}",
    summary="Read one digitized result; revoked and expired ones say so",
    openapi_extra=DATA_REQUEST_OPENAPI,
    response_model=ResultOut,
    responses=problem_responses(*DATA_REQUEST_PROBLEMS, ResultNotFound),
)
async def get_result(
    *,
    request: ResultsRead,
    response: Response,
    result_id: Annotated[str, Path(max_length=64, examples=["KS-2024-000123"])],
) -> ResultOut:
    try:
        result = await request.runtime.lookup.get_result(result_id)
    except ResultNotFound as missing:
        # Audited as a miss, like a citizen not found: the attempt is an access too.
        missing.headers[AUDIT_HASH_HEADER] = await record(
            request,
            action="result.read",
            subject_personal_id="",
            source=SOURCE_RESULT,
            outcome=OUTCOME_MISS,
            result_id=result_id,
        )
        raise
    response.headers[AUDIT_HASH_HEADER] = await record(
        request,
        action="result.read",
        subject_personal_id=result.owner_personal_id,
        source=SOURCE_RESULT,
        outcome=OUTCOME_HIT,
        result_id=result.result_id,
        result_type=result.result_type,
    )
    return result_out(result)


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
    )
    if not answer.created:
        response.status_code = status.HTTP_200_OK
    return ResultRegistered(result=result_out(answer.result), created=answer.created)


@router.post(
    "/verify",
    summary="Is a document with this SHA-256 an issued result, and what is its status?",
    openapi_extra=DATA_REQUEST_OPENAPI,
    response_model=VerifyResultOut,
    responses=problem_responses(*DATA_REQUEST_PROBLEMS),
)
async def verify_result(
    *,
    request: ResultsRead,
    response: Response,
    body: VerifyResultIn,
) -> VerifyResultOut:
    answer = await request.runtime.lookup.verify_result(body.content_sha256)
    result = answer.result if answer.authentic else None
    response.headers[AUDIT_HASH_HEADER] = await record(
        request,
        action="result.verify",
        subject_personal_id=result.owner_personal_id if result is not None else "",
        source=SOURCE_RESULT,
        outcome=OUTCOME_HIT if result is not None else OUTCOME_MISS,
        result_id=result.result_id if result is not None else "",
        result_type=result.result_type if result is not None else "",
    )
    return VerifyResultOut(
        authentic=answer.authentic, result=result_out(result) if result is not None else None
    )
