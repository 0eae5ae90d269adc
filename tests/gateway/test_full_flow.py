"""A dossier's whole life through the real lookup service and the real broker: exactly its events."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer

from onceonly.common.events import decode, payload_kind
from onceonly.common.outbox import Relay
from onceonly.common.pseudonym import Pseudonymizer
from onceonly.common.settings import KafkaSettings
from onceonly.events.v1 import events_pb2
from tests.gateway.conftest import LookupServer, auth, make_gateway


def test_a_dossier_flow_puts_exactly_its_events_on_the_topic(
    tmp_path: Path, lookup_server: LookupServer, kafka_bootstrap: str, kafka_topic: str
) -> None:
    kafka = KafkaSettings(bootstrap_servers=kafka_bootstrap, topic=kafka_topic)
    for gw in make_gateway(f"sqlite:///{tmp_path / 'gateway.db'}", lookup_server.target, {"kafka": kafka}):
        key = gw.agency("HN-01")
        pid = lookup_server.citizens[6]
        headers = gw.open(key, pid, dossier="HN-01-D-FLOW-1", procedure="2.000635")
        assert gw.client.get(f"/v1/citizens/{pid}", headers=headers).status_code == 200
        body = {
            "dossier_id": "HN-01-D-FLOW-1",
            "procedure_code": "2.000635",
            "applicant_personal_id": pid,
            "channel": "counter",
            "components": [{"code": "to_khai", "state": 1}],
        }
        receipt = gw.client.post("/v1/dossiers", json=body, headers=auth(key))
        assert receipt.status_code == 201, receipt.text
        # A repeated receipt must not put a second event on the topic.
        assert gw.client.post("/v1/dossiers", json=body, headers=auth(key)).status_code == 200
        resolved = gw.client.post(
            "/v1/dossiers/HN-01-D-FLOW-1/resolution",
            json={"outcome": "approved", "result_electronic": True},
            headers=auth(key),
        )
        assert resolved.status_code == 201

        relay = Relay(gw.engine, kafka, name="gateway-test", idle_seconds=0.05)
        relay.start()
        consumer = KafkaConsumer(
            kafka_topic,
            bootstrap_servers=kafka_bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        records: list[Any] = []
        deadline = time.monotonic() + 30
        try:
            while time.monotonic() < deadline and len(records) < 3:
                for batch in consumer.poll(timeout_ms=500).values():
                    records.extend(batch)
            # Nothing more should arrive.
            for batch in consumer.poll(timeout_ms=1000).values():
                records.extend(batch)
        finally:
            consumer.close()
            relay.stop()

        assert {r.key for r in records} == {b"HN-01-D-FLOW-1"}
        envelopes = [decode(r.value) for r in records]
        assert sorted(str(payload_kind(e)) for e in envelopes) == [
            "data_reused",
            "dossier_received",
            "dossier_resolved",
        ]
        by_kind = {payload_kind(e): e for e in envelopes}
        reused = by_kind["data_reused"].data_reused
        received = by_kind["dossier_received"].dossier_received
        pseudonym = Pseudonymizer(gw.settings.pseudonym.key).pseudonym(pid)
        assert reused.source == events_pb2.DATA_SOURCE_POPULATION_DATABASE
        assert reused.outcome == events_pb2.LOOKUP_OUTCOME_HIT
        assert reused.subject_pseudonym == pseudonym
        # The lookup carries the applicant it was bound to, which the receipt confirms.
        assert reused.applicant_pseudonym == pseudonym
        assert reused.subject_relation == events_pb2.SUBJECT_RELATION_APPLICANT
        assert received.applicant_pseudonym == pseudonym
        assert received.origin == events_pb2.DOSSIER_ORIGIN_LIVE
        assert received.channel == events_pb2.CHANNEL_COUNTER
        assert received.components[0].state == events_pb2.COMPONENT_STATE_DIGITIZED
        assert by_kind["dossier_resolved"].dossier_resolved.outcome == events_pb2.RESOLUTION_OUTCOME_APPROVED
        for record in records:
            assert pid.encode() not in record.value
