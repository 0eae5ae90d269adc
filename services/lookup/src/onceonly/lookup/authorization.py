"""Who may call lookup: under mutual TLS, only the client identities in ``ONCEONLY_LOOKUP_ALLOWED_CLIENTS``.

The TLS handshake already proves a caller holds a certificate the client CA signed; this decides which
of those holders may call. A caller's identities are its certificate's subject common name and its
subject alternative names, as gRPC reports them in the call's ``auth_context``. Every other caller
gets PERMISSION_DENIED, on every method of the three lookup services and on any method added later.

Open to any holder of a valid certificate: the health service (probes) and server reflection (it
lists services and message types, never data).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import grpc
from grpc_health.v1 import health
from grpc_reflection.v1alpha import reflection

from onceonly.common.logging import get_logger
from onceonly.lookup.interceptors import Behavior, Context, Continuation, Handler, behavior_of

log = get_logger("onceonly.lookup.authorization")

OPEN_SERVICES = (health.SERVICE_NAME, reflection.SERVICE_NAME, "grpc.reflection.v1.ServerReflection")
_IDENTITY_KEYS = ("x509_common_name", "x509_subject_alternative_name")


def identities(context: Context) -> set[str]:
    """The caller's certificate names (CN and SANs); empty for a plaintext caller."""
    auth = context.auth_context()
    return {value.decode(errors="replace") for key in _IDENTITY_KEYS for value in auth.get(key, [])}


def _is_open(method: str) -> bool:
    service = method.lstrip("/").split("/", 1)[0]
    return service in OPEN_SERVICES


class AuthorizationInterceptor(grpc.aio.ServerInterceptor):
    """PERMISSION_DENIED unless the caller's certificate names an allowed client."""

    def __init__(self, allowed_clients: Iterable[str]) -> None:
        self._allowed = frozenset(allowed_clients)
        if not self._allowed:
            raise ValueError("at least one allowed client is needed")
        self._handlers: dict[str, Handler] = {}

    def admits(self, context: Context) -> bool:
        return not self._allowed.isdisjoint(identities(context))

    async def intercept_service(
        self, continuation: Continuation, details: grpc.HandlerCallDetails
    ) -> Handler | None:
        if _is_open(details.method):
            return await continuation(details)
        handler = self._handlers.get(details.method)
        if handler is not None:
            return handler
        handler = await continuation(details)
        if handler is None:
            return None  # UNIMPLEMENTED, as for anyone
        wrapped: Handler
        if handler.unary_unary is None:
            # Lookup has no streaming method; one added later stays closed until it is authorized here.
            wrapped = grpc.stream_stream_rpc_method_handler(self._deny)
        else:
            wrapped = grpc.unary_unary_rpc_method_handler(
                self._guard(details.method, behavior_of(handler)),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        self._handlers[details.method] = wrapped
        return wrapped

    def _guard(self, method: str, behavior: Behavior) -> Behavior:
        async def call(request: Any, context: Context) -> Any:
            if not self.admits(context):
                await self._refuse(method, context)
            return await behavior(request, context)

        return call

    async def _deny(self, _requests: Any, context: Context) -> None:
        await self._refuse("stream", context)

    async def _refuse(self, method: str, context: Context) -> None:
        names = sorted(identities(context))
        log.warning("caller refused", method=method, client=names or "none", peer=context.peer())
        await context.abort(grpc.StatusCode.PERMISSION_DENIED, "this client may not call lookup")
