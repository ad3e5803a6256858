"""What a calibration meeting discusses: who answered what, contact by contact, beside the
reference (the lead's answers), and whether the session is large enough to estimate alpha.

Pure: the same plain rows as `calibration.compute` in, plain values out.
"""

from __future__ import annotations

from collections.abc import Sequence
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
class ContactBlock:
    contact_id: int
    reference_score: Decimal | None
    scores: tuple[ScoreCell, ...]  # one per evaluator
    rows: tuple[QuestionRow, ...]  # one per question


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
) -> Grid:
    """One block per contact, one row per question, one cell per evaluator.

    A cell differs when the evaluator and the lead both answered and the answers are not the
    same; N/A is an answer here (unlike in alpha, where it is missing): "not applicable" against
    "no" is exactly what a meeting talks through. A contact the lead did not score has no
    reference, so nothing in it differs.
    """
    by_key = {(s.contact_id, s.evaluator_id): s for s in scorings}
    evaluators = tuple(sorted({s.evaluator_id for s in scorings} - {lead_id}))
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
        blocks.append(ContactBlock(contact_id, ref_score, scores, tuple(rows)))
    return Grid(evaluators, tuple(blocks), differences)
