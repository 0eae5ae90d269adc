"""Signed checkpoints of the audit chain, published outside the gateway's database.

The hash chain alone proves nothing against whoever can write the database: they can truncate it and
reset the head, or rewrite a record and recompute every hash after it. So the gateway signs, every N
records or T seconds, the position it has itself committed — ``(seq, hash, time)`` — with an Ed25519
key the database does not hold, and publishes the checkpoint outside the database: appended to a
JSON-lines file an auditor collects, and/or produced to a compacted Kafka topic an auditor's principal
reads. ``audit verify`` checks the chain against these checkpoints with the public key only, so it can
run on another machine.

Ed25519 rather than HMAC: an HMAC key that can check a checkpoint can also make one, so every verifier
would hold the power to forge; with Ed25519 the gateway alone holds the private key and an auditor
needs only the public one.

A checkpoint is made from what this process committed (the group commit reports each transaction's
last record), never from what it reads back from the database, so it can only vouch for records it
wrote itself. Several processes each publish their own checkpoints; the file is appended to under an
exclusive lock, one line per write.

On the topic a checkpoint's key is ``"<seq>:<hash>"``: compaction then only ever folds a checkpoint
into a re-publication of the same statement, never into a later one. Keyed by writer (compaction
keeping each writer's latest), the checkpoint that proves a truncation would be erased by the next one
the same gateway signs on the truncated chain, since it goes on appending from the head it is given;
keyed by seq alone, by a checkpoint of a re-grown chain that lands on the same number.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import os
import socket
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from kafka import KafkaProducer, TopicPartition
from kafka.errors import KafkaError, KafkaTimeoutError

from onceonly.common.kafka import ensure_topics, make_consumer, make_producer
from onceonly.common.logging import get_logger
from onceonly.common.security import InsecureConfiguration
from onceonly.common.settings import KafkaSettings
from onceonly.gateway.settings import GatewaySettings

log = get_logger(__name__)

VERSION = 1
# The checkpoint topic's name in the deployments (ONCEONLY_GATEWAY_AUDIT_CHECKPOINT_TOPIC).
AUDIT_CHECKPOINTS_TOPIC = "onceonly.audit-checkpoints.v1"
# Compacted, never deleted by age: a checkpoint is evidence for as long as the chain it vouches for.
TOPIC_CONFIG = {"cleanup.policy": "compact"}
# Domain separation: a signature over a checkpoint cannot be replayed as a signature over anything else.
CONTEXT = b"onceonly.audit-checkpoint.v1\n"


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short name for a public key: the first 16 hex digits of SHA-256 over its raw bytes."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The chain's record ``seq`` had hash ``hash`` at ``time``, signed by key ``key_id``."""

    seq: int
    hash: str
    time: str
    key_id: str
    signature: str

    def message(self) -> bytes:
        return CONTEXT + _signed_part(self.seq, self.hash, self.time, self.key_id)

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "v": VERSION,
                "seq": self.seq,
                "hash": self.hash,
                "time": self.time,
                "key_id": self.key_id,
                "signature": self.signature,
            }
        )


def _signed_part(seq: int, hash_: str, time_: str, kid: str) -> bytes:
    return orjson.dumps(
        {"v": VERSION, "seq": seq, "hash": hash_, "time": time_, "key_id": kid}, option=orjson.OPT_SORT_KEYS
    )


class Signer:
    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key
        self.key_id = key_id(private_key.public_key())

    def sign(self, seq: int, hash_: str, at: datetime | None = None) -> Checkpoint:
        stamp = (at or datetime.now(UTC)).isoformat(timespec="microseconds")
        signature = self._key.sign(CONTEXT + _signed_part(seq, hash_, stamp, self.key_id))
        return Checkpoint(seq, hash_, stamp, self.key_id, base64.b64encode(signature).decode("ascii"))


# ---- keys ------------------------------------------------------------------------------------


def generate_key_pair(private_path: Path, public_path: Path) -> str:
    """Write a new Ed25519 key pair as PEM (the private key readable by its owner only); its key id."""
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    private_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(private_pem)
    public_path.parent.mkdir(parents=True, exist_ok=True)
    public_path.write_bytes(public_pem)
    return key_id(key.public_key())


def load_private_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    data = path.read_bytes()
    key: Any
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        # A private key file is accepted too: its public half is what is used.
        key = serialization.load_pem_private_key(data, password=None).public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} is not an Ed25519 public key")
    return key


