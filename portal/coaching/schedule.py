"""When a series' meetings fall: pure date arithmetic in the supervisor's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from portal.coaching.models import Cadence

# Meetings are generated this far ahead of today.
HORIZON_DAYS = 28


def _first_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _first_weekday_of_month(year: int, month: int, weekday: int) -> date:
    return _first_on_or_after(date(year, month, 1), weekday)


def occurrence_dates(
    cadence: str, weekday: int, starts_on: date, from_on: date, until_on: date
) -> list[date]:
    """The local dates of a series' meetings in [from_on, until_on]: weekly and every two
    weeks count from the first `weekday` on or after starts_on; monthly is the first `weekday`
    of each month."""
    if until_on < from_on:
        return []
    low = max(from_on, starts_on)
    days: list[date] = []
    if cadence == Cadence.MONTHLY:
        year, month = low.year, low.month
        while True:
            day = _first_weekday_of_month(year, month, weekday)
            if day > until_on:
                break
            if day >= low:
                days.append(day)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return days
    step = 14 if cadence == Cadence.BIWEEKLY else 7
    first = _first_on_or_after(starts_on, weekday)
    skip = max(0, (low - first).days)
    day = first + timedelta(days=-(-skip // step) * step)
    while day <= until_on:
        days.append(day)
        day += timedelta(days=step)
    return days


def local_to_utc(day: date, at: time, time_zone: str) -> datetime:
    """A local date and wall-clock time in `time_zone` as a UTC instant (a time skipped by a
    daylight-saving jump moves forward, as clocks do)."""
    local = datetime.combine(day, at, tzinfo=ZoneInfo(time_zone))
    return local.astimezone(UTC)


def local_date(moment: datetime, time_zone: str) -> date:
    return moment.astimezone(ZoneInfo(time_zone)).date()


def week_start(moment: datetime, time_zone: str) -> date:
    """The Monday of the week `moment` falls in, in `time_zone`."""
    day = local_date(moment, time_zone)
    return day - timedelta(days=day.weekday())
