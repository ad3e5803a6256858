"""Building a scorecard: sections, questions and choices, added, edited, moved and removed.

Every change looks its row up and validates in the current version first, and only then asks
editable_version for the version to change: the current one while no evaluation uses it, else a
copy as version N+1 (the version in use stays exactly as it was). One unit of work each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from portal import audit
from portal.errors import InvalidTransition, NotFound
from portal.extensions import db
from portal.org.models import Person
from portal.qa import scorecard_rules as rules
from portal.qa.models import (
    AnswerType,
    QuestionChoice,
    Scorecard,
    ScorecardQuestion,
    ScorecardSection,
)
from portal.qa.scorecard_versions import EditTarget, current_rows, editable_version
from portal.qa.scorecards import commit_change, start_change

# ---- sections -------------------------------------------------------------------------------


def add_section(
    scorecard: Scorecard, by: Person, *, expected_version: int, title: str, weight: Any
) -> None:
    """A new section at the end of the current version."""
    start_change(scorecard, by, expected_version)
    title, weight = rules.section_values(title, weight)
    target = editable_version(scorecard, by)
    section = ScorecardSection(
        position=len(target.version.sections) + 1, title=title, weight=weight
    )
    target.version.sections.append(section)
    _finish(scorecard, by, "scorecard.section_add", target, None, section)


def edit_section(
    scorecard: Scorecard,
    section_id: int,
    by: Person,
    *,
    expected_version: int,
    title: str,
    weight: Any,
) -> None:
    """Retitle a section or change its weight."""
    start_change(scorecard, by, expected_version)
    _find(current_rows(scorecard).sections, section_id)
    title, weight = rules.section_values(title, weight)
    target = editable_version(scorecard, by)
    section = target.sections[section_id]
    before = _item_snapshot(section)
    section.title, section.weight = title, weight
    _finish(scorecard, by, "scorecard.section_edit", target, before, section)


def move_section(
    scorecard: Scorecard, section_id: int, by: Person, *, expected_version: int, step: int
) -> None:
    """Move a section one place up (step -1) or down (+1)."""
    _move_item(_SECTION, scorecard, section_id, by, expected_version, step)


def remove_section(
    scorecard: Scorecard, section_id: int, by: Person, *, expected_version: int
) -> None:
    """Remove a section and its questions from the current version (older versions keep it)."""
    _remove_item(_SECTION, scorecard, section_id, by, expected_version)


# ---- questions ------------------------------------------------------------------------------


def add_question(
    scorecard: Scorecard,
    section_id: int,
    by: Person,
    *,
    expected_version: int,
    fields: rules.QuestionFields,
) -> None:
    """A new question at the end of a section."""
    start_change(scorecard, by, expected_version)
    _find(current_rows(scorecard).sections, section_id)
    fields = rules.question_values(fields)
    target = editable_version(scorecard, by)
    section = target.sections[section_id]
    question = ScorecardQuestion(position=len(section.questions) + 1)
    _apply_question(question, fields)
    section.questions.append(question)
    _finish(scorecard, by, "scorecard.question_add", target, None, question)


def edit_question(
    scorecard: Scorecard,
    question_id: int,
    by: Person,
    *,
    expected_version: int,
    fields: rules.QuestionFields,
) -> None:
    """Reword a question or change how it is answered (a new version when in use)."""
    start_change(scorecard, by, expected_version)
    _find(current_rows(scorecard).questions, question_id)
    fields = rules.question_values(fields)
    target = editable_version(scorecard, by)
    question = target.questions[question_id]
    before = _item_snapshot(question)
    _apply_question(question, fields)
    _finish(scorecard, by, "scorecard.question_edit", target, before, question)


def move_question(
    scorecard: Scorecard, question_id: int, by: Person, *, expected_version: int, step: int
) -> None:
    """Move a question one place up (step -1) or down (+1) within its section."""
    _move_item(_QUESTION, scorecard, question_id, by, expected_version, step)


def remove_question(
    scorecard: Scorecard, question_id: int, by: Person, *, expected_version: int
) -> None:
    """Remove a question (and its choices) from the current version."""
    _remove_item(_QUESTION, scorecard, question_id, by, expected_version)


# ---- choices --------------------------------------------------------------------------------


def add_choice(
    scorecard: Scorecard,
    question_id: int,
    by: Person,
    *,
    expected_version: int,
    label: str,
    points: Any,
    is_failing: bool,
) -> None:
    """A new choice at the end of a choice question's list."""
    start_change(scorecard, by, expected_version)
    current = _find(current_rows(scorecard).questions, question_id)
    if current.answer_type != AnswerType.CHOICE:
        raise InvalidTransition(_("Only a choice question has choices."))
    label, points = rules.choice_values(label, points, _labels(current.choices, None))
    target = editable_version(scorecard, by)
    question = target.questions[question_id]
    choice = QuestionChoice(
        position=len(question.choices) + 1, label=label, points=points, is_failing=is_failing
    )
    question.choices.append(choice)
    _finish(scorecard, by, "scorecard.choice_add", target, None, choice)


