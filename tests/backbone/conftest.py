"""Backbone fixtures: a store engine per test and background relays and consume loops."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest
from sqlalchemy import Engine

from onceonly.common.consumer import ConsumeLoop
from onceonly.common.db import make_engine
from onceonly.common.outbox import Relay
from tests.backbone.store import create_tables


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    create_tables(engine)
    yield engine
    engine.dispose()


@contextmanager
def _running_loop(loop: ConsumeLoop) -> Iterator[ConsumeLoop]:
    thread = threading.Thread(target=loop.run, name="consume-loop", daemon=True)
    thread.start()
    try:
        yield loop
    finally:
        loop.stop()
        thread.join(30)
        assert not thread.is_alive(), "the consume loop did not stop"


@contextmanager
def _running_relay(relay: Relay) -> Iterator[Relay]:
    relay.start()
    try:
        yield relay
    finally:
        relay.stop()


@pytest.fixture
def running_loop() -> Callable[[ConsumeLoop], AbstractContextManager[ConsumeLoop]]:
    return _running_loop


@pytest.fixture
def running_relay() -> Callable[[Relay], AbstractContextManager[Relay]]:
    return _running_relay
