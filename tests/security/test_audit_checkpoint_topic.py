"""Audit checkpoints on their own compacted Kafka topic (the real broker): what the gateway produces,
``audit verify --checkpoint-topic`` naming every drill against it from a machine with only the public
key, the broker and the database, and ``/readyz`` failing while checkpoints cannot be published.
"""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson
import pytest
from kafka.admin import ConfigResource, ConfigResourceType
from typer.testing import CliRunner

from onceonly.common.db import make_engine
from onceonly.common.kafka import make_admin, make_producer
from onceonly.common.settings import KafkaSettings
from onceonly.gateway.checkpoints import (
    Checkpointer,
    CheckpointFile,
    CheckpointTopic,
    Signer,
    generate_key_pair,
    load_private_key,
    load_public_key,
    topic_entries,
    topic_key,
    verify_entries,
)
from onceonly.gateway.cli import app
from onceonly.gateway.store import create_store
from tests.fixtures.services import free_port
from tests.gateway.conftest import LookupServer, make_gateway
from tests.security.conftest import cli
from tests.security.test_audit_drills import DRILLS, EVERY, FINDING, RECORDS, Audited, write_chain

AGENCY = "HN-01"


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    private, public = tmp_path / "audit-signing.pem", tmp_path / "audit-signing.pub.pem"
    generate_key_pair(private, public)
    return private, public


@pytest.fixture
def checkpoint_topic() -> str:
    """A topic name no other test uses; the sink creates it on first publish, as the gateway would."""
    return f"test.audit-checkpoints.{uuid.uuid4().hex[:10]}"


def _poll(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def _entries_so_far(kafka: KafkaSettings, topic: str) -> list[object]:
    try:
        return list(topic_entries(kafka, topic))
    except LookupError:
        return []  # not created yet: the sink creates it on its first publish


def test_checkpoints_are_produced_to_a_compacted_topic_keyed_by_seq_and_hash(
    kafka_bootstrap: str, checkpoint_topic: str, keys: tuple[Path, Path]
) -> None:
    kafka = KafkaSettings(bootstrap_servers=kafka_bootstrap)
    checkpointer = Checkpointer(
        Signer(load_private_key(keys[0])),
        [CheckpointTopic(kafka, checkpoint_topic, writer="gateway-test:1")],
        every_records=3,
        every_seconds=3600,
    )
    for seq in range(1, 4):
        checkpointer.committed(seq, f"{seq:064x}")
    # Three records: the thread publishes by count, without waiting the hour.
    _poll(lambda: len(_entries_so_far(kafka, checkpoint_topic)) == 1)
    checkpointer.committed(4, f"{4:064x}")
    checkpointer.close()
    entries = topic_entries(kafka, checkpoint_topic)
    signed, problems = verify_entries(entries, [load_public_key(keys[1])])
    assert problems == []
    # And once more on close; nothing published twice.
    assert [(c.seq, c.hash) for c in signed] == [(3, f"{3:064x}"), (4, f"{4:064x}")]
    assert [(e.unit, e.number) for e in entries] == [("offset", 0), ("offset", 1)]

    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap, enable_auto_commit=False)
    partition = TopicPartition(checkpoint_topic, 0)
    consumer.assign([partition])
    consumer.seek_to_beginning(partition)
    records = [r for batch in consumer.poll(timeout_ms=5000).values() for r in batch]
    consumer.close()
    assert records, "nothing read back"
    for record in records:
        value = orjson.loads(record.value)
        assert record.key == f"{value['seq']}:{value['hash']}".encode()
        assert dict(record.headers) == {"writer": b"gateway-test:1"}

    admin = make_admin(kafka)
    try:
        (described,) = admin.describe_topics([checkpoint_topic])
        configs = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, checkpoint_topic, ["cleanup.policy"])]
        )
    finally:
        admin.close()
    # Created by the sink as ensure_topics makes it: one partition, compacted (never deleted by age).
    assert len(described["partitions"]) == 1
    assert configs["topic"][checkpoint_topic]["cleanup.policy"]["value"] == "compact"


