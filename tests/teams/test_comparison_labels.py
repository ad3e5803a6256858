"""What the panels say their previous figures are (period_args.comparison_label)."""

from __future__ import annotations

from datetime import date

import pytest

from portal.blueprints.teams.period_args import comparison_dates, comparison_label
from portal.kpis.periods import PeriodKind, comparison, custom_period, period_containing

DAY = date(2026, 11, 10)


@pytest.mark.parametrize(
    ("kind", "running", "finished"),
    [
        (PeriodKind.WEEK, "week to date vs same days last week", "vs previous week"),
        (PeriodKind.MONTH, "month to date vs same days last month", "vs previous month"),
        (PeriodKind.QUARTER, "quarter to date vs same days last quarter", "vs previous quarter"),
    ],
)
def test_labels_say_like_for_like_while_running_and_whole_once_over(app, kind, running, finished):
    period = period_containing(kind, DAY)
    with app.test_request_context():
        assert comparison_label(comparison(period, DAY)) == running
        assert comparison_label(comparison(period, date(2027, 6, 1))) == finished


def test_custom_period_labels_and_dates(app):
    period = custom_period(date(2026, 11, 1), date(2026, 11, 20))
    with app.test_request_context():
        assert comparison_label(comparison(period, DAY)) == (
            "period to date vs the same days of the previous period"
        )
        assert comparison_label(comparison(period, date(2027, 1, 1))) == "vs the previous 20 days"
        dates = comparison_dates(comparison(period, DAY))
    assert "2026" in dates and dates.count(" vs ") == 1
