"""A poison record and records from a future schema version put on the running tracker's topic:
the poison goes to the dead-letter topic with its reason, the future records are read tolerantly
(an unknown payload kind is skipped, an unknown field beside a known payload is ignored and the
payload applied), and the stream goes on: the events that follow on the same partitions are applied
and the figures equal the ground truth.

tests/backbone covers the same at the level of the consume loop; here it is the tracker process."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import pytest

from onceonly.common.consumer import DLQ_REASON_HEADER
from onceonly.common.events import DossierReceived, encode, new_envelope
from onceonly.common.kafka import make_producer
from onceonly.common.settings import KafkaSettings
from onceonly.demo.truth import Figure
from onceonly.events.v1 import events_pb2
from tests.fixtures.topic_end import read_to_end
from tests.reliability.harness import (
    Deployment,
    applied_ids,
    catch_up_figures,
    explain,
    load_figures,
    tracker_figures,
    wait_for_tracker,
    write_figures,
)

pytestmark = [pytest.mark.kafka, pytest.mark.slow, pytest.mark.timeout(600)]


def _field(number: int, payload: bytes) -> bytes:
    """One length-delimited field in protobuf wire format (tag and length as varints)."""

    def varint(value: int) -> bytes:
        out = bytearray()
        while True:
            byte, value = value & 0x7F, value >> 7
            out.append(byte | (0x80 if value else 0))
            if not value:
                return bytes(out)

    return varint(number << 3 | 2) + varint(len(payload)) + payload


def future_kind(event_id: str) -> bytes:
    """An envelope whose payload is a oneof member this version does not know (field 99)."""
    known = events_pb2.Envelope(event_id=event_id, producer="gateway/v2")
    known.occurred_at.FromDatetime(datetime.now(UTC))
    return known.SerializeToString() + _field(99, _field(1, b"DOSSIER-FROM-THE-FUTURE"))


def future_field(dossier_id: str) -> tuple[str, bytes]:
    """A known payload (a receipt dated 2030) with an extra envelope field (98) this version lacks."""
    moment = datetime(2030, 3, 2, 3, 0, tzinfo=UTC)
    payload = DossierReceived(
        dossier_id=dossier_id,
        agency_code="HN-TTHCC",
        agency_province="Thành phố Hà Nội",
        procedure_code="1.000000",
        applicant_pseudonym="0" * 64,
        applicant_residence_province="Thành phố Hà Nội",
        channel=events_pb2.CHANNEL_ONLINE,
    )
    payload.received_at.FromDatetime(moment)
    payload.due_at.FromDatetime(moment)
    envelope = new_envelope(payload, producer="gateway/v2", occurred_at=moment)
    return envelope.event_id, encode(envelope) + _field(98, b"a field from v2")


def dead_letters(bootstrap: str, topic: str, timeout: float = 30.0) -> list[tuple[bytes, dict[str, bytes]]]:
    return [(r.key or b"", dict(r.headers)) for r in read_to_end(bootstrap, topic, timeout=timeout)]


def test_poison_and_future_records_do_not_stop_the_stream(shared: Deployment, kafka_bootstrap: str) -> None:
    dep = shared
    dep.ensure_running()
    # Keyed like the dossiers the load sends next, so they share partitions with the events after them.
    upcoming = [plan.dossier_id for plan in dep.plans[dep.used : dep.used + 3]]
    future_kind_id = str(uuid.uuid4())
    future_field_id, future_field_value = future_field(f"FUTURE-{uuid.uuid4().hex[:8]}")
    producer = make_producer(KafkaSettings(bootstrap_servers=kafka_bootstrap))
    try:
        for key, value in (
            (upcoming[0], b"\xff\xfenot an envelope at all"),
            (upcoming[1], future_kind(future_kind_id)),
            (upcoming[2], future_field_value),
        ):
            producer.send(dep.stack.topic, key=key.encode(), value=value)
        producer.flush(timeout=30)
    finally:
        producer.close(timeout=10)
    put_at = time.monotonic()

    with dep.load() as load:
        time.sleep(4)
        dep.finish(load)
    catch_up = wait_for_tracker(dep, since=put_at)
    applied = applied_ids(dep)
    future_year = tracker_figures(dep, {"from": "2030-01", "to": "2030-12"})
    dlq = dead_letters(kafka_bootstrap, f"{dep.stack.topic}.dlq")
    poison = [headers for key, headers in dlq if key == upcoming[0].encode()]
    write_figures(
        "poison-records",
        {
            **load_figures(load, put_at, put_at),
            "dead_lettered": len(dlq),
            "dead_letter_reason": poison[0].get(DLQ_REASON_HEADER, b"").decode() if poison else None,
            "future_kind_applied": future_kind_id in applied,
            "future_field_applied": future_field_id in applied,
            **catch_up_figures(catch_up),
        },
    )

    assert len(poison) == 1, f"the poison record is not on the DLQ once: {dlq}"
    assert poison[0][DLQ_REASON_HEADER].startswith(b"undecodable"), poison
    assert len(dlq) == 1, "only the poison belongs on the DLQ"
    assert future_kind_id not in applied, "an unknown payload kind is skipped, not applied"
    assert future_field_id in applied, (
        "an unknown field beside a known payload is ignored, the payload applied"
    )
    assert future_year["online_dossier_rate"] == Figure(1, 1), future_year
    assert load.received(), "no events followed the poison"
    assert catch_up.exact, explain(dep, catch_up)
