"""Exports say what they hold: period, filters and names inside; the CSV with its BOM, the XLSX with a
header block and percentages formatted as such. Read back as a user's spreadsheet would."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime

import openpyxl
import pytest
from fastapi.testclient import TestClient

from onceonly.tracker.export import BOM, HEADER_BLOCK, key_name, to_csv, to_xlsx
from onceonly.tracker.schemas import Breakdown, BreakdownRow, IndicatorOut, Period
from tests.tracker.builders import KNOWN_MIX
from tests.tracker.test_api import serve


@pytest.fixture
def client(sqlite_url: str) -> Iterator[TestClient]:
    yield from serve(sqlite_url)


def test_csv_starts_with_a_bom_and_carries_period_filters_and_names(client: TestClient) -> None:
    response = client.get(
        "/v1/indicators/breakdown.csv", params={"by": "channel", "period": "2025-03", "agency": "SOTP-BD"}
    )
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(rows[0])[:4] == ["channel", "name", "indicator", "indicator_name"]
    assert {r["period"] for r in rows} == {"2025-03"}
    assert {r["filters"] for r in rows} == {"agency=SOTP-BD"}
    online = next(r for r in rows if r["channel"] == "online" and r["indicator"] == "reuse_rate")
    assert online["name"] == "Trực tuyến (Online)"
    assert online["indicator_name"] == "Tỷ lệ tái sử dụng dữ liệu số hóa (Reuse of digitized data)"
    on_time = next(r for r in rows if r["indicator"] == "on_time_rate")
    assert "đúng hạn" in on_time["indicator_name"]


def test_csv_of_the_whole_store_says_all_and_keeps_the_known_mix(client: TestClient) -> None:
    text = client.get("/v1/indicators/breakdown.csv", params={"by": "year"}).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["period"] for r in rows} == {"all"}
    assert {r["filters"] for r in rows} == {""}
    # The known mix (March) plus April's one dossier, all in 2025.
    assert {r["indicator"]: int(r["denominator"]) for r in rows}["reuse_rate"] == (
        KNOWN_MIX["reuse_rate"][1] + 1
    )


def test_xlsx_has_a_header_block_and_formatted_percentages(client: TestClient) -> None:
    response = client.get(
        "/v1/indicators/breakdown.xlsx",
        params={"by": "agency", "from": "2025-03", "to": "2025-04", "channel": "online"},
    )
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["agency"]
    assert "Cơ quan (Agency)" in str(sheet["A1"].value)
    block = {sheet.cell(r, 1).value: sheet.cell(r, 2).value for r in range(2, HEADER_BLOCK)}
    assert block["Kỳ báo cáo (period)"] == "2025-03..2025-04"
    assert block["Bộ lọc (filters)"] == "channel=online"
    header = [c.value for c in sheet[HEADER_BLOCK + 1]]
    assert header[:4] == ["agency", "name", "indicator", "indicator_name"]
    table = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(HEADER_BLOCK + 2)]
    reuse = next(r for r in table if r["agency"].value == "SOTP-BD" and r["indicator"].value == "reuse_rate")
    # SOTP-BD's online dossiers: mix-0..5 and April's, of which mix-0..3 reuse: 57.14% against 50%.
    assert (reuse["numerator"].value, reuse["denominator"].value) == (4, 7)
    assert reuse["value"].value == pytest.approx(0.5714)
    assert reuse["value"].number_format == "0.00%"
    assert reuse["target"].value == pytest.approx(0.5)
    assert reuse["target"].number_format == "0.00%"
    assert reuse["gap"].value == pytest.approx(7.14)
    assert "pp" in reuse["gap"].number_format
    assert str(reuse["indicator_name"].value).startswith("Tỷ lệ tái sử dụng")
    assert sheet.freeze_panes == f"A{HEADER_BLOCK + 2}"


def _breakdown() -> Breakdown:
    empty = IndicatorOut(
        name="on_time_rate", numerator=0, denominator=0, value=None, target=None, gap=None, met=None
    )
    return Breakdown(
        by="province",
        period=Period(from_="2024-01", to="2024-12"),
        filters={"province": "Bình Dương"},
        rows=[BreakdownRow(key="Bình Dương", indicators=[empty])],
    )


def test_no_data_stays_empty_never_zero_in_both_formats() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(_breakdown()).removeprefix(BOM))))
    assert (rows[0]["value"], rows[0]["target"], rows[0]["met"]) == ("", "", "")
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(_breakdown()))).active
    assert sheet is not None
    assert sheet.cell(HEADER_BLOCK + 2, 7).value is None


def test_a_province_key_names_the_province_it_has_been_part_of_since_2025() -> None:
    assert key_name("province", "Bình Dương") == "Bình Dương (từ 01/07/2025: Hồ Chí Minh)"
    assert key_name("province", "Hà Nội") == "Hà Nội"
    assert key_name("agency", "BD-STP", {"BD-STP": "Sở Tư pháp tỉnh Bình Dương"}) == (
        "Sở Tư pháp tỉnh Bình Dương"
    )
    rows = list(csv.DictReader(io.StringIO(to_csv(_breakdown()).removeprefix(BOM))))
    assert rows[0]["name"] == "Bình Dương (từ 01/07/2025: Hồ Chí Minh)"
    assert rows[0]["period"] == "2024-01..2024-12"


def test_the_workbook_records_when_it_was_made() -> None:
    made = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(_breakdown(), generated_at=made))).active
    assert sheet is not None
    assert sheet["B4"].value == "2025-01-02 03:04:05"
