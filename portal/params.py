"""The one set of input parsers: bounded integers, bounded dates, text without control
characters and keyset cursors. Pure: no request, no database. The request layer
(`portal.request_args`), the forms (`portal.forms`) and the domain's cursor readers use these,
so an id beyond the database's integer, a date beyond period maths or a NUL byte never reaches a
query.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import TypeVar

from flask_babel import lazy_gettext as _l

from portal.errors import DomainError

# PostgreSQL's `integer` (every id and count column): one past it raises "integer out of range".
INT_MIN = -(2**31)
INT_MAX = 2**31 - 1
# The dates the portal reasons about: periods, reviews, hire dates. Beyond them a period's
# arithmetic (a year before 0001, a week after 9999) overflows.
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2100, 12, 31)

# Control characters other than tab, line feed and carriage return (a browser sends a
# textarea's line breaks as CR LF). PostgreSQL refuses NUL in text outright.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

T = TypeVar("T")


class BadCursor(DomainError):
    status = 400
    default_message = _l(
        "This page link is damaged or out of date. Go back to the first page and try again."
    )


def has_control_chars(text: str) -> bool:
    return bool(_CONTROL.search(text))


def first_control_char(text: str) -> int | None:
    """Where the first control character stands in `text`, or None."""
    found = _CONTROL.search(text)
    return found.start() if found else None


def clean_text(text: str | None) -> str:
    """A text filter as typed, or empty when it holds control characters (no row could match)."""
    if not text or has_control_chars(text):
        return ""
    return text


def int_in_range(value: int, minimum: int = INT_MIN, maximum: int = INT_MAX) -> bool:
    return minimum <= value <= maximum


def parse_int(
    text: object, default: T = None, *, minimum: int = INT_MIN, maximum: int = INT_MAX
) -> int | T:
    """An integer within the database's range, or `default` for anything else (empty, not a
    number, out of range). Only plain decimal digits with an optional sign are read."""
    if isinstance(text, bool):
        return default
    if isinstance(text, int):
        value = text
    else:
        raw = str(text or "").strip()
        if not raw or len(raw) > 20 or not re.fullmatch(r"[+-]?[0-9]+", raw):
            return default
        value = int(raw)
    return value if int_in_range(value, minimum, maximum) else default


def date_in_range(value: date) -> bool:
    day = value.date() if isinstance(value, datetime) else value
    return DATE_MIN <= day <= DATE_MAX


def parse_date(text: object, default: T = None) -> date | T:
    """An ISO date (YYYY-MM-DD) between DATE_MIN and DATE_MAX, or `default`."""
    if isinstance(text, datetime):
        text = text.date()
    if isinstance(text, date):
        return text if date_in_range(text) else default
    raw = str(text or "").strip()
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
        return default
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        return default
    return value if date_in_range(value) else default


def parse_datetime(text: object, default: T = None) -> datetime | T:
    """An ISO date and time within the date bounds, or `default`."""
    raw = str(text or "").strip()
    if not raw or len(raw) > 40 or has_control_chars(raw):
        return default
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return default
    return value if date_in_range(value) else default


def split_cursor(
    value: str | None, sep: str, read_key: Callable[[str], T], *, id_first: bool = False
) -> tuple[T, int] | None:
    """A keyset cursor "key<sep>id" (or "id<sep>key" with `id_first`) as (key, id).

    None when there is no cursor (the first page); BadCursor (400) when it does not decode: a
    damaged key, an id that is not a number or beyond the database's range, control characters.
    `read_key` raises ValueError for a key it cannot read."""
    if not value:
        return None
    if sep not in value or has_control_chars(value) or len(value) > 500:
        raise BadCursor()
    if id_first:
        raw_id, _sep, raw_key = value.partition(sep)
    else:
        raw_key, _sep, raw_id = value.rpartition(sep)
    ident = parse_int(raw_id)
    if ident is None:
        raise BadCursor()
    try:
        key = read_key(raw_key)
    except (ValueError, TypeError, OverflowError):
        raise BadCursor() from None
    return key, ident


def cursor_id(value: object) -> int | None:
    """A cursor that is a plain id: None for the first page, BadCursor when it is not one."""
    if value in (None, ""):
        return None
    ident = parse_int(value)
    if ident is None:
        raise BadCursor()
    return ident


def read_date_key(raw: str) -> date:
    value = parse_date(raw)
    if value is None:
        raise ValueError(raw)
    return value


def read_datetime_key(raw: str) -> datetime:
    value = parse_datetime(raw)
    if value is None:
        raise ValueError(raw)
    return value
