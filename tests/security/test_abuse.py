"""Abuse: oversized bodies, slow clients, deep and huge JSON, unicode tricks, SQL-looking input.

Each answer is a clear 4xx problem, never a 5xx, and comes within a bound; the store stays intact.
The slow-client tests use raw sockets against a real gateway process (uvicorn); everything is on
loopback.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import func, select

from onceonly.common.personal_id import InvalidPersonalId, parse_personal_id
from onceonly.gateway.audit import verify_chain
from onceonly.gateway.problems import PROBLEM_BASE
from onceonly.gateway.store import agency_table, binding_table, dossier_table
from tests.gateway.conftest import Gateway, LookupServer, auth, make_gateway
from tests.security.conftest import GatewayProcess

PROCEDURE = "2.000635"
READ_TIMEOUT = 2.0
# The served gateway's one dossier, opened for its first citizen; the in-process gateways' agency is HN-01.
SERVED_DOSSIER = "HN-ABUSE-1"
INTAKE = {"procedure_code": PROCEDURE, "applicant_personal_id": "001090012345"}


@pytest.fixture
def gw(sqlite_url: str, lookup_server: LookupServer) -> Iterator[Gateway]:
    yield from make_gateway(sqlite_url, lookup_server.target, {"rate_limit_per_agency": 100_000})


@pytest.fixture
def store_gw(db_url: str, lookup_server: LookupServer) -> Iterator[Gateway]:
    yield from make_gateway(db_url, lookup_server.target, {"rate_limit_per_agency": 100_000})


# -- oversized bodies and slow clients, over real sockets ------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, lookup_server: LookupServer) -> Iterator[GatewayProcess]:
    from tests.fixtures.services import free_port
    from tests.security.conftest import gateway_env

    tmp = tmp_path_factory.mktemp("abuse")
    port = free_port()
    env = gateway_env(
        tmp,
        lookup_server,
        ONCEONLY_GATEWAY_PORT=str(port),
        ONCEONLY_GATEWAY_REQUEST_READ_TIMEOUT_SECONDS=str(READ_TIMEOUT),
    )
    gateway = GatewayProcess(env=env, port=port, log_path=tmp / "gateway.log")
    gateway.add_agency("HN-ABUSE", "population:read,population:verify,dossiers:write,audit:read")
    gateway.start()
    with gateway.client() as client:
        key, pid = gateway.keys["HN-ABUSE"], lookup_server.citizens[0]
        gateway.open(client, key, pid, dossier=SERVED_DOSSIER, procedure=PROCEDURE)
    yield gateway
    gateway.stop()


def _raw(port: int, data: bytes, *, timeout: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
            if b"\r\n\r\n" in b"".join(chunks):
                break
        return b"".join(chunks)


def test_a_body_declared_too_large_is_refused_before_it_is_read(served: GatewayProcess) -> None:
    key = served.keys["HN-ABUSE"]
    head = (
        f"POST /v1/citizens/verify HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n"
        f"X-Dossier-Id: {SERVED_DOSSIER}\r\nX-Procedure-Code: {PROCEDURE}\r\n"
        "Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n"
    ).encode()
    started = time.monotonic()
    answer = _raw(served.port, head + b"{")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < 5


def test_a_chunked_body_growing_past_the_limit_is_a_413(served: GatewayProcess) -> None:
    key = served.keys["HN-ABUSE"]

    def chunks() -> Iterator[bytes]:
        yield b'{"personal_id": "001090012345", "claims": {"full_name": "'
        for _ in range(200):
            yield b"x" * 1024

    with served.client() as client:
        r = client.post(
            "/v1/citizens/verify",
            content=chunks(),
            headers=auth(key, dossier=SERVED_DOSSIER, procedure=PROCEDURE),
        )
    assert r.status_code == 413
    assert r.json()["type"] == PROBLEM_BASE + "payload-too-large"


def _slow_client(port: int, head: bytes, trickle: bytes) -> float:
    """Send ``head``, then one byte of ``trickle`` every 0.25 s; seconds until the server hangs up."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=READ_TIMEOUT * 5) as sock:
        sock.sendall(head)
        try:
            for byte in trickle:
                sock.sendall(bytes([byte]))
                time.sleep(0.25)
                if time.monotonic() - started > READ_TIMEOUT * 5:
                    return float("inf")
            sock.recv(1)  # the whole request arrived: this would be the answer
        except OSError:
            pass
    return time.monotonic() - started


