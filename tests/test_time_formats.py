"""One way to show time: the helpers in five languages, the footer's zone and a meeting page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask_babel import force_locale

from portal import time_format as tf
from tests.coaching.helpers import meetings_of, setup_series
from tests.conftest import as_user, in_language

# 2026-12-06 08:37:25 UTC is 16:37:25 in Hong Kong.
MOMENT = datetime(2026, 12, 6, 8, 37, 25, tzinfo=UTC)
SECONDS = re.compile(r"\d:\d\d:\d\d")

EXPECTED = {
    # lang: (date, datetime, time, zone, relative in 2 days, 108 s)
    "en": ("Dec 6, 2026", "Dec 6, 2026, 4:37\u202fPM", "4:37\u202fPM", "Hong Kong Time",
           "in 2 days", "1 min 48 sec"),
    "zh_Hant": ("2026年12月6日", "2026年12月6日 下午4:37", "下午4:37", "香港時間",
                "2 天後", "1 分鐘 48 秒"),
    "ja": ("2026/12/06", "2026/12/06 16:37", "16:37", "香港時間", "2 日後", "1 分 48 秒"),
    "ko": ("2026. 12. 6.", "2026. 12. 6. PM 4:37", "PM 4:37", "홍콩 시간", "2일 후",
           "1분 48초"),
    "vi": ("6 thg 12, 2026", "16:37 6 thg 12, 2026", "16:37", "Giờ Hồng Kông", "sau 2 ngày nữa",
           "1 phút 48 giây"),
}  # fmt: skip


def _in(app, lang: str, zone: str = "Asia/Hong_Kong"):
    """A request context in `lang` with `zone` as the person's time zone."""
    ctx = app.test_request_context("/")
    ctx.push()
    from flask_babel import _get_current_context
    from pytz import timezone

    _get_current_context().babel_tzinfo = timezone(zone)
    return ctx


@pytest.mark.parametrize("lang", sorted(EXPECTED))
def test_the_one_set_of_formats_in_each_language(app, lang):
    want = EXPECTED[lang]
    ctx = _in(app, lang)
    try:
        with force_locale(lang):
            got = (
                tf.fmt_date(MOMENT),
                tf.fmt_datetime(MOMENT),
                tf.fmt_time(MOMENT),
                tf.fmt_zone(),
                tf.fmt_relative(MOMENT + timedelta(days=2), now=MOMENT),
                tf.fmt_duration(108),
            )
    finally:
        ctx.pop()
    assert got == want
    assert not SECONDS.search(got[1]) and "25" not in got[1]


def test_old_format_arguments_give_the_one_format(app):
    ctx = _in(app, "en")
    try:
        with force_locale("en"):
            one = tf.fmt_datetime(MOMENT)
            assert {tf.fmt_datetime(MOMENT, f) for f in ("short", "medium", "full")} == {one}
            assert tf.fmt_date(date(2026, 12, 6), "full") == "Dec 6, 2026"
    finally:
        ctx.pop()


def test_durations_and_relative(app):
    ctx = _in(app, "en")
    try:
        with force_locale("en"):
            assert tf.fmt_duration(490) == "8 min 10 sec"
            assert tf.fmt_duration(45) == "45 sec"
            assert tf.fmt_duration(0) == "0 sec"
            assert tf.fmt_duration(timedelta(minutes=125, seconds=20)) == "2 hr 5 min"
            assert tf.fmt_duration(timedelta(hours=3)) == "3 hr"
            assert tf.fmt_duration(None) == ""
            assert tf.fmt_relative(MOMENT - timedelta(hours=3), now=MOMENT) == "3 hours ago"
            assert tf.fmt_relative(date(2026, 12, 9), now=MOMENT) == "in 3 days"
            late = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)  # 04:00 on the 7th in Hong Kong
            assert tf.fmt_date(late) == "Dec 7, 2026" and tf.fmt_time(late) == "4:00\u202fAM"
            assert tf.fmt_zone("UTC") == "UTC"
            assert tf.fmt_zone("Asia/Tokyo") == "Japan Time"
    finally:
        ctx.pop()


@pytest.mark.parametrize(("lang", "zone"), [("en", "Hong Kong Time"), ("zh_Hant", "香港時間")])
def test_the_footer_names_the_zone_in_the_language(app, client, world, lang, zone):
    assert world.agent_a1.time_zone == "Asia/Hong_Kong"
    in_language(as_user(client, world.agent_a1), lang)
    html = client.get("/").get_data(as_text=True)
    assert zone in html
    assert "Asia/Hong_Kong" not in html.split("<footer", 1)[-1]


def test_a_meeting_page_shows_no_seconds(app, client, world):
    series = setup_series(world)[world.agent_a1.id]
    meeting = meetings_of(series)[0]
    in_language(as_user(client, world.sup_a), "en")
    response = client.get(f"/coaching/meetings/{meeting.id}")
    assert response.status_code == 200
    text = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    assert not SECONDS.search(text)
    assert "Hong Kong Standard Time" not in text


def test_notification_dates_kept_as_iso_are_shown_in_the_one_format(app):
    ctx = _in(app, "zh_Hant")
    try:
        with force_locale("zh_Hant"):
            shown = tf.shown_params(
                {
                    "when": "2026-12-06T08:37:25+00:00",
                    "old": "2026-12-06 08:37 UTC",
                    "due": "2026-12-09",
                    "name": "2026 plan",
                    "n": 3,
                }
            )
    finally:
        ctx.pop()
    assert shown == {
        "when": "2026年12月6日 下午4:37",
        "old": "2026年12月6日 下午4:37",
        "due": "2026年12月9日",
        "name": "2026 plan",
        "n": 3,
    }


def test_a_series_page_shows_its_wall_clock_time_and_zone_by_name(app, client, world):
    series = setup_series(world)[world.agent_a1.id]
    in_language(as_user(client, world.sup_a), "zh_Hant")
    html = client.get(f"/coaching/series/{series.id}").get_data(as_text=True)
    assert "上午10:00" in html and "香港時間" in html  # not shifted to UTC, not "10:00:00"
    assert "(Asia/Hong_Kong)" not in html
