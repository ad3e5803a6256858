"""Reading the period and filters of a team view from the query string."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from flask_babel import gettext as _

from portal.kpis.periods import Period, PeriodKind, custom_period, period_containing
from portal.kpis.queries import ViewFilters
from portal.params import parse_date, parse_int
from portal.qa.models import Channel
from portal.time_format import today_for  # noqa: F401  (the blueprints' name for it)


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
