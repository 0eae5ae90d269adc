"""The transparency report: the accesses to one citizen's data, newest first.

An agency with ``audit:read`` sees its own accesses; an oversight body (``audit:oversight``) sees every
agency's. Each read of the log is itself audited, in the citizen's own log.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Response

from onceonly.gateway import transparency
from onceonly.gateway.access_recording import AUDIT_HASH_HEADER
from onceonly.gateway.auth import AuditRead
from onceonly.gateway.parameters import LAST_DAY, PersonalIdQuery, access_log_token_pattern
from onceonly.gateway.problems import AUTH_PROBLEMS, BadRequest, InvalidPersonalIdError, problem_responses
from onceonly.gateway.schemas import Access, AccessLog

router = APIRouter(prefix="/v1/access-log", tags=["audit"])


@router.get(
    "",
    summary="Who read one citizen's data: when, which agency and officer, procedure, dossier and fields",
    response_model=AccessLog,
    responses=problem_responses(*AUTH_PROBLEMS, InvalidPersonalIdError, BadRequest),
)
async def access_log(
    caller: AuditRead,
    response: Response,
    personal_id: PersonalIdQuery,
    since: Annotated[date | None, Query(description="Accesses on or after this day (UTC).")] = None,
    until: Annotated[
        date | None, Query(description="Accesses on or before this day (UTC).", **LAST_DAY)
    ] = None,
    page_size: Annotated[int, Query(ge=1, le=500)] = 100,
    page_token: Annotated[
        str, Query(max_length=200, json_schema_extra={"pattern": access_log_token_pattern()})
    ] = "",
) -> AccessLog:
    read = await transparency.read_page(
        caller, personal_id, since=since, until=until, page_size=page_size, page_token=page_token
    )
    response.headers[AUDIT_HASH_HEADER] = read.audit_hash
    page = read.value
    return AccessLog(
        personal_id=page.personal_id,
        scope="all" if page.oversight else "own",
        next_page_token=page.next_page_token,
        accesses=[
            Access(
                recorded_at=r["recorded_at"],
                agency_code=r["agency_code"],
                officer_id=r["officer_id"],
                action=r["action"],
                procedure_code=r["procedure_code"],
                dossier_id=r["dossier_id"],
                source=r["source"],
                result_id=r["result_id"],
                fields=orjson.loads(r["fields"]),
                outcome=r["outcome"],
            )
            for r in page.rows
        ],
    )
