"""Who may call lookup: under mutual TLS, only the client identities in ``ONCEONLY_LOOKUP_ALLOWED_CLIENTS``.

The TLS handshake already proves a caller holds a certificate the client CA signed; this decides which
of those holders may call. A caller's identities are its certificate's subject common name and its
subject alternative names, as gRPC reports them in the call's ``auth_context``. Every other caller
gets PERMISSION_DENIED, on every method of the three lookup services and on any method added later.

Open to any holder of a valid certificate: the health service (probes) and server reflection (it
lists services and message types, never data).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import grpc
from grpc_health.v1 import health
from grpc_reflection.v1alpha import reflection

from onceonly.common.logging import get_logger
from onceonly.lookup.interceptors import Behavior, Handler

log = get_logger("onceonly.lookup.authorization")

OPEN_SERVICES = (health.SERVICE_NAME, reflection.SERVICE_NAME, "grpc.reflection.v1.ServerReflection")
_IDENTITY_KEYS = ("x509_common_name", "x509_subject_alternative_name")


def identities(context: grpc.ServicerContext) -> set[str]:
    """The caller's certificate names (CN and SANs); empty for a plaintext caller."""
    auth: dict[str, list[bytes]] = dict(context.auth_context())  # type: ignore[arg-type]  # stubs: Iterable[bytes]
    return {value.decode(errors="replace") for key in _IDENTITY_KEYS for value in auth.get(key, [])}


def _is_open(method: str) -> bool:
    service = method.lstrip("/").split("/", 1)[0]
    return service in OPEN_SERVICES


class AuthorizationInterceptor(grpc.ServerInterceptor):
    """PERMISSION_DENIED unless the caller's certificate names an allowed client."""

    def __init__(self, allowed_clients: Iterable[str]) -> None:
        self._allowed = frozenset(allowed_clients)
        if not self._allowed:
            raise ValueError("at least one allowed client is needed")
        self._handlers: dict[str, Handler] = {}

    def admits(self, context: grpc.ServicerContext) -> bool:
        return not self._allowed.isdisjoint(identities(context))

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Handler | None],
        details: grpc.HandlerCallDetails,
    ) -> Handler | None:
        if _is_open(details.method):
            return continuation(details)
        handler = self._handlers.get(details.method)
        if handler is not None:
            return handler
        handler = continuation(details)
        if handler is None:
            return None  # UNIMPLEMENTED, as for anyone
        wrapped: Handler
        if handler.unary_unary is None:
            # Lookup has no streaming method; one added later stays closed until it is authorized here.
            wrapped = grpc.stream_stream_rpc_method_handler(self._deny)
        else:
            wrapped = grpc.unary_unary_rpc_method_handler(
                self._guard(details.method, handler.unary_unary),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        self._handlers[details.method] = wrapped
        return wrapped

    def _guard(self, method: str, behavior: Behavior) -> Behavior:
        def call(request: Any, context: grpc.ServicerContext) -> Any:
            if not self.admits(context):
                self._refuse(method, context)
            return behavior(request, context)

        return call

    def _deny(self, _requests: Any, context: grpc.ServicerContext) -> Any:
        self._refuse("stream", context)

    def _refuse(self, method: str, context: grpc.ServicerContext) -> None:
        names = sorted(identities(context))
        log.warning("caller refused", method=method, client=names or "none", peer=context.peer())
        context.abort(grpc.StatusCode.PERMISSION_DENIED, "this client may not call lookup")
