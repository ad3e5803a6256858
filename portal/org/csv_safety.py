"""Writing CSV that spreadsheets cannot be tricked into running (formula injection)."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

# A cell starting with one of these is read as a formula by Excel, LibreOffice or Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
# Excel opens UTF-8 (names in Chinese, Japanese, Korean, Vietnamese) correctly only with a BOM.
BOM = "\ufeff"
# Text that is exactly a number ("-5", "-3.25", "+1e-05"): a spreadsheet reads it as that
# number, never as a formula, so it needs no apostrophe (which would turn it into text).
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def is_number(value: Any) -> bool:
    """A finite int, float or Decimal (not a bool), or text that is exactly such a number."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, Decimal):
        return value.is_finite()
    return isinstance(value, str) and NUMBER.fullmatch(value) is not None


def neutralise(value: Any) -> str:
    """The cell as text, with a leading apostrophe when it would start a formula. A number
    (-5, Decimal("-3.25"), "-3.25") is written as it is: it is a figure, not a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not is_number(value):
        return "'" + text
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A whole CSV document (with a BOM) whose every cell is neutralised."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return buffer.getvalue()
