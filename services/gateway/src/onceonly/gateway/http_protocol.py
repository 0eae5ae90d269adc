"""The HTTP protocol uvicorn serves the gateway with: uvicorn's own, plus a bound on reading a request.

uvicorn closes idle keep-alive connections, but a client that opens a connection and trickles its
headers or body a byte at a time (slowloris) is kept forever, one file descriptor each. This subclass
arms a timer when a request's first byte arrives and closes the connection unless the whole request
(headers and body) has arrived when it fires. Other clients are unaffected either way: the event loop
never waits on a slow one.

Each server gets its timeout through the factory ``bounded_read_protocol`` builds (a ``functools.partial``,
which pickles, so uvicorn's worker processes receive it too): nothing is set on the class.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.http.auto import AutoHTTPProtocol

_Base: Any = AutoHTTPProtocol  # httptools when installed, else h11: both keep ``cycle`` the same way


class BoundedReadProtocol(_Base):  # type: ignore[misc]
    """uvicorn's HTTP protocol, closing connections that do not deliver a request in time."""

    def __init__(self, *args: Any, read_timeout_seconds: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.read_timeout_seconds = read_timeout_seconds
        self._read_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:
        super().connection_made(transport)
        self._arm()

    def _reading(self) -> bool:
        """A request has begun and not yet been received whole."""
        cycle = self.cycle
        return cycle is None or cycle.response_complete or cycle.more_body

    def _arm(self) -> None:
        self._read_timer = self.loop.call_later(self.read_timeout_seconds, self._read_timed_out)

    def _disarm(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def data_received(self, data: bytes) -> None:
        if self._read_timer is None and (self.cycle is None or self.cycle.response_complete):
            self._arm()  # the first byte of the next request on a kept-alive connection
        super().data_received(data)
        if self._read_timer is not None and not self._reading():
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _read_timed_out(self) -> None:
        self._read_timer = None
        if self._reading() and not self.transport.is_closing():
            self.transport.close()


def bounded_read_protocol(read_timeout_seconds: float) -> Callable[..., asyncio.Protocol]:
    """The protocol factory to serve with (uvicorn's ``http``): ``BoundedReadProtocol`` with this
    timeout (``GatewaySettings.request_read_timeout_seconds``)."""
    return functools.partial(BoundedReadProtocol, read_timeout_seconds=read_timeout_seconds)
