"""The transparency report: every access to one citizen's data."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Query

from onceonly.gateway import audit
from onceonly.gateway.access import checked_personal_id
from onceonly.gateway.auth import AuditRead
from onceonly.gateway.problems import AUTH_PROBLEMS, InvalidPersonalIdError, problem_responses
from onceonly.gateway.schemas import Access, AccessLog

router = APIRouter(prefix="/v1/access-log", tags=["audit"])


@router.get(
    "",
    summary="Who read one citizen's data: when, which agency, procedure, dossier and fields",
    response_model=AccessLog,
    responses=problem_responses(*AUTH_PROBLEMS, InvalidPersonalIdError),
)
def access_log(
    caller: AuditRead,
    personal_id: Annotated[str, Query(max_length=64, examples=["001090012345"])],
) -> AccessLog:
    runtime = caller.runtime
    pid = checked_personal_id(personal_id)
    with runtime.engine.connect() as conn:
        rows = audit.access_log(conn, runtime.pseudonyms.pseudonym(pid))
    return AccessLog(
        personal_id=pid,
        accesses=[
            Access(
                recorded_at=r["recorded_at"],
                agency_code=r["agency_code"],
                action=r["action"],
                procedure_code=r["procedure_code"],
                dossier_id=r["dossier_id"],
                source=r["source"],
                result_id=r["result_id"],
                fields=orjson.loads(r["fields"]),
                outcome=r["outcome"],
            )
            for r in rows
        ],
    )
