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


def as_workbook(sheets: Sequence[tuple[str, Sequence[str], Sequence[Sequence[Any]]]]) -> bytes:
    """One worksheet per (title, header, rows); text is never read as a formula or a link.
    Titles that clash once shortened to Excel's 31 characters get a number."""
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
    bold = workbook.add_format({"bold": True})
    used: set[str] = set()
    for title, header, rows in sheets or [("Sheet1", [], [])]:
        name = sheet_name(title)
        number = 2
        while name.lower() in used:
            suffix = f" ({number})"
            name = sheet_name(title)[: 31 - len(suffix)] + suffix
            number += 1
        used.add(name.lower())
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, list(header), bold)
        for index, row in enumerate(rows, start=1):
            sheet.write_row(index, 0, list(row))
        sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def as_xlsx(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """One worksheet; text is never read as a formula or a link."""
    return as_workbook([(title, header, rows)])
