"""API keys only as hashes, compared in constant time; no key and no personal id in any log.

The log test runs a full flow through real lookup, gateway and tracker processes (events through the
real broker) at DEBUG level, logs captured to files, and then scans every line of every log.
"""

from __future__ import annotations

import ast
import hmac
import inspect
import logging
import os
import sqlite3
import subprocess
import time
import uuid
from pathlib import Path

import httpx
import pytest

from onceonly.common.db import make_engine
from onceonly.common.logging import configure_logging, get_logger
from onceonly.gateway import agencies
from onceonly.gateway.agencies import AgencyDirectory, Scope, add_agency
from onceonly.gateway.store import create_store
from tests.fixtures.services import free_port, port_open
from tests.gateway.conftest import LookupServer, auth
from tests.security.conftest import GatewayProcess, cli, gateway_env

PROCEDURE = "2.000635"


def test_the_store_holds_no_key_in_clear(tmp_path: Path) -> None:
    path = tmp_path / "gateway.db"
    engine = make_engine(f"sqlite:///{path}")
    create_store(engine)
    keys = [add_agency(engine, code=f"A-{i}", name="A", province="Hà Nội", scopes=list(Scope))[1]
            for i in range(5)]  # fmt: skip
    engine.dispose()
    raw = path.read_bytes() + b"".join(p.read_bytes() for p in tmp_path.glob("gateway.db-*"))
    with sqlite3.connect(path) as db:
        cells = [
            str(value)
            for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
            for row in db.execute(f'SELECT * FROM "{table}"').fetchall()
            for value in row
        ]
    for key in keys:
        secret = key.split("_", 2)[2]
        assert secret.encode() not in raw
        assert not any(secret in cell for cell in cells)
        # What is stored is the SHA-256 of the key.
        assert agencies._sha256(key) in cells


