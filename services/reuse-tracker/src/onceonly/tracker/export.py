"""Breakdowns as spreadsheets: CSV and XLSX, one row per key and indicator (easy to pivot).

Both say what they hold: the period and the filters (a CSV on every row, so a pivot keeps them; an XLSX
in a header block above the table) and the names of indicators and keys beside their codes. The CSV
starts with a UTF-8 byte-order mark, without which Excel reads Vietnamese as Windows-1252.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import UTC, datetime

import xlsxwriter

from onceonly.common.provinces import UnknownProvince, province_2025
from onceonly.tracker.labels import dimension_label, indicator_label, value_label
from onceonly.tracker.schemas import Breakdown

BOM = "\ufeff"
COLUMNS = (
    "key",
    "name",
    "indicator",
    "indicator_name",
    "numerator",
    "denominator",
    "value",
    "target",
    "gap",
    "met",
    "period",
    "filters",
)
_TITLE = "Onceonly — chỉ số tái sử dụng dữ liệu (reuse indicators)"


def period_text(breakdown: Breakdown) -> str:
    first, last = breakdown.period.from_, breakdown.period.to
    if first is None and last is None:
        return "all"
    if first == last:
        return str(first)
    return f"{first or '…'}..{last or '…'}"


def filters_text(breakdown: Breakdown) -> str:
    return "; ".join(f"{k}={v}" for k, v in sorted(breakdown.filters.items()))


def key_name(by: str, key: str, names: Mapping[str, str] | None = None) -> str:
    """The name beside a key: one the caller knows (an agency's, a procedure's), a fixed value's label,
    or for a province the province it has been part of since 1 July 2025."""
    if names and key in names:
        return names[key]
    if (label := value_label(by, key)) is not None:
        return label.both()
    if by == "province":
        try:
            today = province_2025(key)
        except UnknownProvince:
            return key
        return key if today == key else f"{key} (từ 01/07/2025: {today})"
    return ""


def _rows(breakdown: Breakdown, names: Mapping[str, str] | None) -> list[list[object]]:
    period, filters = period_text(breakdown), filters_text(breakdown)
    return [
        [
            row.key,
            key_name(breakdown.by, row.key, names),
            i.name,
            indicator_label(i.name).both(),
            i.numerator,
            i.denominator,
            i.value,
            i.target,
            i.gap,
            i.met,
            period,
            filters,
        ]
        for row in breakdown.rows
        for i in row.indicators
    ]


def _header(breakdown: Breakdown) -> list[str]:
    return [breakdown.by if c == "key" else c for c in COLUMNS]


def to_csv(breakdown: Breakdown, names: Mapping[str, str] | None = None) -> str:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(_header(breakdown))
    # Empty cells for "no data" and "no target", never 0.
    writer.writerows([["" if v is None else v for v in row] for row in _rows(breakdown, names)])
    return buffer.getvalue()


# Rows of the XLSX header block before the table's own header row.
HEADER_BLOCK = 6


def to_xlsx(
    breakdown: Breakdown, names: Mapping[str, str] | None = None, *, generated_at: datetime | None = None
) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(breakdown.by)
    bold = workbook.add_format({"bold": True})
    title = workbook.add_format({"bold": True, "font_size": 14})
    percent = workbook.add_format({"num_format": "0.00%"})
    points = workbook.add_format({"num_format": '+0.00" pp";-0.00" pp";0.00" pp"'})
    by = dimension_label(breakdown.by)
    when = (generated_at or datetime.now(UTC)).astimezone(UTC)
    sheet.write(0, 0, f"{_TITLE} — {by.vi} ({by.en})", title)
    for r, (label, text) in enumerate(
        (
            ("Kỳ báo cáo (period)", period_text(breakdown)),
            ("Bộ lọc (filters)", filters_text(breakdown) or "—"),
            ("Lập lúc (generated, UTC)", when.strftime("%Y-%m-%d %H:%M:%S")),
        ),
        start=1,
    ):
        sheet.write(r, 0, label, bold)
        sheet.write(r, 1, text)
    sheet.write(4, 0, "Tỷ lệ là phần trăm; chênh lệch so với chỉ tiêu tính bằng điểm phần trăm (pp).")
    top = HEADER_BLOCK
    sheet.write_row(top, 0, _header(breakdown), bold)
    value_col, target_col, gap_col = (COLUMNS.index(c) for c in ("value", "target", "gap"))
    rows = _rows(breakdown, names)
    for r, row in enumerate(rows, start=top + 1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if c in (value_col, target_col) and isinstance(value, int | float):
                sheet.write_number(r, c, value / 100, percent)  # a ratio, shown as 36.67%
            elif c == gap_col and isinstance(value, int | float):
                sheet.write_number(r, c, value, points)
            else:
                sheet.write(r, c, value)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 36)
    sheet.set_column(3, 3, 40)
    sheet.set_column(4, 9, 12)
    sheet.freeze_panes(top + 1, 0)
    sheet.autofilter(top, 0, top + max(1, len(rows)), len(COLUMNS) - 1)
    workbook.close()
    return buffer.getvalue()