@pytest.mark.slow
def test_slow_clients_are_dropped_in_time_and_never_hold_up_others(served: GatewayProcess) -> None:
    key = served.keys["HN-ABUSE"]
    slow_headers = (b"GET /healthz HTTP/1.1\r\nHost: x\r\n", b"X-Slow: " + b"a" * 200 + b"\r\n\r\n")
    slow_body = (
        b"POST /v1/citizens/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Authorization: Bearer "
        + key.encode()
        + b"\r\nX-Dossier-Id: "
        + SERVED_DOSSIER.encode()
        + b"\r\nX-Procedure-Code: "
        + PROCEDURE.encode()
        + b"\r\nContent-Length: 500\r\n\r\n",
        b"{" + b" " * 498 + b"}",
    )
    slow = 12
    with ThreadPoolExecutor(max_workers=slow) as pool:
        hung = [pool.submit(_slow_client, served.port, *(slow_headers if i % 2 else slow_body))
                for i in range(slow)]  # fmt: skip
        time.sleep(0.5)
        # Meanwhile every other client is served at once.
        latencies = []
        with served.client() as client:
            for _ in range(20):
                started = time.monotonic()
                assert client.get("/healthz").status_code == 200
                latencies.append(time.monotonic() - started)
        dropped_after = [f.result() for f in hung]
    assert max(latencies) < 1.0, latencies
    # Each slow client was cut off once the read timeout ran out (plus scheduling slack), not served.
    assert all(READ_TIMEOUT * 0.8 <= t < READ_TIMEOUT + 2.0 for t in dropped_after), dropped_after


def test_a_connection_that_sends_nothing_is_closed(served: GatewayProcess) -> None:
    with socket.create_connection(("127.0.0.1", served.port), timeout=READ_TIMEOUT * 5) as sock:
        started = time.monotonic()
        assert sock.recv(1) == b""
    assert time.monotonic() - started < READ_TIMEOUT + 2.0


def test_a_kept_alive_connection_still_serves_its_next_requests(served: GatewayProcess) -> None:
    with served.client() as client:
        for _ in range(3):
            assert client.get("/healthz").status_code == 200
            time.sleep(READ_TIMEOUT / 3)


# -- deep and huge JSON ----------------------------------------------------------------------------------


def _bounded(
    gw: Gateway, method: str, url: str, *, content: bytes, headers: dict[str, str]
) -> httpx.Response:
    started = time.monotonic()
    r = gw.client.request(
        method, url, content=content, headers={**headers, "Content-Type": "application/json"}
    )
    assert time.monotonic() - started < 10, (url, "took too long")
    assert 400 <= r.status_code < 500, (url, r.status_code, r.text[:300])
    assert r.headers["content-type"].startswith("application/problem+json")
    response: httpx.Response = r
    return response


POSTS = ["/v1/citizens/verify", "/v1/results", "/v1/results/verify", "/v1/dossiers/HN-01-D-1/intake",
         "/v1/dossiers", "/v1/dossiers/HN-01-D-1/resolution"]  # fmt: skip


def test_deeply_nested_json_is_a_4xx(gw: Gateway, lookup_server: LookupServer) -> None:
    key = gw.agency("HN-01")
    headers = gw.open(key, lookup_server.citizens[0], dossier="HN-01-DEEP", procedure=PROCEDURE)
    depth = 10_000
    bodies = [
        b"[" * depth + b"]" * depth,
        b'{"a":' * depth + b"1" + b"}" * depth,
        b'{"personal_id": "001090012345", "claims": ' + b"[" * depth + b"]" * depth + b"}",
        b"[" * depth,  # unterminated
    ]
    for url in POSTS:
        for body in bodies:
            _bounded(gw, "POST", url, content=body, headers=headers)


