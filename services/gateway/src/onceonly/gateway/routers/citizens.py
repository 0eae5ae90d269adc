"""Population data: minimized lookups and yes/no verification."""

from __future__ import annotations

from fastapi import APIRouter, Response

from onceonly.gateway import population
from onceonly.gateway.access_recording import AUDIT_HASH_HEADER
from onceonly.gateway.auth import DATA_REQUEST_OPENAPI, PopulationRead, PopulationVerify
from onceonly.gateway.parameters import FieldsQuery, PersonalIdPath
from onceonly.gateway.problems import (
    DATA_REQUEST_PROBLEMS,
    CitizenNotFound,
    FieldsNotPermitted,
    InvalidPersonalIdError,
    problem_responses,
)
from onceonly.gateway.responses import json_response
from onceonly.gateway.schemas import CitizenOut, VerifyCitizenIn, VerifyCitizenOut

router = APIRouter(prefix="/v1/citizens", tags=["citizens"])


@router.get(
    "/{personal_id}",
    summary="Read a citizen, minimized to what the procedure may see",
    openapi_extra=DATA_REQUEST_OPENAPI,
    response_model=CitizenOut,
    responses=problem_responses(
        *DATA_REQUEST_PROBLEMS, InvalidPersonalIdError, FieldsNotPermitted, CitizenNotFound
    ),
)
async def get_citizen(
    request: PopulationRead,
    personal_id: PersonalIdPath,
    fields: FieldsQuery = None,
) -> Response:
    read = await population.read_citizen(request, personal_id, fields)
    # Rendered straight to JSON: the fields are the entitlement's, the values the registry's.
    return json_response(
        {"personal_id": read.value.personal_id, "fields": read.value.fields, "citizen": read.value.citizen},
        headers={AUDIT_HASH_HEADER: read.audit_hash},
    )


@router.post(
    "/verify",
    summary="Check claimed values against the registry, disclosing nothing else",
    openapi_extra=DATA_REQUEST_OPENAPI,
    response_model=VerifyCitizenOut,
    responses=problem_responses(*DATA_REQUEST_PROBLEMS, InvalidPersonalIdError, FieldsNotPermitted),
)
async def verify_citizen(
    request: PopulationVerify, response: Response, body: VerifyCitizenIn
) -> VerifyCitizenOut:
    verified = await population.verify_citizen(request, body.personal_id, body.claims)
    response.headers[AUDIT_HASH_HEADER] = verified.audit_hash
    answer = verified.value
    return VerifyCitizenOut(match=answer.match, field_matches=dict(answer.field_matches))