# ---- reading the published checkpoints -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckpointProblem:
    """Where a published checkpoint is not genuine: ``"<source> <unit> <line>"``, e.g. a file's line
    or a topic partition's offset."""

    source: str
    line: int
    detail: str
    unit: str = "line"

    @property
    def where(self) -> str:
        return f"{self.source} {self.unit} {self.line}"


@dataclass(frozen=True, slots=True)
class Published:
    """One published checkpoint as read back: ``raw`` is None for a tombstone (a deleted key)."""

    source: str
    unit: str
    number: int
    raw: bytes | None


def file_entries(paths: Sequence[Path]) -> Iterator[Published]:
    """The lines of checkpoint files; raises ``OSError`` for a file that cannot be read."""
    for path in paths:
        for number, line in enumerate(path.read_bytes().splitlines(), start=1):
            if line.strip():
                yield Published(str(path), "line", number, line)


def topic_entries(settings: KafkaSettings, topic: str, *, timeout_s: float = 60.0) -> list[Published]:
    """Every record of ``topic``, each partition from its beginning to the end offset it had when the
    read began, with no consumer group (nothing committed, no group ACL needed).

    Raises ``KafkaError`` when the broker cannot be reached or refuses, ``LookupError`` when the topic
    does not exist (or the principal may not describe it).
    """
    consumer = make_consumer(settings, group_id=None, topics=(), consumer_timeout_ms=1000)
    try:
        # topics() asks the broker for fresh metadata; partitions_for_topic alone reads a cache that
        # a consumer without subscriptions has not filled yet.
        numbers = consumer.partitions_for_topic(topic) if topic in consumer.topics() else None
        if not numbers:
            raise LookupError(f"no topic {topic} (or this principal may not describe it)")
        partitions = [TopicPartition(topic, n) for n in sorted(numbers)]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        end = consumer.end_offsets(partitions)
        entries: list[Published] = []
        deadline = time.monotonic() + timeout_s
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            if time.monotonic() > deadline:
                raise KafkaTimeoutError(f"{topic} not read to its end within {timeout_s:g} s")
            for tp, records in consumer.poll(timeout_ms=500).items():
                entries.extend(
                    Published(f"topic {topic} partition {tp.partition}", "offset", r.offset, r.value)
                    for r in records
                    if r.offset < end[tp]
                )
        return entries
    finally:
        consumer.close()


def verify_entries(
    entries: Iterable[Published], public_keys: Iterable[Ed25519PublicKey]
) -> tuple[list[Checkpoint], list[CheckpointProblem]]:
    """Every entry whose signature verifies, once per ``(seq, hash)`` and by seq; and every entry
    that does not, or that deletes one (a tombstone on the topic)."""
    keys = {key_id(k): k for k in public_keys}
    good: dict[tuple[int, str], Checkpoint] = {}
    problems: list[CheckpointProblem] = []
    for entry in entries:

        def problem(detail: str, entry: Published = entry) -> None:
            problems.append(CheckpointProblem(entry.source, entry.number, detail, entry.unit))

        if entry.raw is None:
            problem("a tombstone: a checkpoint was deleted from the topic")
            continue
        try:
            raw = orjson.loads(entry.raw)
            checkpoint = Checkpoint(
                seq=int(raw["seq"]),
                hash=str(raw["hash"]),
                time=str(raw["time"]),
                key_id=str(raw["key_id"]),
                signature=str(raw["signature"]),
            )
            if raw.get("v") != VERSION:
                raise ValueError(f"unknown version {raw.get('v')!r}")
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            problem(f"not a checkpoint: {error}")
            continue
        key = keys.get(checkpoint.key_id)
        if key is None:
            problem(f"signed by key {checkpoint.key_id}, not given")
            continue
        try:
            key.verify(base64.b64decode(checkpoint.signature, validate=True), checkpoint.message())
        except (InvalidSignature, ValueError):
            problem(f"signature does not verify (record {checkpoint.seq})")
            continue
        good.setdefault((checkpoint.seq, checkpoint.hash), checkpoint)
    return sorted(good.values(), key=lambda c: (c.seq, c.time)), problems


def read_checkpoints(
    paths: Sequence[Path], public_keys: Iterable[Ed25519PublicKey]
) -> tuple[list[Checkpoint], list[CheckpointProblem]]:
    """Every checkpoint in ``paths`` whose signature verifies, by seq; and every line that does not."""
    return verify_entries(file_entries(paths), public_keys)


# ---- publishing ------------------------------------------------------------------------------


class CheckpointSink(Protocol):
    """Somewhere checkpoints are published; ``publish`` raises ``OSError`` or ``KafkaError``."""

    name: str

    def publish(self, checkpoint: Checkpoint) -> None: ...

    def close(self) -> None: ...


