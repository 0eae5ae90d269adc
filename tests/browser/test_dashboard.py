"""The dashboard in a real Chromium: clean load, figures as the API gives them, filters, language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.pages import errors_of, open_dashboard, watched_page
from tests.tracker.builders import KNOWN_MIX

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    with watched_page(browser, width=1360, height=1000) as page:
        yield page


def tile(page: Page, name: str, part: str) -> str:
    return page.get_by_test_id(f"tile-{name}").get_by_test_id(part).inner_text()


def test_page_loads_clean_in_vietnamese(page: Page, tracker_url: str, artifacts: Path) -> None:
    open_dashboard(page, f"{tracker_url}/?period=2025-03")
    assert page.locator("html").get_attribute("lang") == "vi"
    expect(page.locator("h1")).to_have_text("Theo dõi tái sử dụng dữ liệu")
    assert tile(page, "reuse_rate", "value") == "40,00%"
    assert tile(page, "online_payment_rate", "value") == "60,00%"
    # The trend follows the period: one month, one point.
    expect(page.locator("#trend svg circle")).to_have_count(1)
    # Agencies below a target among the indicators shown (reuse and digitization first) are marked.
    expect(page.locator("#table-breakdown tr.has-below")).to_have_count(1)
    page.click("#group-tabs button[data-group=online]")
    expect(page.locator("#table-breakdown tr.has-below")).to_have_count(2)
    page.screenshot(path=str(artifacts / "tracker-dashboard-vi.png"), full_page=True)
    assert errors_of(page) == []


def test_known_mix_figures_on_the_dashboard(page: Page, tracker_url: str) -> None:
    open_dashboard(page, f"{tracker_url}/?period=2025-03")
    for name, (numerator, denominator) in KNOWN_MIX.items():
        assert tile(page, name, "fraction") == f"{numerator} / {denominator}", name


def test_a_filter_changes_the_figures_to_what_the_api_says(page: Page, tracker_url: str) -> None:
    open_dashboard(page, f"{tracker_url}/?period=2025-03")
    page.select_option("#f-agency", "CA-BD")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    api = httpx.get(f"{tracker_url}/v1/indicators", params={"period": "2025-03", "agency": "CA-BD"}).json()
    for indicator in api["indicators"]:
        expected = f"{indicator['numerator']} / {indicator['denominator']}"
        assert tile(page, indicator["name"], "fraction") == expected
    assert tile(page, "online_dossier_rate", "value") == "25,00%"
    assert tile(page, "online_payment_rate", "value") == "Chưa có dữ liệu"  # no fee carried: no data
    assert "agency=CA-BD" in page.url
    page.select_option("#f-period", "2025")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    year = httpx.get(f"{tracker_url}/v1/indicators", params={"period": "2025", "agency": "CA-BD"}).json()
    reuse = next(i for i in year["indicators"] if i["name"] == "reuse_rate")
    assert tile(page, "reuse_rate", "fraction") == f"{reuse['numerator']} / {reuse['denominator']}"
    assert errors_of(page) == []


def test_language_switch(page: Page, tracker_url: str, artifacts: Path) -> None:
    open_dashboard(page, f"{tracker_url}/?period=2025-03")
    page.click("#lang-en")
    expect(page.locator("h1")).to_have_text("Data reuse tracker")
    assert page.locator("html").get_attribute("lang") == "en"
    assert tile(page, "reuse_rate", "value") == "40.00%"
    expect(page.get_by_test_id("tile-reuse_rate").locator("h3")).to_have_text("Reuse of digitized data")
    page.screenshot(path=str(artifacts / "tracker-dashboard-en.png"), full_page=True)
    page.click("#lang-vi")
    expect(page.locator("h1")).to_have_text("Theo dõi tái sử dụng dữ liệu")
    assert tile(page, "reuse_rate", "value") == "40,00%"


def test_tables_sort_by_a_column(page: Page, tracker_url: str) -> None:
    open_dashboard(page, tracker_url)
    keys = page.locator("#table-breakdown tbody th")
    expect(keys).to_have_text(["CA-BD", "SOTP-BD", "UBND-TDM"])
    page.click("#table-breakdown thead th[data-column=reuse_rate]")  # highest first
    expect(keys).to_have_text(["SOTP-BD", "UBND-TDM", "CA-BD"])


def test_origin_filter_shows_imported_dossiers_apart(page: Page, tracker_url: str) -> None:
    open_dashboard(page, f"{tracker_url}/?period=2025")
    options = page.locator("#f-origin option")
    expect(options).to_have_text(["Tất cả", "Chuyển từ hệ thống cũ", "Tiếp nhận trực tiếp"])
    page.select_option("#f-origin", "imported")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    assert "origin=imported" in page.url
    api = httpx.get(f"{tracker_url}/v1/indicators", params={"period": "2025", "origin": "imported"}).json()
    for indicator in api["indicators"]:
        assert (
            tile(page, indicator["name"], "fraction")
            == f"{indicator['numerator']} / {indicator['denominator']}"
        )
    assert tile(page, "online_dossier_rate", "fraction") == "1 / 1"
    page.select_option("#f-origin", "live")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    live = httpx.get(f"{tracker_url}/v1/indicators", params={"period": "2025", "origin": "live"}).json()
    received = live["indicators"][0]["denominator"]
    assert tile(page, "reuse_rate", "fraction").endswith(f"/ {received}")


def test_misuse_table_and_its_drill_down(page: Page, tracker_url: str, artifacts: Path) -> None:
    open_dashboard(page, f"{tracker_url}/?lang=en")
    report = httpx.get(f"{tracker_url}/v1/lookups/misuse").json()
    rows = page.locator("#table-misuse tbody tr")
    expect(rows).to_have_count(len(report["agencies"]))
    expect(page.locator("#misuse-reasons li.some")).to_have_count(3)
    expect(page.locator("#misuse-reasons li[data-reason=other_agency]")).to_have_text(
        "Another agency's dossier: 2"
    )
    first = rows.first
    expect(first).to_have_attribute("data-agency", "UBND-X")
    expect(first.locator("td").nth(0)).to_have_text("Another agency's dossier")
    expect(first.locator("td").nth(2)).to_have_text("2")  # lookups
    expect(page.locator("#misuse-drill")).to_be_hidden()
    first.get_by_role("button", name="UBND-X").click()
    drill = page.locator("#misuse-drill")
    expect(drill).to_be_visible()
    expect(page.locator("#misuse-drill-title")).to_have_text("UBND-X — Another agency's dossier (2)")
    lookups = page.locator("#table-misuse-lookups tbody tr")
    expect(lookups).to_have_count(2)
    expect(lookups.locator("th")).to_have_text(["mix-1", "mix-0"])  # newest first
    expect(lookups.first.locator("td").nth(1)).to_have_text("SOTP-BD")  # the dossier's own agency
    page.locator("#table-misuse tbody tr[data-reason=stranger] button").click()
    expect(page.locator("#misuse-drill-title")).to_have_text("SOTP-BD — Neither applicant nor relative (1)")
    stranger = page.locator("#table-misuse-lookups tbody tr").first
    expect(stranger.locator("td.pseudonym")).to_have_text("p-stranger")
    expect(stranger.locator("td").nth(5)).to_have_text("Neither applicant nor relative")
    page.screenshot(path=str(artifacts / "tracker-dashboard-misuse.png"), full_page=True)
    page.click("#misuse-close")
    expect(drill).to_be_hidden()
    assert errors_of(page) == []
