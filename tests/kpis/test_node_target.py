"""Targets at every node (maths.node_target), trends that stop at the last data, chart axes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.dashboards.kpi_figures import KpiInfo, kpi_rows, market_figures, trend_points, y_axis
from portal.kpis import maths
from portal.kpis.maths import Sums, TargetKind, TargetSet
from portal.kpis.models import Aggregation
from portal.kpis.periods import PeriodKind, period_containing

relaxed = settings(deadline=None, max_examples=150)

HK, SG, TW = 1, 2, 3
EVERY = [Aggregation.MEAN, Aggregation.SUM, Aggregation.RATE, Aggregation.WEIGHTED]


def targets(**by_market) -> TargetSet:
    return TargetSet(by_market={int(k[1:]): D(v) for k, v in by_market.items()}, by_team={})


def test_worked_example_csat_weighted_by_surveys():
    # Hong Kong: 300 surveys, target 4.5; Singapore: 100 surveys, target 4.3.
    # (4.5 x 300 + 4.3 x 100) / 400 = 4.45
    found = maths.node_target(
        Aggregation.WEIGHTED,
        targets(m1="4.5", m2="4.3"),
        {10, 20},
        {HK, SG},
        {HK: Sums(n=30, weight_sum=D(300)), SG: Sums(n=10, weight_sum=D(100))},
    )
    assert found == maths.NodeTarget(D("4.45"), TargetKind.ROLLED)


def test_a_rate_weighs_by_denominator_and_a_mean_by_rows():
    by_market = {
        HK: Sums(n=1, numerator_sum=D(9), denominator_sum=D(10)),
        SG: Sums(n=3, numerator_sum=D(24), denominator_sum=D(30)),
    }
    rate = maths.node_target(
        Aggregation.RATE, targets(m1="80", m2="90"), set(), {HK, SG}, by_market
    )
    assert rate.target == D("87.5")  # (80 x 10 + 90 x 30) / 40
    mean = maths.node_target(
        Aggregation.MEAN, targets(m1="80", m2="90"), set(), {HK, SG}, by_market
    )
    assert mean.target == D("87.5")  # (80 x 1 + 90 x 3) / 4


def test_a_sum_lists_each_market_instead():
    found = maths.node_target(
        Aggregation.SUM,
        targets(m1="100", m2="200"),
        set(),
        {HK, SG},
        {HK: Sums(n=1, value_sum=D(5)), SG: Sums(n=1, value_sum=D(5))},
    )
    assert found == maths.NodeTarget(None, TargetKind.DIFFER)


def test_a_market_with_figures_but_no_target_lists_each_market():
    found = maths.node_target(
        Aggregation.MEAN,
        targets(m1="100"),
        set(),
        {HK, SG},
        {HK: Sums(n=1, value_sum=D(5)), SG: Sums(n=1, value_sum=D(5))},
    )
    assert found.kind == TargetKind.DIFFER and found.target is None


def test_a_market_without_figures_weighs_nothing():
    found = maths.node_target(
        Aggregation.MEAN, targets(m1="100"), set(), {HK, SG}, {HK: Sums(n=2, value_sum=D(5))}
    )
    assert found == maths.NodeTarget(D(100), TargetKind.ROLLED)


def test_no_figures_at_all_lists_the_targets():
    found = maths.node_target(Aggregation.MEAN, targets(m1="1", m2="2"), set(), {HK, SG}, {})
    assert found.kind == TargetKind.DIFFER


def test_one_team_or_one_market_keeps_its_own_target():
    ts = TargetSet(by_market={HK: D("4.5")}, by_team={7: D("4.7")})
    assert maths.node_target(Aggregation.WEIGHTED, ts, {7}, {HK}, {}).target == D("4.7")
    assert maths.node_target(Aggregation.WEIGHTED, ts, {7, 8}, {HK}, {}).target == D("4.5")
    assert maths.node_target(Aggregation.WEIGHTED, ts, {7, 8}, {HK}, {}).kind == "single"


def test_no_target_anywhere_is_none():
    found = maths.node_target(Aggregation.SUM, TargetSet({}, {}), {1, 2}, {HK, SG}, {})
    assert found == maths.NodeTarget(None, TargetKind.NONE)


def test_only_a_team_target_below_is_never_none():
    ts = TargetSet(by_market={}, by_team={7: D("4.7")})
    assert maths.node_target(Aggregation.MEAN, ts, {7, 8}, {HK, SG}, {}).kind == "differ"


decimals = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False)
weights = st.decimals(min_value=0, max_value=10_000, places=0, allow_nan=False)


@relaxed
@given(st.lists(st.tuples(decimals, weights), min_size=1, max_size=8))
def test_the_roll_up_lies_between_the_markets_targets(pairs):
    rolled = maths.weighted_target(pairs)
    weighing = [t for t, w in pairs if w > 0]
    if not weighing:
        assert rolled is None
    else:
        assert min(weighing) <= rolled <= max(weighing)


@relaxed
@given(decimals, weights.filter(lambda w: w > 0), st.sampled_from(EVERY))
def test_a_single_market_gets_that_markets_target(target, weight, aggregation):
    ts = TargetSet(by_market={HK: target}, by_team={})
    sums = Sums(n=int(weight), value_sum=weight, denominator_sum=weight, weight_sum=weight)
    assert maths.node_target(aggregation, ts, {None}, {HK}, {HK: sums}).target == target


@relaxed
@given(
    st.sampled_from(EVERY),
    st.dictionaries(
        st.sampled_from([HK, SG, TW]), st.tuples(decimals, weights), min_size=2, max_size=3
    ),
)
def test_every_node_with_a_target_below_says_something(aggregation, markets):
    ts = TargetSet(by_market={m: t for m, (t, _w) in markets.items()}, by_team={})
    sums = {
        m: Sums(n=int(w), value_sum=w, denominator_sum=w, weight_sum=w)
        for m, (_t, w) in markets.items()
    }
    found = maths.node_target(aggregation, ts, {None}, set(markets), sums)
    assert found.kind != TargetKind.NONE
    if found.kind == TargetKind.ROLLED:
        assert aggregation is not Aggregation.SUM
        assert min(t for t, _w in markets.values()) <= found.target
        assert found.target <= max(t for t, _w in markets.values())
    if all(t == next(iter(markets.values()))[0] for t, _w in markets.values()) and any(
        w > 0 for _t, w in markets.values()
    ):
        if aggregation is not Aggregation.SUM:
            assert found.target == next(iter(markets.values()))[0]


def kpi(aggregation="weighted", unit="/5", targets_=None) -> KpiInfo:
    return KpiInfo(
        id=1,
        code="k",
        name="K",
        unit=unit,
        direction="higher",
        aggregation=aggregation,
        decimals=2,
        targets=targets_ or TargetSet({}, {}),
    )


def test_kpi_rows_give_the_head_a_rolled_target_and_per_market_attainment():
    info = kpi(targets_=targets(m1="4.5", m2="4.3"))
    per = {
        HK: Sums(n=3, weighted_sum=D(1320), weight_sum=D(300)),  # 4.40
        SG: Sums(n=1, weighted_sum=D(440), weight_sum=D(100)),  # 4.40
    }
    month = period_containing(PeriodKind.MONTH, date(2026, 11, 1))
    (row,) = kpi_rows(
        [info],
        {1: per[HK] + per[SG]},
        {},
        {},
        month,
        {None},
        {HK, SG},
        by_market={1: per},
        market_names={HK: "Hong Kong", SG: "Singapore"},
    )
    assert row.target == D("4.45") and row.target_kind == "rolled"
    assert row.figure.value == D("4.4")
    assert [m.name for m in row.markets] == ["Hong Kong", "Singapore"]
    assert row.markets[0].attainment == D("4.4") / D("4.5")
    assert row.markets[1].meets is True
    # without the per-market sums (business reviews): one target or none, as before
    (old,) = kpi_rows([info], {1: per[HK]}, {}, {}, month, {None}, {HK, SG})
    assert old.target is None and old.markets == ()


def test_market_figures_are_by_name_with_no_market_last_named_empty():
    info = kpi(targets_=targets(m1="4"))
    found = market_figures(
        info, {HK: Sums(n=1, weighted_sum=D(5), weight_sum=D(1))}, {SG: "B", HK: "A"}
    )
    assert [(m.name, m.target) for m in found] == [("A", D(4)), ("B", None)]


def test_the_trend_stops_at_the_last_bucket_with_data_and_keeps_inner_gaps():
    month = period_containing(PeriodKind.MONTH, date(2026, 12, 1))
    data = {
        date(2026, 12, 1): Sums(n=1, weighted_sum=D(4), weight_sum=D(1)),
        date(2026, 12, 4): Sums(n=1, weighted_sum=D(5), weight_sum=D(1)),
    }
    points = trend_points(kpi(), data, month)
    assert [p[0].day for p in points] == [1, 2, 3, 4]
    assert points[1] == (date(2026, 12, 2), None, 0)  # a gap, not a zero
    assert trend_points(kpi(), {}, month) == ()


def test_chart_axes_start_at_the_metrics_baseline():
    assert y_axis(kpi(unit="/5"), [D("4.4")]) == (1.0, 5.0)  # a rating scale: its floor
    assert y_axis(kpi(unit="/10"), [D(7)]) == (0.0, 10.0)
    assert y_axis(kpi(aggregation="rate", unit="%"), [D(90)]) == (0.0, None)
    assert y_axis(kpi(aggregation="sum", unit=""), [D(3393)]) == (0.0, None)
    assert y_axis(kpi(unit="s"), [None, D(400)]) == (0.0, None)
    assert y_axis(kpi(unit=""), [D(-12), D(30)]) == (None, None)  # an NPS below 0
