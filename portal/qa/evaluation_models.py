"""QA evaluations: one per contact, scored on a fixed scorecard version, kept in revisions.

An evaluation is about the contact's agent (`person_id`), so `policy.scoped(..., Area.QA)`
serves it. Its answers live in numbered revisions: revision 1 is the evaluator's scoring, each
re-score after a dispute adds the next; every revision is kept and the newest submitted one is
the agent's result (its score is copied onto the evaluation for lists and roll-ups).
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Exists,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, IdMixin, TimestampMixin, UTCDateTime, enum_column, utcnow
from portal.org.models import Person
from portal.qa.models import Contact, ScorecardQuestion, ScorecardVersion


class EvaluationStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACKNOWLEDGED = "acknowledged"
    DISPUTED = "disputed"
    RESOLVED = "resolved"


class Resolution(enum.StrEnum):
    UPHELD = "upheld"
    RESCORED = "rescored"


_status_type, _status_check = enum_column(EvaluationStatus, "status", 16)
_resolution_type, _resolution_check = enum_column(Resolution, "resolution", 16)

# Scores are stored with 8 decimals for SQL roll-ups, beside the exact fraction ("p/q") the
# score function returned; display rounds the exact value once.
SCORE_TYPE = Numeric(11, 8)


class Evaluation(IdMixin, TimestampMixin, Base):
    """The review of one contact. Unique per contact: a second "start" finds the first."""

    __tablename__ = "evaluation"
    __table_args__ = (
        UniqueConstraint("contact_id"),
        Index("ix_evaluation_person_id_submitted_at", "person_id", "submitted_at"),
        Index("ix_evaluation_evaluator_id_status", "evaluator_id", "status"),
        # Evaluator overturns (qa.evaluation_queries.overturns): counts per evaluator and agent
        # from an index-only scan, and the few disputed evaluations on their own.
        Index(
            "ix_evaluation_evaluator_id_person_id_submitted",
            "evaluator_id",
            "person_id",
            sqlite_where=text("status <> 'draft'"),
            postgresql_where=text("status <> 'draft'"),
        ),
        Index(
            "ix_evaluation_disputed_evaluator_id",
            "evaluator_id",
            "person_id",
            "status",
            "resolution",
            sqlite_where=text("disputed_at IS NOT NULL"),
            postgresql_where=text("disputed_at IS NOT NULL"),
        ),
        # Submitted evaluations without a submission moment (none through the services): the
        # overturn roll-up's raw part reads them beside the recent ones without visiting drafts.
        Index(
            "ix_evaluation_undated",
            "id",
            sqlite_where=text("status <> 'draft' AND submitted_at IS NULL"),
            postgresql_where=text("status <> 'draft' AND submitted_at IS NULL"),
        ),
        CheckConstraint("resolution IS NULL OR status = 'resolved'", name="resolution_state"),
        _status_check,
        _resolution_check,
    )
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))  # the agent
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    scorecard_version_id: Mapped[int] = mapped_column(
        ForeignKey("scorecard_version.id"), index=True
    )
    status: Mapped[str] = mapped_column(_status_type, default=EvaluationStatus.DRAFT, index=True)
    revision_number: Mapped[int] = mapped_column(Integer, default=1)
    # The current result (the newest submitted revision's), None while a draft.
    score: Mapped[Decimal | None] = mapped_column(SCORE_TYPE)
    score_exact: Mapped[str | None] = mapped_column(String(80))
    critical_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disputed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dispute_reason: Mapped[str | None] = mapped_column(Text)
    # {question id (str): the agent's reason} for the questions the agent disputed.
    dispute_questions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    resolution: Mapped[str | None] = mapped_column(_resolution_type)
    resolution_reason: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    contact: Mapped[Contact] = relationship()
    agent: Mapped[Person] = relationship(foreign_keys=[person_id])
    evaluator: Mapped[Person] = relationship(foreign_keys=[evaluator_id])
    resolved_by: Mapped[Person | None] = relationship(foreign_keys=[resolved_by_id])
    scorecard_version: Mapped[ScorecardVersion] = relationship()
    revisions: Mapped[list[EvaluationRevision]] = relationship(
        back_populates="evaluation",
        order_by="EvaluationRevision.number",
        cascade="all, delete-orphan",
    )

    @property
    def current_revision(self) -> EvaluationRevision:
        return next(r for r in self.revisions if r.number == self.revision_number)

    @property
    def is_draft(self) -> bool:
        return self.status == EvaluationStatus.DRAFT

    def snapshot(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "revision": self.revision_number,
            "score": self.score_exact,
            "critical_failed": self.critical_failed,
            "resolution": self.resolution,
        }


# The evaluations list's date (submitted, or started for a draft) and id: the list's default
# order, read backwards along this index (`evaluation_queries.listed_at`).
Index(
    "ix_evaluation_listed_at_id",
    func.coalesce(Evaluation.submitted_at, Evaluation.created_at),
    Evaluation.id,
)


class EvaluationRevision(IdMixin, Base):
    """One scoring of an evaluation: its answers, overall comment and computed score."""

    __tablename__ = "evaluation_revision"
    __table_args__ = (UniqueConstraint("evaluation_id", "number"),)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluation.id"))
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    reason: Mapped[str | None] = mapped_column(Text)  # why a re-score changed it
    overall_comment: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[Decimal | None] = mapped_column(SCORE_TYPE)
    score_exact: Mapped[str | None] = mapped_column(String(80))
    critical_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    evaluation: Mapped[Evaluation] = relationship(back_populates="revisions")
    author: Mapped[Person] = relationship()
    answers: Mapped[list[EvaluationAnswer]] = relationship(
        back_populates="revision", cascade="all, delete-orphan"
    )


class EvaluationAnswer(Base):
    """One question's answer in one revision: "yes"/"no", a scale value, a choice id or "na".

    `earned`/`possible` and `failed` are the question's outcome, kept for per-question roll-ups
    (questions failed most, coaching before/after); None/False for N/A.
    """

    __tablename__ = "evaluation_answer"
    revision_id: Mapped[int] = mapped_column(ForeignKey("evaluation_revision.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("scorecard_question.id"), primary_key=True, index=True
    )
    value: Mapped[str] = mapped_column(String(40))
    comment: Mapped[str] = mapped_column(Text, default="")
    earned: Mapped[int | None] = mapped_column(Integer)
    possible: Mapped[int | None] = mapped_column(Integer)
    failed: Mapped[bool] = mapped_column(Boolean, default=False)

    revision: Mapped[EvaluationRevision] = relationship(back_populates="answers")
    question: Mapped[ScorecardQuestion] = relationship()


def contact_reviewed() -> Exists:
    """The condition "this contact has an evaluation" (a draft included): what "reviewed"
    means for the contacts filter, the evaluate queue and sampling."""
    return select(Evaluation.id).where(Evaluation.contact_id == Contact.id).exists()