def test_a_broker_away_fails_that_sink_alone_in_bounded_time(tmp_path: Path, keys: tuple[Path, Path]) -> None:
    """Nothing listens on the topic's broker: each attempt gives up within seconds, the file still
    gets every checkpoint exactly once, and the wait ``/readyz`` compares with its bound keeps growing."""
    path = tmp_path / "checkpoints.jsonl"
    away = CheckpointTopic(
        KafkaSettings(bootstrap_servers=f"127.0.0.1:{free_port()}"), "t", timeout_seconds=1
    )
    checkpointer = Checkpointer(
        Signer(load_private_key(keys[0])),
        [CheckpointFile(path), away],
        every_records=1000,
        every_seconds=3600,
    )
    checkpointer.committed(1, "ab" * 32)
    started = time.monotonic()
    assert checkpointer.flush() is False
    assert time.monotonic() - started < 15
    assert checkpointer.flush() is False
    checkpointer.committed(2, "cd" * 32)
    assert checkpointer.flush() is False
    assert [orjson.loads(line)["seq"] for line in path.read_bytes().splitlines()] == [1, 2]
    assert checkpointer.unanchored_seconds() >= time.monotonic() - started - 0.1
    closing = time.monotonic()
    checkpointer.close()
    assert time.monotonic() - closing < 15


# The drills against the topic ------------------------------------------------------------------


@pytest.fixture
def on_topic(
    db_url: str, kafka_bootstrap: str, checkpoint_topic: str, keys: tuple[Path, Path], tmp_path: Path
) -> Iterator[Audited]:
    """A chain of 30 records through the gateway's write path, checkpointed every five to the topic
    alone (no file)."""
    engine = make_engine(db_url)
    create_store(engine)
    checkpointer = Checkpointer(
        Signer(load_private_key(keys[0])),
        [CheckpointTopic(KafkaSettings(bootstrap_servers=kafka_bootstrap), checkpoint_topic)],
        every_records=EVERY,
        every_seconds=3600,
    )
    write_chain(engine, checkpointer, RECORDS, every=EVERY)
    yield Audited(url=db_url, engine=engine, public_key=keys[1], checkpoints=tmp_path / "unused")
    engine.dispose()


def _verify(audited: Audited, bootstrap: str, topic: str) -> tuple[int, str, set[str]]:
    result = CliRunner().invoke(
        app,
        ["audit", "verify", "--database-url", audited.url, "--checkpoint-topic", topic,
         "--bootstrap-servers", bootstrap, "--public-key", str(audited.public_key)],
    )  # fmt: skip
    return result.exit_code, result.output, {f"{k}: {w}" for k, w in FINDING.findall(result.output)}


@pytest.mark.parametrize("drill", list(DRILLS))
def test_each_tampering_is_named_against_the_topic(
    on_topic: Audited, kafka_bootstrap: str, checkpoint_topic: str, drill: str
) -> None:
    code, output, _ = _verify(on_topic, kafka_bootstrap, checkpoint_topic)
    assert code == 0, output
    assert f"intact: {RECORDS} records, anchored by {RECORDS // EVERY} checkpoints up to record 30" in output
    attack, expected = DRILLS[drill]
    attack(on_topic)
    code, output, findings = _verify(on_topic, kafka_bootstrap, checkpoint_topic)
    assert code == 1, output
    assert findings == expected, output


