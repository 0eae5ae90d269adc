"""The demo's second table: the rest of the province's report beside its published values, and the
nearest exact figure where a published one cannot come from whole counts."""

from __future__ import annotations

from datetime import date

import httpx

from onceonly.demo.compare import (
    fetch_report,
    load_published,
    published_report,
    report_rows,
    whole_denominators,
)
from onceonly.demo.truth import Figure


def test_the_published_values_are_the_provinces_report() -> None:
    path = published_report()
    assert path is not None
    published = load_published(path)
    assert published["online_procedure_share"] == 80.06
    assert published["late_rate"] == 0.26
    assert published["reuse_rate"] == 36.67
    assert published["full_online_share"] is None  # tracked, not published for 2024


def test_no_whole_catalogue_gives_1507_procedures_at_80_06_percent() -> None:
    exact, low, high = whole_denominators(1507, 80.06)
    assert exact == []
    assert (low, high) == (1882, 1883)
    assert whole_denominators(26, 0.26)[0][:1] == [9997]  # 26 late of 10,000 can be exact


def test_each_figure_says_how_it_stands_against_the_published_one() -> None:
    published = {"online_procedure_share": 80.06, "late_rate": 0.26, "full_online_share": None}
    reported = {
        "online_procedure_share": Figure(1507, 1882),
        "late_rate": Figure(26, 10_000),
        "full_online_share": Figure(3_000, 7_725),
        "paper_dossier_reduction": Figure(0, 0),
    }
    notes = {row.indicator: row.note for row in report_rows(published, reported)}
    assert notes["online_procedure_share"] == (
        "no whole count gives 80.06% with 1,507: 1,507/1,882 = 80.07%, /1,883 = 80.03%; "
        "80.07% is the nearest exact figure"
    )
    assert notes["late_rate"] == "as published"
    assert notes["full_online_share"] == "not in the 2024 report"
    assert notes["paper_dossier_reduction"].startswith("no data")
    assert notes["backlog_digitization_rate"] == "not reported by the tracker"


def test_the_report_is_read_for_the_profiles_province_and_period() -> None:
    seen: list[httpx.URL] = []

    def tracker(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        body = {"indicators": [{"name": "late_rate", "numerator": 2, "denominator": 8}]}
        return httpx.Response(200, json=body)

    with httpx.Client(base_url="http://tracker", transport=httpx.MockTransport(tracker)) as client:
        figures = fetch_report(client, date(2024, 1, 1), date(2024, 12, 31), "074")
    assert figures == {"late_rate": Figure(2, 8)}
    assert seen[0].path == "/v1/indicators"
    assert dict(seen[0].params) == {"from": "2024-01", "to": "2024-12", "province": "074"}
