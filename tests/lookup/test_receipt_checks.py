"""ReceiptChecks.CheckReceipt: a receipt's one call — the applicant's residence, the results named and
the result types held at the receipt's instant — on a running lookup server over the seeded store."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime, timedelta

import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from onceonly.lookup.receipt_checks import MAX_NAMED, held_then
from onceonly.lookup.store import LookupStore
from onceonly.receipts.v1 import receipts_pb2, receipts_pb2_grpc
from onceonly.results.v1 import results_pb2, results_pb2_grpc

UNKNOWN_VALID_ID = "001099999999"


@pytest.fixture(scope="module")
def checks(channel: grpc.Channel) -> receipts_pb2_grpc.ReceiptChecksStub:
    return receipts_pb2_grpc.ReceiptChecksStub(channel)


@pytest.fixture(scope="module")
def results(channel: grpc.Channel) -> results_pb2_grpc.DigitizedResultsStub:
    return results_pb2_grpc.DigitizedResultsStub(channel)


def _at(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp


def _check(
    stub: receipts_pb2_grpc.ReceiptChecksStub,
    applicant: str,
    at: datetime,
    result_ids: list[str] | None = None,
    types: list[str] | None = None,
) -> receipts_pb2.CheckReceiptResponse:
    return stub.CheckReceipt(
        receipts_pb2.CheckReceiptRequest(
            applicant_personal_id=applicant,
            received_at=_at(at),
            result_ids=result_ids or [],
            held_result_types=types or [],
        ),
        timeout=5,
    )


def _register(
    stub: results_pb2_grpc.DigitizedResultsStub,
    owner: str,
    result_type: str,
    issued_on: str,
    valid_until: str = "",
) -> str:
    result_id = f"TEST-RC-{uuid.uuid4().hex[:12]}"
    stub.RegisterResult(
        results_pb2.RegisterResultRequest(
            result=results_pb2.Result(
                result_id=result_id,
                result_type=result_type,
                owner_personal_id=owner,
                title=result_type,
                issuing_agency="UBND-TEST",
                document_number=result_id,
                issued_on=issued_on,
                valid_until=valid_until,
                content_sha256=hashlib.sha256(result_id.encode()).hexdigest(),
            )
        ),
        timeout=5,
    )
    return result_id


def _without(results: results_pb2_grpc.DigitizedResultsStub, candidates: list[str], kind: str) -> str:
    """A citizen holding no result of ``kind``, so only what a test registers counts."""
    for personal_id in candidates:
        request = results_pb2.ListResultsRequest(owner_personal_id=personal_id, result_type=kind)
        if not results.ListResults(request, timeout=5).results:
            return personal_id
    raise AssertionError(f"every sampled citizen holds a {kind}")


def test_residence_and_named_results_found_or_not(
    checks: receipts_pb2_grpc.ReceiptChecksStub,
    results: results_pb2_grpc.DigitizedResultsStub,
    seeded_store: LookupStore,
    known_ids: list[str],
) -> None:
    applicant, other = known_ids[2], known_ids[3]
    own = _register(results, applicant, "birth_certificate", "2020-01-02")
    theirs = _register(results, other, "birth_certificate", "2020-01-02", valid_until="2021-01-01")
    answer = _check(checks, applicant, datetime.now(UTC), result_ids=[own, "TEST-RC-NO-SUCH", theirs, own])
    assert answer.residence_province == seeded_store.get_citizen(applicant).current_address.province
    assert answer.residence_province
    # One answer per distinct id, in the order first named.
    assert [(r.result_id, r.found) for r in answer.results] == [
        (own, True),
        ("TEST-RC-NO-SUCH", False),
        (theirs, True),
    ]
    mine, missing, foreign = answer.results
    assert (mine.result_type, mine.owned_by_applicant, mine.status, mine.issuing_agency) == (
        "birth_certificate",
        True,
        results_pb2.RESULT_STATUS_VALID,
        "UBND-TEST",
    )
    assert missing == receipts_pb2.ReusedResult(result_id="TEST-RC-NO-SUCH", found=False)
    assert (foreign.owned_by_applicant, foreign.status) == (False, results_pb2.RESULT_STATUS_EXPIRED)
    # Nothing asked of held types: none answered.
    assert list(answer.held_result_types) == []


def test_an_unknown_applicant_is_not_found(checks: receipts_pb2_grpc.ReceiptChecksStub) -> None:
    with pytest.raises(grpc.RpcError) as error:
        _check(checks, UNKNOWN_VALID_ID, datetime.now(UTC), types=["birth_certificate"])
    assert error.value.code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(
    ("request_", "reason"),
    [
        (receipts_pb2.CheckReceiptRequest(applicant_personal_id="999190001234"), "province code 999"),
        (receipts_pb2.CheckReceiptRequest(applicant_personal_id="12345"), "applicant_personal_id"),
        (receipts_pb2.CheckReceiptRequest(applicant_personal_id=UNKNOWN_VALID_ID), "received_at"),
        (
            receipts_pb2.CheckReceiptRequest(
                applicant_personal_id=UNKNOWN_VALID_ID, received_at=Timestamp(seconds=1), result_ids=[""]
            ),
            "result_ids",
        ),
        (
            receipts_pb2.CheckReceiptRequest(
                applicant_personal_id=UNKNOWN_VALID_ID,
                received_at=Timestamp(seconds=1),
                held_result_types=["x"] * (MAX_NAMED + 1),
            ),
            "held_result_types",
        ),
        (
            receipts_pb2.CheckReceiptRequest(
                applicant_personal_id=UNKNOWN_VALID_ID, received_at=Timestamp(seconds=10**12)
            ),
            "received_at",
        ),
    ],
)
def test_a_bad_request_is_invalid_argument(
    checks: receipts_pb2_grpc.ReceiptChecksStub, request_: receipts_pb2.CheckReceiptRequest, reason: str
) -> None:
    # Checked before the applicant is looked up: an unknown one is not what answers here.
    with pytest.raises(grpc.RpcError) as error:
        checks.CheckReceipt(request_, timeout=5)
    assert error.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert reason in (error.value.details() or "")


def test_held_types_are_judged_at_the_receipts_instant(
    checks: receipts_pb2_grpc.ReceiptChecksStub,
    results: results_pb2_grpc.DigitizedResultsStub,
    known_ids: list[str],
) -> None:
    kind = "judicial_record_certificate"
    applicant = _without(results, known_ids[10:], kind)
    _register(results, applicant, kind, "2024-03-01", valid_until="2025-03-01")

    def held(moment: datetime) -> list[str]:
        return list(_check(checks, applicant, moment, types=[kind, "no_such_type"]).held_result_types)

    vietnam = timedelta(hours=7)
    # Days are Vietnam's: 2024-02-29 23:59 there is before the day of issue, 00:00 on 1 March is not.
    assert held(datetime(2024, 2, 29, 16, 59, 59, tzinfo=UTC)) == []
    assert held(datetime(2024, 3, 1, tzinfo=UTC) - vietnam) == [kind]
    # Valid through its last day, not after it.
    assert held(datetime(2025, 3, 1, 23, 0, tzinfo=UTC) - vietnam) == [kind]
    assert held(datetime(2025, 3, 2, tzinfo=UTC) - vietnam) == []


def test_a_revoked_result_is_held_until_the_instant_of_its_revocation(
    checks: receipts_pb2_grpc.ReceiptChecksStub,
    results: results_pb2_grpc.DigitizedResultsStub,
    known_ids: list[str],
) -> None:
    kind = "business_household_registration"
    applicant = _without(results, known_ids[10:][::-1], kind)
    revoked = _register(results, applicant, kind, "2020-05-05")
    answer = results.RevokeResult(
        results_pb2.RevokeResultRequest(result_id=revoked, reason="issued in error"), timeout=5
    )
    at = answer.result.revoked_at.ToDatetime(tzinfo=UTC)

    def held(moment: datetime) -> list[str]:
        return list(_check(checks, applicant, moment, types=[kind]).held_result_types)

    assert held(at - timedelta(microseconds=1)) == [kind]
    assert held(at) == []
    assert held(at + timedelta(days=1)) == []


def test_held_then_agrees_with_the_dates() -> None:
    day = date(2025, 1, 10)
    noon = int(datetime(2025, 1, 10, 5, tzinfo=UTC).timestamp()) * 10**9
    assert held_then("2025-01-10", None, None, day, noon)
    assert held_then("2025-01-10", "", None, day, noon)
    assert not held_then("2025-01-11", None, None, day, noon)
    assert held_then("2020-01-01", "2025-01-10", None, day, noon)
    assert not held_then("2020-01-01", "2025-01-09", None, day, noon)
    # Revoked strictly after the instant, to the nanosecond the request gives.
    assert held_then("2020-01-01", None, noon // 1000 + 1, day, noon)
    assert not held_then("2020-01-01", None, noon // 1000, day, noon)
    assert not held_then("2020-01-01", None, noon // 1000, day, noon + 999)
    # An unreadable date proves nothing.
    assert not held_then("2025-13-01", None, None, day, noon)
