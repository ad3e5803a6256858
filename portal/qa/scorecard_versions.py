"""Which version of a scorecard an edit changes, freezing a version in use, and publishing checks.

The rule (DESIGN.md): an evaluation keeps the version it was scored on, so old scores never
change. A version is edited in place while no evaluation uses it; once one does (`is_locked`),
the next edit copies it into version N+1 and changes the copy, leaving version N exactly as it
was. Rewording a question is an edit like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from portal.db import utcnow
from portal.errors import InvalidTransition
from portal.extensions import db
from portal.org.models import Person
from portal.qa import scoring
from portal.qa.models import (
    AnswerType,
    QuestionChoice,
    Scorecard,
    ScorecardQuestion,
    ScorecardSection,
    ScorecardVersion,
)


@dataclass
class EditTarget:
    """The version an edit lands in, and where the rows named in the request are in it."""

    version: ScorecardVersion
    copied_from: ScorecardVersion | None = None
    sections: dict[int, ScorecardSection] = field(default_factory=dict)
    questions: dict[int, ScorecardQuestion] = field(default_factory=dict)
    choices: dict[int, QuestionChoice] = field(default_factory=dict)


def current_rows(scorecard: Scorecard) -> EditTarget:
    """The current version's rows by id, changing nothing (to look up and validate first)."""
    current = scorecard.current_version
    assert current is not None, "every scorecard has a version from its creation"
    rows = EditTarget(current)
    for section in current.sections:
        rows.sections[section.id] = section
        for question in section.questions:
            rows.questions[question.id] = question
            rows.choices.update({c.id: c for c in question.choices})
    return rows


def editable_version(scorecard: Scorecard, by: Person) -> EditTarget:
    """The current version while unused (a published one becomes a draft again), else a copy
    of it as version N+1, which becomes current. Maps the current rows' ids to the target's rows.
    Flushes."""
    current = scorecard.current_version
    assert current is not None, "every scorecard has a version from its creation"
    if not current.is_locked:
        current.published_at = None
        return current_rows(scorecard)
    copy = ScorecardVersion(
        scorecard=scorecard,
        number=max(v.number for v in scorecard.versions) + 1,
        created_by_id=by.id,
    )
    target = EditTarget(copy, copied_from=current)
    for section in current.sections:
        new_section = ScorecardSection(
            position=section.position, title=section.title, weight=section.weight
        )
        copy.sections.append(new_section)
        target.sections[section.id] = new_section
        for question in section.questions:
            new_question = _copy_question(question)
            new_section.questions.append(new_question)
            target.questions[question.id] = new_question
            for choice, new_choice in zip(question.choices, new_question.choices, strict=True):
                target.choices[choice.id] = new_choice
    scorecard.current_version = copy
    db.session.flush()
    return target


def _copy_question(question: ScorecardQuestion) -> ScorecardQuestion:
    return ScorecardQuestion(
        position=question.position,
        text=question.text,
        guidance=question.guidance,
        answer_type=question.answer_type,
        points=question.points,
        scale_max=question.scale_max,
        na_allowed=question.na_allowed,
        critical_scope=question.critical_scope,
        choices=[
            QuestionChoice(
                position=c.position, label=c.label, points=c.points, is_failing=c.is_failing
            )
            for c in question.choices
        ],
    )


def lock_version(version: ScorecardVersion) -> None:
    """Freeze a published version because an evaluation now uses it. Flushes; the caller
    commits. Touching the scorecard bumps its version column, so a builder edit racing with
    the first evaluation is refused as a conflict instead of changing a version in use."""
    if not version.is_published:
        raise InvalidTransition(_("Only a published scorecard version can be used to evaluate."))
    if version.is_locked:
        return
    version.is_locked = True
    version.scorecard.updated_at = utcnow()
    db.session.flush()


def live_version(scorecard: Scorecard) -> ScorecardVersion | None:
    """The newest published version: the one new evaluations use (None: nothing published)."""
    stmt = (
        select(ScorecardVersion)
        .where(
            ScorecardVersion.scorecard_id == scorecard.id,
            ScorecardVersion.published_at.is_not(None),
        )
        .order_by(ScorecardVersion.number.desc())
        .limit(1)
    )
    return db.session.execute(stmt).scalar_one_or_none()


def publish_problems(version: ScorecardVersion) -> list[str]:
    """Why this version cannot be published yet, in the builder's words (empty: it can)."""
    problems: list[str] = []
    if not version.sections:
        problems.append(_("Add at least one section."))
    for section in version.sections:
        if not section.questions:
            problems.append(_("Section “%(title)s” has no questions.", title=section.title))
        for question in section.questions:
            problems += _question_problems(question)
    if problems:
        return problems
    try:
        scoring.validate_card(version.spec())
    except scoring.InvalidCard as invalid:
        # Anything the checks above missed, in the score arithmetic's own words.
        problems += list(invalid.problems)
    return problems


def _question_problems(question: ScorecardQuestion) -> list[str]:
    if question.answer_type != AnswerType.CHOICE:
        return []
    label = question.text[:60]
    if not question.choices:
        return [_("Question “%(q)s” needs at least one choice.", q=label)]
    if not any(choice.points > 0 for choice in question.choices):
        return [_("Question “%(q)s”: at least one choice must be worth points.", q=label)]
    return []
