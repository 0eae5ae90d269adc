"""Kafka authenticated: through the client factory, against a real SASL_SSL broker with ACLs.

A client without credentials, or with a wrong password, is refused; the gateway's principal writes the
event topic; the tracker's reads it in its group and cannot write it.
"""

from __future__ import annotations

import uuid

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaTimeoutError, TopicAuthorizationFailedError

from onceonly.common.kafka import make_admin, make_consumer, make_producer, security_config
from tests.fixtures.secure_kafka import SecureBroker, secure_kafka

__all__ = ["secure_kafka"]


def test_the_factory_passes_tls_and_scram_to_every_client(secure_kafka: SecureBroker) -> None:
    config = security_config(secure_kafka.settings("gateway"))
    assert config["security_protocol"] == "SASL_SSL"
    assert config["sasl_mechanism"] == "SCRAM-SHA-512"
    assert config["sasl_plain_username"] == "gateway"
    assert config["sasl_plain_password"] == secure_kafka.passwords["gateway"]
    assert config["ssl_cafile"] == str(secure_kafka.ca_file)
    assert config["ssl_check_hostname"] is True


@pytest.mark.parametrize("client", ["no credentials", "wrong password", "plaintext"])
def test_a_client_without_valid_credentials_is_refused(secure_kafka: SecureBroker, client: str) -> None:
    settings = {
        "no credentials": secure_kafka.settings(None),
        "wrong password": secure_kafka.settings("gateway", password="not-the-password"),
        "plaintext": secure_kafka.settings(None, security_protocol="PLAINTEXT", ssl_cafile=None),
    }[client]
    # The same broker answers a client with credentials at this moment...
    admin = make_admin(secure_kafka.settings("gateway"), bootstrap_timeout_ms=5000)
    assert secure_kafka.topic in admin.list_topics()
    admin.close()
    # ...and this one never gets past the handshake or the SASL exchange: it cannot bootstrap.
    with pytest.raises(KafkaTimeoutError, match="Unable to bootstrap"):
        make_admin(settings, bootstrap_timeout_ms=5000)


def test_gateway_writes_tracker_reads_and_tracker_cannot_write(secure_kafka: SecureBroker) -> None:
    key, value = b"dossier-" + uuid.uuid4().hex.encode(), b"event"
    producer = make_producer(secure_kafka.settings("gateway"))
    try:
        written = producer.send(secure_kafka.topic, key=key, value=value).get(timeout=30)
    finally:
        producer.close()

    consumer = make_consumer(secure_kafka.settings("tracker"), group_id=secure_kafka.group, topics=())
    try:
        partition = TopicPartition(secure_kafka.topic, written.partition)
        consumer.assign([partition])
        consumer.seek(partition, written.offset)
        records = consumer.poll(timeout_ms=20_000, max_records=1).get(partition, [])
        assert [(r.key, r.value) for r in records] == [(key, value)]
        consumer.commit()  # the group is the tracker's: committing is allowed
    finally:
        consumer.close()

    producer = make_producer(secure_kafka.settings("tracker"), max_block_ms=10_000)
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            producer.send(secure_kafka.topic, key=key, value=b"forged").get(timeout=30)
    finally:
        producer.close()


def _poll_until_refused(consumer: KafkaConsumer) -> None:
    # The first poll may only fetch metadata; the refused fetch surfaces within a few.
    for _ in range(5):
        consumer.poll(timeout_ms=5_000)


def test_the_gateway_cannot_read_the_stream(secure_kafka: SecureBroker) -> None:
    # No group (the gateway has none): the fetch itself is refused.
    consumer = make_consumer(secure_kafka.settings("gateway"), group_id=None, topics=())
    try:
        partition = TopicPartition(secure_kafka.topic, 0)
        consumer.assign([partition])
        consumer.seek(partition, 0)
        with pytest.raises(TopicAuthorizationFailedError):
            _poll_until_refused(consumer)
    finally:
        consumer.close()
