"""Builders for training tests: courses with assessments, assignments, QA answers."""

from __future__ import annotations

from datetime import UTC, date, datetime

from portal.extensions import db
from portal.qa.evaluation_models import Evaluation, EvaluationAnswer, EvaluationRevision
from portal.qa.models import Contact
from portal.training import assignments, courses
from portal.training.assignments import Audience
from portal.training.courses import CourseFields


def course(by, title="Product basics MK-COURSE", kind="elearning", **overrides):
    fields = dict(
        title=title,
        description="",
        kind=kind,
        url=None,
        duration_minutes=30,
        competencies="Product knowledge",
        is_mandatory=True,
        pass_mark=None,
        attempts_allowed=None,
        time_limit_minutes=None,
        qa_question_ids=(),
    )
    fields.update(overrides)
    return courses.create_course(by, CourseFields(**fields))


def with_assessment(course_, by, *, pass_mark=50, attempts=None, time_limit=None):
    """Two questions: Q1 single (A correct), Q2 multiple (X and Y correct, Z wrong)."""
    course_.pass_mark = pass_mark
    course_.attempts_allowed = attempts
    course_.time_limit_minutes = time_limit
    db.session.commit()
    courses.add_question(
        course_, by, text="Q1", is_multiple=False, choices=[("A", True), ("B", False)]
    )
    courses.add_question(
        course_, by, text="Q2", is_multiple=True, choices=[("X", True), ("Y", True), ("Z", False)]
    )
    return courses.get_course(course_.id)


def correct_answers(course_):
    return {q.id: frozenset(c.id for c in q.choices if c.is_correct) for q in course_.questions}


def wrong_answers(course_):
    return {q.id: frozenset(c.id for c in q.choices if not c.is_correct) for q in course_.questions}


def assign(by, course_, due_on=date(2030, 1, 1), **audience):
    return assignments.create_assignment(
        by, course_, Audience(**audience), due_on, assignments.new_token(), url="/training/"
    )


def scorecard_questions(qa_person, n=2):
    """A published-enough scorecard with n yes/no questions; returns the question ids."""
    from portal.qa import scorecard_builder as builder
    from portal.qa import scorecards
    from portal.qa.scorecard_rules import QuestionFields

    card = scorecards.create_scorecard(
        qa_person, name="Gap card", description="", channels=[], market_ids=[]
    )
    builder.add_section(card, qa_person, expected_version=card.version, title="S", weight="100")
    section_id = card.current_version.sections[0].id
    for i in range(n):
        fields = QuestionFields(
            text=f"Question {i}",
            guidance="",
            answer_type="yes_no",
            points=1,
            scale_max=None,
            na_allowed=True,
            critical_scope=None,
        )
        builder.add_question(
            card, section_id, qa_person, expected_version=card.version, fields=fields
        )
    return card, [q.id for q in card.current_version.sections[0].questions]


_ext = iter(range(1, 10**6))


def evaluation(agent, evaluator, card, outcomes, *, status="submitted", at=None, revision=1):
    """An evaluation of `agent` whose current revision answers {question id: "fail" | "pass" |
    "na"}; earlier revisions (when revision > 1) fail every question."""
    at = at or datetime(2026, 11, 1, tzinfo=UTC)
    contact = Contact(
        channel="phone",
        source="test",
        external_id=f"EXT-{next(_ext)}",
        person_id=agent.id,
        occurred_at=at,
        direction="inbound",
    )
    db.session.add(contact)
    db.session.flush()
    ev = Evaluation(
        contact_id=contact.id,
        person_id=agent.id,
        evaluator_id=evaluator.id,
        scorecard_version_id=card.current_version.id,
        status=status,
        revision_number=revision,
        submitted_at=None if status == "draft" else at,
    )
    db.session.add(ev)
    db.session.flush()
    for number in range(1, revision + 1):
        rev = EvaluationRevision(evaluation_id=ev.id, number=number, author_id=evaluator.id)
        db.session.add(rev)
        db.session.flush()
        for qid, outcome in outcomes.items():
            if number < revision:
                outcome = "fail"
            db.session.add(
                EvaluationAnswer(
                    revision_id=rev.id,
                    question_id=qid,
                    value={"fail": "no", "pass": "yes", "na": "na"}[outcome],
                    earned=None if outcome == "na" else (0 if outcome == "fail" else 1),
                    possible=None if outcome == "na" else 1,
                    failed=outcome == "fail",
                )
            )
    db.session.commit()
    return ev
