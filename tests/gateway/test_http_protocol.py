"""The read timeout reaches each server's connections through its own protocol factory: two servers in
one process, each with its own timeout, close a silent connection each after its own, and serve a
request that arrives in time. (The gateway process itself: tests/security/test_abuse.py.)"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import cast

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from onceonly.gateway.http_protocol import bounded_read_protocol
from tests.fixtures.services import free_port

SHORT, LONG = 0.5, 2.0


async def _hello(_: Request) -> PlainTextResponse:
    return PlainTextResponse("hello")


@pytest.fixture(scope="module")
def ports() -> Iterator[dict[float, int]]:
    app = Starlette(routes=[Route("/", _hello)])
    servers: dict[float, tuple[uvicorn.Server, threading.Thread]] = {}
    for timeout in (SHORT, LONG):
        # uvicorn keeps a non-name ``http`` as is and only calls it.
        protocol = cast("type[asyncio.Protocol]", bounded_read_protocol(timeout))
        config = uvicorn.Config(app, port=free_port(), http=protocol, log_config=None, lifespan="off")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers[timeout] = (server, thread)
    deadline = time.monotonic() + 10
    while not all(server.started for server, _ in servers.values()):
        assert time.monotonic() < deadline, "servers did not start"
        time.sleep(0.02)
    yield {timeout: server.config.port for timeout, (server, _) in servers.items()}
    for server, thread in servers.values():
        server.should_exit = True
        thread.join(timeout=10)


def _closed_after(port: int) -> float:
    """Seconds until the server hangs up on a connection that sends nothing."""
    with socket.create_connection(("127.0.0.1", port), timeout=LONG * 5) as sock:
        started = time.monotonic()
        assert sock.recv(1) == b""
        return time.monotonic() - started


def test_each_server_closes_a_silent_connection_after_its_own_timeout(ports: dict[float, int]) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        short, long = pool.map(_closed_after, (ports[SHORT], ports[LONG]))
    assert SHORT * 0.8 <= short < SHORT + 1.0, short
    assert LONG * 0.8 <= long < LONG + 1.0, long


def test_a_request_in_time_is_served(ports: dict[float, int]) -> None:
    with socket.create_connection(("127.0.0.1", ports[SHORT]), timeout=5) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert answer.endswith(b"hello")
