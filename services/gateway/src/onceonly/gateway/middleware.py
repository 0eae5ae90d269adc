"""ASGI middleware: request ids, the body size limit, and request metrics.

Written as plain ASGI (not ``BaseHTTPMiddleware``) so the body limit can stop reading a stream that
grows past it, and the hot path pays no extra task per request.
"""

from __future__ import annotations

import re
import secrets
import time

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onceonly.gateway.metrics import GatewayMetrics
from onceonly.gateway.problems import PayloadTooLarge, problem_response

REQUEST_ID_HEADER = "X-Request-Id"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{8,64}$")


class GatewayMiddleware:
    def __init__(self, app: ASGIApp, *, metrics: GatewayMetrics, max_body_bytes: int) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self._limit_detail = f"request bodies are limited to {max_body_bytes} bytes"

    async def _buffer(self, receive: Receive) -> list[Message] | None:
        """The body's messages, or None once they pass the limit."""
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages
            size += len(message.get("body", b""))
            if size > self.max_body_bytes:
                return None
            if not message.get("more_body", False):
                return messages

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        headers = dict(scope["headers"])
        given = headers.get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _SAFE_REQUEST_ID.match(given) else secrets.token_hex(16)
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        length = headers.get(b"content-length")
        too_large = False
        if length is not None:
            try:
                too_large = int(length) > self.max_body_bytes
            except ValueError:
                too_large = False
        replay: list[Message] = []
        if length is None and b"chunked" in headers.get(b"transfer-encoding", b"").lower():
            # A chunked body declares no length: read it here, up to the limit, so an oversized one is a
            # 413. Raised inside the app, FastAPI's body parsing would turn the error into a 400.
            buffered = await self._buffer(receive)
            too_large = buffered is None
            replay = buffered or []
        received = 0

        async def receive_limited() -> Message:
            nonlocal received
            message = replay.pop(0) if replay else await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # A GatewayError, so the app's handler turns it into the 413 problem.
                    raise PayloadTooLarge(self._limit_detail)
            return message

        try:
            if too_large:
                response = problem_response(
                    status=PayloadTooLarge.status,
                    slug=PayloadTooLarge.slug,
                    title=PayloadTooLarge.title,
                    detail=self._limit_detail,
                    instance=scope.get("path"),
                )
                await response(scope, receive, send_wrapper)
            else:
                await self.app(scope, receive_limited, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "")
            self.metrics.requests.labels(template, method, str(status)).inc()
            self.metrics.latency.labels(template, method).observe(time.perf_counter() - started)
