"""The evaluation lifecycle as services: who may score, the server-side score, every
transition allowed and refused, versions kept, conflicts detected, notifications raised."""

from __future__ import annotations

from fractions import Fraction

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEntry
from portal.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from portal.extensions import db
from portal.notify.models import Notification
from portal.qa import evaluations
from portal.qa import scorecard_builder as builder
from portal.qa.evaluation_models import Evaluation, EvaluationAnswer
from tests.qa.evaluation_helpers import (
    FULL_SCORE,
    card_for,
    choice_key,
    full_answers,
    make_contact,
    questions,
    submitted,
)
from tests.qa.test_scorecards import yes_no


@pytest.fixture
def card(world):
    return card_for(world)


def notes_for(person) -> list[str]:
    return list(
        db.session.scalars(select(Notification.kind).where(Notification.person_id == person.id))
    )


def test_a_supervisor_scores_a_contact_and_the_server_computes_the_score(world, card):
    evaluation = submitted(world, card)
    db.session.expire_all()
    stored = db.session.get(Evaluation, evaluation.id)
    assert stored.status == "submitted"
    assert Fraction(stored.score_exact) == FULL_SCORE
    assert float(stored.score) == pytest.approx(94.28571429)
    assert stored.critical_failed is False
    assert stored.scorecard_version.is_locked
    answers = db.session.scalars(
        select(EvaluationAnswer).where(EvaluationAnswer.revision_id == stored.current_revision.id)
    ).all()
    need = next(a for a in answers if a.question_id == questions(card)["Need understood"])
    assert (need.value, need.earned, need.possible, need.failed) == ("3", 3, 4, True)
    assert notes_for(world.agent_a1) == ["evaluation.submitted"]
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["evaluation.start", "evaluation.submit"]


def test_a_failed_evaluation_scope_critical_question_scores_zero(world, card):
    evaluation = submitted(world, card, Identity_verified="no")
    assert Fraction(evaluation.score_exact) == 0 and evaluation.critical_failed


def test_a_failed_section_scope_critical_sets_its_section_to_zero(world, card):
    evaluation = submitted(world, card, Solution_correct=choice_key(card, "None"))
    # Opening 100 % x 20; Resolution 0 (critical) -> 20 %.
    assert Fraction(evaluation.score_exact) == 20 and evaluation.critical_failed


def test_na_on_identity_drops_it_from_both_sides(world, card):
    evaluation = submitted(world, card, Identity_verified="na")
    # Opening 5/5 = 100 %; same overall as with "yes".
    assert Fraction(evaluation.score_exact) == FULL_SCORE


def test_submitting_needs_every_question_answered_and_names_the_missing_one(world, card):
    contact = make_contact(world.agent_a1)
    evaluation = evaluations.start(world.sup_a, contact, card.current_version)
    form = full_answers(card)
    missing = f"q-{questions(card)['Greeting']}"
    del form[missing]
    with pytest.raises(ValidationFailed) as refused:
        evaluations.save(
            world.sup_a, evaluation, form, expected_version=evaluation.version, submit=True
        )
    assert list(refused.value.field_errors) == [missing]
    db.session.rollback()


def test_a_draft_keeps_partial_answers_and_only_its_evaluator_sees_it(world, card):
    contact = make_contact(world.agent_a1)
    evaluation = evaluations.start(world.sup_a, contact, card.current_version)
    form = {f"q-{questions(card)['Greeting']}": "no", f"c-{questions(card)['Greeting']}": "Rushed"}
    evaluations.save(
        world.sup_a, evaluation, form, expected_version=evaluation.version, submit=False
    )
    assert (
        evaluations.form_values(evaluation.current_revision)[f"q-{questions(card)['Greeting']}"]
        == "no"
    )
    with pytest.raises(NotFound):
        evaluations.get_evaluation(world.agent_a1, evaluation.id)
    with pytest.raises(NotFound):
        evaluations.get_evaluation(world.agent_a2, evaluation.id)
    for colleague in (world.manager_hk, world.qa, world.hr):
        with pytest.raises(NotFound):
            evaluations.get_evaluation(colleague, evaluation.id)
    assert evaluations.get_evaluation(world.sup_a, evaluation.id).id == evaluation.id
    assert notes_for(world.agent_a1) == []


