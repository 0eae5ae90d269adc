"""Breakdowns as spreadsheets: CSV and XLSX, one row per key and indicator (easy to pivot)."""

from __future__ import annotations

import csv
import io

import xlsxwriter

from onceonly.tracker.schemas import Breakdown

COLUMNS = ("key", "indicator", "numerator", "denominator", "value", "target", "gap", "met")


def _rows(breakdown: Breakdown) -> list[list[object]]:
    return [
        [row.key, i.name, i.numerator, i.denominator, i.value, i.target, i.gap, i.met]
        for row in breakdown.rows
        for i in row.indicators
    ]


def to_csv(breakdown: Breakdown) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([breakdown.by if c == "key" else c for c in COLUMNS])
    # Empty cells for "no data" and "no target", never 0.
    writer.writerows([["" if v is None else v for v in row] for row in _rows(breakdown)])
    return buffer.getvalue()


def to_xlsx(breakdown: Breakdown) -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(breakdown.by)
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, [breakdown.by if c == "key" else c for c in COLUMNS], bold)
    for r, row in enumerate(_rows(breakdown), start=1):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(1, len(breakdown.rows) * 8), len(COLUMNS) - 1)
    workbook.close()
    return buffer.getvalue()
