"""Team-view tables as CSV or XLSX files that spreadsheets open safely."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter

from portal.org.csv_safety import csv_text


def as_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    return csv_text(header, rows).encode("utf-8")


def as_xlsx(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """One worksheet; text is never read as a formula or a link."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = workbook.add_worksheet(title[:31].replace("/", "-") or "Sheet1")
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, list(header), bold)
    for index, row in enumerate(rows, start=1):
        sheet.write_row(index, 0, list(row))
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()
