"""Team-view tables as CSV or XLSX files that spreadsheets open safely."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

import xlsxwriter

from portal.org.csv_safety import csv_text


def as_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    return csv_text(header, rows).encode("utf-8")


def sheet_name(title: str) -> str:
    """A worksheet name Excel accepts: none of []:*?/\\, no apostrophe at either end, at
    most 31 characters (a title such as "1:1 completion", or a translated one, may not be)."""
    name = re.sub(r"[\[\]:*?/\\]", "-", title).strip("'")[:31].strip("'")
    return name or "Sheet1"


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
    sheet = workbook.add_worksheet(sheet_name(title))
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, list(header), bold)
    for index, row in enumerate(rows, start=1):
        sheet.write_row(index, 0, list(row))
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()
