"""Signed checkpoints of the audit chain, published outside the gateway's database.

The hash chain alone proves nothing against whoever can write the database: they can truncate it and
reset the head, or rewrite a record and recompute every hash after it. So the gateway signs, every N
records or T seconds, the position it has itself committed — ``(seq, hash, time)`` — with an Ed25519
key the database does not hold, and appends the checkpoint to a JSON-lines file kept outside the
database (an auditor collects it). ``audit verify`` checks the chain against these checkpoints with
the public key only, so it can run on another machine.

Ed25519 rather than HMAC: an HMAC key that can check a checkpoint can also make one, so every verifier
would hold the power to forge; with Ed25519 the gateway alone holds the private key and an auditor
needs only the public one.

A checkpoint is made from what this process committed (the group commit reports each transaction's
last record), never from what it reads back from the database, so it can only vouch for records it
wrote itself. Several processes each publish their own checkpoints; the file is appended to under an
exclusive lock, one line per write.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import os
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from onceonly.common.logging import get_logger
from onceonly.common.security import InsecureConfiguration
from onceonly.gateway.settings import GatewaySettings

log = get_logger(__name__)

VERSION = 1
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
    source: str
    line: int
    detail: str


def read_checkpoints(
    paths: Sequence[Path], public_keys: Iterable[Ed25519PublicKey]
) -> tuple[list[Checkpoint], list[CheckpointProblem]]:
    """Every checkpoint in ``paths`` whose signature verifies, by seq; and every line that does not."""
    keys = {key_id(k): k for k in public_keys}
    good: dict[tuple[int, str], Checkpoint] = {}
    problems: list[CheckpointProblem] = []
    for path in paths:
        for number, line in enumerate(path.read_bytes().splitlines(), start=1):
            if not line.strip():
                continue
            try:
                raw = orjson.loads(line)
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
                problems.append(CheckpointProblem(str(path), number, f"not a checkpoint: {error}"))
                continue
            key = keys.get(checkpoint.key_id)
            if key is None:
                problems.append(
                    CheckpointProblem(str(path), number, f"signed by key {checkpoint.key_id}, not given")
                )
                continue
            try:
                key.verify(base64.b64decode(checkpoint.signature, validate=True), checkpoint.message())
            except (InvalidSignature, ValueError):
                problems.append(
                    CheckpointProblem(
                        str(path), number, f"signature does not verify (record {checkpoint.seq})"
                    )
                )
                continue
            good.setdefault((checkpoint.seq, checkpoint.hash), checkpoint)
    return sorted(good.values(), key=lambda c: (c.seq, c.time)), problems


# ---- publishing ------------------------------------------------------------------------------


class CheckpointFile:
    """Appends checkpoints to a JSON-lines file: one ``write`` per line under ``flock``, then fsync,
    so the lines of several processes never interleave and a published checkpoint survives a crash."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    def publish(self, checkpoint: Checkpoint) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, checkpoint.to_json() + b"\n")
            os.fsync(fd)
        finally:
            os.close(fd)  # releases the lock


class Checkpointer:
    """Signs and publishes this process's committed chain position every ``every_records`` records
    or ``every_seconds`` seconds, whichever comes first, and once more on ``close``.

    ``committed`` is called by the group commit after each transaction that appended records; it only
    notes the position, the signing and the publishing happen on this object's own thread.
    """

    def __init__(
        self,
        signer: Signer,
        sinks: Sequence[CheckpointFile],
        *,
        every_records: int = 1000,
        every_seconds: float = 10.0,
    ) -> None:
        self.signer = signer
        self._sinks = list(sinks)
        self._every_records = every_records
        self._every_seconds = every_seconds
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._latest: tuple[int, str] | None = None
        self._pending_since = 0.0
        self._published_seq = 0
        self._closed = False
        self._thread: threading.Thread | None = None

    @property
    def enabled(self) -> bool:
        return bool(self._sinks)

    def committed(self, seq: int, hash_: str) -> None:
        if not self._sinks:
            return
        with self._lock:
            if self._latest is not None and seq <= self._latest[0]:
                return
            # The first record after a checkpoint starts the clock: the thread must learn its deadline.
            newly_pending = self._latest is None or self._latest[0] <= self._published_seq
            if newly_pending:
                self._pending_since = time.monotonic()
            self._latest = (seq, hash_)
            due = seq - self._published_seq >= self._every_records
        self._ensure_started()
        if due or newly_pending:
            self._wake.set()

    def flush(self) -> bool:
        """Publish the latest committed position now, if not yet published; False if publishing failed."""
        with self._lock:
            latest = self._latest
            if latest is None or latest[0] <= self._published_seq:
                return True
        checkpoint = self.signer.sign(*latest)
        try:
            for sink in self._sinks:
                sink.publish(checkpoint)
        except OSError as error:
            log.error("audit checkpoint not published", seq=latest[0], error=str(error))
            return False
        with self._lock:
            self._published_seq = max(self._published_seq, latest[0])
        return True

    def close(self) -> None:
        """Stop the thread and publish what was committed since the last checkpoint."""
        self._closed = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
        self.flush()

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
                pending = self._latest is not None and self._latest[0] > self._published_seq
                count_due = (
                    pending
                    and self._latest is not None
                    and (self._latest[0] - self._published_seq >= self._every_records)
                )
                wait = self._pending_since + self._every_seconds - time.monotonic() if pending else None
            if pending and (count_due or (wait is not None and wait <= 0)):
                if not self.flush():
                    # Retry after a pause rather than spin while the file is unwritable.
                    self._wake.wait(min(self._every_seconds, 1.0))
                    self._wake.clear()
                continue
            self._wake.wait(wait)
            self._wake.clear()


def open_checkpointer(settings: GatewaySettings) -> Checkpointer:
    """The checkpointer the settings ask for. Outside development mode a signing key and a place to
    publish are required (``InsecureConfiguration`` names the variables); in development mode a
    throwaway key signs, and nothing is published unless a checkpoint file is set."""
    reasons = settings.audit_reasons()
    if reasons:
        raise InsecureConfiguration(reasons)
    if settings.audit_signing_key_file is None:
        log.warning("development mode: audit checkpoints signed with a throwaway key")
        key = Ed25519PrivateKey.generate()
    else:
        key = load_private_key(settings.audit_signing_key_file)
    sinks = [CheckpointFile(settings.audit_checkpoint_file)] if settings.audit_checkpoint_file else []
    return Checkpointer(
        Signer(key),
        sinks,
        every_records=settings.audit_checkpoint_every_records,
        every_seconds=settings.audit_checkpoint_every_seconds,
    )
