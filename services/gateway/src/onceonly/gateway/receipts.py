"""What a receipt records of each component beyond how it was filed: whether a result the applicant
already held could have satisfied a component filed on paper or as an upload (an avoidable re-ask),
and whose result a component reused.

The check asks lookup once per receipt — the applicant's results of every type some such component
accepts, in one ``ListResults`` — and only when some component filed so accepts a type: what the desk
learns is one yes or no per component, never the results. A result counts when it was valid at the
receipt's instant: issued on or before its day, not expired by then, not revoked before it (a dossier
imported from an older system is judged on its own date).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Protocol

from onceonly.catalog.v1 import catalog_pb2
from onceonly.common.working_days import VIETNAM
from onceonly.events.v1 import events_pb2
from onceonly.gateway.lookup_client import LookupClient
from onceonly.results.v1 import results_pb2

# National codes 0 (paper only) and 1 (uploaded as a file): the states a reusable result would spare.
ASKED_STATES = frozenset({0, 1})
REUSED_RESULT = 3
# ListResults' largest page: a receipt's check is one call unless the applicant holds more results.
_PAGE = 500


def asked_types(procedure: catalog_pb2.Procedure, filed: Iterable[tuple[str, int]]) -> list[str]:
    """The result types accepted by some component filed (``code``, national state) as asked again."""
    accepted = {c.code: c.accepted_result_types for c in procedure.components}
    return sorted({t for code, state in filed if state in ASKED_STATES for t in accepted.get(code, ())})


def held_at(result: results_pb2.Result, received_at: datetime) -> bool:
    """Whether ``result`` was valid at ``received_at``."""
    day = received_at.astimezone(VIETNAM).date()
    try:
        if date.fromisoformat(result.issued_on) > day:
            return False
        if result.valid_until and date.fromisoformat(result.valid_until) < day:
            return False
    except ValueError:
        return False  # lookup validates dates on registration; an unreadable one proves nothing
    return (
        not result.HasField("revoked_at")
        or result.revoked_at.ToDatetime().timestamp() > received_at.timestamp()
    )


class Filed(Protocol):
    code: str
    state: int


async def held_types(
    lookup: LookupClient,
    applicant: str,
    procedure: catalog_pb2.Procedure,
    filed: Iterable[Filed],
    received_at: datetime,
) -> frozenset[str] | None:
    """Which result types, accepted by a component ``filed`` on paper or as an upload, the applicant
    held a valid result of at ``received_at``; None when no such component accepts one (no call)."""
    types = asked_types(procedure, [(c.code, c.state) for c in filed])
    if not types:
        return None
    wanted, found = set(types), set[str]()
    token = ""
    while True:
        page = await lookup.list_results(applicant, result_types=types, page_size=_PAGE, page_token=token)
        found |= {r.result_type for r in page.results if held_at(r, received_at)}
        token = page.next_page_token
        if not token or found == wanted:
            return frozenset(found)


def annotate(
    components: Sequence[events_pb2.DossierComponent],
    procedure: catalog_pb2.Procedure,
    held: frozenset[str] | None,
    results: Mapping[str, results_pb2.Result | None],
) -> None:
    """Fill ``reusable_result_available`` (components asked again that a held result satisfies) and
    ``result_issuer`` (components reusing a result) on a receipt's event components."""
    accepted = {c.code: c.accepted_result_types for c in procedure.components}
    holds = held or frozenset()
    for component in components:
        state = component.state - 1  # the event enum is the national code plus one
        if state in ASKED_STATES:
            component.reusable_result_available = any(t in holds for t in accepted.get(component.code, ()))
        elif state == REUSED_RESULT:
            result = results.get(component.result_id)
            if result is not None:
                component.result_issuer = result.issuing_agency
