"""ReceiptChecks: what a dossier's receipt checks at lookup, in one call (see receipts.proto).

A receipt used to make three kinds of calls (GetCitizen for the residence, one GetResult per reused
result, ListResults for the types held): each costs the server far more in gRPC's own per-call work
than in its reads. Here the same reads run in one call and one store call (on the loop for SQLite, as
the other point reads, else on the store executor: ``servicers.StoreCalls``): the citizen and the
results by key on the store's pinned connection, the held types from the owner's result rows'
columns (by the owner index) without parsing a record. Validation and status codes are those of the
methods it stands for (``check_personal_id``, ``InvalidArgument``, ``NotFound``, mapped by
``ErrorMappingInterceptor``); the authorization and logging interceptors wrap it as they wrap every
lookup method.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date

from sqlalchemy import bindparam, select

from onceonly.common.working_days import VIETNAM
from onceonly.lookup.errors import InvalidArgument, NotFound
from onceonly.lookup.servicers import Context, StoreCalls, check_personal_id
from onceonly.lookup.store import LookupStore
from onceonly.lookup.tables import RESULT
from onceonly.population.v1.population_pb2 import Citizen
from onceonly.receipts.v1 import receipts_pb2, receipts_pb2_grpc

# What the server registers (``server.services``): the descriptor, the generated ``add_…``.
DESCRIPTOR = receipts_pb2.DESCRIPTOR.services_by_name["ReceiptChecks"]
add = receipts_pb2_grpc.add_ReceiptChecksServicer_to_server
MAX_NAMED = 100

_HELD = select(RESULT.c.result_type, RESULT.c.issued_on, RESULT.c.valid_until, RESULT.c.revoked_at_us).where(
    RESULT.c.owner_personal_id == bindparam("owner"),
    RESULT.c.result_type.in_(bindparam("types", expanding=True)),
)


def held_then(
    issued_on: str, valid_until: str | None, revoked_at_us: int | None, day: date, at_ns: int
) -> bool:
    """Whether a result was valid at the instant ``at_ns`` (ns since the epoch) of the Vietnam ``day``:
    issued on or before the day, not expired before it, not revoked by then."""
    try:
        if date.fromisoformat(issued_on) > day:
            return False
        if valid_until and date.fromisoformat(valid_until) < day:
            return False
    except ValueError:
        return False  # dates are validated on registration; an unreadable one proves nothing
    # Revoked strictly after the instant (exact in integers: revoked_at_us * 1000 > at_ns).
    return revoked_at_us is None or revoked_at_us > at_ns // 1000


def _named(values: list[str], field: str) -> list[str]:
    if len(values) > MAX_NAMED:
        raise InvalidArgument(f"{field}: at most {MAX_NAMED}")
    if any(not value for value in values):
        raise InvalidArgument(f"{field}: an empty value")
    return list(dict.fromkeys(values))


@dataclass(frozen=True, slots=True)
class _Checked:
    """A request once validated."""

    applicant: str
    result_ids: list[str]
    types: list[str]
    day: date
    at_ns: int


def checked(request: receipts_pb2.CheckReceiptRequest) -> _Checked:
    applicant = check_personal_id(request.applicant_personal_id, "applicant_personal_id")
    if not request.HasField("received_at"):
        raise InvalidArgument("received_at is required")
    try:
        received_at = request.received_at.ToDatetime(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise InvalidArgument("received_at is out of range") from None
    return _Checked(
        applicant=applicant,
        result_ids=_named(list(request.result_ids), "result_ids"),
        types=sorted(_named(list(request.held_result_types), "held_result_types")),
        day=received_at.astimezone(VIETNAM).date(),
        at_ns=request.received_at.ToNanoseconds(),
    )


def answer(store: LookupStore, check: _Checked) -> receipts_pb2.CheckReceiptResponse:
    """The reads of one check; NotFound for an unknown applicant, as GetCitizen."""
    citizen = Citizen.FromString(store.get_citizen_record(check.applicant))
    response = receipts_pb2.CheckReceiptResponse(residence_province=citizen.current_address.province)
    for result_id in check.result_ids:
        try:
            result = store.get_result(result_id)
        except NotFound:
            response.results.add(result_id=result_id, found=False)
            continue
        response.results.add(
            result_id=result_id,
            found=True,
            result_type=result.result_type,
            owned_by_applicant=result.owner_personal_id == check.applicant,
            status=result.status,
            issuing_agency=result.issuing_agency,
        )
    if check.types:
        with store.engine.connect() as conn:
            rows = conn.execute(_HELD, {"owner": check.applicant, "types": check.types}).all()
        held = {row[0] for row in rows if held_then(row[1], row[2], row[3], check.day, check.at_ns)}
        response.held_result_types.extend(sorted(held))
    return response


class ReceiptChecks(receipts_pb2_grpc.ReceiptChecksServicer):
    def __init__(self, store: LookupStore, calls: StoreCalls) -> None:
        self.store = store
        self.calls = calls

    async def CheckReceipt(
        self, request: receipts_pb2.CheckReceiptRequest, context: Context
    ) -> receipts_pb2.CheckReceiptResponse:
        # Reads by key and one owner's few result rows: a point read, as GetCitizen's.
        return await self.calls.read(answer, self.store, checked(request))
