"""Digitized results: list a citizen's, read one, register a new one, verify one by its hash."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from onceonly.gateway import digitized_results
from onceonly.gateway.access_recording import (
    AUDIT_HASH_HEADER,
)
from onceonly.gateway.auth import DATA_REQUEST_OPENAPI, ResultsRead, ResultsWrite
from onceonly.gateway.parameters import PersonalIdPath, ResultTypeQuery
from onceonly.gateway.problems import (
    DATA_REQUEST_PROBLEMS,
    InvalidPersonalIdError,
    ResultConflict,
    ResultNotFound,
    ResultTypesNotPermitted,
    problem_responses,
)
from onceonly.gateway.result_view import result_out
from onceonly.gateway.schemas import (
    ResultIn,
    ResultList,
    ResultOut,
    ResultRegistered,
    VerifyResultIn,
    VerifyResultOut,
)

citizen_results = APIRouter(prefix="/v1/citizens", tags=["results"])
router = APIRouter(prefix="/v1/results", tags=["results"])


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
    listed = await digitized_results.list_results(
        request, personal_id, result_type=result_type, page_size=page_size, page_token=page_token
    )
    response.headers[AUDIT_HASH_HEADER] = listed.audit_hash
    entitled = request.purpose.procedure.population_fields
    return ResultList(
        results=[result_out(r, entitled) for r in listed.value.results],
        next_page_token=listed.value.next_page_token,
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
    read = await digitized_results.get_result(request, result_id)
    response.headers[AUDIT_HASH_HEADER] = read.audit_hash
    return result_out(read.value, request.purpose.procedure.population_fields)


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
    registered = await digitized_results.register_result(request, body)
    response.headers[AUDIT_HASH_HEADER] = registered.audit_hash
    answer = registered.value
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
    verified = await digitized_results.verify_result(request, body.content_sha256)
    response.headers[AUDIT_HASH_HEADER] = verified.audit_hash
    result, entitled = verified.value, request.purpose.procedure.population_fields
    return VerifyResultOut(
        authentic=result is not None, result=result_out(result, entitled) if result is not None else None
    )
