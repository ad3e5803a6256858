"""Roll-up arithmetic (pure) and the roll-up queries (visibility, filters, counts)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.qa import rollups
from portal.qa.intervals import mean_ci, wilson_interval
from portal.qa.rollup_queries import RollupFilters, rollup_for
from portal.qa.rollups import Aggregate, PeriodKind, QuestionFailures
from tests.qa.programme_helpers import answers_for, make_card, make_contact, make_evaluation

# ---- pure ------------------------------------------------------------------------------------


def aggregate_of(scores, critical=0):
    exact = [Fraction(s) for s in scores]
    return Aggregate(len(exact), len(exact), sum(exact), sum(v * v for v in exact), critical)


def test_summary_of_three_scores_carries_n_and_the_t_interval():
    summary = rollups.summarise(aggregate_of([80, 90, 100], critical=1), minimum=3)
    # mean 90, sd 10, t(0.975, 2) = 4.302653 -> half width 24.84
    assert summary.n == 3 and summary.score.n == 3
    assert summary.mean == pytest.approx(90)
    assert summary.score.half_width == pytest.approx(4.302653 * 10 / 3**0.5, rel=1e-6)
    assert summary.critical_rate == pytest.approx(1 / 3)
    assert summary.critical_interval == wilson_interval(1, 3)


def test_fewer_than_the_minimum_shows_no_mean():
    summary = rollups.summarise(aggregate_of([80, 90]), minimum=3)
    assert summary.enough is False and summary.mean is None
    assert summary.score.mean == pytest.approx(85)  # still known, never shown bare


def test_an_empty_group_has_no_rate_and_no_mean():
    summary = rollups.summarise(Aggregate.empty(), minimum=1)
    assert summary.n == 0 and summary.mean is None and summary.critical_rate is None
    assert summary.critical_interval is None


@given(st.lists(st.integers(0, 100), min_size=2, max_size=40), st.integers(1, 5))
def test_summary_from_sums_equals_the_interval_from_the_rows(scores, minimum):
    summary = rollups.summarise(aggregate_of(scores), minimum)
    direct = mean_ci(scores)
    assert summary.score.mean == pytest.approx(direct.mean)
    assert summary.score.low == pytest.approx(direct.low)
    assert summary.enough == (len(scores) >= minimum)


def test_sums_from_sqlite_floats_give_the_same_mean():
    floats = Aggregate(2, 2, 150.5, 80.25**2 + 70.25**2, 0)
    assert rollups.summarise(floats, 1).mean == pytest.approx(75.25)


@pytest.mark.parametrize(
    "score, expected", [(0, 0), (9.99, 0), (10, 1), (55, 5), (90, 9), (99.9, 9), (100, 9)]
)
def test_score_bins_are_tens_with_100_in_the_last(score, expected):
    assert rollups.score_bin(score) == expected


def test_distribution_lists_every_bin_with_its_share():
    bins = rollups.distribution({9: 3, 5: 1})
    assert [b.count for b in bins] == [0, 0, 0, 0, 0, 1, 0, 0, 0, 3]
    assert bins[9].share == 0.75 and bins[0].low == 0 and bins[9].high == 100


def test_failed_most_orders_by_failures_then_rate_and_leaves_out_never_failed():
    rows = [
        QuestionFailures(1, "a", 10, 2),
        QuestionFailures(2, "b", 4, 2),
        QuestionFailures(3, "c", 10, 0),
        QuestionFailures(4, "d", 10, 5),
    ]
    assert [r.question_id for r in rollups.failed_most(rows)] == [4, 2, 1]
    assert rows[1].rate == 0.5


@pytest.mark.parametrize(
    "kind, anchor, first, last",
    [
        (PeriodKind.WEEK, date(2026, 11, 26), date(2026, 11, 23), date(2026, 11, 29)),
        (PeriodKind.MONTH, date(2026, 2, 10), date(2026, 2, 1), date(2026, 2, 28)),
        (PeriodKind.MONTH, date(2028, 2, 10), date(2028, 2, 1), date(2028, 2, 29)),
        (PeriodKind.QUARTER, date(2026, 11, 26), date(2026, 10, 1), date(2026, 12, 31)),
        (PeriodKind.QUARTER, date(2026, 1, 1), date(2026, 1, 1), date(2026, 3, 31)),
    ],
)
def test_periods(kind, anchor, first, last):
    assert rollups.period_range(kind, anchor) == (first, last)


def test_trend_has_a_point_per_week_even_without_evaluations():
    daily = {date(2026, 11, 2): aggregate_of([80]), date(2026, 11, 4): aggregate_of([90])}
    points = rollups.trend(daily, PeriodKind.WEEK, 1, date(2026, 11, 1), date(2026, 11, 20))
    assert [p.start for p in points] == [
        date(2026, 10, 26),
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
    ]
    assert points[1].summary.n == 2 and points[1].summary.mean == pytest.approx(85)
    assert points[0].summary.n == 0


def test_monthly_trend_crosses_the_year():
    points = rollups.trend({}, PeriodKind.MONTH, 1, date(2026, 11, 5), date(2027, 1, 3))
    assert [p.start for p in points] == [date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)]


def test_chart_points_put_high_scores_near_the_top():
    points = rollups.trend(
        {date(2026, 11, 2): aggregate_of([100, 100])},
        PeriodKind.WEEK,
        1,
        date(2026, 11, 2),
        date(2026, 11, 15),
    )
    chart = rollups.chart_points(points, 200, 100, ["w1", "w2"])
    assert chart[0].y == 0 and chart[0].x == 0 and chart[1].x == 200
    assert chart[1].y is None


# ---- queries ---------------------------------------------------------------------------------

MONDAY = datetime(2026, 11, 2, 3, tzinfo=UTC)  # 11:00 in Hong Kong


def _filters(**kw):
    base = dict(start_on=date(2026, 11, 1), end_on=date(2026, 11, 30), time_zone="Asia/Hong_Kong")
    base.update(kw)
    return RollupFilters(**base)


@pytest.fixture
def scored(world):
    card = make_card(world.qa)
    good = answers_for(card, "yes", 4, "Full")  # 100
    half = answers_for(card, "yes", 2, "Partly")  # (10 + 2 + 1) / 16
    fail = answers_for(card, "no", 4, "Full")  # critical: 0
    plan = [
        (world.agent_a1, good, MONDAY),
        (world.agent_a1, half, MONDAY + timedelta(days=1)),
        (world.agent_a2, fail, MONDAY + timedelta(days=8)),
        (world.agent_b1, good, MONDAY + timedelta(days=2)),
        (world.agent_c1, good, MONDAY + timedelta(days=3)),
    ]
    for agent, answers, when in plan:
        make_evaluation(card, make_contact(agent, when), world.sup_a, answers)
    # A draft never counts.
    make_evaluation(card, make_contact(world.agent_a1, MONDAY), world.sup_a, fail, status="draft")
    return card


def test_hr_rollup_counts_every_submitted_evaluation(app, world, scored):
    report = rollup_for(world.hr, _filters(), minimum=1)
    assert report.overall.n == 5
    expected = (100 + Fraction(13, 16) * 100 + 0 + 100 + 100) / 5
    assert report.overall.mean == pytest.approx(float(expected))
    assert report.overall.n_critical == 1
    assert sum(b.count for b in report.bins) == 5 and report.bins[9].count == 3
    assert report.questions[0].text == "Verified the caller" and report.questions[0].failed == 1
    by_agent = {row.key: row.summary.n for row in report.groups["agent"]}
    assert by_agent == {
        world.agent_a1.id: 2,
        world.agent_a2.id: 1,
        world.agent_b1.id: 1,
        world.agent_c1.id: 1,
    }
    assert {row.label for row in report.groups["channel"]} == {"phone"}
    assert sum(p.summary.n for p in report.weekly) == 5


def test_a_supervisors_rollup_counts_only_their_subtree(app, world, scored):
    report = rollup_for(world.sup_b, _filters(), minimum=1)
    assert report.overall.n == 1
    assert [row.key for row in report.groups["agent"]] == [world.agent_b1.id]


def test_a_qa_analyst_sees_their_granted_team_only(app, world, scored):
    report = rollup_for(world.qa, _filters(), minimum=1)
    assert report.overall.n == 3


def test_org_node_period_and_filters_narrow_the_rollup(app, world, scored):
    assert rollup_for(world.hr, _filters(node_id=world.manager_hk.id), 1).overall.n == 4
    first_week = _filters(end_on=date(2026, 11, 8))
    assert rollup_for(world.hr, first_week, 1).overall.n == 4
    assert rollup_for(world.hr, _filters(channel="email"), 1).overall.n == 0
    assert rollup_for(world.hr, _filters(segment_id=world.vip.id), 1).overall.n == 1
    assert rollup_for(world.hr, _filters(scorecard_id=scored.scorecard.id), 1).overall.n == 5
    group = _filters(group=("agent", world.agent_a1.id))
    assert rollup_for(world.hr, group, 1).overall.n == 2


def test_an_agent_scope_sees_only_their_own(app, world, scored):
    assert rollup_for(world.agent_a2, _filters(), 1).overall.n == 1
