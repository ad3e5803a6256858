"""Skill gaps from hand-built QA evaluations: only submitted ones, the current revision, N/A
left out, the viewer's training scope, the courses mapped to the questions."""

from datetime import UTC, datetime

from portal.training import gap_queries
from tests.conftest import as_user
from tests.training import helpers

START = datetime(2026, 10, 1, tzinfo=UTC)
END = datetime(2026, 12, 1, tzinfo=UTC)


def counts(viewer, **kw):
    return {
        c.question_id: (c.failed, c.answered)
        for c in gap_queries.question_counts(viewer, start=START, end=END, **kw)
    }


def test_counts_follow_the_rules(app, world):
    card, (q1, q2) = helpers.scorecard_questions(world.qa)
    helpers.evaluation(world.agent_c1, world.sup_c, card, {q1: "fail", q2: "pass"})
    helpers.evaluation(
        world.agent_c1, world.sup_c, card, {q1: "fail", q2: "na"}, status="acknowledged"
    )
    helpers.evaluation(
        world.agent_c1, world.sup_c, card, {q1: "pass", q2: "fail"}, status="resolved", revision=2
    )
    helpers.evaluation(world.agent_c1, world.sup_c, card, {q1: "fail", q2: "fail"}, status="draft")
    helpers.evaluation(
        world.agent_c1,
        world.sup_c,
        card,
        {q1: "fail", q2: "fail"},
        at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    # q1: fail, fail, pass (revision 2 only; revision 1 failed everything) -> 2 of 3;
    # q2: pass, N/A, fail -> 1 of 2
    assert counts(world.hr) == {q1: (2, 3), q2: (1, 2)}
    assert counts(world.hr, person_id=world.agent_c1.id) == {q1: (2, 3), q2: (1, 2)}
    assert counts(world.hr, team_id=world.team_a.id) == {}


def test_trainers_count_only_their_granted_people(app, world):
    card, (q1, _q2) = helpers.scorecard_questions(world.qa)
    helpers.evaluation(world.agent_c1, world.sup_c, card, {q1: "fail"})
    helpers.evaluation(world.agent_a1, world.sup_a, card, {q1: "fail"})
    assert counts(world.trainer) == {q1: (1, 1)}  # JP only
    assert counts(world.sup_a) == {q1: (1, 1)}  # own subtree
    assert counts(world.agent_a2) == {}


def test_skill_gap_page_suggests_the_mapped_course_and_links_to_assign(app, client, world):
    card, (q1, q2) = helpers.scorecard_questions(world.qa)
    course = helpers.course(world.trainer, title="Greeting course", qa_question_ids=(q1,))
    for _ in range(3):
        helpers.evaluation(
            world.agent_c1, world.sup_c, card, {q1: "fail", q2: "pass"}, at=datetime.now(UTC)
        )
    as_user(client, world.trainer)
    body = client.get(f"/training/skill-gaps?team={world.team_c.id}").get_data(as_text=True)
    assert "Question 0" in body and "Question 1" not in body
    assert "3 of 3" in body and "Greeting course" in body
    assert f"/training/courses/{course.id}/assign?team={world.team_c.id}" in body
    as_user(client, world.agent_c1)
    assert client.get("/training/skill-gaps").status_code == 403


def test_failure_rate_before_and_after_the_course_is_shown_with_counts(app, client, world):
    from datetime import date

    from portal.training import assignments

    card, (q1, q2) = helpers.scorecard_questions(world.qa)
    course = helpers.course(world.trainer, kind="classroom", qa_question_ids=(q1,))
    for day, outcome in ((1, "fail"), (2, "fail"), (3, "pass"), (20, "pass"), (21, "pass")):
        helpers.evaluation(
            world.agent_c1, world.sup_c, card, {q1: outcome, q2: "fail"},
            at=datetime(2026, 10, day, 9, tzinfo=UTC),
        )  # fmt: skip
    assignments.confirm_completion(world.trainer, world.agent_c1, course, date(2026, 10, 10))
    [(course_id, move)] = gap_queries.movements_for(world.agent_c1.id)
    assert course_id == course.id and move.question_id == q1
    assert (move.before.failed, move.before.answered) == (2, 3)
    assert (move.after.failed, move.after.answered) == (0, 2)
    as_user(client, world.trainer)
    body = client.get(f"/training/people/{world.agent_c1.id}").get_data(as_text=True)
    assert "2 failed of 3" in body and "0 failed of 2" in body
    assert ">improved<" not in body  # 3 answers before and 2 since say too little
    assert "not enough answers to compare (n = 3 before, 2 since; at least 5 each)" in body


def test_the_improved_label_shows_with_five_answers_on_each_side(app, client, world):
    from datetime import date

    from portal.training import assignments

    card, (q1, q2) = helpers.scorecard_questions(world.qa)
    course = helpers.course(world.trainer, kind="classroom", qa_question_ids=(q1,))
    before = ("fail", "fail", "fail", "pass", "pass")
    after = ("pass", "pass", "pass", "pass", "fail")
    for day, outcome in [*enumerate(before, start=1), *enumerate(after, start=20)]:
        helpers.evaluation(
            world.agent_c1, world.sup_c, card, {q1: outcome, q2: "fail"},
            at=datetime(2026, 10, day, 9, tzinfo=UTC),
        )  # fmt: skip
    assignments.confirm_completion(world.trainer, world.agent_c1, course, date(2026, 10, 10))
    as_user(client, world.trainer)
    body = client.get(f"/training/people/{world.agent_c1.id}").get_data(as_text=True)
    assert "3 failed of 5" in body and "1 failed of 5" in body and ">improved<" in body
    assert "not enough answers" not in body
