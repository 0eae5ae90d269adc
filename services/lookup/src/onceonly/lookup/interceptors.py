"""Server interceptors (``grpc.aio``): one logs every call, one maps domain errors to gRPC status codes.

The mapping lives here and only here; servicers raise ``onceonly.lookup.errors`` and
``InvalidPersonalId`` and never pick a status code themselves.
"""

from __future__ import annotations

import abc
import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, cast

import grpc
from sqlalchemy.exc import DataError, DBAPIError

from onceonly.common.logging import get_logger
from onceonly.common.personal_id import InvalidPersonalId
from onceonly.common.problems import store_unreachable
from onceonly.lookup.errors import InvalidArgument, LookupServiceError, NotFound, ResultConflict

log = get_logger("onceonly.lookup.calls")

_STATUS: dict[type[Exception], grpc.StatusCode] = {
    InvalidPersonalId: grpc.StatusCode.INVALID_ARGUMENT,
    InvalidArgument: grpc.StatusCode.INVALID_ARGUMENT,
    NotFound: grpc.StatusCode.NOT_FOUND,
    ResultConflict: grpc.StatusCode.ALREADY_EXISTS,
}

if TYPE_CHECKING:
    Handler = grpc.RpcMethodHandler[Any, Any]
else:  # the stubs make it generic, the runtime class is not
    Handler = grpc.RpcMethodHandler
Context = grpc.aio.ServicerContext[Any, Any]
Behavior = Callable[[Any, Context], Awaitable[Any]]
Continuation = Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]]


def behavior_of(handler: Handler) -> Behavior:
    """A unary handler's behavior: a coroutine function on this server (the stubs know only sync ones)."""
    return cast(Behavior, handler.unary_unary)


def status_for(error: Exception) -> grpc.StatusCode:
    for kind in type(error).__mro__:
        if kind in _STATUS:
            return _STATUS[kind]
    return grpc.StatusCode.INTERNAL


class _Wrapping(grpc.aio.ServerInterceptor):
    """Wraps each unary method's behavior once, not once per call: gRPC asks the interceptors for the
    handler of every call, and a method's handler never changes. The outermost interceptor answers a
    known method from its cache, which already holds every inner interceptor's wrapping, so a call
    runs one dictionary look-up here, not the whole chain.
    """

    def __init__(self) -> None:
        self._handlers: dict[str, Handler] = {}

    @abc.abstractmethod
    def wrap(self, method: str, behavior: Behavior) -> Behavior:
        """The behavior of ``method`` with this interceptor's work around it."""

    async def intercept_service(
        self, continuation: Continuation, details: grpc.HandlerCallDetails
    ) -> Handler | None:
        handler = self._handlers.get(details.method)
        if handler is not None:
            return handler
        handler = await continuation(details)
        if handler is None or handler.unary_unary is None:
            return handler  # unknown and streaming methods (health Watch, reflection) pass unchanged
        # Only registered methods get here, so the cache holds at most one entry per method.
        wrapped = self._handlers[details.method] = grpc.unary_unary_rpc_method_handler(
            self.wrap(details.method, behavior_of(handler)),
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
        return wrapped


class ErrorMappingInterceptor(_Wrapping):
    """Turns domain errors into status codes, and a passed deadline into DEADLINE_EXCEEDED."""

    def wrap(self, method: str, behavior: Behavior) -> Behavior:
        async def call(request: Any, context: Context) -> Any:
            remaining = context.time_remaining()
            if remaining is not None and remaining <= 0:
                await context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, "deadline passed before the call ran")
            try:
                return await behavior(request, context)
            except (LookupServiceError, InvalidPersonalId) as error:
                await context.abort(status_for(error), str(error))
            except DataError:
                # A value the store cannot hold (a NUL character in PostgreSQL text, a string longer
                # than its column): the caller's to fix, whatever the validation missed.
                await context.abort(
                    grpc.StatusCode.INVALID_ARGUMENT, "a value in the request cannot be stored"
                )
            except DBAPIError as error:
                # The store away (restart, failover): UNAVAILABLE, which callers retry, not INTERNAL.
                if not store_unreachable(error):
                    raise
                await context.abort(grpc.StatusCode.UNAVAILABLE, "the store cannot be reached")

        return call


class LoggingInterceptor(_Wrapping):
    """One log line per call: method, status code, duration. Requests are never logged."""

    def wrap(self, method: str, behavior: Behavior) -> Behavior:
        async def call(request: Any, context: Context) -> Any:
            start = time.perf_counter()
            code = grpc.StatusCode.OK
            try:
                return await behavior(request, context)
            except asyncio.CancelledError:
                code = grpc.StatusCode.CANCELLED  # the caller went away or the server is stopping
                raise
            except Exception:
                # What abort() set; an exception that escaped every mapping ends the call as UNKNOWN.
                code = context.code() or grpc.StatusCode.UNKNOWN
                raise
            finally:
                # Checked first: formatting a log line per call costs more than the call at scale.
                if code is not grpc.StatusCode.OK or logging.getLogger().isEnabledFor(logging.INFO):
                    duration_ms = round((time.perf_counter() - start) * 1000, 3)
                    level = logging.WARNING if code is grpc.StatusCode.INTERNAL else logging.INFO
                    log.log(level, "call", method=method, code=code.name, duration_ms=duration_ms)

        return call
