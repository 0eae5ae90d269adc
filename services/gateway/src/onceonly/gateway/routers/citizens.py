"""Population data: minimized lookups and yes/no verification."""

from __future__ import annotations

from fastapi import APIRouter, Response

from onceonly.gateway.access_recording import (
    AUDIT_HASH_HEADER,
    OUTCOME_HIT,
    OUTCOME_MISS,
    SOURCE_POPULATION,
    deny,
    record,
)
from onceonly.gateway.auth import DATA_REQUEST_OPENAPI, PopulationRead, PopulationVerify
from onceonly.gateway.minimization import (
    citizen_paths,
    disclosed_relatives,
    effective_fields,
    entitled_to,
    lookup_paths,
    parse_fields,
    render_citizen,
)
from onceonly.gateway.parameters import FieldsQuery, PersonalIdPath
from onceonly.gateway.problems import (
    DATA_REQUEST_PROBLEMS,
    BadRequest,
    CitizenNotFound,
    FieldsNotPermitted,
    InvalidPersonalIdError,
    problem_responses,
)
from onceonly.gateway.purpose_binding import bind, checked_personal_id
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
    pid = checked_personal_id(personal_id)
    procedure = request.purpose.procedure
    disclosed = effective_fields(procedure.population_fields, parse_fields(fields))
    action = "citizen.read"
    bound = await bind(request, pid, action=action, source=SOURCE_POPULATION)
    if not disclosed:
        await deny(
            request,
            FieldsNotPermitted(f"procedure {procedure.code} is not entitled to the fields requested"),
            action=action,
            subject_personal_id=pid,
            source=SOURCE_POPULATION,
            bound=bound,
        )
    try:
        citizen = await request.runtime.lookup.get_citizen(pid, lookup_paths(disclosed))
    except CitizenNotFound as missing:
        missing.headers[AUDIT_HASH_HEADER] = await record(
            request, action=action, subject_personal_id=pid, source=SOURCE_POPULATION, outcome=OUTCOME_MISS,
            bound=bound,
        )  # fmt: skip
        raise
    audit_hash = await record(
        request,
        action=action,
        subject_personal_id=pid,
        source=SOURCE_POPULATION,
        outcome=OUTCOME_HIT,
        fields=disclosed,
        bound=bound,
        relatives=disclosed_relatives(citizen, disclosed),
    )
    # Rendered straight to JSON: the fields are the entitlement's, the values the registry's.
    return json_response(
        {"personal_id": pid, "fields": disclosed, "citizen": render_citizen(citizen, disclosed)},
        headers={AUDIT_HASH_HEADER: audit_hash},
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
    pid = checked_personal_id(body.personal_id)
    unknown = sorted(set(body.claims) - citizen_paths())
    if unknown:
        raise BadRequest(f"unknown citizen field(s): {', '.join(unknown[:10])}")
    action, claimed = "citizen.verify", sorted(body.claims)
    bound = await bind(request, pid, action=action, source=SOURCE_POPULATION)
    procedure = request.purpose.procedure
    # A yes/no on a field discloses it as surely as reading it: claims only on what the procedure may read.
    refused = [path for path in claimed if not entitled_to(procedure.population_fields, path)]
    if refused:
        await deny(
            request,
            FieldsNotPermitted(
                f"procedure {procedure.code} is not entitled to verify {', '.join(refused[:10])}",
                extra={"fields": refused},
            ),
            action=action,
            subject_personal_id=pid,
            source=SOURCE_POPULATION,
            bound=bound,
            fields=claimed,
        )
    answer = await request.runtime.lookup.verify_citizen(pid, body.claims)
    # Found is a hit whatever the claims: the registry was consulted and answered about this citizen.
    response.headers[AUDIT_HASH_HEADER] = await record(
        request,
        action=action,
        subject_personal_id=pid,
        source=SOURCE_POPULATION,
        outcome=OUTCOME_HIT if answer.exists else OUTCOME_MISS,
        fields=claimed,
        bound=bound,
    )
    return VerifyCitizenOut(match=answer.match, field_matches=dict(answer.field_matches))
