"""The frozen snapshot keeps the figures exactly (decimals as text, never floats)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.business import figures as fig

VALUES = st.one_of(st.none(), st.decimals(allow_nan=False, allow_infinity=False, places=6))


def _figures(value, previous, target, mean) -> fig.Figures:
    line = fig.KpiLine(
        code="csat",
        name="CSAT 顧客満足",
        unit="/5",
        direction="higher",
        decimals=2,
        value=value,
        n=4,
        previous=previous,
        previous_n=2,
        target=target,
        attainment=None if value is None or not target else value / target,
        meets=None,
        improved=None,
    )
    qa = fig.QaLine(fig.QaFigure(5, 5, mean, 1), fig.QaFigure(6, 6, None, 0))
    return fig.Figures(
        date(2026, 11, 2),
        date(2026, 11, 8),
        date(2026, 10, 26),
        date(2026, 11, 1),
        (line,),
        qa,
        datetime(2026, 11, 20, 12, tzinfo=UTC),
    )


@settings(deadline=None, max_examples=300)
@given(VALUES, VALUES, VALUES, VALUES)
def test_a_snapshot_round_trips_exactly(value, previous, target, mean):
    original = _figures(value, previous, target, mean)
    assert fig.from_json(fig.to_json(original)) == original


def test_change_is_current_minus_previous_and_unknown_without_both():
    line = _figures(Decimal("4.35"), Decimal("4"), Decimal("4.7"), None).kpis[0]
    assert line.change == Decimal("0.35")
    assert _figures(None, Decimal("4"), None, None).kpis[0].change is None
    qa = fig.QaLine(fig.QaFigure(5, 5, Decimal(80), 1), fig.QaFigure(6, 6, Decimal(70), 0))
    assert qa.change == Decimal(10) and qa.improved is True
    assert fig.QaLine(qa.current, fig.QaFigure(2, 2, None, 0)).change is None