def test_an_unreadable_answer_is_refused_even_in_a_draft(world, card):
    contact = make_contact(world.agent_a1)
    evaluation = evaluations.start(world.sup_a, contact, card.current_version)
    field = f"q-{questions(card)['Need understood']}"
    with pytest.raises(ValidationFailed) as refused:
        evaluations.save(
            world.sup_a, evaluation, {field: "9"}, expected_version=evaluation.version, submit=False
        )
    assert field in refused.value.field_errors
    db.session.rollback()


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("sup_a", True),  # the agent's supervisor
        ("manager_hk", True),  # the supervisor line above
        ("qa", True),  # QA analyst granted the agent's team
        ("agent_a1", False),  # never oneself
        ("agent_a2", False),  # a peer
        ("sup_b", False),  # another team's supervisor
        ("hr", False),  # HR reads every evaluation but does not score
        ("trainer", False),
    ],
)
def test_who_may_evaluate_an_agent(world, card, who, allowed):
    contact = make_contact(world.agent_a1)
    person = getattr(world, who)
    if allowed:
        assert (
            evaluations.start(person, contact, card.current_version).person_id == contact.person_id
        )
    else:
        with pytest.raises(Forbidden):
            evaluations.start(person, contact, card.current_version)


def test_starting_twice_finds_the_same_evaluation(world, card):
    contact = make_contact(world.agent_a1)
    first = evaluations.start(world.sup_a, contact, card.current_version)
    db.session.commit()
    second = evaluations.start(world.qa, contact, card.current_version)
    assert first.id == second.id
    count = db.session.scalar(
        select(func.count()).select_from(Evaluation).where(Evaluation.contact_id == contact.id)
    )
    assert count == 1


def test_a_new_evaluation_form_sent_twice_saves_into_one_draft(world, card):
    contact = make_contact(world.agent_a1)
    first = evaluations.start_new(world.sup_a, contact, card.current_version)
    db.session.commit()
    again = evaluations.start_new(world.sup_a, contact, card.current_version)
    assert again.id == first.id


def test_a_new_evaluation_form_meets_a_colleagues_draft_or_a_finished_one(world, card):
    contact = make_contact(world.agent_a1)
    theirs = evaluations.start_new(world.sup_a, contact, card.current_version)
    db.session.commit()
    with pytest.raises(evaluations.StartedByOther) as other:
        evaluations.start_new(world.qa, contact, card.current_version)
    assert other.value.evaluation.id == theirs.id and other.value.status == 409
    assert world.sup_a.name in other.value.message
    done = submitted(world, card)
    with pytest.raises(evaluations.AlreadyEvaluated) as again:
        evaluations.start_new(world.sup_a, done.contact, card.current_version)
    assert again.value.evaluation.id == done.id


def test_a_scorecard_for_another_channel_is_refused(world, card):
    contact = make_contact(world.agent_a1, channel="email")
    assert evaluations.scorecards_for_contact(contact) == []
    with pytest.raises(ValidationFailed):
        evaluations.start(world.sup_a, contact, card.current_version)


def test_two_evaluators_editing_the_same_draft_the_second_is_told(world, card):
    contact = make_contact(world.agent_a1)
    evaluation = evaluations.start(world.sup_a, contact, card.current_version)
    db.session.commit()
    seen_by_both = evaluation.version
    greeting = f"q-{questions(card)['Greeting']}"
    evaluations.save(
        world.sup_a, evaluation, {greeting: "yes"}, expected_version=seen_by_both, submit=False
    )
    with pytest.raises(Conflict):
        evaluations.save(
            world.qa, evaluation, {greeting: "no"}, expected_version=seen_by_both, submit=False
        )


def test_the_agent_acknowledges_once_and_only_the_agent(world, card):
    evaluation = submitted(world, card)
    with pytest.raises(Forbidden):
        evaluations.acknowledge(world.sup_a, evaluation, expected_version=evaluation.version)
    evaluations.acknowledge(world.agent_a1, evaluation, expected_version=evaluation.version)
    assert evaluation.status == "acknowledged" and evaluation.acknowledged_at
    assert "evaluation.acknowledged" in notes_for(world.sup_a)
    with pytest.raises(InvalidTransition):
        evaluations.acknowledge(world.agent_a1, evaluation, expected_version=evaluation.version)
    with pytest.raises(InvalidTransition):  # acknowledged: no dispute any more
        evaluations.dispute(
            world.agent_a1,
            evaluation,
            reason="late",
            question_reasons={},
            expected_version=evaluation.version,
        )


