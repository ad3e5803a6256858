"""Each panel's figures on the hand-built world (tests/teams/panel_world.py), computed by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime
from fractions import Fraction

import pytest

from portal.dashboards import team_goals, team_one_on_ones, team_qa, team_recognition, team_training
from portal.kpis.periods import PeriodKind, comparison, period_containing
from portal.kpis.queries import ViewFilters
from portal.qa.intervals import mean_ci
from tests.teams import panel_world

OCT = period_containing(PeriodKind.MONTH, date(2026, 10, 15))
NOV_1 = date(2026, 11, 1)
NOW = datetime(2026, 11, 4, 12, tzinfo=UTC)
ALL = ViewFilters()


@pytest.fixture
def data(world):
    panel_world.build_all(world)
    return world


# ---- QA --------------------------------------------------------------------------------------


def test_qa_supervisor_average_n_interval_and_critical_fails(data):
    w = data
    result = team_qa.team_qa(w.sup_a, w.sup_a, OCT, ALL, minimum=1)
    # A1: 100 and 81.25; A2: 0 (critical). The draft of A2 and September's evaluation are out.
    assert result.current.n == 3
    assert result.current.mean == pytest.approx(181.25 / 3)
    expected = mean_ci([100, Fraction(8125, 100), 0])
    assert result.current.score.low == pytest.approx(expected.low)
    assert result.current.score.high == pytest.approx(expected.high)
    assert result.current.n_critical == 1
    assert result.current.critical_rate == pytest.approx(1 / 3)
    # September: A1's 62.5 alone
    assert result.previous.n == 1 and result.previous.mean == pytest.approx(62.5)
    assert result.change == pytest.approx(181.25 / 3 - 62.5)


def test_qa_weekly_trend_holds_every_week_up_to_the_last_with_evaluations(data):
    w = data
    result = team_qa.team_qa(w.sup_a, w.sup_a, OCT, ALL, minimum=1)
    weeks = [(p.start, p.summary.n, p.summary.mean) for p in result.weekly]
    assert weeks == [
        (date(2026, 9, 28), 0, None),  # only 1-4 October counts, September's 15th does not
        (date(2026, 10, 5), 2, 50.0),  # 100 and 0
        (date(2026, 10, 12), 0, None),
        (date(2026, 10, 19), 1, 81.25),
    ]  # the week of 26 October has none: no empty tail


def test_qa_questions_failed_most_with_times_answered(data):
    w = data
    result = team_qa.team_qa(w.manager_hk, w.manager_hk, OCT, ALL, minimum=1)
    # Four evaluations answered every question; E3 failed "Verified the caller"; B1's failed
    # Empathy (0) and Resolved ("None").
    assert [(q.text, q.failed, q.answered) for q in result.questions] == [
        ("Verified the caller", 1, 4),
        ("Empathy", 1, 4),
        ("Resolved", 1, 4),
    ]


def test_qa_per_direct_report(data):
    w = data
    result = team_qa.team_qa(w.manager_hk, w.manager_hk, OCT, ALL, minimum=1)
    rows = {c.person.id: c.summary for c in result.children}
    assert rows[w.sup_a.id].n == 3 and rows[w.sup_a.id].mean == pytest.approx(181.25 / 3)
    assert rows[w.sup_b.id].n == 1 and rows[w.sup_b.id].mean == pytest.approx(62.5)
    assert result.current.n == 4
    assert result.current.mean == pytest.approx((181.25 + 62.5) / 4)


def test_qa_below_the_minimum_shows_no_mean(data):
    w = data
    result = team_qa.team_qa(w.sup_a, w.sup_a, OCT, ALL, minimum=5)
    assert result.current.n == 3 and result.current.mean is None


def test_qa_channel_market_and_segment_filters(data):
    w = data
    email = team_qa.team_qa(w.sup_a, w.sup_a, OCT, ViewFilters(channel="email"), minimum=1)
    assert email.current.n == 1 and email.current.mean == pytest.approx(81.25)
    vip = team_qa.team_qa(w.sup_a, w.sup_a, OCT, ViewFilters(segment_id=w.agent_a2.segment_id), 1)
    assert vip.current.n == 1 and vip.current.n_critical == 1
    jp = team_qa.team_qa(w.head, w.head, OCT, ViewFilters(market_id=w.team_c.market_id), 1)
    assert jp.current.n == 1 and jp.current.n_critical == 1
    assert [c.person.id for c in jp.children] == [w.manager_jp.id]


# ---- 1:1s ------------------------------------------------------------------------------------


def _tally(t):
    return (t.held, t.missed, t.cancelled, t.not_recorded, t.expected)


def test_one_on_ones_supervisor_counts_reports_not_their_own(data):
    w = data
    result = team_one_on_ones.team_one_on_ones(w.sup_a, w.sup_a, OCT, ALL, NOW)
    assert result.weeks == [date(2026, 10, d) for d in (5, 12, 19, 26)]
    assert _tally(result.total) == (5, 1, 1, 1, 8)  # A1 1 of 4, A2 4 of 4
    assert result.total.held_percent == 62.5
    assert _tally(result.previous) == (1, 0, 0, 7, 8)
    rows = {c.person.id: _tally(c.tally) for c in result.children}
    assert rows == {w.agent_a1.id: (1, 1, 1, 1, 4), w.agent_a2.id: (4, 0, 0, 0, 4)}


def test_one_on_ones_manager_rolls_up_by_supervisor(data):
    w = data
    result = team_one_on_ones.team_one_on_ones(w.manager_hk, w.manager_hk, OCT, ALL, NOW)
    # sup_a's subtree: A1, A2 and sup_a's own 1:1 with the manager (held once of 4)
    rows = {c.person.id: _tally(c.tally) for c in result.children}
    assert rows == {w.sup_a.id: (6, 1, 1, 4, 12), w.sup_b.id: (0, 0, 0, 4, 4)}
    assert _tally(result.total) == (6, 1, 1, 8, 16)


def test_one_on_ones_an_agent_sees_their_own(data):
    w = data
    result = team_one_on_ones.team_one_on_ones(w.agent_a1, w.agent_a1, OCT, ALL, NOW)
    assert _tally(result.total) == (1, 1, 1, 1, 4) and result.children == []


def test_period_weeks_are_the_mondays_inside():
    assert team_one_on_ones.period_weeks(OCT) == [date(2026, 10, d) for d in (5, 12, 19, 26)]
    from portal.kpis.periods import custom_period

    # Wednesday to Friday: no Monday inside, the week of its first day
    short = custom_period(date(2026, 10, 7), date(2026, 10, 9))
    assert team_one_on_ones.period_weeks(short) == [date(2026, 10, 5)]


# ---- goals and reviews -----------------------------------------------------------------------


def _phases(result):
    return {line.kind: (line.done, line.overdue, line.total) for line in result.phases}


def test_goal_progress_and_review_phases_of_a_team(data):
    w = data
    result = team_goals.team_goals(w.sup_a, w.sup_a, OCT, ALL, NOV_1)
    assert result.cycle.name == "2026 H2"
    # 0.5 + 1.2 + 1 over 3 checked-in goals of 4
    assert (result.progress.goals, result.progress.checked_in) == (4, 3)
    assert result.progress.mean == pytest.approx(0.9)
    assert result.reviews == 3  # sup_a (draft), A1 (self_review), A2 (manager_review)
    assert _phases(result) == {
        "goal_setting": (2, 1, 3),  # due 31 July: sup_a's draft is overdue
        "mid_cycle": (1, 2, 3),  # A1's goals all checked in; due 30 September
        "self_assessment": (1, 0, 3),  # A2; due 15 December
        "manager_assessment": (0, 0, 3),
        "calibration": (0, 0, 3),
        "sign_off": (0, 0, 3),
    }


def test_goal_progress_by_direct_report(data):
    w = data
    result = team_goals.team_goals(w.manager_hk, w.manager_hk, OCT, ALL, NOV_1)
    assert result.progress.mean == pytest.approx((2.7 + 0.25) / 4)
    rows = {c.person.id: c.progress for c in result.children}
    assert rows[w.sup_a.id].mean == pytest.approx(0.9)
    assert (rows[w.sup_b.id].goals, rows[w.sup_b.id].mean) == (1, Fraction(1, 4))
    assert _phases(result)["sign_off"] == (1, 0, 4)  # B1 locked


def test_no_cycle_before_the_first_one_started(data):
    w = data
    early = period_containing(PeriodKind.MONTH, date(2026, 5, 1))
    result = team_goals.team_goals(w.sup_a, w.sup_a, early, ALL, NOV_1)
    assert result.cycle is None and result.phases == []


# ---- training --------------------------------------------------------------------------------


def _counts(f):
    return (f.counts.total, f.counts.completed, f.counts.due, f.counts.overdue, f.people)


def test_training_due_in_the_period_completed_and_overdue(data):
    w = data
    result = team_training.team_training(w.sup_a, w.sup_a, OCT, ALL, NOV_1)
    assert _counts(result.figures) == (2, 1, 0, 1, 2)  # A1 done, A2 overdue; Y due in November
    assert result.figures.completed_rate == Fraction(1, 2)
    head = team_training.team_training(w.manager_hk, w.manager_hk, OCT, ALL, NOV_1)
    assert _counts(head.figures) == (3, 2, 0, 1, 3)
    rows = {c.person.id: _counts(c.figures) for c in head.children}
    assert rows == {w.sup_a.id: (2, 1, 0, 1, 2), w.sup_b.id: (1, 1, 0, 0, 1)}


# ---- recognition -----------------------------------------------------------------------------


def test_kudos_received_by_value_and_by_report(data):
    w = data
    result = team_recognition.team_recognition(w.sup_a, w.sup_a, OCT, ALL)
    assert (result.total.kudos, result.total.people) == (3, 2)
    assert result.previous.kudos == 1  # 30 September
    assert result.by_value == [("Teamwork", 2), ("Ownership", 1)]
    top = team_recognition.team_recognition(w.manager_hk, w.manager_hk, OCT, ALL)
    rows = {c.person.id: (c.count.kudos, c.count.people) for c in top.children}
    assert rows == {w.sup_a.id: (3, 2), w.sup_b.id: (1, 1)}


# ---- like for like (kpis.periods.comparison) -------------------------------------------------


def test_qa_like_for_like_counts_the_days_so_far_against_the_same_days_before(data):
    w = data
    compared = comparison(OCT, date(2026, 10, 12))
    result = team_qa.team_qa(w.sup_a, w.sup_a, OCT, ALL, 1, compared)
    assert result.current.n == 2  # 100 and 0 by 12 October; 81.25 comes later
    assert result.previous.n == 0  # 1-12 September: September's 15th is out
    assert [p.start for p in result.weekly] == [date(2026, 9, 28), date(2026, 10, 5)]


def test_one_on_ones_like_for_like_counts_the_weeks_begun_so_far(data):
    w = data
    compared = comparison(OCT, date(2026, 10, 13))
    result = team_one_on_ones.team_one_on_ones(w.sup_a, w.sup_a, OCT, ALL, NOW, compared)
    assert result.weeks == [date(2026, 10, 5), date(2026, 10, 12)]
    assert result.total.expected == 4  # two reports, two weeks
    assert result.previous.expected == 2  # 1-13 September holds one Monday, the 7th


def test_kudos_like_for_like(data):
    w = data
    compared = comparison(OCT, date(2026, 10, 5))
    result = team_recognition.team_recognition(w.sup_a, w.sup_a, OCT, ALL, compared)
    assert result.total.kudos == 1  # 2 October
    assert result.previous.kudos == 0  # 1-5 September; the 30th is out
