"""The demo's check reads only what the demo filed: other agencies' dossiers in the same period (a
store in use holds them) leave its figures alone."""

from __future__ import annotations

from datetime import date

import httpx

from onceonly.demo.compare import fetch


def _row(key: str, numerator: int, denominator: int) -> dict[str, object]:
    return {
        "key": key,
        "indicators": [
            {"name": "reuse_rate", "numerator": numerator, "denominator": denominator, "target": 50.0},
        ],
    }


def test_figures_are_summed_over_the_demos_agencies_only() -> None:
    seen: list[httpx.URL] = []

    def tracker(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        rows = [_row("DEMO-A", 3, 10), _row("SOMEONE-ELSE", 5, 5), _row("DEMO-B", 1, 10)]
        return httpx.Response(200, json={"by": "agency", "rows": rows})

    with httpx.Client(base_url="http://tracker", transport=httpx.MockTransport(tracker)) as client:
        figures = fetch(client, date(2024, 1, 1), date(2024, 12, 31), {"DEMO-A", "DEMO-B"})

    assert figures["reuse_rate"] == {"numerator": 4, "denominator": 20, "target": 50.0, "gap": -30.0}
    assert seen[0].params["by"] == "agency"
    assert (seen[0].params["from"], seen[0].params["to"]) == ("2024-01", "2024-12")


def test_an_agency_without_dossiers_gives_no_gap() -> None:
    def tracker(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"by": "agency", "rows": [_row("DEMO-A", 0, 0)]})

    with httpx.Client(base_url="http://tracker", transport=httpx.MockTransport(tracker)) as client:
        figures = fetch(client, date(2024, 1, 1), date(2024, 12, 31), {"DEMO-A"})

    assert figures["reuse_rate"]["gap"] is None