def test_huge_arrays_within_the_size_limit_are_a_4xx(sqlite_url: str, lookup_server: LookupServer) -> None:
    # A generous body limit so a million-element array fits: the schema, not the size, must refuse it.
    for gw in make_gateway(sqlite_url, lookup_server.target, {"max_body_bytes": 4 * 1024 * 1024}):
        key = gw.agency("HN-01")
        headers = gw.open(key, lookup_server.citizens[0], dossier="HN-01-BIG", procedure=PROCEDURE)
        million = b"[" + b",".join([b"0"] * 1_000_000) + b"]"
        components = b"[" + b",".join([b'{"code":"c","state":1}'] * 100_000) + b"]"
        claims = b"{" + b",".join(b'"k%d":"v"' % i for i in range(200_000)) + b"}"
        cases = [
            ("/v1/dossiers", b'{"dossier_id":"HN-01-HUGE","procedure_code":"2.000635",'
             b'"applicant_personal_id":'
             b'"001090012345","channel":"online","components":' + million + b"}"),
            ("/v1/dossiers", b'{"dossier_id":"HN-01-HUGE","procedure_code":"2.000635",'
             b'"applicant_personal_id":'
             b'"001090012345","channel":"online","components":' + components + b"}"),
            ("/v1/dossiers/HN-01-HUGE/intake", b'{"procedure_code":' + million + b"}"),
            ("/v1/dossiers/HN-01-HUGE/intake", b'{"procedure_code":"2.000635","applicant_personal_id":'
             b'"001090012345","officer_id":' + million + b"}"),
            ("/v1/citizens/verify", b'{"personal_id":"001090012345","claims":' + claims + b"}"),
            ("/v1/citizens/verify", million),
            ("/v1/results/verify", b'{"content_sha256":' + million + b"}"),
        ]  # fmt: skip
        for url, body in cases:
            assert len(body) <= 4 * 1024 * 1024
            _bounded(gw, "POST", url, content=body, headers=headers)
        with gw.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(dossier_table)).scalar_one() == 0
            # Only the dossier the test itself opened.
            assert conn.execute(select(binding_table.c.dossier_id)).scalars().all() == ["HN-01-BIG"]


# -- unicode tricks --------------------------------------------------------------------------------------

TRICKS = {
    "fullwidth digits": "０７９１９０００１２３４",
    "arabic-indic digits": "٠٧٩١٩٠٠٠١٢٣٤",
    "devanagari digits": "०७९१९०००१२३४",
    "zero-width joiner": "0791900\u200d01234",
    "zero-width space": "\u200b079190001234",
    "rtl override": "\u202e079190001234",
    "bidi isolate": "0791900012\u20663\u2069",
    "nul byte": "07919000\x001234",
    "nul padded": "079190001234\x00",
    "cyrillic o": "О79190001234",
    "latin l for 1": "079l90001234",
    "superscript digits": "⁰⁷⁹¹⁹⁰⁰⁰¹²³⁴",
    "mathematical digits": "𝟎𝟕𝟗𝟏𝟗𝟎𝟎𝟎𝟏𝟐𝟑𝟒",
    "combining mark": "0\u0301791900012",
    "trailing newline": "07919000123\n",
    "nbsp": "079190001\u00a0234",
}


