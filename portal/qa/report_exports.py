"""Roll-up tables as plain rows, and those rows as CSV or XLSX that cannot run formulas.

CSV text cells starting with = + - @ tab CR or NUL get a leading apostrophe, numbers such as
-5 do not (org.csv_safety);
XlsxWriter writes every string as a string (strings_to_formulas and strings_to_urls off).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter

from portal.org.csv_safety import csv_text
from portal.qa.rollup_queries import DIMENSIONS, RollupReport
from portal.qa.rollups import Summary

TABLES = ("overall", *DIMENSIONS, "questions", "distribution", "weekly", "monthly")

SUMMARY_HEADER = [
    "evaluations",
    "scored",
    "mean",
    "ci_low",
    "ci_high",
    "critical_fails",
    "critical_rate",
    "critical_low",
    "critical_high",
    "enough_data",
]


def _round(value: float | None, places: int = 2) -> Any:
    return None if value is None else round(value, places)


def _summary_cells(s: Summary) -> list[Any]:
    interval = s.critical_interval or (None, None)
    shown = s.enough
    return [
        s.n,
        s.score.n,
        _round(s.score.mean) if shown else None,
        _round(s.score.low) if shown else None,
        _round(s.score.high) if shown else None,
        s.n_critical,
        _round(s.critical_rate, 4),
        _round(interval[0], 4),
        _round(interval[1], 4),
        "yes" if shown else "no",
    ]


def table_rows(report: RollupReport, table: str) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of one of the page's tables (means hidden below the minimum n)."""
    if table == "overall":
        return SUMMARY_HEADER, [_summary_cells(report.overall)]
    if table in DIMENSIONS:
        return [table, *SUMMARY_HEADER], [
            [row.label, *_summary_cells(row.summary)] for row in report.groups[table]
        ]
    if table == "questions":
        return ["question", "scorecard", "answered", "failed", "fail_rate"], [
            [q.text, q.scorecard, q.answered, q.failed, _round(q.rate, 4)] for q in report.questions
        ]
    if table == "distribution":
        return ["from", "to", "evaluations", "share"], [
            [b.low, b.high, b.count, _round(b.share, 4)] for b in report.bins
        ]
    if table in ("weekly", "monthly"):
        points = report.weekly if table == "weekly" else report.monthly
        return ["starting", *SUMMARY_HEADER], [
            [p.start.isoformat(), *_summary_cells(p.summary)] for p in points
        ]
    raise KeyError(table)


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    return csv_text(header, rows)


def to_xlsx(header: Sequence[str], rows: Sequence[Sequence[Any]], sheet: str) -> bytes:
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(buffer, options)
    worksheet = workbook.add_worksheet(sheet[:31])
    bold = workbook.add_format({"bold": True})
    for col, name in enumerate(header):
        worksheet.write_string(0, col, str(name), bold)
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                worksheet.write_string(r, col, str(value))
            else:
                worksheet.write_number(r, col, value)
    workbook.close()
    return buffer.getvalue()
