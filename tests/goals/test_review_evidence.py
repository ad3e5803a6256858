"""The evidence beside a review's ratings (portal.dashboards.review_evidence): the numbers on a
hand-built world, the pure figures, the scopes, and a fixed number of statements.

The world: A1's review in "2026 H2" (1 July - 31 December 2026) with two goals; QA, 1:1s and
training from tests/teams/panel_world.py, KPIs from tests/kpis/kpi_world.py. "Now" is
Wednesday 4 November 2026 (the week of Monday 2 November is still running)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest
from sqlalchemy import select

from portal.coaching.models import OneOnOneSeries
from portal.dashboards import review_evidence as ev
from portal.dashboards.kpi_figures import KpiInfo
from portal.extensions import db
from portal.goals import goals as goal_service
from portal.kpis.maths import Figure, Sums, TargetSet
from portal.qa import rollups
from portal.qa.intervals import mean_ci
from tests.conftest import count_queries
from tests.goals.helpers import ready_review
from tests.kpis.kpi_world import add_value, build_kpis
from tests.teams import panel_world as pw

NOW = datetime(2026, 11, 4, 6, 0, tzinfo=UTC)
TODAY = date(2026, 11, 4)
_tokens = count(1)


def check_in(goal, by, value: str, confidence: str = "on_track", comment: str = ""):
    return goal_service.add_check_in(
        goal,
        by,
        value=Decimal(value),
        confidence=confidence,
        comment=comment,
        token=f"evidence-check-in-{next(_tokens)}",
    )


def evidence_of(viewer, review):
    return ev.review_evidence(viewer, review, now=NOW, today=TODAY, qa_minimum=2)


@pytest.fixture
def evidence_world(world):
    ready = ready_review(world)
    first, second = ready.goals
    check_in(first, world.agent_a1, "20", "at_risk", "slow week")
    check_in(first, world.sup_a, "18")
    check_in(second, world.agent_a1, "40", "off_track")
    pw.build_qa(world)
    pw.build_one_on_ones(world)
    pw.build_training(world)
    kpis = build_kpis(world)
    db.session.commit()
    return ready, kpis


# ---- the numbers on the hand-built world ------------------------------------------------------


def test_the_goals_carry_their_check_ins_in_order_with_progress(world, evidence_world):
    ready, _kpis = evidence_world
    found = evidence_of(world.sup_a, ready.review)
    first, second = ready.goals
    # First response time: lower is better, 24 → 12; latest 18 → (24 - 18) / 12 = 50 %.
    assert [c.value for c in found.goals[first.id].check_ins] == [Decimal("20"), Decimal("18")]
    assert found.goals[first.id].check_ins[0].confidence == "at_risk"
    assert found.goals[first.id].figures.percent == Decimal("50")
    # NPS: higher is better, 30 → 50; latest 40 → 50 %.
    assert [c.value for c in found.goals[second.id].check_ins] == [Decimal("40")]
    assert found.goals[second.id].figures.percent == Decimal("50")


def test_qa_is_the_mean_of_the_periods_evaluations_with_n_and_a_t_interval(world, evidence_world):
    ready, _kpis = evidence_world
    found = evidence_of(world.sup_a, ready.review)
    # A1 in the cycle: 6 Oct 100, 20 Oct 81.25, 15 Sep 62.5 → mean 81.25 over 3.
    exact = mean_ci([100, Decimal("81.25"), Decimal("62.5")])
    assert found.qa.n == 3
    assert found.qa.mean == Decimal("81.3")  # 81.25 rounded half up, once
    # sd 18.75, t(0.975, 2) = 4.3027 → half width 46.58: 34.67 … 127.83, clipped to 100.
    assert found.qa.low == Decimal("34.7") and exact.low == pytest.approx(34.67, abs=0.01)
    assert found.qa.high == Decimal("100.0")


def test_kpis_are_set_against_the_reviews_team_target_else_its_market(world, evidence_world):
    ready, _kpis = evidence_world
    rows = {row.kpi.code: row for row in evidence_of(world.sup_a, ready.review).kpis}
    # A1, three days of 10 November: CSAT 4.8 (weight 10 each) against team A's 4.7 (the
    # market's 4.5 is outranked); handle time 300 against the market's 400 (lower is better);
    # returning 9 / 30 = 30 % with no target; contacts 3 × 40 = 120 with no target.
    assert rows["csat"].figure == Figure(Decimal("4.8"), 3)
    assert rows["csat"].target == Decimal("4.7") and rows["csat"].meets is True
    assert rows["aht"].figure.value == Decimal("300") and rows["aht"].target == Decimal("400")
    assert rows["aht"].meets is True
    assert rows["ret"].figure.value == Decimal("30") and rows["ret"].target is None
    assert rows["ret"].meets is None
    assert rows["contacts"].figure == Figure(Decimal("120"), 3)
    assert [row.kpi.code for row in evidence_of(world.sup_a, ready.review).kpis] == [
        "csat",
        "contacts",
        "aht",
        "ret",
    ]  # by name: CSAT, Contacts, Handle time, Returning


def test_one_on_ones_count_the_weeks_due_so_far(world, evidence_world):
    ready, _kpis = evidence_world
    tally = evidence_of(world.sup_a, ready.review).one_on_ones
    # A1's weekly series from Tuesday 1 September: weeks of 31 Aug … 26 Oct are due (the week
    # of 2 November is still running). Held 7 Sep and 5 Oct; missed 12 Oct; cancelled 19 Oct;
    # nothing on 31 Aug, 14, 21, 28 Sep and 26 Oct.
    assert (tally.held, tally.missed, tally.cancelled, tally.not_recorded) == (2, 1, 1, 5)
    assert tally.expected == 9


def test_training_counts_completed_of_assigned_and_overdue(world, evidence_world):
    ready, _kpis = evidence_world
    found = evidence_of(world.sup_a, ready.review).training
    # Privacy due 10 Oct, done 8 Oct; Escalations due 30 Nov, not done (due, not overdue).
    assert (found.completed, found.assigned, found.overdue) == (1, 2, 0)
    later = ev.review_evidence(
        world.sup_a, ready.review, now=NOW, today=date(2026, 12, 5), qa_minimum=2
    )
    assert (later.training.completed, later.training.assigned, later.training.overdue) == (1, 2, 1)


def test_nothing_outside_the_cycles_period_counts(world, evidence_world):
    ready, _kpis = evidence_world
    card = pw.make_card(world.qa)
    full = pw.answers_for(card, "yes", 4, "Full")
    pw.evaluate(card, world.agent_a1, world.sup_a, date(2026, 6, 30), full)
    pw.evaluate(card, world.agent_a1, world.sup_a, date(2027, 1, 1), full)
    db.session.commit()
    assert evidence_of(world.sup_a, ready.review).qa.n == 3


def test_another_persons_records_never_count(world, evidence_world):
    ready, _kpis = evidence_world
    found = evidence_of(world.hr, ready.review)
    # HR sees everything, but only A1's records are A1's evidence.
    assert found.qa.n == 3 and found.training.assigned == 2 and found.one_on_ones.expected == 9


def test_a_viewer_without_the_area_sees_no_figures(world, evidence_world):
    ready, _kpis = evidence_world
    # The trainer (granted JP) sees none of A1's QA, 1:1s, KPIs or training.
    found = evidence_of(world.trainer, ready.review)
    assert found.qa.n == 0 and found.qa.mean is None
    assert found.kpis == [] and found.one_on_ones.expected == 0
    assert found.training.assigned == 0 and found.goals[ready.goals[0].id].check_ins == ()


# ---- a fixed number of statements ------------------------------------------------------------


def test_the_evidence_takes_the_same_statements_however_much_data(app, world, evidence_world):
    ready, kpis = evidence_world
    review = ready.review
    assert review.goals and review.cycle and review.person  # loaded by the page before
    with count_queries(app) as before:
        evidence_of(world.sup_a, review)
    # More of everything: check-ins, evaluations, KPI values, meetings, assignments.
    for goal in ready.goals:
        for value in ("17", "16", "15"):
            check_in(goal, world.sup_a, value)
    card = pw.make_card(world.qa)
    full = pw.answers_for(card, "yes", 4, "Full")
    for day in range(1, 20):
        pw.evaluate(card, world.agent_a1, world.sup_a, date(2026, 8, day), full)
        add_value(world.agent_a1, kpis.csat, date(2026, 8, day), value="4.1", weight="3")
    series = db.session.execute(
        select(OneOnOneSeries).where(OneOnOneSeries.person_id == world.agent_a1.id)
    ).scalar_one()
    for week in range(3):
        pw.meeting(series, date(2026, 9, 14) + timedelta(weeks=week), "held")
    course = pw._course(world, "More")
    pw._assign(world, course, world.agent_a1, date(2026, 9, 1))
    db.session.commit()
    db.session.expire_all()
    assert review.goals and review.cycle and review.person
    with count_queries(app) as after:
        found = evidence_of(world.sup_a, review)
    assert found.qa.n == 22 and found.training.assigned == 3 and found.one_on_ones.held == 5
    assert len(after) == len(before)


# ---- pure figures ----------------------------------------------------------------------------


def summary(values, minimum=2):
    exact = [Decimal(str(v)) for v in values]
    aggregate = rollups.Aggregate(len(exact), len(exact), sum(exact), sum(v * v for v in exact), 0)
    return rollups.summarise(aggregate, minimum)


@pytest.mark.parametrize(
    ("values", "minimum", "expected"),
    [
        ([], 1, (0, None, None, None)),
        ([80], 1, (1, Decimal("80.0"), None, None)),  # one score: no interval
        ([80], 2, (1, None, None, None)),  # below the minimum: no mean
        ([80, 90], 2, (2, Decimal("85.0"), Decimal("21.5"), Decimal("100.0"))),
        ([50, 50, 50], 2, (3, Decimal("50.0"), Decimal("50.0"), Decimal("50.0"))),
        ([0, 5], 2, (2, Decimal("2.5"), Decimal("0.0"), Decimal("34.3"))),  # clipped at 0
        ([70.25, 70.35], 1, (2, Decimal("70.3"), Decimal("69.7"), Decimal("70.9"))),
    ],
)
def test_qa_figure_rounds_once_and_clips_the_interval_to_the_scale(values, minimum, expected):
    figure = ev.qa_figure(summary(values, minimum), minimum)
    assert (figure.n, figure.mean, figure.low, figure.high) == expected
    assert figure.minimum == minimum


def info(kpi_id, direction="higher", aggregation="mean", unit="", by_team=None, by_market=None):
    return KpiInfo(
        id=kpi_id,
        code=f"k{kpi_id}",
        name=f"K{kpi_id}",
        unit=unit,
        direction=direction,
        aggregation=aggregation,
        decimals=1,
        targets=TargetSet(by_market=by_market or {}, by_team=by_team or {}),
    )


def test_kpi_evidence_takes_the_team_target_then_the_market_and_skips_empty_kpis():
    kpis = [
        info(1, by_team={7: Decimal("10")}, by_market={3: Decimal("5")}),
        info(2, "lower", by_market={3: Decimal("5")}),
        info(3, by_team={8: Decimal("1")}),  # another team's target only
        info(4),  # no values
        info(5, aggregation="rate", unit="%", by_team={7: Decimal("50")}),
    ]
    sums = {
        1: Sums(n=2, value_sum=Decimal("18")),
        2: Sums(n=1, value_sum=Decimal("6")),
        3: Sums(n=1, value_sum=Decimal("2")),
        4: Sums(),
        5: Sums(n=2, numerator_sum=Decimal("1"), denominator_sum=Decimal("4")),
    }
    rows = {row.kpi.id: row for row in ev.kpi_evidence(kpis, sums, 7, 3)}
    assert set(rows) == {1, 2, 3, 5}
    assert (rows[1].figure.value, rows[1].target, rows[1].meets) == (Decimal("9"), 10, False)
    assert rows[1].attainment == Decimal("0.9")
    assert (rows[2].target, rows[2].meets) == (Decimal("5"), False)  # 6 > 5, lower is better
    assert (rows[3].target, rows[3].meets, rows[3].attainment) == (None, None, None)
    assert (rows[5].figure.value, rows[5].meets) == (Decimal("25"), False)  # 1/4 → 25 %
    # Without a team, the market's target; without either, none.
    assert ev.kpi_evidence(kpis[:1], sums, None, 3)[0].target == Decimal("5")
    assert ev.kpi_evidence(kpis[:1], sums, None, None)[0].target is None
