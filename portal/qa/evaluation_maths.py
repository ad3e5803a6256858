"""Pure helpers for evaluations: reading the form's answers, comparing revisions, overturn
rates and an agent's QA summary. No database, no Flask.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction
from functools import cached_property
from zoneinfo import ZoneInfo

from portal.qa.card_spec import NA, CardSpec, QuestionSpec, QuestionType
from portal.qa.intervals import MeanCI, mean_ci, wilson_interval
from portal.qa.scoring import AnswerProblem, AnswerValue


def answer_field(question_id: Hashable) -> str:
    return f"q-{question_id}"


def comment_field(question_id: Hashable) -> str:
    return f"c-{question_id}"


def parse_answers(
    card: CardSpec, form: Mapping[str, str]
) -> tuple[dict[Hashable, AnswerValue], dict[Hashable, AnswerProblem]]:
    """The answers given in the form (field `q-<question id>`), typed for `score`, and the
    problems of those that cannot be read. A blank field is unanswered, not an error."""
    answers: dict[Hashable, AnswerValue] = {}
    problems: dict[Hashable, AnswerProblem] = {}
    for question in card.questions():
        raw = (form.get(answer_field(question.id)) or "").strip()
        if not raw:
            continue
        value, problem = _read(question, raw)
        if problem is None:
            answers[question.id] = value
        else:
            problems[question.id] = problem
    return answers, problems


def _read(question: QuestionSpec, raw: str) -> tuple[AnswerValue, AnswerProblem | None]:
    if raw == NA:
        if question.na_allowed:
            return NA, None
        return raw, AnswerProblem.NA_NOT_ALLOWED
    if question.type == QuestionType.YES_NO:
        ok = raw in ("yes", "no")
        return raw, None if ok else AnswerProblem.UNKNOWN_CHOICE
    if question.type == QuestionType.SCALE:
        try:
            number = int(raw)
        except ValueError:
            return raw, AnswerProblem.WRONG_TYPE
        ok = 0 <= number <= (question.max or 0)
        return number, None if ok else AnswerProblem.OUT_OF_RANGE
    return raw, None if raw in question.choices else AnswerProblem.UNKNOWN_CHOICE


def stored_value(value: AnswerValue) -> str:
    """How an answer is kept in evaluation_answer.value."""
    return str(value)


def typed_value(question: QuestionSpec, stored: str) -> AnswerValue:
    """The stored text back as `score` wants it."""
    if stored != NA and question.type == QuestionType.SCALE:
        return int(stored)
    return stored


@dataclass(frozen=True)
class AnswerChange:
    question_id: Hashable
    before: str | None  # stored value; None: not answered in that revision
    after: str | None
    comment_before: str
    comment_after: str

    @property
    def value_changed(self) -> bool:
        return self.before != self.after


def diff_answers(
    before: Mapping[Hashable, tuple[str, str]],
    after: Mapping[Hashable, tuple[str, str]],
    order: Sequence[Hashable],
) -> list[AnswerChange]:
    """The questions whose answer or comment differ between two revisions, in card order.
    Each mapping is question id -> (stored value, comment)."""
    changes = []
    for qid in order:
        old, new = before.get(qid), after.get(qid)
        old_value, old_comment = old if old else (None, "")
        new_value, new_comment = new if new else (None, "")
        if old_value != new_value or old_comment != new_comment:
            changes.append(AnswerChange(qid, old_value, new_value, old_comment, new_comment))
    return changes


@dataclass(frozen=True)
class OverturnRate:
    """Of an evaluator's resolved disputes, the share re-scored, with a Wilson interval."""

    evaluator_id: Hashable
    evaluations: int  # submitted evaluations by the evaluator
    disputed: int  # of them, disputed at any time
    resolved: int  # disputes resolved
    rescored: int  # of them, re-scored (overturned)

    # Cached: a page shows hundreds of evaluators and reads each figure more than once.
    @cached_property
    def rate(self) -> Fraction | None:
        return Fraction(self.rescored, self.resolved) if self.resolved else None

    @cached_property
    def dispute_rate(self) -> Fraction | None:
        return Fraction(self.disputed, self.evaluations) if self.evaluations else None

    @cached_property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.rescored, self.resolved) if self.resolved else None


@dataclass(frozen=True)
class EvaluationFacts:
    """What the overturn and summary maths need to know of one evaluation."""

    evaluator_id: Hashable
    status: str
    was_disputed: bool
    resolution: str | None
    score: Fraction | None
    critical_failed: bool
    submitted_at: datetime | None


def by_overturn_rate(rates: Iterable[OverturnRate]) -> list[OverturnRate]:
    """Highest overturn rate first; evaluators with no resolved dispute last; ties by id."""
    return sorted(rates, key=lambda r: (r.rate is None, -(r.rate or 0), str(r.evaluator_id)))


@dataclass(frozen=True)
class WeekPoint:
    week_start: date  # Monday, in the viewer's time zone
    mean: Fraction
    n: int


@dataclass(frozen=True)
class QaSummary:
    average: MeanCI  # over scored evaluations, each counting once
    critical_fails: int
    evaluations: int
    trend: tuple[WeekPoint, ...]


def qa_summary(rows: Iterable[EvaluationFacts], zone: ZoneInfo) -> QaSummary:
    """An agent's QA summary: mean score with n and interval, critical fails, weekly trend.
    Drafts never count; weeks start on Monday in `zone`."""
    scored = [r for r in rows if r.status != "draft" and r.score is not None]
    weeks: dict[date, list[Fraction]] = {}
    for row in scored:
        if row.submitted_at is None:
            continue
        local = row.submitted_at.astimezone(zone).date()
        weeks.setdefault(local - timedelta(days=local.weekday()), []).append(row.score)
    trend = tuple(
        WeekPoint(week, sum(values, Fraction(0)) / len(values), len(values))
        for week, values in sorted(weeks.items())
    )
    return QaSummary(
        average=mean_ci([r.score for r in scored]),
        critical_fails=sum(r.critical_failed for r in scored),
        evaluations=len(scored),
        trend=trend,
    )
