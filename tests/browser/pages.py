"""A dashboard page in Chromium that records every console error and uncaught exception."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from weakref import WeakKeyDictionary

from playwright.sync_api import Browser, Page, expect

_ERRORS: WeakKeyDictionary[Page, list[str]] = WeakKeyDictionary()


@contextmanager
def watched_page(browser: Browser, *, width: int, height: int) -> Iterator[Page]:
    """A Vietnamese-locale page of that screen size, closed afterwards."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
    page = context.new_page()
    errors = _ERRORS.setdefault(page, [])
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield page
    finally:
        context.close()


def errors_of(page: Page) -> list[str]:
    """What the page logged as an error, or threw, so far."""
    return _ERRORS[page]


def open_dashboard(page: Page, url: str) -> None:
    """Load the dashboard and wait until its script says every figure is drawn."""
    page.goto(url)
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