def edit_choice(
    scorecard: Scorecard,
    choice_id: int,
    by: Person,
    *,
    expected_version: int,
    label: str,
    points: Any,
    is_failing: bool,
) -> None:
    """Relabel a choice, change its points or whether choosing it fails the question."""
    start_change(scorecard, by, expected_version)
    current = _find(current_rows(scorecard).choices, choice_id)
    label, points = rules.choice_values(label, points, _labels(current.question.choices, current))
    target = editable_version(scorecard, by)
    choice = target.choices[choice_id]
    before = _item_snapshot(choice)
    choice.label, choice.points, choice.is_failing = label, points, is_failing
    _finish(scorecard, by, "scorecard.choice_edit", target, before, choice)


def move_choice(
    scorecard: Scorecard, choice_id: int, by: Person, *, expected_version: int, step: int
) -> None:
    """Move a choice one place up (step -1) or down (+1)."""
    _move_item(_CHOICE, scorecard, choice_id, by, expected_version, step)


def remove_choice(
    scorecard: Scorecard, choice_id: int, by: Person, *, expected_version: int
) -> None:
    """Remove a choice from its question."""
    _remove_item(_CHOICE, scorecard, choice_id, by, expected_version)


# ---- moving and removing, the same for every kind of item -----------------------------------


@dataclass(frozen=True)
class _Kind:
    """Where items of one kind live: `rows` names the id->row map on current_rows() and
    EditTarget; `siblings(item, version)` is the ordered list the item sits in."""

    name: str
    rows: str
    siblings: Callable[[Any, Any], list]


_SECTION = _Kind("section", "sections", lambda item, version: version.sections)
_QUESTION = _Kind("question", "questions", lambda item, version: item.section.questions)
_CHOICE = _Kind("choice", "choices", lambda item, version: item.question.choices)


def _move_item(
    kind: _Kind, scorecard: Scorecard, item_id: int, by: Person, expected_version: int, step: int
) -> None:
    start_change(scorecard, by, expected_version)
    rows = current_rows(scorecard)
    current = _find(getattr(rows, kind.rows), item_id)
    _check_move(kind.siblings(current, rows.version), current, step)
    target = editable_version(scorecard, by)
    item = getattr(target, kind.rows)[item_id]
    before = _item_snapshot(item)
    _move(kind.siblings(item, target.version), item, step)
    _finish(scorecard, by, f"scorecard.{kind.name}_move", target, before, item)


def _remove_item(
    kind: _Kind, scorecard: Scorecard, item_id: int, by: Person, expected_version: int
) -> None:
    start_change(scorecard, by, expected_version)
    _find(getattr(current_rows(scorecard), kind.rows), item_id)
    target = editable_version(scorecard, by)
    item = getattr(target, kind.rows)[item_id]
    before = _item_snapshot(item)
    _remove(kind.siblings(item, target.version), item)
    _finish(scorecard, by, f"scorecard.{kind.name}_remove", target, before, None)


# ---- helpers (flush only) -------------------------------------------------------------------


def _finish(
    scorecard: Scorecard, by: Person, action: str, target: EditTarget, before: dict | None, item
) -> None:
    db.session.flush()
    version = target.version
    if target.copied_from is not None:
        audit.record(
            by,
            "scorecard.version_create",
            "scorecard_version",
            version.id,
            {"number": target.copied_from.number},
            {"number": version.number},
        )
    after = _item_snapshot(item) if item is not None else None
    record_id = item.id if item is not None else (before or {}).get("id")
    kind = action.split(".")[1].rsplit("_", 1)[0]
    audit.record(by, action, f"scorecard_{kind}", record_id, before, after)
    commit_change(scorecard)


def _item_snapshot(item: Any) -> dict:
    snapshot = item.snapshot()
    if isinstance(item, ScorecardSection):
        snapshot.pop("questions")
    elif isinstance(item, ScorecardQuestion):
        snapshot.pop("choices")
    return snapshot


def _find(rows: dict[int, Any], row_id: int) -> Any:
    found = rows.get(row_id)
    if found is None:
        raise NotFound()
    return found


def _renumber(items: list) -> None:
    for position, item in enumerate(items, start=1):
        item.position = position


def _check_move(items: list, item: Any, step: int) -> None:
    other = items.index(item) + step
    if step not in (-1, 1) or not 0 <= other < len(items):
        raise InvalidTransition(_("It cannot move further that way."))


def _move(items: list, item: Any, step: int) -> None:
    # Reorder a copy: swapping inside the relationship's list would orphan (delete) the row.
    ordered = list(items)
    index = ordered.index(item)
    ordered[index], ordered[index + step] = ordered[index + step], ordered[index]
    _renumber(ordered)


def _remove(items: list, item: Any) -> None:
    items.remove(item)
    _renumber(items)


def _apply_question(question: ScorecardQuestion, fields: rules.QuestionFields) -> None:
    question.text, question.guidance = fields.text, fields.guidance
    question.answer_type, question.points = fields.answer_type, fields.points
    question.scale_max, question.na_allowed = fields.scale_max, fields.na_allowed
    question.critical_scope = fields.critical_scope
    if fields.answer_type != AnswerType.CHOICE:
        question.choices = []  # choices mean nothing to another answer type


def _labels(choices: list[QuestionChoice], leaving_out: QuestionChoice | None) -> list[str]:
    return [c.label for c in choices if c is not leaving_out]
