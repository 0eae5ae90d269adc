"""The audit checkpoints: when they are made, the keys they are signed with, the gateway refusing to
start without one, and ``audit verify`` passing while two gateway processes write to one PostgreSQL.
"""

from __future__ import annotations

import os
import stat
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from onceonly.common.security import InsecureConfiguration
from onceonly.gateway.checkpoints import (
    Checkpointer,
    CheckpointFile,
    Signer,
    generate_key_pair,
    key_id,
    load_private_key,
    load_public_key,
    open_checkpointer,
    read_checkpoints,
)
from onceonly.gateway.cli import app
from onceonly.gateway.settings import GatewaySettings
from tests.fixtures.services import free_port
from tests.security.conftest import GatewayProcess, LookupServer, cli, gateway_env

HASH = "ab" * 32


def _lines(path: Path) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()] if path.exists() else []


def _poll(condition: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    private, public = tmp_path / "signing.pem", tmp_path / "signing.pub.pem"
    generate_key_pair(private, public)
    return private, public


def test_a_checkpoint_is_published_after_t_seconds(tmp_path: Path, keys: tuple[Path, Path]) -> None:
    path = tmp_path / "checkpoints.jsonl"
    checkpointer = Checkpointer(
        Signer(load_private_key(keys[0])), [CheckpointFile(path)], every_records=1000, every_seconds=0.3
    )
    started = time.monotonic()
    checkpointer.committed(1, HASH)
    _poll(lambda: _lines(path))
    assert time.monotonic() - started >= 0.3
    assert [(c["seq"], c["hash"]) for c in _lines(path)] == [(1, HASH)]
    checkpointer.close()
    # Nothing new was committed: close adds nothing.
    assert len(_lines(path)) == 1


def test_a_checkpoint_is_published_every_n_records(tmp_path: Path, keys: tuple[Path, Path]) -> None:
    path = tmp_path / "checkpoints.jsonl"
    checkpointer = Checkpointer(
        Signer(load_private_key(keys[0])), [CheckpointFile(path)], every_records=3, every_seconds=3600
    )
    for seq in range(1, 4):
        checkpointer.committed(seq, f"{seq:064x}")
    _poll(lambda: _lines(path))
    assert [c["seq"] for c in _lines(path)] == [3]
    checkpointer.committed(4, f"{4:064x}")
    checkpointer.close()
    # The clock would have waited an hour: close publishes what was committed since.
    assert [c["seq"] for c in _lines(path)] == [3, 4]
    signed, problems = read_checkpoints([path], [load_public_key(keys[1])])
    assert [(c.seq, c.hash) for c in signed] == [(3, f"{3:064x}"), (4, f"{4:064x}")]
    assert problems == []


def test_keygen_makes_a_key_pair_and_never_overwrites(tmp_path: Path) -> None:
    private, public = tmp_path / "k.pem", tmp_path / "k.pub.pem"
    runner = CliRunner()
    made = runner.invoke(app, ["audit", "keygen", "--private-key", str(private), "--public-key", str(public)])
    assert made.exit_code == 0, made.output
    assert made.output.strip() == key_id(load_public_key(public))
    assert key_id(load_private_key(private).public_key()) == made.output.strip()
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    again = runner.invoke(
        app, ["audit", "keygen", "--private-key", str(private), "--public-key", str(public)]
    )
    assert again.exit_code == 1
    assert "not overwritten" in again.output


def test_a_key_pair_made_with_openssl_works(tmp_path: Path) -> None:
    """The commands docs/DEPLOY.md gives for a key made outside the gateway."""
    private, public = tmp_path / "openssl.pem", tmp_path / "openssl.pub.pem"
    subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(private)], check=True)
    subprocess.run(["openssl", "pkey", "-in", str(private), "-pubout", "-out", str(public)], check=True)
    assert GatewaySettings(dev_mode=False, audit_signing_key_file=private).audit_reasons() == [
        "ONCEONLY_GATEWAY_AUDIT_CHECKPOINT_FILE is not set, nor ONCEONLY_GATEWAY_AUDIT_CHECKPOINT_TOPIC: "
        "signed checkpoints of the audit chain must be published outside the database, to a file an auditor "
        "collects or a compacted Kafka topic an auditor reads (ONCEONLY_DEV_MODE=true only for development)"
    ]
    checkpoint = Signer(load_private_key(private)).sign(7, HASH)
    path = tmp_path / "c.jsonl"
    CheckpointFile(path).publish(checkpoint)
    assert read_checkpoints([path], [load_public_key(public)]) == ([checkpoint], [])


def test_outside_development_mode_no_checkpointer_without_a_key_or_a_file(tmp_path: Path) -> None:
    with pytest.raises(InsecureConfiguration) as refused:
        open_checkpointer(GatewaySettings(dev_mode=False))
    assert "ONCEONLY_GATEWAY_AUDIT_SIGNING_KEY_FILE is not set" in str(refused.value)
    assert "ONCEONLY_GATEWAY_AUDIT_CHECKPOINT_FILE is not set" in str(refused.value)
    not_a_key = tmp_path / "not-a-key.pem"
    not_a_key.write_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    # A wrong key is refused in development mode too.
    with pytest.raises(InsecureConfiguration, match="is not an unencrypted PEM Ed25519 private key"):
        open_checkpointer(GatewaySettings(dev_mode=True, audit_signing_key_file=not_a_key))
    # Development mode alone: a throwaway key, nothing published.
    assert not open_checkpointer(GatewaySettings(dev_mode=True)).enabled


