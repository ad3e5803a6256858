"""Reporting periods in the viewer's calendar: week (Monday first), month, quarter, custom."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta


class PeriodKind(enum.StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    CUSTOM = "custom"


MAX_CUSTOM_DAYS = 731


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: date  # first day, inclusive
    end: date  # last day, inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        if self.kind is PeriodKind.CUSTOM:
            end = self.start - timedelta(days=1)
            return Period(self.kind, end - timedelta(days=self.days - 1), end)
        return period_containing(self.kind, self.start - timedelta(days=1))

    def next(self) -> Period:
        if self.kind is PeriodKind.CUSTOM:
            start = self.end + timedelta(days=1)
            return Period(self.kind, start, start + timedelta(days=self.days - 1))
        return period_containing(self.kind, self.end + timedelta(days=1))

    def bucket_of(self, day: date) -> date:
        """The first day of the trend bucket holding `day`: days for up to two months, else
        weeks (Mondays), else months for more than half a year."""
        if self.days <= 62:
            return day
        if self.days <= 186:
            return day - timedelta(days=day.weekday())
        return day.replace(day=1)


def period_containing(kind: PeriodKind, day: date) -> Period:
    """The week, month or quarter holding `day`."""
    kind = PeriodKind(kind)
    if kind is PeriodKind.WEEK:
        start = day - timedelta(days=day.weekday())
        return Period(kind, start, start + timedelta(days=6))
    if kind is PeriodKind.MONTH:
        start = day.replace(day=1)
        return Period(kind, start, _month_end(start))
    if kind is PeriodKind.QUARTER:
        start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
        end_month = start.replace(month=start.month + 2)
        return Period(kind, start, _month_end(end_month))
    raise ValueError("a custom period needs its own start and end")


def custom_period(start: date, end: date) -> Period:
    """A custom period; raises ValueError when the end is before the start or it is too long."""
    if end < start:
        raise ValueError("end before start")
    if (end - start).days + 1 > MAX_CUSTOM_DAYS:
        raise ValueError("too long")
    return Period(PeriodKind.CUSTOM, start, end)


def _month_end(first: date) -> date:
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


@dataclass(frozen=True)
class Comparison:
    """What a period's figures are compared with: `current` is the part of the period that has
    happened (all of it once it is over), `previous` the same number of days from the start of
    the period before (clipped to its end), or all of it when the period is over."""

    current: Period
    previous: Period
    like_for_like: bool  # the period is still running: its days so far vs the same days before


def comparison(period: Period, today: date) -> Comparison:
    """Like for like: a period still running (today inside it) counts its days from the start
    through today (today included, although it has not ended) against as many days from the
    start of the previous period, clipped to that period's end (the 31st of a month against a
    28-day February takes all of February). A period that is over, or not begun, compares whole
    with whole."""
    before = period.previous()
    if not period.start <= today <= period.end:
        return Comparison(period, before, like_for_like=False)
    current = Period(period.kind, period.start, today)
    end = min(before.start + timedelta(days=current.days - 1), before.end)
    return Comparison(current, Period(before.kind, before.start, end), like_for_like=True)
