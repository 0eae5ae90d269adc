"""What a receipt records of each component beyond how it was filed: whether a result the applicant
already held could have satisfied a component filed on paper or as an upload (an avoidable re-ask),
and whose result a component reused.

The types some such component accepts (``asked_types``) go to lookup in the receipt's one
``CheckReceipt`` call, with the results the components reuse and the applicant's residence, and only
when some component filed so accepts a type does lookup judge them: what the desk learns is one yes or
no per component, never the results. A result counts when it was valid at the receipt's instant:
issued on or before its day, not expired by then, not revoked before it (a dossier imported from an
older system is judged on its own date); lookup judges that, from the result rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from onceonly.catalog.v1 import catalog_pb2
from onceonly.events.v1 import events_pb2
from onceonly.receipts.v1 import receipts_pb2

# National codes 0 (paper only) and 1 (uploaded as a file): the states a reusable result would spare.
ASKED_STATES = frozenset({0, 1})
REUSED_RESULT = 3


def asked_types(procedure: catalog_pb2.Procedure, filed: Iterable[tuple[str, int]]) -> list[str]:
    """The result types accepted by some component filed (``code``, national state) as asked again."""
    accepted = {c.code: c.accepted_result_types for c in procedure.components}
    return sorted({t for code, state in filed if state in ASKED_STATES for t in accepted.get(code, ())})


def annotate(
    components: Sequence[events_pb2.DossierComponent],
    procedure: catalog_pb2.Procedure,
    held: frozenset[str] | None,
    results: Mapping[str, receipts_pb2.ReusedResult | None],
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
