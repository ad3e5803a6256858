"""The one set of input parsers (portal.params): bounds, control characters, cursors."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.params import (
    DATE_MAX,
    DATE_MIN,
    INT_MAX,
    INT_MIN,
    BadCursor,
    clean_text,
    cursor_id,
    has_control_chars,
    parse_date,
    parse_datetime,
    parse_int,
    read_date_key,
    split_cursor,
)


@given(st.integers())
def test_parse_int_keeps_exactly_the_database_range(n):
    expected = n if INT_MIN <= n <= INT_MAX else None
    assert parse_int(str(n)) == expected
    assert parse_int(n) == expected


@pytest.mark.parametrize(
    "text", ["", " ", "abc", "1.5", "1e3", "0x10", "٣", "²", "1_000", "--1", "\x00", None, True]
)
def test_parse_int_refuses_what_is_not_a_plain_number(text):
    assert parse_int(text, default=-7) == -7


def test_parse_int_honours_its_bounds():
    assert parse_int("0", minimum=1) is None
    assert parse_int(str(2**31)) is None
    assert parse_int(str(2**31 - 1)) == 2**31 - 1
    assert parse_int("-1", minimum=0, default=0) == 0
    assert parse_int("10" * 20) is None


@given(st.dates())
def test_parse_date_keeps_exactly_the_portal_range(day):
    expected = day if DATE_MIN <= day <= DATE_MAX else None
    assert parse_date(day.isoformat()) == expected
    assert parse_date(day) == expected


@pytest.mark.parametrize(
    "text", ["0001-01-01", "9999-12-31", "1899-12-31", "2101-01-01", "2026-02-30", "garbage", ""]
)
def test_parse_date_refuses_out_of_range_and_impossible_days(text):
    assert parse_date(text) is None


def test_parse_date_edges():
    assert parse_date("1900-01-01") == DATE_MIN
    assert parse_date("2100-12-31") == DATE_MAX
    assert parse_date("2026-12-07\x00") is None


def test_parse_datetime():
    assert parse_datetime("2026-12-07T10:00:00+00:00") == datetime.fromisoformat(
        "2026-12-07T10:00:00+00:00"
    )
    for text in ("0001-01-01T00:00:00", "9999-12-31T23:59:59", "nope", "", "a" * 100):
        assert parse_datetime(text) is None


@given(st.text())
def test_control_characters_are_found_and_cleared(text):
    found = any((ord(c) < 32 and c not in "\t\n\r") or ord(c) == 127 for c in text)
    assert has_control_chars(text) is found
    assert clean_text(text) == ("" if found else text)


def test_tab_and_line_breaks_are_text():
    assert not has_control_chars("a\tb\r\nc")
    assert has_control_chars("a\x00b")
    assert has_control_chars("\x1b[31m")


def test_split_cursor_reads_both_layouts():
    assert split_cursor("12:Chan Ka Yan", ":", str, id_first=True) == ("Chan Ka Yan", 12)
    assert split_cursor("2026-01-05_9", "_", read_date_key) == (date(2026, 1, 5), 9)
    assert split_cursor(None, ":", str) is None
    assert split_cursor("", ":", str) is None


@pytest.mark.parametrize(
    "value",
    [
        "nocolon",
        "x:name",
        f"{2**31}:name",
        f"{2**63}:name",
        "1\x00:name",
        "1:na\x00me",
        "1:" + "a" * 600,
    ],
)
def test_split_cursor_refuses_damaged_cursors(value):
    with pytest.raises(BadCursor):
        split_cursor(value, ":", str, id_first=True)


@pytest.mark.parametrize("value", ["0001-01-01_5", "9999-12-31_5", "2026-02-30_5", "x_5"])
def test_split_cursor_refuses_keys_it_cannot_read(value):
    with pytest.raises(BadCursor):
        split_cursor(value, "_", read_date_key)


def test_cursor_id():
    assert cursor_id(None) is None
    assert cursor_id("") is None
    assert cursor_id("42") == 42
    for bad in ("abc", str(2**31), "-" + str(2**31 + 1), "1.5"):
        with pytest.raises(BadCursor):
            cursor_id(bad)


def test_bad_cursor_is_a_400():
    assert BadCursor().status == 400


@given(st.dates(min_value=DATE_MIN, max_value=DATE_MAX - timedelta(days=1)))
def test_dates_inside_survive_a_round_trip(day):
    assert parse_date(day.isoformat()) == day
