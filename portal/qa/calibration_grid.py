"""What a calibration meeting discusses: who answered what, contact by contact, beside the
reference (the lead's answers), who commented what, and whether the session is large enough to
estimate alpha.

Pure: the same plain rows as `calibration.compute` in, plain values out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from portal.qa.calibration import QuestionInfo, Scoring

# Below this many contacts with a reference, a bootstrap interval for alpha (resampling a handful
# of contacts) swings from negative to perfect: the page says "too few to estimate" instead.
MIN_CONTACTS_TO_ESTIMATE = 5


def too_few_to_estimate(n_contacts: int) -> bool:
    """Whether alpha's interval rests on too few contacts to be shown as an estimate."""
    return n_contacts < MIN_CONTACTS_TO_ESTIMATE


@dataclass(frozen=True)
class Cell:
    value: str | None  # the stored answer ("yes", "3", a choice id, "na"); None: not scored
    differs: bool  # scored, and not the reference's answer


@dataclass(frozen=True)
class QuestionRow:
    question: QuestionInfo
    reference: str | None
    cells: tuple[Cell, ...]  # one per evaluator, in Grid.evaluators order


@dataclass(frozen=True)
class ScoreCell:
    score: Decimal | None
    differs: bool


@dataclass(frozen=True)
class ScoringComments:
    """One scoring's comments (only shown once the session is closed)."""

    contact_id: int
    evaluator_id: int
    per_question: Mapping[int, str]  # question id -> comment (only questions commented on)
    overall: str | None = None


@dataclass(frozen=True)
class Comment:
    evaluator_id: int
    question: QuestionInfo | None  # None: the overall comment on the contact
    text: str


@dataclass(frozen=True)
class ContactBlock:
    contact_id: int
    reference_score: Decimal | None
    scores: tuple[ScoreCell, ...]  # one per evaluator
    rows: tuple[QuestionRow, ...]  # one per question
    comments: tuple[Comment, ...] = ()  # question by question, then overall; the lead first


@dataclass(frozen=True)
class Grid:
    evaluators: tuple[int, ...]  # everyone but the lead who scored, by id
    contacts: tuple[ContactBlock, ...]
    differences: dict[int, int]  # per evaluator: answers differing from the reference

    def compared(self, evaluator_id: int) -> int:
        """Answers of this evaluator that had a reference to compare with."""
        index = self.evaluators.index(evaluator_id)
        return sum(
            1
            for block in self.contacts
            for row in block.rows
            if row.reference is not None and row.cells[index].value is not None
        )


def build_grid(
    questions: Sequence[QuestionInfo],
    contact_ids: Sequence[int],
    lead_id: int,
    scorings: Sequence[Scoring],
    comments: Sequence[ScoringComments] = (),
) -> Grid:
    """One block per contact, one row per question, one cell per evaluator.

    A cell differs when the evaluator and the lead both answered and the answers are not the
    same; N/A is an answer here (unlike in alpha, where it is missing): "not applicable" against
    "no" is exactly what a meeting talks through. A contact the lead did not score has no
    reference, so nothing in it differs.
    """
    by_key = {(s.contact_id, s.evaluator_id): s for s in scorings}
    evaluators = tuple(sorted({s.evaluator_id for s in scorings} - {lead_id}))
    comments_by_key = {(c.contact_id, c.evaluator_id): c for c in comments}
    differences = dict.fromkeys(evaluators, 0)
    blocks = []
    for contact_id in contact_ids:
        reference = by_key.get((contact_id, lead_id))
        theirs = [by_key.get((contact_id, e)) for e in evaluators]
        rows = []
        for question in questions:
            ref_value = None if reference is None else reference.answers.get(question.id)
            cells = []
            for evaluator, scoring in zip(evaluators, theirs, strict=True):
                value = None if scoring is None else scoring.answers.get(question.id)
                differs = value is not None and ref_value is not None and value != ref_value
                differences[evaluator] += differs
                cells.append(Cell(value, differs))
            rows.append(QuestionRow(question, ref_value, tuple(cells)))
        ref_score = None if reference is None else reference.score
        scores = tuple(
            ScoreCell(
                None if s is None else s.score,
                s is not None
                and s.score is not None
                and ref_score is not None
                and s.score != ref_score,
            )
            for s in theirs
        )
        written = [comments_by_key.get((contact_id, e)) for e in (lead_id, *evaluators)]
        blocks.append(
            ContactBlock(
                contact_id,
                ref_score,
                scores,
                tuple(rows),
                _contact_comments(questions, [c for c in written if c is not None]),
            )
        )
    return Grid(evaluators, tuple(blocks), differences)


def _contact_comments(
    questions: Sequence[QuestionInfo], written: Sequence[ScoringComments]
) -> tuple[Comment, ...]:
    """One contact's comments in card order (the lead's first on each question), then the
    overall ones; blank ones are left out."""
    out = [
        Comment(c.evaluator_id, question, text.strip())
        for question in questions
        for c in written
        if (text := c.per_question.get(question.id) or "").strip()
    ]
    out += [
        Comment(c.evaluator_id, None, c.overall.strip())
        for c in written
        if (c.overall or "").strip()
    ]
    return tuple(out)