def test_the_gateway_refuses_to_start_without_a_signing_key(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ONCEONLY_", "KAFKA_"))}
    env["ONCEONLY_GATEWAY_DATABASE_URL"] = f"sqlite:///{tmp_path / 'gateway.db'}"
    done = subprocess.run(
        [*cli("onceonly-gateway"), "serve"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "ONCEONLY_GATEWAY_AUDIT_SIGNING_KEY_FILE is not set" in done.stderr
    assert "ONCEONLY_GATEWAY_AUDIT_CHECKPOINT_FILE is not set" in done.stderr
    assert not (tmp_path / "gateway.db").exists()


# Two gateway processes, one PostgreSQL, one chain -------------------------------------------------

AGENCY = "HN-LOAD"
PROCEDURE = "1.004873"


@pytest.fixture
def two_gateways(
    tmp_path: Path, postgres_url: str, lookup_server: LookupServer, keys: tuple[Path, Path]
) -> Iterator[list[GatewayProcess]]:
    checkpoints = tmp_path / "checkpoints.jsonl"
    gateways = []
    for name in ("a", "b"):
        port = free_port()
        env = gateway_env(
            tmp_path,
            lookup_server,
            ONCEONLY_GATEWAY_PORT=str(port),
            ONCEONLY_GATEWAY_DATABASE_URL=postgres_url,
            ONCEONLY_GATEWAY_AUDIT_SIGNING_KEY_FILE=str(keys[0]),
            ONCEONLY_GATEWAY_AUDIT_CHECKPOINT_FILE=str(checkpoints),
            ONCEONLY_GATEWAY_AUDIT_CHECKPOINT_EVERY_RECORDS="50",
            ONCEONLY_GATEWAY_AUDIT_CHECKPOINT_EVERY_SECONDS="0.5",
        )
        gateways.append(GatewayProcess(env=env, port=port, log_path=tmp_path / f"gateway-{name}.log"))
    key = gateways[0].add_agency(AGENCY, "population:read,dossiers:write,audit:read")
    for gateway in gateways:
        gateway.keys[AGENCY] = key
        gateway.start()
    yield gateways
    for gateway in gateways:
        gateway.stop()


def _load(
    gateway: GatewayProcess, prefix: str, citizens: list[str], stop: threading.Event, done: list[str]
) -> None:
    """Open dossiers (each one audit record) until told to stop; a failed request ends the loop, and
    the test sees it as a missing or foreign entry in ``done``."""
    headers = {"Authorization": f"Bearer {gateway.keys[AGENCY]}"}
    with gateway.client() as client:
        i = 0
        while not stop.is_set():
            r = client.post(
                f"/v1/dossiers/{AGENCY}-{prefix}-{i:06d}/intake",
                headers=headers,
                json={"procedure_code": PROCEDURE, "applicant_personal_id": citizens[i % len(citizens)]},
            )
            if r.status_code != 201:
                done.append(f"error {r.status_code}: {r.text}")
                return
            done.append(prefix[0])
            i += 1


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.timeout(900)
def test_verify_passes_while_two_gateway_processes_write(
    two_gateways: list[GatewayProcess],
    postgres_url: str,
    lookup_server: LookupServer,
    keys: tuple[Path, Path],
    tmp_path: Path,
) -> None:
    checkpoints = tmp_path / "checkpoints.jsonl"
    verify = [*cli("onceonly-gateway"), "audit", "verify", "--database-url", postgres_url,
              "--checkpoints", str(checkpoints), "--public-key", str(keys[1])]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONCEONLY_")}
    stop = threading.Event()
    written: list[str] = []
    writers = [
        threading.Thread(target=_load, args=(gateway, f"{n}{w}", lookup_server.citizens, stop, written))
        for n, gateway in enumerate(two_gateways)
        for w in range(2)
    ]
    for writer in writers:
        writer.start()
    runs: list[str] = []
    try:
        _poll(lambda: len(written) > 200 and checkpoints.exists(), timeout=120)
        for _ in range(3):
            done = subprocess.run(verify, env=env, capture_output=True, text=True, timeout=120, check=False)
            assert done.returncode == 0, done.stdout + done.stderr
            runs.append(done.stdout)
    finally:
        stop.set()
        for writer in writers:
            writer.join()
    # Both processes wrote into the one chain, and every run saw it intact while it kept growing.
    assert set(written) == {"0", "1"}, [w for w in written if w.startswith("error")][:3]
    counts = [int(run.split("intact: ")[1].split(" ")[0]) for run in runs]
    assert counts == sorted(counts), runs
    assert counts[-1] > counts[0], runs
    for gateway in two_gateways:
        gateway.stop()
    # Stopped cleanly, each published its last position: the whole chain is anchored.
    done = subprocess.run(verify, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"intact: {len(written)} records" in done.stdout
    assert f"up to record {len(written)} " in done.stdout
    assert "0 after it not yet anchored" in done.stdout
