"""Lookup stopped: 503 problems with Retry-After, never a 500; restarted: the gateway recovers."""

from __future__ import annotations

import time

from onceonly.gateway.problems import PROBLEM_BASE
from tests.gateway.conftest import Gateway, LookupServer


def test_lookup_down_is_a_503_and_the_gateway_recovers_by_itself(
    sqlite_gateway: Gateway, lookup_server: LookupServer
) -> None:
    key = sqlite_gateway.agency("HN-01")
    url = f"/v1/citizens/{lookup_server.citizens[0]}"
    headers = sqlite_gateway.open(key, lookup_server.citizens[0], procedure="2.000635")
    assert sqlite_gateway.client.get(url, headers=headers).status_code == 200

    lookup_server.stop()
    try:
        down = sqlite_gateway.client.get(url, headers=headers)
        assert down.status_code == 503, down.text
        assert down.json()["type"] == PROBLEM_BASE + "lookup-unavailable"
        assert int(down.headers["Retry-After"]) >= 1
        assert sqlite_gateway.client.get("/readyz").status_code == 503
    finally:
        lookup_server.start()

    deadline = time.monotonic() + 15
    status = 0
    while time.monotonic() < deadline:
        status = sqlite_gateway.client.get(url, headers=headers).status_code
        if status == 200:
            break
        time.sleep(0.2)
    assert status == 200
    assert sqlite_gateway.client.get("/readyz").status_code == 200
