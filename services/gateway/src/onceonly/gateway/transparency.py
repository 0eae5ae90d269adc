"""The transparency report: the accesses to one citizen's data, newest first, a page at a time.

An agency with ``audit:read`` sees its own accesses; an oversight body (``audit:oversight``) sees every
agency's. Each read of the log is itself audited, in the citizen's own log. A page token is the
sequence number the next page starts below, as this gateway issued it.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import orjson
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from onceonly.gateway.access_recording import Recorded, audit_only
from onceonly.gateway.agencies import Scope
from onceonly.gateway.auth import Caller
from onceonly.gateway.problems import BadRequest
from onceonly.gateway.purpose_binding import checked_personal_id
from onceonly.gateway.store import audit_table

# Audit sequence numbers a token may carry, as the document's token pattern states them
# (parameters.access_log_token_pattern).
TOKEN_SEQUENCES = range(1, 10**18)
# The largest sequence number the audit table's key holds (a 32-bit integer on PostgreSQL): "before" a
# number beyond it is before every record, and is not sent to a store that cannot hold it.
LARGEST_SEQUENCE = 2**31 - 1


def token_before(seq: int) -> str:
    """The token of the page that starts below audit record ``seq``."""
    return base64.urlsafe_b64encode(orjson.dumps({"before": seq})).decode().rstrip("=")


def _before(token: str) -> int | None:
    if not token:
        return None
    try:
        payload = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error, orjson.JSONDecodeError):
        payload = None
    before = payload.get("before") if isinstance(payload, dict) else None
    # bool is an int to Python, never a sequence number.
    if type(before) is not int or before not in TOKEN_SEQUENCES:
        raise BadRequest("page_token is not a token this gateway issued")
    return before


@dataclass(frozen=True, slots=True)
class Page:
    """One page of the log: its audit rows, whether they are every agency's, and the next page's token."""

    personal_id: str
    oversight: bool
    rows: list[dict[str, Any]]
    next_page_token: str


async def read_page(
    caller: Caller,
    personal_id: str,
    *,
    since: date | None,
    until: date | None,
    page_size: int,
    page_token: str,
) -> Recorded[Page]:
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
    if before is not None and before <= LARGEST_SEQUENCE:
        query = query.where(audit_table.c.seq < before)
    query = query.order_by(audit_table.c.seq.desc()).limit(page_size + 1)

    def read() -> list[dict[str, Any]]:
        with runtime.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    rows = await run_in_threadpool(read)
    page = rows[:page_size]
    # The read is an access too: written before the answer leaves (this also confirms the caller's key).
    audit_hash = await audit_only(
        caller,
        action="access_log.read",
        subject_personal_id=pid,
        source="audit_log",
        outcome="hit" if page else "miss",
    )
    next_token = token_before(page[-1]["seq"]) if len(rows) > page_size else ""
    return Recorded(Page(pid, oversight, page, next_token), audit_hash)