def _env_of_an_auditor(bootstrap: str) -> dict[str, str]:
    """Nothing of the gateway's: no ONCEONLY_ setting, no key but the public one; only the broker."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ONCEONLY_", "KAFKA_"))}
    env["KAFKA_BOOTSTRAP_SERVERS"] = bootstrap
    return env


@pytest.mark.postgres
def test_a_truncation_is_named_elsewhere_from_the_topic_the_public_key_and_the_database(
    postgres_url: str, kafka_bootstrap: str, checkpoint_topic: str, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    """The installed command, in its own process, the broker from KAFKA_BOOTSTRAP_SERVERS."""
    engine = make_engine(postgres_url)
    create_store(engine)
    checkpointer = Checkpointer(
        Signer(load_private_key(keys[0])),
        [CheckpointTopic(KafkaSettings(bootstrap_servers=kafka_bootstrap), checkpoint_topic)],
        every_records=EVERY,
        every_seconds=3600,
    )
    write_chain(engine, checkpointer, RECORDS, every=EVERY)
    audited = Audited(url=postgres_url, engine=engine, public_key=keys[1], checkpoints=tmp_path / "unused")
    command = [*cli("onceonly-gateway"), "audit", "verify", "--database-url", postgres_url,
               "--checkpoint-topic", checkpoint_topic, "--public-key", str(keys[1])]  # fmt: skip
    env = _env_of_an_auditor(kafka_bootstrap)
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        DRILLS["truncate the tail, head reset"][0](audited)
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 1, done.stdout + done.stderr
        assert done.stdout.startswith("truncated: records 26..30: the checkpoint signed at "), done.stdout
    finally:
        engine.dispose()


def test_a_tombstone_or_a_forged_record_on_the_topic_is_named(
    on_topic: Audited, kafka_bootstrap: str, checkpoint_topic: str
) -> None:
    kafka = KafkaSettings(bootstrap_servers=kafka_bootstrap)
    genuine = verify_entries(topic_entries(kafka, checkpoint_topic), [load_public_key(on_topic.public_key)])[
        0
    ]
    producer = make_producer(kafka)
    # Whoever could write the topic deletes the latest checkpoint (compaction would drop it) and
    # publishes one moved forward without the key.
    producer.send(checkpoint_topic, key=topic_key(genuine[-1]), value=None).get(timeout=10)
    forged = orjson.loads(genuine[-1].to_json()) | {"seq": 31}
    producer.send(checkpoint_topic, key=b"31:x", value=orjson.dumps(forged)).get(timeout=10)
    producer.close()
    code, output, _ = _verify(on_topic, kafka_bootstrap, checkpoint_topic)
    assert code == 1, output
    where = f"checkpoint: topic {checkpoint_topic} partition 0 offset"
    assert f"{where} {RECORDS // EVERY}: a tombstone: a checkpoint was deleted from the topic" in output
    assert f"{where} {RECORDS // EVERY + 1}: signature does not verify (record 31)" in output


def test_verify_says_it_cannot_read_a_topic_that_is_not_there(
    on_topic: Audited, kafka_bootstrap: str
) -> None:
    code, output, _ = _verify(on_topic, kafka_bootstrap, f"test.absent.{uuid.uuid4().hex[:8]}")
    assert code == 2, output
    assert "cannot read checkpoints from topic" in output


# /readyz ---------------------------------------------------------------------------------------


def test_readyz_fails_while_checkpoints_cannot_be_published_and_recovers(
    sqlite_url: str, lookup_server: LookupServer, keys: tuple[Path, Path], tmp_path: Path
) -> None:
    """The checkpoint file's path is a directory: every append fails (OSError, whoever runs it),
    until the directory goes and the retried checkpoint is written."""
    path = tmp_path / "checkpoints.jsonl"
    path.mkdir()
    overrides = {
        "audit_signing_key_file": keys[0],
        "audit_checkpoint_file": path,
        "audit_checkpoint_every_seconds": 0.2,
        "audit_checkpoint_stale_seconds": 1.5,
    }
    with contextmanager(make_gateway)(sqlite_url, lookup_server.target, overrides) as gateway:
        client = gateway.client
        assert client.get("/readyz").json()["checks"]["checkpoints"] is True
        key = gateway.agency(AGENCY)
        opened = time.monotonic()
        gateway.open(key, lookup_server.citizens[0])
        ready = client.get("/readyz").status_code
        if time.monotonic() - opened < 1.0:
            # Within the bound it stays ready, although every attempt so far has failed.
            assert ready == 200
        _poll(lambda: client.get("/readyz").status_code == 503, timeout=15)
        assert time.monotonic() - opened >= 1.5
        body = client.get("/readyz").json()
        assert body == {
            "status": "not ready",
            "checks": {"lookup": True, "outbox": True, "checkpoints": False},
        }
        path.rmdir()
        _poll(lambda: client.get("/readyz").status_code == 200, timeout=15)
        assert path.is_file()
        (line,) = path.read_bytes().splitlines()
        assert orjson.loads(line)["seq"] == 1


def test_the_readiness_bound_must_exceed_the_checkpoint_interval() -> None:
    from onceonly.gateway.settings import GatewaySettings

    reasons = GatewaySettings(
        dev_mode=True, audit_checkpoint_every_seconds=60, audit_checkpoint_stale_seconds=30
    ).audit_reasons()
    assert reasons == [
        "ONCEONLY_GATEWAY_AUDIT_CHECKPOINT_STALE_SECONDS=30 must exceed "
        "ONCEONLY_GATEWAY_AUDIT_CHECKPOINT_EVERY_SECONDS=60: /readyz would fail between two checkpoints"
    ]
    assert GatewaySettings(dev_mode=False, audit_checkpoint_topic="t").audit_reasons() == [
        "ONCEONLY_GATEWAY_AUDIT_SIGNING_KEY_FILE is not set: the audit chain's checkpoints are signed "
        "with an Ed25519 key the database does not hold (make one with `onceonly-gateway audit keygen`; "
        "ONCEONLY_DEV_MODE=true only for development)"
    ]
