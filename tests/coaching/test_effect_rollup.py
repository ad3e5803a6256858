"""The coaching effect rolled up per coach, team and question: before/after with n on each
side, "not enough data" below effect.MIN_EVALUATIONS, only the sessions the viewer may see."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.coaching import effect, sessions
from portal.coaching.effect import MIN_EVALUATIONS, Outcome, SessionOutcomes
from portal.coaching.effect_queries import effect_roll_ups
from tests.coaching.helpers import make_evaluation, scorecard_question_ids
from tests.conftest import as_user, count_queries

DAY = datetime(2026, 3, 10, tzinfo=UTC)


def s(sid, outcomes, *, coach=1, team=1, questions=(7,), at=DAY):
    return SessionOutcomes(sid, coach, team, at, frozenset(questions), tuple(outcomes))


def o(eid, days, qid, earned, possible=1):
    return Outcome(eid, DAY + timedelta(days=days), qid, earned, possible)


# --- pure ----------------------------------------------------------------------------------------


def test_two_sessions_pool_their_answers_with_n_on_each_side():
    first = s(1, [o(1, -3, 7, 0), o(2, -2, 7, 0), o(3, 2, 7, 1), o(4, 3, 7, 1)])
    second = s(2, [o(5, -5, 7, 1), o(6, -4, 7, 0), o(7, 1, 7, 1), o(8, 2, 7, 0)])
    rolled = effect.pooled_effect([first, second])
    assert rolled.sessions == 2 and rolled.waiting == 0
    before, after = rolled.effect.before, rolled.effect.after
    assert (before.average, before.answers, before.evaluations) == (Fraction(1, 4), 4, 4)
    assert (after.average, after.answers, after.evaluations) == (Fraction(3, 4), 4, 4)
    assert rolled.effect.enough and rolled.effect.change == Fraction(1, 2)


def test_a_session_without_results_on_one_side_waits_and_is_left_out():
    counted = s(1, [o(1, -3, 7, 0), o(2, -2, 7, 0), o(3, -1, 7, 0), o(4, 1, 7, 1)])
    too_recent = s(2, [o(5, -5, 7, 1), o(6, -4, 7, 1)])  # nothing since the session yet
    rolled = effect.pooled_effect([counted, too_recent])
    assert rolled.sessions == 1 and rolled.waiting == 1
    assert rolled.effect.before.answers == 3 and rolled.effect.before.average == 0
    assert not rolled.effect.enough and rolled.effect.change is None  # 1 evaluation after


def test_an_evaluation_counts_once_per_session_it_falls_in():
    # The same agent coached twice: evaluation 9 is "after" the first and "before" the second.
    first = s(1, [o(1, -9, 7, 0), o(9, 0, 7, 1)], at=DAY - timedelta(days=5))
    second = s(2, [o(1, -9, 7, 0), o(9, 0, 7, 1), o(10, 2, 7, 1)], at=DAY + timedelta(days=1))
    rolled = effect.pooled_effect([first, second])
    assert rolled.effect.before.evaluations == 3 and rolled.effect.after.evaluations == 2


def test_roll_up_by_coach_and_team_and_question():
    rows = [
        s(1, [o(1, -1, 7, 0), o(1, -1, 8, 1), o(2, 1, 7, 1), o(2, 1, 8, 1)], coach=5, team=1,
          questions=(7, 8)),
        s(2, [o(3, -1, 7, 1), o(4, 1, 7, 0)], coach=6, team=1),
        s(3, [o(5, -1, 8, 0)], coach=6, team=None, questions=(8,)),
    ]  # fmt: skip
    by_coach = effect.roll_up(rows, lambda x: x.coach_id)
    assert list(by_coach) == [5, 6]
    assert by_coach[5].effect.before.average == Fraction(1, 2)
    assert by_coach[5].effect.after.average == 1
    assert (by_coach[6].sessions, by_coach[6].waiting) == (1, 1)
    by_team = effect.roll_up(rows, lambda x: x.team_id)
    assert by_team[1].sessions == 2 and by_team[None].waiting == 1
    by_question = effect.by_question(rows)
    assert list(by_question) == [7, 8]
    assert by_question[7].sessions == 2 and by_question[7].effect.before.average == Fraction(1, 2)
    assert by_question[8].sessions == 1 and by_question[8].waiting == 1
    assert by_question[8].effect.before.average == 1


sessions_strategy = st.lists(
    st.builds(
        lambda sid, coach, rows: s(
            sid,
            [o(sid * 100 + i, d, q, min(e, 1)) for i, (d, q, e) in enumerate(rows)],
            coach=coach,
            questions=(7, 8),
        ),
        st.integers(1, 50),
        st.integers(1, 3),
        st.lists(
            st.tuples(st.integers(-20, 20), st.sampled_from([7, 8, 9]), st.integers(0, 1)),
            max_size=10,
        ),
    ),  # fmt: skip
    max_size=8,
    unique_by=lambda x: x.session_id,
)


@settings(max_examples=200, deadline=None)
@given(sessions_strategy)
def test_no_change_is_stated_below_the_threshold_and_groups_add_up(rows):
    for rolled in [
        effect.pooled_effect(rows),
        *effect.roll_up(rows, lambda x: x.coach_id).values(),
    ]:
        e = rolled.effect
        if e.before.evaluations < MIN_EVALUATIONS or e.after.evaluations < MIN_EVALUATIONS:
            assert not e.enough and e.change is None
        else:
            assert e.enough and e.change == e.after.average - e.before.average
        for side in (e.before, e.after):
            assert (side.average is None) == (side.answers == 0)
            if side.average is not None:
                assert 0 <= side.average <= 1
    by_coach = effect.roll_up(rows, lambda x: x.coach_id)
    total = effect.pooled_effect(rows)
    assert sum(r.sessions for r in by_coach.values()) == total.sessions
    assert sum(r.waiting for r in by_coach.values()) == total.waiting == len(rows) - total.sessions
    assert sum(r.effect.before.answers for r in by_coach.values()) == total.effect.before.answers
    assert sum(r.effect.after.evaluations for r in by_coach.values()) == (
        total.effect.after.evaluations
    )


# --- the page ------------------------------------------------------------------------------------


def coached(world, agent, coach, version_id, questions, *, before, after, held_on):
    """A session held on `held_on` with evaluations answering `questions` before and after it:
    `before`/`after` list the points earned (0 or 1) per evaluation. With no questions chosen
    the session is linked to the evaluations before it and addresses the questions failed
    there."""
    at = datetime.combine(held_on, datetime.min.time(), tzinfo=UTC)
    answered = questions or [version_questions(version_id)[0]]
    earlier = [
        make_evaluation(
            world, agent, version_id, submitted_at=at - timedelta(days=i + 1),
            outcomes={q: (earned, 1) for q in answered},
        )
        for i, earned in enumerate(before)
    ]  # fmt: skip
    for i, earned in enumerate(after):
        make_evaluation(
            world, agent, version_id, submitted_at=at + timedelta(hours=10 + i),
            outcomes={q: (earned, 1) for q in answered},
        )  # fmt: skip
    return sessions.create_session(
        coach, agent, held_on=held_on, behaviour="b", commitment="c", follow_up_on=None,
        evaluation_ids=[] if questions else [e.id for e in earlier],
        question_ids=list(questions),
    )  # fmt: skip


def version_questions(version_id):
    from sqlalchemy import select

    from portal.extensions import db
    from portal.qa.models import ScorecardQuestion, ScorecardSection

    return list(
        db.session.scalars(
            select(ScorecardQuestion.id)
            .join(ScorecardSection, ScorecardSection.id == ScorecardQuestion.section_id)
            .where(ScorecardSection.version_id == version_id)
            .order_by(ScorecardQuestion.id)
        )
    )


@pytest.fixture
def coached_world(world):
    version_id, (greet, confirm) = scorecard_question_ids(world)
    held = date.today() - timedelta(days=10)
    coached(world, world.agent_a1, world.sup_a, version_id, [greet],
            before=[0, 0, 1], after=[1, 1, 1], held_on=held)  # fmt: skip
    coached(world, world.agent_a2, world.sup_a, version_id, [greet, confirm],
            before=[0, 1], after=[1], held_on=held)  # fmt: skip
    coached(world, world.agent_c1, world.sup_c, version_id, [confirm],
            before=[0, 0, 0], after=[1, 1, 1], held_on=held)  # fmt: skip
    return world


def test_the_manager_sees_the_roll_up_with_n_and_not_enough_data(client, coached_world):
    w = coached_world
    rolled = effect_roll_ups(w.sup_a, start=date.today() - timedelta(days=30), end=date.today())
    assert rolled.sessions == 2
    [coach] = rolled.by_coach
    assert coach.name == w.sup_a.name and coach.rolled.sessions == 2
    # A1 on greeting 1/3 -> 1, A2 on both questions (0,0 | 1,1) -> (1,1)
    before, after = coach.rolled.effect.before, coach.rolled.effect.after
    assert (before.answers, before.evaluations) == (7, 5) and before.average == Fraction(3, 7)
    assert (after.answers, after.evaluations) == (5, 4) and after.average == 1
    questions = {row.name: row.rolled for row in rolled.by_question}
    assert questions["Greeted the customer"].effect.enough
    assert not questions["Confirmed the fix"].effect.enough  # A2 alone: 2 before, 1 after
    as_user(client, w.sup_a)
    body = client.get("/coaching/effects").get_data(as_text=True)
    assert "Did coaching move the results?" in body and w.sup_a.name in body
    assert "(n = 7 answers in 5 evaluations)" in body and "+57.1" in body
    assert "Not enough data" in body and "Confirmed the fix" in body
    assert w.sup_c.name not in body  # JP's coach is outside sup_a's reach


def test_hr_sees_every_coach_and_peers_see_only_their_own(client, coached_world):
    w = coached_world
    everyone = effect_roll_ups(w.hr, start=date.today() - timedelta(days=30), end=date.today())
    assert {row.name for row in everyone.by_coach} == {w.sup_a.name, w.sup_c.name}
    assert {row.name for row in everyone.by_team} == {w.team_a.name, w.team_c.name}
    own = effect_roll_ups(w.agent_a2, start=date.today() - timedelta(days=30), end=date.today())
    assert own.sessions == 1 and own.by_coach[0].rolled.effect.before.answers == 4
    for outsider in (w.qa, w.trainer):
        nothing = effect_roll_ups(outsider, start=date(2000, 1, 1), end=date.today())
        assert nothing.sessions == 0 and nothing.by_coach == []


def test_the_period_filter_leaves_older_sessions_out(client, coached_world):
    w = coached_world
    rolled = effect_roll_ups(w.hr, start=date.today() - timedelta(days=5), end=date.today())
    assert rolled.sessions == 0
    as_user(client, w.hr)
    body = client.get("/coaching/effects?days=90").get_data(as_text=True)
    assert "Sessions held from" in body
    assert client.get("/coaching/effects?days=7").status_code == 200  # falls back to 180


def test_the_page_does_not_grow_with_sessions(app, world, no_panel_cache):
    version_id, (greet, _confirm) = scorecard_question_ids(world)
    held = date.today() - timedelta(days=10)
    client = as_user(app.test_client(), world.manager_hk)

    def count() -> int:
        client.get("/coaching/effects")
        with count_queries(app) as statements:
            assert client.get("/coaching/effects").status_code == 200
        return len(statements)

    coached(world, world.agent_a1, world.sup_a, version_id, [greet],
            before=[0], after=[1], held_on=held)  # fmt: skip
    coached(world, world.agent_a1, world.sup_a, version_id, [],
            before=[0], after=[1], held_on=held)  # fmt: skip
    small = count()
    for agent, coach in ((world.agent_a2, world.sup_a), (world.agent_b1, world.sup_b)):
        coached(world, agent, coach, version_id, [], before=[0, 1], after=[1], held_on=held)
    sessions.create_session(
        world.sup_a, world.agent_a1, held_on=held, behaviour="b", commitment="c",
        follow_up_on=None, evaluation_ids=[], question_ids=[greet],
    )  # fmt: skip
    assert count() == small


def test_a_session_without_chosen_questions_addresses_those_failed_in_its_evaluations(world):
    version_id, (greet, _confirm) = scorecard_question_ids(world)
    held = date.today() - timedelta(days=10)
    coached(world, world.agent_a1, world.sup_a, version_id, [],
            before=[0, 1, 0], after=[1, 1, 1], held_on=held)  # fmt: skip
    rolled = effect_roll_ups(world.sup_a, start=held, end=date.today())
    [row] = rolled.by_question
    assert row.key == greet and row.rolled.sessions == 1
    assert row.rolled.effect.before.average == Fraction(1, 3) and row.rolled.effect.enough