def test_a_dispute_needs_a_reason_overall_or_on_a_question(world, card):
    evaluation = submitted(world, card)
    with pytest.raises(ValidationFailed) as refused:
        evaluations.dispute(
            world.agent_a1,
            evaluation,
            reason=" ",
            question_reasons={},
            expected_version=evaluation.version,
        )
    assert "reason" in refused.value.field_errors
    need = questions(card)["Need understood"]
    evaluations.dispute(
        world.agent_a1,
        evaluation,
        reason="",
        question_reasons={need: "I did confirm the need"},
        expected_version=evaluation.version,
    )
    assert evaluation.status == "disputed"
    assert evaluation.dispute_questions == {str(need): "I did confirm the need"}
    assert "evaluation.disputed" in notes_for(world.sup_a)


def disputed(world, card) -> Evaluation:
    evaluation = submitted(world, card)
    evaluations.dispute(
        world.agent_a1,
        evaluation,
        reason="Unfair",
        question_reasons={},
        expected_version=evaluation.version,
    )
    return evaluation


def test_upholding_needs_a_reason_and_happens_once(world, card):
    evaluation = disputed(world, card)
    with pytest.raises(Forbidden):
        evaluations.uphold(
            world.agent_a1, evaluation, reason="mine", expected_version=evaluation.version
        )
    with pytest.raises(ValidationFailed):
        evaluations.uphold(world.sup_a, evaluation, reason="", expected_version=evaluation.version)
    seen = evaluation.version
    evaluations.uphold(
        world.sup_a, evaluation, reason="The recording is clear", expected_version=seen
    )
    assert (evaluation.status, evaluation.resolution) == ("resolved", "upheld")
    assert "evaluation.upheld" in notes_for(world.agent_a1)
    # The same dispute resolved a second time, from a page opened before the first: told.
    with pytest.raises(Conflict):
        evaluations.uphold(world.qa, evaluation, reason="Again", expected_version=seen)
    with pytest.raises(InvalidTransition):
        evaluations.uphold(
            world.qa, evaluation, reason="Again", expected_version=evaluation.version
        )


def test_a_rescore_is_a_new_version_that_replaces_the_result_and_keeps_the_old(world, card):
    evaluation = disputed(world, card)
    form = full_answers(card, Need_understood="4")
    revision = evaluations.rescore(
        world.qa, evaluation, form, reason="Need was confirmed", expected_version=evaluation.version
    )
    db.session.expire_all()
    evaluation = db.session.get(Evaluation, evaluation.id)
    assert revision.number == 2 and evaluation.revision_number == 2
    # Resolution 14/14: (20 x 100 + 80 x 100) / 100 = 100.
    assert Fraction(evaluation.score_exact) == 100
    first, second = evaluation.revisions
    assert Fraction(first.score_exact) == FULL_SCORE and Fraction(second.score_exact) == 100
    assert (evaluation.status, evaluation.resolution) == ("resolved", "rescored")
    changes = evaluations.diff_revisions(evaluation, 2)
    assert [(c.before, c.after) for c in changes] == [("3", "4")]
    assert "evaluation.rescored" in notes_for(world.agent_a1)


def test_a_rescore_without_reason_or_with_missing_answers_is_refused(world, card):
    evaluation = disputed(world, card)
    form = full_answers(card)
    del form[f"q-{questions(card)['Greeting']}"]
    with pytest.raises(ValidationFailed) as refused:
        evaluations.rescore(
            world.sup_a, evaluation, form, reason="", expected_version=evaluation.version
        )
    assert "reason" in refused.value.field_errors
    assert f"q-{questions(card)['Greeting']}" in refused.value.field_errors
    db.session.rollback()


def test_editing_a_scorecard_in_use_leaves_old_scores_unchanged(world, card):
    evaluation = submitted(world, card)
    old_version_id = evaluation.scorecard_version_id
    greeting = questions(card)["Greeting"]
    builder.edit_question(
        card, greeting, world.qa, expected_version=card.version, fields=yes_no("Warm greeting", 50)
    )
    db.session.expire_all()
    evaluation = db.session.get(Evaluation, evaluation.id)
    assert evaluation.scorecard_version_id == old_version_id
    assert card.current_version.id != old_version_id
    assert Fraction(evaluation.score_exact) == FULL_SCORE
    # Scored again from its stored answers on its own version, it is still the same.
    answers = evaluations.revision_answers(evaluation.current_revision)
    spec = evaluation.scorecard_version.spec()
    typed = {q.id: evaluations.typed_value(q, answers[q.id][0]) for q in spec.questions()}
    from portal.qa import scoring

    assert scoring.score(spec, typed).overall == FULL_SCORE
