"""The checkpoint topic on the authenticated broker (SASL_SSL, SCRAM, ACLs), granted as the
deployments grant it: the gateway's principal writes it through the client factory, an auditor's
principal reads it and may do nothing else, and a principal without a grant cannot read it.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from kafka.admin import ACL, ACLOperation, ACLPermissionType, ResourcePattern, ResourceType
from kafka.admin._users import ScramMechanism, UserScramCredentialUpsertion
from kafka.errors import TopicAuthorizationFailedError

from onceonly.common.db import make_engine
from onceonly.common.kafka import ensure_topics, make_admin, make_producer
from onceonly.gateway.checkpoints import (
    TOPIC_CONFIG,
    Checkpointer,
    CheckpointTopic,
    Signer,
    generate_key_pair,
    load_private_key,
)
from onceonly.gateway.store import create_store
from tests.fixtures.secure_kafka import SecureBroker, secure_kafka
from tests.security.conftest import cli
from tests.security.test_audit_drills import DRILLS, EVERY, RECORDS, Audited, write_chain

__all__ = ["secure_kafka"]


@dataclass(frozen=True)
class Granted:
    broker: SecureBroker
    topic: str
    auditor: str
    auditor_password: str

    def env(self, user: str, password: str) -> dict[str, str]:
        """``audit verify``'s environment on an auditor's machine: the broker settings, nothing else."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ONCEONLY_", "KAFKA_"))}
        return env | {
            "KAFKA_BOOTSTRAP_SERVERS": self.broker.bootstrap,
            "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "KAFKA_SASL_USERNAME": user,
            "KAFKA_SASL_PASSWORD": password,
            "KAFKA_SSL_CAFILE": str(self.broker.ca_file),
        }


@pytest.fixture
def granted(secure_kafka: SecureBroker) -> Granted:
    """A checkpoint topic declared compacted by the admin, with the deployments' ACLs, and an auditor."""
    topic = f"secure.audit-checkpoints.{uuid.uuid4().hex[:8]}"
    auditor, password = f"auditor-{uuid.uuid4().hex[:6]}", secrets.token_urlsafe(18)
    admin_settings = secure_kafka.settings("admin")
    ensure_topics(admin_settings, {topic: 1}, configs={topic: TOPIC_CONFIG}, timeout_s=30)

    def allow(user: str, operation: ACLOperation) -> ACL:
        return ACL(
            principal=f"User:{user}",
            host="*",
            operation=operation,
            permission_type=ACLPermissionType.ALLOW,
            resource_pattern=ResourcePattern(ResourceType.TOPIC, topic),
        )

    admin = make_admin(admin_settings, bootstrap_timeout_ms=10_000)
    try:
        errors = admin.alter_user_scram_credentials(
            [UserScramCredentialUpsertion(auditor, ScramMechanism.SCRAM_SHA_512, password)]
        )
        assert not any(errors.values()), errors
        result = admin.create_acls(
            [
                allow("gateway", ACLOperation.WRITE),
                allow("gateway", ACLOperation.DESCRIBE),
                allow(auditor, ACLOperation.READ),
                allow(auditor, ACLOperation.DESCRIBE),
            ]
        )
        assert not result["failed"], result["failed"]
    finally:
        admin.close()
    return Granted(broker=secure_kafka, topic=topic, auditor=auditor, auditor_password=password)


def test_the_gateway_writes_the_auditor_reads_and_nobody_else(
    granted: Granted, sqlite_url: str, tmp_path: Path
) -> None:
    private, public = tmp_path / "audit-signing.pem", tmp_path / "audit-signing.pub.pem"
    generate_key_pair(private, public)
    engine = make_engine(sqlite_url)
    create_store(engine)
    # The gateway's own principal, through the factory: TLS and SCRAM from its settings.
    sink = CheckpointTopic(granted.broker.settings("gateway"), granted.topic)
    checkpointer = Checkpointer(
        Signer(load_private_key(private)), [sink], every_records=EVERY, every_seconds=3600
    )
    write_chain(engine, checkpointer, RECORDS, every=EVERY)
    command = [*cli("onceonly-gateway"), "audit", "verify", "--database-url", sqlite_url,
               "--checkpoint-topic", granted.topic, "--public-key", str(public)]  # fmt: skip

    def verify(user: str, password: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, env=granted.env(user, password), capture_output=True, text=True, timeout=180, check=False
        )

    try:
        done = verify(granted.auditor, granted.auditor_password)
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"anchored by {RECORDS // EVERY} checkpoints up to record {RECORDS}" in done.stdout
        DRILLS["truncate the tail, head reset"][0](
            Audited(url=sqlite_url, engine=engine, public_key=public, checkpoints=tmp_path / "unused")
        )
        done = verify(granted.auditor, granted.auditor_password)
        assert done.returncode == 1, done.stdout + done.stderr
        assert done.stdout.startswith("truncated: records 26..30:"), done.stdout
        # The tracker's principal has no grant on the topic: no verdict, exit 2.
        done = verify("tracker", granted.broker.passwords["tracker"])
        assert done.returncode == 2, done.stdout + done.stderr
        assert f"cannot read checkpoints from topic {granted.topic}" in done.stderr
    finally:
        engine.dispose()

    # The auditor may only read: a record it tries to add (a tombstone would hide a checkpoint) is refused.
    # Not idempotent: the refusal is then the topic's ACL, not the cluster's refusal of a producer id.
    producer = make_producer(
        granted.broker.settings(granted.auditor, password=granted.auditor_password),
        max_block_ms=10_000,
        enable_idempotence=False,
        acks=1,
    )
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            producer.send(granted.topic, key=b"1:x", value=None).get(timeout=20)
    finally:
        producer.close(timeout=0)
