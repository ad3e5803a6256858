"""A scorecard's shape as plain values: sections, weights and questions, and the checks on it.

Pure: no database, no Flask. The database layer builds a `CardSpec` from a scorecard version;
tests build one from the JSON shape with `card_from_dict`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType
from typing import Any

# The answer meaning "not applicable"; no choice may be called this.
NA = "na"

Weight = int | Decimal | Fraction


class QuestionType(StrEnum):
    YES_NO = "yes_no"
    SCALE = "scale"
    CHOICE = "choice"


class CriticalScope(StrEnum):
    """What a failed critical question sets to 0."""

    SECTION = "section"
    EVALUATION = "evaluation"


@dataclass(frozen=True)
class QuestionSpec:
    """One question. `points` is for yes/no, `max` for a scale (0..max), `choices` for a choice."""

    id: Hashable
    type: QuestionType
    points: int | None = None
    max: int | None = None
    choices: Mapping[str, int] = field(default_factory=dict)
    failing_choices: frozenset[str] = frozenset()
    na_allowed: bool = False
    critical: CriticalScope | None = None

    def __post_init__(self) -> None:
        # Freeze the containers so a spec cannot change under a score computed from it.
        object.__setattr__(self, "choices", MappingProxyType(dict(self.choices)))
        object.__setattr__(self, "failing_choices", frozenset(self.failing_choices))

    @property
    def possible(self) -> int:
        """The points this question adds to its section's points possible when answered."""
        if self.type == QuestionType.YES_NO:
            return self.points or 0
        if self.type == QuestionType.SCALE:
            return self.max or 0
        return max(self.choices.values(), default=0)


@dataclass(frozen=True)
class SectionSpec:
    """A section; its weight is its share of the overall score, not a multiplier of points."""

    id: Hashable
    weight: Weight
    questions: tuple[QuestionSpec, ...]


@dataclass(frozen=True)
class CardSpec:
    id: Hashable
    sections: tuple[SectionSpec, ...]

    def questions(self) -> Iterator[QuestionSpec]:
        """Every question, in card order."""
        for section in self.sections:
            yield from section.questions


class InvalidCard(ValueError):
    """A scorecard that cannot be scored; `problems` lists every reason found."""

    def __init__(self, problems: tuple[str, ...]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def validate_card(card: CardSpec) -> None:
    """Raise InvalidCard listing every problem that would make the card unscorable."""
    problems: list[str] = []
    if not card.sections:
        problems.append("a scorecard needs at least one section")
    problems += _duplicates("section", [s.id for s in card.sections])
    problems += _duplicates("question", [q.id for q in card.questions()])
    for section in card.sections:
        problems += _section_problems(section)
        for question in section.questions:
            problems += [f"question {question.id!r}: {p}" for p in _question_problems(question)]
    if problems:
        raise InvalidCard(tuple(problems))


def _duplicates(kind: str, ids: list[Hashable]) -> list[str]:
    seen: set[Hashable] = set()
    problems = []
    for item in ids:
        if item is None or not _hashable(item):
            problems.append(f"a {kind} id must be a string or a number, not {item!r}")
        elif item in seen:
            problems.append(f"{kind} id {item!r} is used more than once")
        else:
            seen.add(item)
    return problems


def _hashable(item: object) -> bool:
    try:
        hash(item)
    except TypeError:
        return False
    return True


def _section_problems(section: SectionSpec) -> list[str]:
    where = f"section {section.id!r}"
    problems = []
    weight = section.weight
    if isinstance(weight, bool) or not isinstance(weight, int | Decimal | Fraction):
        problems.append(f"{where}: the weight must be a whole or decimal number, not {weight!r}")
    elif isinstance(weight, Decimal) and not weight.is_finite():
        problems.append(f"{where}: the weight must be a finite number")
    elif weight <= 0:
        problems.append(f"{where}: the weight must be above 0, not {weight}")
    if not section.questions:
        problems.append(f"{where}: a section needs at least one question")
    return problems


def _question_problems(q: QuestionSpec) -> list[str]:
    if q.type not in list(QuestionType):
        return [f"unknown answer type {q.type!r}"]
    problems = []
    if q.critical is not None and q.critical not in list(CriticalScope):
        problems.append(f"unknown critical scope {q.critical!r}")
    if q.type != QuestionType.YES_NO and q.points is not None:
        problems.append("points apply only to yes/no questions")
    if q.type != QuestionType.SCALE and q.max is not None:
        problems.append("a maximum applies only to scale questions")
    if q.type != QuestionType.CHOICE and (q.choices or q.failing_choices):
        problems.append("choices apply only to choice questions")
    if q.type == QuestionType.YES_NO and not _whole_at_least(q.points, 1):
        problems.append(f"a yes/no question needs points of 1 or more, not {q.points!r}")
    if q.type == QuestionType.SCALE and not _whole_at_least(q.max, 1):
        problems.append(f"a scale needs a maximum of 1 or more, not {q.max!r}")
    if q.type == QuestionType.CHOICE:
        problems += _choice_problems(q)
    return problems


def _choice_problems(q: QuestionSpec) -> list[str]:
    if not q.choices:
        return ["a choice question needs at least one choice"]
    problems = []
    for key, points in q.choices.items():
        if not isinstance(key, str) or not key or key == NA:
            problems.append(f"a choice must be named by a non-empty string other than {NA!r}")
        if not _whole_at_least(points, 0):
            problems.append(f"choice {key!r} needs points of 0 or more, not {points!r}")
    if problems:
        return problems
    if q.possible < 1:
        problems.append("at least one choice must be worth points")
    unknown = sorted(q.failing_choices - q.choices.keys())
    if unknown:
        problems.append(f"failing choices {unknown} are not among the choices")
    return problems


def _whole_at_least(value: object, least: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= least


def card_from_dict(data: Mapping[str, Any]) -> CardSpec:
    """Build and validate a CardSpec from the JSON shape used in tests/data/scoring.json."""
    try:
        card = CardSpec(
            id=data["id"],
            sections=tuple(_section_from_dict(s) for s in data["sections"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidCard((f"malformed scorecard data: {exc!r}",)) from exc
    validate_card(card)
    return card


def _section_from_dict(data: Mapping[str, Any]) -> SectionSpec:
    weight = data["weight"]
    if isinstance(weight, float):
        weight = Decimal(repr(weight))  # 0.5 in JSON means exactly one half
    return SectionSpec(
        id=data["id"],
        weight=weight,
        questions=tuple(_question_from_dict(q) for q in data["questions"]),
    )


def _question_from_dict(data: Mapping[str, Any]) -> QuestionSpec:
    critical = data.get("critical")
    return QuestionSpec(
        id=data["id"],
        type=QuestionType(data["type"]),
        points=data.get("points"),
        max=data.get("max"),
        choices=data.get("choices", {}),
        failing_choices=frozenset(data.get("failing_choices", ())),
        na_allowed=bool(data.get("na_allowed", False)),
        critical=CriticalScope(critical) if critical is not None else None,
    )
