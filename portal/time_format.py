"""One way to show time: the few formats every page, e-mail and PDF uses for dates and times.

One format per kind, in the request's locale and the person's time zone (Flask-Babel):

* ``date``      – Babel's "medium" date: "Dec 6, 2026" · "2026年12月6日".
* ``datetime``  – medium date and short time, never seconds: "Dec 6, 2026, 4:37 PM".
* ``time``      – short time, never seconds: "4:37 PM" · "下午4:37".
* ``duration``  – the two largest whole units, each in Babel's short unit form, seconds only
  under an hour: 108 s → "1 min 48 sec" · "1 分 48 秒"; 90 min → "1 hr 30 min".
* ``relative``  – Babel's rounded distance with a direction: "in 2 days" · "3 hours ago".
* ``zone``      – the time zone by its localised generic name: "Hong Kong Time" · "香港時間";
  UTC (which Babel names after an "unknown region") is just "UTC".

Machine formats (ISO in exports, ``<input type=date>`` values, data- attributes, URLs,
calendar files) do not go through here.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from babel.dates import format_time as babel_time
from babel.dates import format_timedelta as babel_timedelta
from babel.dates import get_timezone_name
from flask import has_request_context, request
from flask_babel import (
    format_date,
    format_datetime,
    format_time,
    format_timedelta,
    get_locale,
    get_timezone,
)

from portal.zones import zone_of

DATE = "medium"
TIME = "short"


def _locale_datetime_pattern() -> str:
    """The locale's medium date joined to its short time, so no seconds ever show."""
    from babel.dates import get_date_format, get_datetime_format, get_time_format

    locale = get_locale()
    joiner = str(get_datetime_format("medium", locale=locale))
    return joiner.replace("{1}", get_date_format(DATE, locale=locale).pattern).replace(
        "{0}", get_time_format(TIME, locale=locale).pattern
    )


def fmt_date(value: date | datetime | None, *_ignored: Any) -> str:
    """A date (a datetime shows its date in the person's zone). Remembered for the request: a
    trend table formats the same thirty days once per KPI, and Babel is not cheap."""
    if not value:
        return ""
    if not has_request_context():
        return format_date(value, DATE)
    cache = request._get_current_object().__dict__.setdefault("_formatted_dates", {})  # type: ignore[attr-defined]
    if value not in cache:
        cache[value] = format_date(value, DATE)
    return cache[value]


def fmt_datetime(value: datetime | None, *_ignored: Any) -> str:
    """A moment: medium date and short time in the person's zone, no seconds."""
    if not value:
        return ""
    return format_datetime(value, _locale_datetime_pattern())


def fmt_time(value: datetime | time | None, *_ignored: Any) -> str:
    """The time of day, short (no seconds), in the person's zone for a datetime."""
    if value is None:
        return ""
    if not isinstance(value, datetime):  # a wall-clock time (a series' 10:00): no zone to shift
        return babel_time(value, TIME, locale=get_locale())
    return format_time(value, TIME)


def _seconds(value: timedelta | int | float) -> int:
    return int(round(value.total_seconds() if isinstance(value, timedelta) else float(value)))


def fmt_duration(value: timedelta | int | float | None) -> str:
    """A length of time: its largest whole unit and the next one when not zero, each in
    Babel's short unit form; from an hour up it is rounded to the minute, so seconds show only
    under an hour: "1 min 48 sec", "45 sec", "2 hr 5 min", "3 days 4 hr"."""
    if value is None:
        return ""
    total = abs(_seconds(value))
    if total >= 3600:
        total = int(round(total / 60)) * 60
    units = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))
    counts = []
    for name, size in units:
        count, total = divmod(total, size)
        counts.append((name, size, count))
    first = next((i for i, (_, _, count) in enumerate(counts) if count), len(counts) - 1)
    parts = [
        babel_timedelta(
            timedelta(seconds=count * size),
            granularity=name,
            threshold=1,
            format="short",
            locale=get_locale(),
        )
        for name, size, count in counts[first : first + 2]
        if count or len(counts[first:]) == 1
    ]
    return " ".join(parts)


def fmt_relative(value: datetime | date | timedelta | None, now: datetime | None = None) -> str:
    """How far from now, rounded, with a direction: "in 2 days", "3 hours ago"."""
    if value is None:
        return ""
    if isinstance(value, timedelta):
        delta = value
    else:
        now = now or datetime.now(UTC)
        if isinstance(value, datetime):
            moment = value if value.tzinfo else value.replace(tzinfo=UTC)
            delta = moment - now
        else:
            delta = timedelta(days=(value - now.astimezone(get_timezone()).date()).days)
    granularity = "day" if isinstance(value, date) and not isinstance(value, datetime) else "minute"
    return format_timedelta(delta, granularity=granularity, add_direction=True)


def fmt_zone(name: str | None = None) -> str:
    """A time zone by its localised generic name ("Hong Kong Time", "香港時間"); the person's
    own when no name is given."""
    zone = name or str(get_timezone() or "UTC")
    if zone in {"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Universal", "Zulu"}:
        return "UTC"
    try:
        return get_timezone_name(zone, width="long", zone_variant="generic", locale=get_locale())
    except LookupError:
        return zone


FILTERS = {
    "date": fmt_date,
    "datetime": fmt_datetime,
    "time": fmt_time,
    "duration": fmt_duration,
    "relative": fmt_relative,
    "zone": fmt_zone,
}


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z| UTC|[+-]\d{2}:\d{2})?"
)


def shown(value: Any) -> Any:
    """A stored value as people see it: an ISO date or moment (how notifications and other
    records keep them, as machine text) in the one format; anything else unchanged. A moment
    without an offset, or written "... UTC", is UTC."""
    if not isinstance(value, str) or len(value) < 10 or not value[:4].isdigit():
        return value
    try:
        if _ISO_DAY.fullmatch(value):
            return fmt_date(date.fromisoformat(value))
        found = _ISO_MOMENT.fullmatch(value)
        if found:
            day, clock, offset = found.groups()
            moment = datetime.fromisoformat(f"{day}T{clock}")
            if offset and offset not in ("Z", " UTC"):
                moment = datetime.fromisoformat(f"{day}T{clock}{offset}")
            else:
                moment = moment.replace(tzinfo=UTC)
            return fmt_datetime(moment)
    except ValueError:
        return value
    return value


def shown_params(params: dict[str, Any] | None) -> dict[str, Any]:
    """A message's parameters with their dates and moments in the one format."""
    return {key: shown(value) for key, value in (params or {}).items()}


def today_for(person: Any) -> date:
    """Today in the person's time zone (UTC when it has none or an unknown one)."""
    return datetime.now(zone_of(person)).date()
