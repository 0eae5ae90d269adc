#!/usr/bin/env python3
"""Container health probe with nothing but the image's own Python: no curl, no grpc_health_probe.

    onceonly-healthcheck http://127.0.0.1:8080/healthz   # 2xx → healthy
    onceonly-healthcheck grpc://127.0.0.1:50051          # gRPC health service says SERVING

Exit status 0 is healthy, 1 is not (what Docker's HEALTHCHECK expects).
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 3.0


def check_http(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (fixed scheme)
            return 200 <= int(response.status) < 300
    except (urllib.error.URLError, OSError):
        return False


def check_grpc(target: str) -> bool:
    # Imported here: only the lookup image has gRPC health installed.
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=TIMEOUT_SECONDS)
        except grpc.RpcError:
            return False
    return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write("usage: onceonly-healthcheck http://HOST:PORT/PATH | grpc://HOST:PORT\n")
        return 2
    url = argv[1]
    parts = urlsplit(url)
    if parts.scheme in {"http", "https"}:
        healthy = check_http(url)
    elif parts.scheme == "grpc":
        healthy = check_grpc(parts.netloc)
    else:
        sys.stderr.write(f"unsupported scheme: {parts.scheme}\n")
        return 2
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
