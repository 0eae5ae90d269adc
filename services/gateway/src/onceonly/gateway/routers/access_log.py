"""The transparency report: the accesses to one citizen's data, newest first.

An agency with ``audit:read`` sees its own accesses; an oversight body (``audit:oversight``) sees every
agency's. Each read of the log is itself audited, in the citizen's own log.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date, timedelta
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from onceonly.gateway.access_recording import AUDIT_HASH_HEADER, audit_only
from onceonly.gateway.agencies import Scope
from onceonly.gateway.auth import AuditRead
from onceonly.gateway.parameters import PersonalIdQuery, access_log_token_pattern
from onceonly.gateway.problems import AUTH_PROBLEMS, BadRequest, InvalidPersonalIdError, problem_responses
from onceonly.gateway.purpose_binding import checked_personal_id
from onceonly.gateway.schemas import Access, AccessLog
from onceonly.gateway.store import audit_table

router = APIRouter(prefix="/v1/access-log", tags=["audit"])


def _token(seq: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"before": seq})).decode().rstrip("=")


def _before(token: str) -> int | None:
    if not token:
        return None
    try:
        payload = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error, orjson.JSONDecodeError):
        payload = None
    if not isinstance(payload, dict) or not isinstance(payload.get("before"), int):
        raise BadRequest("page_token is not a token this gateway issued")
    before: int = payload["before"]
    return before


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
    until: Annotated[date | None, Query(description="Accesses on or before this day (UTC).")] = None,
    page_size: Annotated[int, Query(ge=1, le=500)] = 100,
    page_token: Annotated[
        str, Query(max_length=200, json_schema_extra={"pattern": access_log_token_pattern()})
    ] = "",
) -> AccessLog:
    runtime = caller.runtime
    pid = checked_personal_id(personal_id)
    before = _before(page_token)
    oversight = Scope.AUDIT_OVERSIGHT in caller.agency.scopes
    query = select(audit_table).where(audit_table.c.subject_pseudonym == runtime.pseudonyms.pseudonym(pid))
    if not oversight:
        query = query.where(audit_table.c.agency_code == caller.agency.code)
    # recorded_at is ISO 8601 in UTC, so text order is time order.
    if since is not None:
        query = query.where(audit_table.c.recorded_at >= since.isoformat())
    if until is not None:
        query = query.where(audit_table.c.recorded_at < (until + timedelta(days=1)).isoformat())
    if before is not None:
        query = query.where(audit_table.c.seq < before)
    query = query.order_by(audit_table.c.seq.desc()).limit(page_size + 1)

    def read() -> list[dict[str, Any]]:
        with runtime.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    rows = await run_in_threadpool(read)
    page = rows[:page_size]
    # The read is an access too: written before the answer leaves (this also confirms the caller's key).
    response.headers[AUDIT_HASH_HEADER] = await audit_only(
        caller,
        action="access_log.read",
        subject_personal_id=pid,
        source="audit_log",
        outcome="hit" if page else "miss",
    )
    return AccessLog(
        personal_id=pid,
        scope="all" if oversight else "own",
        next_page_token=_token(page[-1]["seq"]) if len(rows) > page_size else "",
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
            for r in page
        ],
    )