class CheckpointFile:
    """Appends checkpoints to a JSON-lines file: one ``write`` per line under ``flock``, then fsync,
    so the lines of several processes never interleave and a published checkpoint survives a crash."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = f"file {path}"
        path.parent.mkdir(parents=True, exist_ok=True)

    def publish(self, checkpoint: Checkpoint) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, checkpoint.to_json() + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)  # releases the lock

    def close(self) -> None:
        pass


def topic_key(checkpoint: Checkpoint) -> bytes:
    """``"<seq>:<hash>"``: distinct statements never share a key, so compaction drops none of them."""
    return f"{checkpoint.seq}:{checkpoint.hash}".encode("ascii")


class CheckpointTopic:
    """Produces checkpoints to a compacted Kafka topic through the project's client factory (its
    security settings apply), each one acknowledged by every in-sync replica before ``publish``
    returns. The topic is created compacted, one partition, where it is missing and the principal
    may create it; deployments declare it themselves. A ``writer`` header names the process."""

    def __init__(
        self,
        settings: KafkaSettings,
        topic: str = AUDIT_CHECKPOINTS_TOPIC,
        *,
        timeout_seconds: float = 5.0,
        writer: str | None = None,
    ) -> None:
        self.topic = topic
        self.name = f"topic {topic}"
        self._settings = settings
        self._timeout = timeout_seconds
        self._writer = (writer or f"{socket.gethostname()}:{os.getpid()}").encode()
        self._producer: KafkaProducer | None = None
        self._ensured = False

    def publish(self, checkpoint: Checkpoint) -> None:
        producer = self._ensure_producer()
        try:
            future = producer.send(
                self.topic,
                key=topic_key(checkpoint),
                value=checkpoint.to_json(),
                headers=[("writer", self._writer)],
            )
            future.get(timeout=self._timeout)
        except KafkaError:
            # A producer whose send failed may hold a broken connection or sequence: start afresh.
            self._discard()
            raise

    def close(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            try:
                producer.close(timeout=self._timeout)
            except KafkaError as error:
                log.warning("checkpoint producer close failed", error=str(error))

    def _ensure_producer(self) -> KafkaProducer:
        if self._producer is None:
            if not self._ensured:
                try:
                    ensure_topics(
                        self._settings,
                        {self.topic: 1},
                        configs={self.topic: TOPIC_CONFIG},
                        timeout_s=self._timeout,
                    )
                    self._ensured = True
                except KafkaTimeoutError:
                    raise  # no broker answered: a producer would wait as long again for nothing
                except (KafkaError, RuntimeError) as error:
                    # Declared by the platform where this principal may not create topics.
                    log.warning("checkpoint topic not ensured", topic=self.topic, error=str(error))
                    self._ensured = True
            # Every wait bounded by the timeout: a broker away costs each attempt (and the last one,
            # at shutdown) seconds, not the client's defaults of half a minute and more.
            timeout_ms = int(self._timeout * 1000)
            self._producer = make_producer(
                self._settings,
                bootstrap_timeout_ms=timeout_ms,
                linger_ms=0,
                max_block_ms=timeout_ms,
                request_timeout_ms=timeout_ms,
                delivery_timeout_ms=timeout_ms + 1000,
            )
        return self._producer

    def _discard(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            try:
                producer.close(timeout=0)
            except KafkaError as error:
                log.warning("checkpoint producer close failed", error=str(error))


class Checkpointer:
    """Signs and publishes this process's committed chain position every ``every_records`` records
    or ``every_seconds`` seconds, whichever comes first, and once more on ``close``.

    ``committed`` is called by the group commit after each transaction that appended records; it only
    notes the position, the signing and the publishing happen on this object's own thread. Each sink
    keeps its own published position, so a checkpoint a failing sink missed is retried there alone
    (the next one covers it), and ``unanchored_seconds`` says how long the oldest committed record
    has waited for a checkpoint in every sink: ``/readyz`` compares it with its bound.
    """

    def __init__(
        self,
        signer: Signer,
        sinks: Sequence[CheckpointSink],
        *,
        every_records: int = 1000,
        every_seconds: float = 10.0,
    ) -> None:
        self.signer = signer
        self._sinks = list(sinks)
        self._every_records = every_records
        self._every_seconds = every_seconds
        self._lock = threading.Lock()
        # One flush at a time (the thread's, close's, a caller's): no checkpoint published twice.
        self._flush_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._latest: tuple[int, str] | None = None
        # Per sink, the last seq published there.
        self._published = [0] * len(self._sinks)
        # When the oldest record not yet published to every sink was committed (monotonic); None: none.
        self._pending_since: float | None = None
        self._closed = False
        self._thread: threading.Thread | None = None

    @property
    def enabled(self) -> bool:
        return bool(self._sinks)

    @property
    def sinks(self) -> list[str]:
        return [sink.name for sink in self._sinks]

    def committed(self, seq: int, hash_: str) -> None:
        if not self._sinks:
            return
        with self._lock:
            if self._latest is not None and seq <= self._latest[0]:
                return
            # The first record after a checkpoint starts the clock: the thread must learn its deadline.
            newly_pending = self._pending_since is None
            if newly_pending:
                self._pending_since = time.monotonic()
            self._latest = (seq, hash_)
            due = seq - min(self._published) >= self._every_records
        self._ensure_started()
        if due or newly_pending:
            self._wake.set()

    def unanchored_seconds(self) -> float:
        """How long the oldest committed record has waited for a published checkpoint (0: none waits)."""
        with self._lock:
            return 0.0 if self._pending_since is None else time.monotonic() - self._pending_since

    def flush(self) -> bool:
        """Publish the latest committed position now wherever it is not yet; False if a sink failed."""
        return self._flush(due_only=False)

    def _due(self) -> tuple[bool, float | None]:
        """Under the lock: whether a checkpoint is due (count or clock), and how long until the clock
        makes one due (None: nothing pending)."""
        if self._pending_since is None or self._latest is None:
            return False, None
        wait = self._pending_since + self._every_seconds - time.monotonic()
        return self._latest[0] - min(self._published) >= self._every_records or wait <= 0, wait

    def _flush(self, *, due_only: bool) -> bool:
        with self._flush_lock:
            with self._lock:
                # The thread decided before taking the flush lock: another flush may have published
                # meanwhile, and what is committed since is not due yet.
                if due_only and not self._due()[0]:
                    return True
                latest = self._latest
                todo = [i for i, seq in enumerate(self._published) if latest is not None and seq < latest[0]]
            if latest is None or not todo:
                return True
            checkpoint = self.signer.sign(*latest)
            done: list[int] = []
            for i in todo:
                sink = self._sinks[i]
                try:
                    sink.publish(checkpoint)
                except (OSError, KafkaError) as error:
                    log.error(
                        "audit checkpoint not published", seq=latest[0], sink=sink.name, error=str(error)
                    )
                else:
                    done.append(i)
            with self._lock:
                for i in done:
                    self._published[i] = max(self._published[i], latest[0])
                published = min(self._published)
                assert self._latest is not None
                if published >= self._latest[0]:
                    self._pending_since = None
                elif published >= latest[0]:
                    # Everything up to the snapshot is out; what came after was committed meanwhile.
                    self._pending_since = time.monotonic()
            return len(done) == len(todo)

    def close(self) -> None:
        """Stop the thread, publish what was committed since the last checkpoint, close the sinks."""
        self._closed = True
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
        self.flush()
        for sink in self._sinks:
            sink.close()

    def _ensure_started(self) -> None:
        if self._thread is not None or self._closed:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="audit-checkpoints", daemon=True)
                self._thread.start()

    def _loop(self) -> None:
        while not self._closed:
            with self._lock:
                due, wait = self._due()
            if due:
                if not self._flush(due_only=True):
                    # Retry after a pause, whatever commits wake the thread meanwhile: no spinning
                    # while a sink is down.
                    self._stop.wait(min(self._every_seconds, 1.0))
                continue
            self._wake.wait(wait)
            self._wake.clear()


def open_checkpointer(settings: GatewaySettings) -> Checkpointer:
    """The checkpointer the settings ask for. Outside development mode a signing key and a place to
    publish (a file, a topic or both) are required (``InsecureConfiguration`` names the variables); in
    development mode a throwaway key signs, and nothing is published unless a file or topic is set."""
    reasons = settings.audit_reasons()
    if reasons:
        raise InsecureConfiguration(reasons)
    if settings.audit_signing_key_file is None:
        log.warning("development mode: audit checkpoints signed with a throwaway key")
        key = Ed25519PrivateKey.generate()
    else:
        key = load_private_key(settings.audit_signing_key_file)
    sinks: list[CheckpointSink] = []
    if settings.audit_checkpoint_file:
        sinks.append(CheckpointFile(settings.audit_checkpoint_file))
    if settings.audit_checkpoint_topic:
        sinks.append(CheckpointTopic(settings.kafka, settings.audit_checkpoint_topic))
    return Checkpointer(
        Signer(key),
        sinks,
        every_records=settings.audit_checkpoint_every_records,
        every_seconds=settings.audit_checkpoint_every_seconds,
    )
