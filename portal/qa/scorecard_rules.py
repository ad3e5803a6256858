"""The checks on what a scorecard builder types: section weights, questions and choices.

Each function takes the typed values and returns them cleaned, or raises ValidationFailed with a
message per field, worded for the person at the form.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _

from portal.errors import ValidationFailed
from portal.qa.models import AnswerType, CriticalScope

MAX_WEIGHT = Decimal("99999.99")
MAX_POINTS = 1000
MAX_SCALE = 100


@dataclass(frozen=True)
class QuestionFields:
    text: str
    guidance: str
    answer_type: str
    points: int | None
    scale_max: int | None
    na_allowed: bool
    critical_scope: str | None


def section_values(title: str, weight: Any) -> tuple[str, Decimal]:
    """A section's title and weight (a share of the overall: above 0, two decimals at most)."""
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("Give the section a title.")]
    elif len(title) > 200:
        errors["title"] = [_("At most 200 characters.")]
    try:
        value = Decimal(str(weight)) if weight is not None else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value <= 0 or value > MAX_WEIGHT:
        errors["weight"] = [_("The weight must be a number above 0, like 40.")]
    elif value != value.quantize(Decimal("0.01")):
        errors["weight"] = [_("Use at most two decimal places.")]
    if errors:
        raise ValidationFailed(field_errors=errors)
    assert value is not None
    return title, value.quantize(Decimal("0.01"))


def question_values(fields: QuestionFields) -> QuestionFields:
    """A question's fields, with those its answer type does not use set to None."""
    errors: dict[str, list[str]] = {}
    text = (fields.text or "").strip()
    if not text:
        errors["text"] = [_("Write the question.")]
    elif len(text) > 2000:
        errors["text"] = [_("At most 2,000 characters.")]
    kind = fields.answer_type
    if kind not in {a.value for a in AnswerType}:
        errors["answer_type"] = [_("Choose how the question is answered.")]
    if kind == AnswerType.YES_NO and not _whole(fields.points, 1, MAX_POINTS):
        errors["points"] = [_("A yes/no question earns 1 to %(n)d points on “yes”.", n=MAX_POINTS)]
    if kind == AnswerType.SCALE and not _whole(fields.scale_max, 1, MAX_SCALE):
        errors["scale_max"] = [_("A scale goes from 0 to a maximum of 1 to %(n)d.", n=MAX_SCALE)]
    scope = fields.critical_scope or None
    if scope is not None and scope not in {c.value for c in CriticalScope}:
        errors["critical_scope"] = [_("Choose what a failed critical question fails.")]
    if errors:
        raise ValidationFailed(field_errors=errors)
    return QuestionFields(
        text=text,
        guidance=(fields.guidance or "").strip(),
        answer_type=kind,
        points=fields.points if kind == AnswerType.YES_NO else None,
        scale_max=fields.scale_max if kind == AnswerType.SCALE else None,
        na_allowed=bool(fields.na_allowed),
        critical_scope=scope,
    )


def choice_values(label: str, points: Any, other_labels: Iterable[str]) -> tuple[str, int]:
    """The label and points of a choice; `other_labels` are the question's other choices."""
    errors: dict[str, list[str]] = {}
    label = (label or "").strip()
    if not label:
        errors["label"] = [_("Name the choice.")]
    elif len(label) > 200:
        errors["label"] = [_("At most 200 characters.")]
    elif label.lower() in {other.lower() for other in other_labels}:
        errors["label"] = [_("This question already has a choice with this label.")]
    if not _whole(points, 0, MAX_POINTS):
        errors["points"] = [_("A choice is worth 0 to %(n)d points.", n=MAX_POINTS)]
    if errors:
        raise ValidationFailed(field_errors=errors)
    return label, int(points)


def _whole(value: Any, least: int, most: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and least <= value <= most
