"""Reading the period and filters of a team view from the query string."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask_babel import gettext as _

from portal.kpis.periods import (
    Comparison,
    Period,
    PeriodKind,
    comparison,
    custom_period,
    period_containing,
)
from portal.kpis.queries import ViewFilters
from portal.params import parse_date, parse_int
from portal.qa.models import Channel
from portal.time_format import fmt_date, today_for


def _date(text: str | None) -> date | None:
    return parse_date(text)


def _int(text: str | None) -> int | None:
    return parse_int(text, minimum=1)


def parse_period(args: Mapping[str, str], today: date) -> tuple[Period, str | None]:
    """The period asked for (default: this month) and a message when the request was wrong."""
    kind = args.get("period") or PeriodKind.MONTH.value
    if kind == PeriodKind.CUSTOM.value:
        start, end = _date(args.get("start")), _date(args.get("end"))
        if start and end:
            try:
                return custom_period(start, end), None
            except ValueError:
                pass
        return period_containing(PeriodKind.MONTH, today), _(
            "Give a start and an end (YYYY-MM-DD), the end not before the start, at most two "
            "years apart. Showing this month instead."
        )
    if kind not in (PeriodKind.WEEK, PeriodKind.MONTH, PeriodKind.QUARTER):
        return period_containing(PeriodKind.MONTH, today), _("Unknown period; showing this month.")
    on = args.get("on")
    anchor = _date(on)
    if on and anchor is None:
        return period_containing(PeriodKind(kind), today), _(
            "Give the day as YYYY-MM-DD between 1900 and 2100; showing today's period."
        )
    return period_containing(PeriodKind(kind), anchor or today), None


def parse_day(args: Mapping[str, str]) -> date | None:
    """The day of a daily report asked for (?on=YYYY-MM-DD), or None for the default."""
    return _date(args.get("on"))


CHANNELS = tuple(channel.value for channel in Channel)


def parse_filters(args: Mapping[str, str]) -> ViewFilters:
    """The market, segment and channel asked for; an unknown channel is ignored (see
    filter_message)."""
    channel = args.get("channel") or None
    return ViewFilters(
        market_id=_int(args.get("market")),
        segment_id=_int(args.get("segment")),
        channel=channel if channel in CHANNELS else None,
    )


def filter_message(args: Mapping[str, str]) -> str | None:
    """A message when a filter was asked for with a value that is not one (it is ignored)."""
    channel = args.get("channel") or None
    if channel is not None and channel not in CHANNELS:
        return _("Unknown channel; showing every channel.")
    return None


def period_args(period: Period) -> dict[str, str]:
    if period.kind is PeriodKind.CUSTOM:
        return {
            "period": "custom",
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
        }
    return {"period": period.kind.value, "on": period.start.isoformat()}


def comparison_for(period: Period, viewer: object) -> Comparison:
    """The period's comparison as of today in the viewer's time zone (like for like while it
    runs; see kpis.periods.comparison)."""
    return comparison(period, today_for(viewer))


def comparison_label(c: Comparison) -> str:
    """What the previous figures are: "month to date vs same days last month" while the period
    runs, "vs previous month" once it is over (and the week, quarter, custom equivalents)."""
    kind = c.current.kind
    if c.like_for_like:
        if kind is PeriodKind.WEEK:
            return _("week to date vs same days last week")
        if kind is PeriodKind.MONTH:
            return _("month to date vs same days last month")
        if kind is PeriodKind.QUARTER:
            return _("quarter to date vs same days last quarter")
        return _("period to date vs the same days of the previous period")
    if kind is PeriodKind.WEEK:
        return _("vs previous week")
    if kind is PeriodKind.MONTH:
        return _("vs previous month")
    if kind is PeriodKind.QUARTER:
        return _("vs previous quarter")
    return _("vs the previous %(days)s days", days=c.previous.days)


def comparison_dates(c: Comparison) -> str:
    """The days on each side, e.g. "1 Dec 2026 – 7 Dec 2026 vs 1 Nov 2026 – 7 Nov 2026"."""
    return _(
        "%(start)s – %(end)s vs %(previous_start)s – %(previous_end)s",
        start=fmt_date(c.current.start),
        end=fmt_date(c.current.end),
        previous_start=fmt_date(c.previous.start),
        previous_end=fmt_date(c.previous.end),
    )