def test_keys_are_compared_with_hmac_compare_digest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # By inspection: the only comparison of a key's hash is hmac.compare_digest...
    tree = ast.parse(inspect.getsource(agencies))
    compares = [n for n in ast.walk(tree) if isinstance(n, ast.Compare)]
    assert not any("sha256" in ast.unparse(c) for c in compares), [ast.unparse(c) for c in compares]
    assert "hmac.compare_digest(_sha256(key), key_sha256)" in inspect.getsource(agencies.key_matches)
    # ...and by behaviour: a wrong secret under a real key id goes through it.
    engine = make_engine(f"sqlite:///{tmp_path / 'g.db'}")
    create_store(engine)
    _, key = add_agency(engine, code="A", name="A", province="Hà Nội", scopes=[Scope.AUDIT_READ])
    calls: list[tuple[str, str]] = []
    real = hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    directory = AgencyDirectory(engine)
    directory.refresh()
    assert directory.authenticate(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert directory.authenticate(key) is not None
    assert len(calls) == 2
    engine.dispose()


def test_the_log_pipeline_masks_ids_and_keys_in_tracebacks(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(level="DEBUG")
    pid, key = "079190001234", "oo_0123456789abcdef_s3cr3t-Key_value"

    def fails(personal_id: str, api_key: str) -> None:
        raise RuntimeError(f"lookup of {personal_id} with {api_key} failed")

    try:
        fails(pid, key)
    except RuntimeError:
        get_logger("test").exception("unhandled error", path=f"/v1/citizens/{pid}0")
    logging.getLogger("plain").warning("stdlib %s %s", pid, key)
    err = capsys.readouterr().err
    assert "unhandled error" in err
    assert "stdlib" in err
    assert pid not in err
    assert "s3cr3t" not in err


def _wait(url: str, *, deadline: float, ok: object = None) -> None:
    while True:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(url)
        time.sleep(0.2)


@pytest.mark.slow
def test_no_key_and_no_personal_id_in_any_log_of_a_full_run(
    tmp_path: Path, lookup_server: LookupServer, kafka_bootstrap: str, kafka_topic: str
) -> None:
    debug = {
        "ONCEONLY_LOG_LEVEL": "DEBUG",
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
        "KAFKA_TOPIC": kafka_topic,
    }
    logs: dict[str, Path] = {name: tmp_path / f"{name}.log" for name in ("lookup", "gateway", "tracker")}
    processes: list[subprocess.Popen[bytes]] = []

    def spawn(name: str, command: list[str], env: dict[str, str]) -> None:
        with logs[name].open("ab") as out:
            processes.append(subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT))

    lookup_port, tracker_port = free_port(), free_port()
    spawn("lookup", [*cli("onceonly-lookup"), "serve"],
          {**lookup_server.env, **debug, "ONCEONLY_LOOKUP_PORT": str(lookup_port)})  # fmt: skip
    lookup = LookupServer(env={}, port=lookup_port, log_path=logs["lookup"])
    gateway_port = free_port()
    gateway = GatewayProcess(
        env=gateway_env(tmp_path, lookup, **debug, ONCEONLY_GATEWAY_PORT=str(gateway_port),
                        ONCEONLY_GATEWAY_RELAY_ENABLED="true", ONCEONLY_GATEWAY_RELAY_INTERVAL_SECONDS="0.1"),
        port=gateway_port,
        log_path=logs["gateway"],
    )  # fmt: skip
    tracker_env = {
        **os.environ, **debug,
        "ONCEONLY_TRACKER_DATABASE_URL": f"sqlite:///{tmp_path / 'tracker.db'}",
        "ONCEONLY_TRACKER_PORT": str(tracker_port),
        "ONCEONLY_TRACKER_CONSUMER_GROUP": f"security-{uuid.uuid4().hex[:8]}",
    }  # fmt: skip
    spawn("tracker", [*cli("onceonly-tracker"), "serve"], tracker_env)
    key = gateway.add_agency("HN-LOGS", ",".join(s.value for s in Scope))
    revoked = gateway.add_agency("HN-GONE", "population:read")
    gateway.run("agency", "revoke", "HN-GONE")
    keys = [key, revoked]
    pids = lookup_server.citizens[20:26]
    try:
        deadline = time.monotonic() + 120
        while not port_open("127.0.0.1", lookup_port, timeout=0.2):
            assert time.monotonic() < deadline, logs["lookup"].read_text()[-2000:]
            time.sleep(0.1)
        gateway.start()
        with gateway.client() as c:

            def opened(dossier: str, pid: str) -> dict[str, str]:
                return gateway.open(c, key, pid, dossier=dossier, procedure=PROCEDURE)

            # Each subject is the applicant of a dossier of its own (their relatives' reads are logged too).
            h = opened("HN-LOGS-0", pids[0])
            assert c.get(f"/v1/citizens/{pids[0]}", headers=h).status_code == 200
            assert (
                c.get(f"/v1/citizens/{pids[0]}", params={"fields": "religion"}, headers=h).status_code == 403
            )
            # Refusals: a subject who is no relative of the applicant, a dossier of no agency's.
            assert c.get(f"/v1/citizens/{pids[5]}", headers=h).status_code in (200, 403)
            foreign = auth(key, dossier="NO-AGENCY-1", procedure=PROCEDURE)
            assert c.get(f"/v1/citizens/{pids[0]}", headers=foreign).status_code == 403
            verify = {"personal_id": pids[1], "claims": {"full_name": "X"}}
            assert (
                c.post("/v1/citizens/verify", json=verify, headers=opened("HN-LOGS-1", pids[1])).status_code
                == 200
            )
            assert (
                c.get(f"/v1/citizens/{pids[2]}/results", headers=opened("HN-LOGS-2", pids[2])).status_code
                == 200
            )
            h3 = opened("HN-LOGS-3", pids[3])
            result = {
                "result_id": "LOG-R-1", "result_type": "birth_certificate", "owner_personal_id": pids[3],
                "title": "Giấy khai sinh", "issued_on": "2025-08-01", "content_sha256": "d" * 64,
            }  # fmt: skip
            assert c.post("/v1/results", json=result, headers=h3).status_code == 201
            assert c.get("/v1/results/LOG-R-1", headers=h3).status_code == 200
            assert (
                c.post("/v1/results/verify", json={"content_sha256": "d" * 64}, headers=h3).status_code == 200
            )
            opened("HN-LOGS-4", pids[4])
            dossier = {"dossier_id": "HN-LOGS-4", "procedure_code": PROCEDURE,
                       "applicant_personal_id": pids[4], "channel": "online",
                       "components": [{"code": "to_khai", "state": 1}]}  # fmt: skip
            assert c.post("/v1/dossiers", json=dossier, headers=auth(key)).status_code == 201
            assert c.post("/v1/dossiers", json=dossier, headers=auth(key)).status_code == 200
            assert (
                c.post("/v1/dossiers", json={**dossier, "channel": "postal"}, headers=auth(key)).status_code
                == 409
            )
            r = c.post("/v1/dossiers/HN-LOGS-4/resolution", json={"outcome": "approved"}, headers=auth(key))
            assert r.status_code == 201
            assert (
                c.get("/v1/access-log", params={"personal_id": pids[0]}, headers=auth(key)).status_code == 200
            )
            # Errors: malformed ids that hold a real one, unknown citizens, bad and revoked keys.
            for bad in (pids[5] + "0", "0" + pids[5], pids[5][:-1], pids[5][:6] + "\u200d" + pids[5][6:],
                        "".join(chr(ord(d) + 0xFEE0) for d in pids[5])):  # fmt: skip
                r = c.get(f"/v1/citizens/{bad}", headers=h)
                assert r.status_code == 400, r.text
                r = c.get("/v1/access-log", params={"personal_id": bad}, headers=auth(key))
                assert r.status_code == 400
                bad_dossier = {**dossier, "dossier_id": "HN-LOGS-X", "applicant_personal_id": bad}
                r = c.post("/v1/dossiers", json=bad_dossier, headers=auth(key))
                assert r.status_code == 400
                intake = {"procedure_code": PROCEDURE, "applicant_personal_id": bad}
                r = c.post("/v1/dossiers/HN-LOGS-Y/intake", json=intake, headers=auth(key))
                assert r.status_code == 400
            # A citizen the registry does not hold, as the applicant of a dossier opened for them.
            missing = {"procedure_code": PROCEDURE, "applicant_personal_id": "001090999999"}
            r = c.post("/v1/dossiers/HN-LOGS-MISS/intake", json=missing, headers=auth(key))
            assert r.status_code in (201, 400), r.text
            miss = auth(key, dossier="HN-LOGS-MISS", procedure=PROCEDURE)
            assert c.get("/v1/citizens/001090999999", headers=miss).status_code in (400, 404)
            assert (
                c.get(f"/v1/citizens/{pids[5]}", headers=auth(revoked, procedure=PROCEDURE)).status_code
                == 401
            )
            assert (
                c.get(
                    f"/v1/citizens/{pids[5]}", headers=auth(key[:-2] + "zz", procedure=PROCEDURE)
                ).status_code
                == 401
            )
            assert c.get(f"/v1/no-such/{pids[5]}", params={"key": key}).status_code == 404
        # The tracker has the dossier: the events went through the broker into it.
        _wait(f"http://127.0.0.1:{tracker_port}/healthz", deadline=time.monotonic() + 120)
        deadline = time.monotonic() + 60
        while True:
            body = httpx.get(f"http://127.0.0.1:{tracker_port}/v1/indicators", timeout=5).json()
            received = {i["name"]: i["denominator"] for i in body["indicators"]}.get("online_dossier_rate")
            if received:
                break
            assert time.monotonic() < deadline, body
            time.sleep(0.5)
    finally:
        gateway.stop()
        for process in processes:
            process.terminate()
            process.wait(20)
    scanned = 0
    for name, path in logs.items():
        text = path.read_text(errors="replace")
        lines = text.count("\n")
        assert lines > 0, name
        scanned += lines
        for pid in pids:
            assert pid not in text, f"personal id in the {name} log"
        for k in keys:
            assert k not in text, f"API key in the {name} log"
            assert k.split("_", 2)[2] not in text, f"API key secret in the {name} log"
    # The logs did record the run: every kind of lookup call it made, the gateway and the tracker's consumer.
    lookup_log = logs["lookup"].read_text()
    for method in ("PopulationRegistry/GetCitizen", "PopulationRegistry/VerifyCitizen",
                   "DigitizedResults/ListResults", "DigitizedResults/RegisterResult",
                   "DigitizedResults/GetResult", "DigitizedResults/VerifyResult",
                   "ReceiptChecks/CheckReceipt"):  # fmt: skip
        assert f"v1.{method}" in lookup_log, method
    assert "gateway starting" in logs["gateway"].read_text()
    assert "consumer started" in logs["tracker"].read_text()
    print(f"scanned {scanned} log lines for {len(pids)} personal ids and {len(keys)} keys")  # noqa: T201
