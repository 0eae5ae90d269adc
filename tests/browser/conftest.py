"""A live tracker on a seeded SQLite store, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import Engine

from onceonly.common.db import make_engine
from onceonly.events.v1 import events_pb2 as ev
from onceonly.tracker import closing
from onceonly.tracker.app import create_app
from onceonly.tracker.ledger import apply_batch
from onceonly.tracker.store import create_tables
from onceonly.tracker.targets import default_targets
from tests.browser.report_data import after_closing, report_events
from tests.fixtures.services import free_port, service_missing
from tests.tracker.builders import (
    COUNTER,
    DENIED,
    IMPORTED,
    REUSED_RESULT,
    STRANGER,
    known_mix,
    received,
    resolved,
    reused,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def seeded_events() -> list[ev.Envelope]:
    """The known mix in March 2025, and a few dossiers around it so the trend has a shape."""
    events = known_mix()
    for month, reused_share in (("01", 2), ("02", 3), ("04", 5)):
        for i in range(6):
            d = f"m{month}-{i}"
            components = [REUSED_RESULT] if i < reused_share else []
            events.append(
                received(
                    d,
                    f"2025-{month}-10 09:00",
                    agency="UBND-TDM",
                    procedure="3.003",
                    channel=COUNTER,
                    components=components,
                    due=f"2025-{month}-25 17:00",
                )
            )
            if i % 2 == 0:
                events.append(reused(d, f"2025-{month}-10 08:00", agency="UBND-TDM", procedure="3.003"))
            events.append(resolved(d, f"2025-{month}-20 09:00"))
    # One dossier imported from an older system, and lookups that do not fit their dossier (no figure
    # counts them; the misuse table lists them).
    events.append(
        received("imp-1", "2025-02-10 09:00", agency="UBND-TDM", procedure="3.003", origin=IMPORTED)
    )
    events += [
        reused("mix-0", "2025-03-11 08:00", agency="UBND-X"),
        reused("mix-1", "2025-03-11 08:05", agency="UBND-X"),
        reused("mix-2", "2025-03-12 08:00", procedure="1.004194"),
        reused("mix-4", "2025-03-12 09:00", relation=STRANGER, subject="p-stranger", outcome=DENIED),
    ]
    return events


@pytest.fixture(scope="session")
def tracker_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('tracker') / 'store.db'}", pool_size=4)
    create_tables(engine)
    with engine.begin() as conn:
        apply_batch(conn, seeded_events())
    yield from _serve(engine)


@pytest.fixture(scope="session")
def report_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A tracker holding a Bình Dương report: 2023 and 2024, with 2024 closed before a later event."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('report') / 'store.db'}", pool_size=4)
    create_tables(engine)
    with engine.begin() as conn:
        apply_batch(conn, report_events())
        closing.close(conn, default_targets(), "2024", closed_by="Văn phòng UBND tỉnh")
        apply_batch(conn, after_closing())
    yield from _serve(engine)


def _serve(engine: Engine) -> Iterator[str]:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(engine=engine, targets=default_targets()), port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "tracker did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    engine.dispose()


# Module scope: Playwright's sync API keeps an event loop running in this thread until it stops, and
# tests after these (asyncio.run) must not find one.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        service_missing("no Chromium: run `tools/install.sh chromium`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