@pytest.mark.parametrize("trick", list(TRICKS))
def test_unicode_tricks_in_personal_ids_are_a_400_with_the_parsers_reason(gw: Gateway, trick: str) -> None:
    key = gw.agency("HN-01")
    bad = TRICKS[trick]
    with pytest.raises(InvalidPersonalId) as parsed:
        parse_personal_id(bad)
    # The purpose names a dossier of the caller's, opened: only the id itself can be refused.
    h = gw.open(key, "001090012345", dossier="HN-01-U", procedure=PROCEDURE)
    answers = [
        gw.client.get(f"/v1/citizens/{httpx.URL(bad)}".replace("%2F", "/"), headers=h)
        if "\x00" not in bad and "\n" not in bad
        else gw.client.get("/v1/citizens/" + bad.encode().hex(), headers=h),
        gw.client.get("/v1/access-log", params={"personal_id": bad}, headers=h),
        gw.client.post(
            "/v1/citizens/verify", json={"personal_id": bad, "claims": {"full_name": "A"}}, headers=h
        ),
        gw.client.post(
            "/v1/dossiers/HN-01-U-2/intake", json={**INTAKE, "applicant_personal_id": bad}, headers=h
        ),
        gw.client.post(
            "/v1/dossiers",
            json={
                "dossier_id": "HN-01-U-3",
                "procedure_code": PROCEDURE,
                "applicant_personal_id": bad,
                "channel": "online",
                "components": [{"code": "to_khai", "state": 1}],
            },
            headers=h,
        ),
    ]
    for r in answers[1:] if "\x00" in bad or "\n" in bad else answers:
        assert r.status_code == 400, (trick, r.request.url, r.text)
        problem = r.json()
        assert problem["type"] == PROBLEM_BASE + "invalid-personal-id"
        assert problem["detail"] == parsed.value.message
        assert problem["part"] == parsed.value.part
    # The percent-encoded path form of the NUL and newline tricks.
    if "\x00" in bad or "\n" in bad:
        r = gw.client.get("/v1/citizens/" + "".join(f"%{b:02X}" for b in bad.encode()), headers=h)
        assert r.status_code == 400, r.text
        assert r.json()["part"] == parsed.value.part


NAMES = ["Nguyễn\u202eVăn An", "Nguyễn\u200dVăn\u200bAn", "Nguye\u0302\u0303n Văn An", "Ngu\x00yễn",
         "ＮＧＵＹＥＮ", "Nguyễn " * 70, "\ud7ff\ufeff", "ﷺ" * 10]  # fmt: skip


def test_unicode_tricks_in_names_and_codes_never_break_the_gateway(
    store_gw: Gateway, lookup_server: LookupServer
) -> None:
    key = store_gw.agency("HN-01")
    pid = lookup_server.citizens[3]
    h = store_gw.open(key, pid, dossier="HN-01-NAMES", procedure=PROCEDURE)
    for name in NAMES:
        r = store_gw.client.post(
            "/v1/citizens/verify", json={"personal_id": pid, "claims": {"full_name": name}}, headers=h
        )
        assert r.status_code in (200, 422), (name, r.text)
        if r.status_code == 200:
            assert r.json()["match"] is False
        for field in ("dossier_id", "procedure_code"):
            body = {
                "dossier_id": "HN-01-N", "procedure_code": PROCEDURE, "applicant_personal_id": pid,
                "channel": "online", "components": [{"code": "to_khai", "state": 1}], field: name,
            }  # fmt: skip
            r = store_gw.client.post("/v1/dossiers", json=body, headers=auth(key))
            assert r.status_code == 422, (field, name, r.text)
        # The same names as the dossier id and the procedure of an intake: refused by the schema.
        r = store_gw.client.post(
            f"/v1/dossiers/{quote(name, safe='')}/intake", json=INTAKE, headers=auth(key)
        )
        assert r.status_code == 422, (name, r.text)
        r = store_gw.client.post(
            "/v1/dossiers/HN-01-N/intake", json={**INTAKE, "procedure_code": name}, headers=auth(key)
        )
        assert r.status_code == 422, (name, r.text)
        r = store_gw.client.post(
            "/v1/results",
            json={"result_id": "R-U", "result_type": "birth_certificate", "owner_personal_id": pid,
                  "title": name, "issued_on": "2025-08-01", "content_sha256": "e" * 64,
                  "attributes": {name[:60]: name[:400]}},
            headers=h,
        )  # fmt: skip
        assert r.status_code < 500, (name, r.text)
    assert verify_chain(store_gw.engine).intact


# -- SQL-looking input -----------------------------------------------------------------------------------

SQL = [
    "' OR '1'='1",
    "1; DROP TABLE agency; --",
    "'); DELETE FROM audit_log; --",
    '" OR 1=1 --',
    "x' UNION SELECT key_sha256 FROM agency --",
    "%' AND 1=0 UNION ALL SELECT NULL --",
    "1' AND pg_sleep(5) --",
    "\\'; TRUNCATE dossier; --",
]


def _requests(pid: str, sql: str) -> list[tuple[str, str, dict[str, Any] | None, dict[str, str]]]:
    """Every string field, path and query parameter and header, one at a time, set to ``sql``."""
    dossier = {"dossier_id": "HN-01-SQL", "procedure_code": PROCEDURE, "applicant_personal_id": pid,
               "channel": "online", "components": [{"code": "to_khai", "state": 1}]}  # fmt: skip
    intake = {"procedure_code": PROCEDURE, "applicant_personal_id": pid, "officer_id": "officer-1"}
    result = {"result_id": "R-SQL", "result_type": "birth_certificate", "owner_personal_id": pid,
              "title": "T", "issued_on": "2025-08-01", "content_sha256": "f" * 64}  # fmt: skip
    out: list[tuple[str, str, dict[str, Any] | None, dict[str, str]]] = [
        ("GET", f"/v1/citizens/{sql}", None, {}),
        ("GET", f"/v1/citizens/{pid}?fields={sql}", None, {}),
        ("GET", f"/v1/citizens/{sql}/results", None, {}),
        ("GET", f"/v1/citizens/{pid}/results?result_type={sql}&page_token={sql}", None, {}),
        ("GET", f"/v1/results/{sql}", None, {}),
        ("GET", f"/v1/access-log?personal_id={sql}", None, {}),
        ("POST", f"/v1/dossiers/{sql}/resolution", {"outcome": "approved"}, {}),
        ("POST", "/v1/dossiers/HN-01-SQL/resolution", {"outcome": sql}, {}),
        ("POST", f"/v1/dossiers/{sql}/intake", {**intake}, {}),
        ("POST", "/v1/citizens/verify", {"personal_id": pid, "claims": {"full_name": sql}}, {}),
        ("POST", "/v1/citizens/verify", {"personal_id": pid, "claims": {sql: "x"}}, {}),
        ("POST", "/v1/results/verify", {"content_sha256": sql}, {}),
    ]
    out += [("POST", "/v1/dossiers/HN-01-SQL-2/intake", {**intake, k: sql}, {}) for k in intake]
    out += [("POST", "/v1/dossiers", {**dossier, k: sql}, {}) for k in ("dossier_id", "procedure_code",
            "applicant_personal_id", "channel")]  # fmt: skip
    out.append(("POST", "/v1/dossiers", {**dossier, "components": [{"code": sql, "state": 1}]}, {}))
    out += [("POST", "/v1/results", {**result, k: sql}, {}) for k in result]
    out.append(("POST", "/v1/results", {**result, "attributes": {sql: sql}}, {}))
    for header in ("X-Dossier-Id", "X-Procedure-Code", "X-Officer-Id", "X-Request-Id"):
        out.append(("GET", f"/v1/citizens/{pid}", None, {header: sql}))
    return out


def test_sql_looking_input_everywhere_is_inert(store_gw: Gateway, lookup_server: LookupServer) -> None:
    key = store_gw.agency("HN-01")
    pid = lookup_server.citizens[4]
    # The purpose headers name a dossier opened for the subject: the input reaches lookup and the store.
    purpose = store_gw.open(key, pid, dossier="HN-01-SQL-READ", procedure=PROCEDURE)
    with store_gw.engine.connect() as conn:
        agencies_before = conn.execute(select(func.count()).select_from(agency_table)).scalar_one()
    sent = 0
    for sql in SQL:
        for method, url, body, extra in _requests(pid, sql):
            headers = {**purpose, **extra}
            started = time.monotonic()
            r = store_gw.client.request(method, url, json=body, headers=headers)
            sent += 1
            assert r.status_code < 500, (method, url, body, extra, r.text)
            assert time.monotonic() - started < 5, (method, url, "slow: did the input reach SQL?")
    assert sent == len(SQL) * 31
    with store_gw.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(agency_table)).scalar_one() == agencies_before
    # The audit chain has every record the injected requests wrote, intact, and a normal read still works.
    report = verify_chain(store_gw.engine)
    assert report.intact, report.findings
    assert report.records > 0
    r = store_gw.client.get(f"/v1/citizens/{pid}", headers=purpose)
    assert r.status_code == 200, r.text
