"""QA programme records: sampling rules, their weekly runs and assignments; calibration sessions.

Calibration scores live in their own tables (never in `evaluation`), so they can never count in
an agent's QA results, and no agent-facing scope reaches them.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, IdMixin, TimestampMixin, UTCDateTime, enum_column, utcnow
from portal.org.models import Market, Person, Segment
from portal.qa.evaluation_models import SCORE_TYPE
from portal.qa.models import Contact, ScorecardQuestion, ScorecardVersion


class StratifyMode(enum.StrEnum):
    PROPORTIONAL = "proportional"  # channels in proportion to the agent's volume that week
    MINIMUM = "minimum"  # per-channel minimums first, the rest in proportion


class AssignTo(enum.StrEnum):
    SUPERVISOR = "supervisor"  # the agent's manager
    QA_ROUND_ROBIN = "qa_round_robin"  # QA analysts granted the agent's team or market, in turn


class CalibrationStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


_stratify_type, _stratify_check = enum_column(StratifyMode, "stratify", 16)
_assign_type, _assign_check = enum_column(AssignTo, "assign_to", 16)
_cal_status_type, _cal_status_check = enum_column(CalibrationStatus, "status", 16)


class SamplingRule(IdMixin, TimestampMixin, Base):
    """How many contacts to review per agent per week, from whom, and who reviews them."""

    __tablename__ = "sampling_rule"
    __table_args__ = (
        CheckConstraint("per_agent > 0", name="per_agent_positive"),
        CheckConstraint("due_days >= 0", name="due_days_not_negative"),
        _stratify_check,
        _assign_check,
    )
    name: Mapped[str] = mapped_column(String(160), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    # The org node whose agents are sampled (everyone at or below this person).
    root_person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    per_agent: Mapped[int] = mapped_column(Integer)
    stratify: Mapped[str] = mapped_column(_stratify_type, default=StratifyMode.PROPORTIONAL)
    # {"phone": 1, "email": 1}: contacts of each channel to take first (MINIMUM mode).
    channel_minimums: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    market_id: Mapped[int | None] = mapped_column(ForeignKey("market.id"), index=True)
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id"), index=True)
    direction: Mapped[str | None] = mapped_column(String(16))
    min_duration_seconds: Mapped[int | None] = mapped_column(Integer)
    assign_to: Mapped[str] = mapped_column(_assign_type, default=AssignTo.SUPERVISOR)
    due_days: Mapped[int] = mapped_column(Integer, default=7)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    created_by: Mapped[Person] = relationship(foreign_keys=[created_by_id])
    root_person: Mapped[Person] = relationship(foreign_keys=[root_person_id])
    market: Mapped[Market | None] = relationship()
    segment: Mapped[Segment | None] = relationship()

    def snapshot(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "root_person_id": self.root_person_id,
            "per_agent": self.per_agent,
            "stratify": self.stratify,
            "channel_minimums": dict(self.channel_minimums or {}),
            "market_id": self.market_id,
            "segment_id": self.segment_id,
            "direction": self.direction,
            "min_duration_seconds": self.min_duration_seconds,
            "assign_to": self.assign_to,
            "due_days": self.due_days,
            "is_active": self.is_active,
        }


class SamplingRun(IdMixin, Base):
    """One run of a rule for one week; the seed and the rule as it was make it reproducible."""

    __tablename__ = "sampling_run"
    __table_args__ = (UniqueConstraint("rule_id", "week_start_on"),)
    rule_id: Mapped[int] = mapped_column(ForeignKey("sampling_rule.id"), index=True)
    week_start_on: Mapped[date] = mapped_column(Date)
    seed: Mapped[int] = mapped_column(BigInteger)
    run_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    rule_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # [{"person_id": 7, "wanted": 4, "available": 1}]: agents who had too few contacts.
    short_agents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    agent_count: Mapped[int] = mapped_column(Integer, default=0)
    picked_count: Mapped[int] = mapped_column(Integer, default=0)

    rule: Mapped[SamplingRule] = relationship()
    run_by: Mapped[Person] = relationship()


class SamplingAssignment(IdMixin, Base):
    """A picked contact in an evaluator's queue, with why it was picked and when it is due."""

    __tablename__ = "sampling_assignment"
    __table_args__ = (
        UniqueConstraint("contact_id"),
        Index("ix_sampling_assignment_evaluator_id_due_on", "evaluator_id", "due_on"),
        Index("ix_sampling_assignment_run_id_person_id", "run_id", "person_id"),
    )
    run_id: Mapped[int] = mapped_column(ForeignKey("sampling_run.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)  # the agent
    evaluator_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    due_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16))
    # Why it was picked, as data the page words: {"stratum": "phone", "rank": 2, "of": 9, ...}
    reason: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    run: Mapped[SamplingRun] = relationship()
    contact: Mapped[Contact] = relationship()
    agent: Mapped[Person] = relationship(foreign_keys=[person_id])
    evaluator: Mapped[Person | None] = relationship(foreign_keys=[evaluator_id])


class CalibrationSession(IdMixin, TimestampMixin, Base):
    """A QA lead's session: contacts scored blind by invited evaluators on one scorecard version."""

    __tablename__ = "calibration_session"
    __table_args__ = (_cal_status_check,)
    title: Mapped[str] = mapped_column(String(200))
    lead_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    scorecard_version_id: Mapped[int] = mapped_column(
        ForeignKey("scorecard_version.id"), index=True
    )
    status: Mapped[str] = mapped_column(_cal_status_type, default=CalibrationStatus.OPEN)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    lead: Mapped[Person] = relationship()
    scorecard_version: Mapped[ScorecardVersion] = relationship()
    contacts: Mapped[list[CalibrationContact]] = relationship(
        cascade="all, delete-orphan", order_by="CalibrationContact.position"
    )
    participants: Mapped[list[CalibrationParticipant]] = relationship(cascade="all, delete-orphan")

    @property
    def is_open(self) -> bool:
        return self.status == CalibrationStatus.OPEN

    def snapshot(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "status": self.status,
            "scorecard_version_id": self.scorecard_version_id,
            "contact_ids": [c.contact_id for c in self.contacts],
            "evaluator_ids": sorted(p.evaluator_id for p in self.participants),
        }


class CalibrationContact(Base):
    __tablename__ = "calibration_contact"
    session_id: Mapped[int] = mapped_column(ForeignKey("calibration_session.id"), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    contact: Mapped[Contact] = relationship()


class CalibrationParticipant(Base):
    """An invited evaluator (the lead takes part as the reference without a row here)."""

    __tablename__ = "calibration_participant"
    session_id: Mapped[int] = mapped_column(ForeignKey("calibration_session.id"), primary_key=True)
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True, index=True)

    evaluator: Mapped[Person] = relationship()


class CalibrationScore(IdMixin, Base):
    """One evaluator's blind scoring of one contact in a session (the lead's is the reference)."""

    __tablename__ = "calibration_score"
    __table_args__ = (UniqueConstraint("session_id", "contact_id", "evaluator_id"),)
    session_id: Mapped[int] = mapped_column(ForeignKey("calibration_session.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contact.id"), index=True)
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    score: Mapped[Decimal | None] = mapped_column(SCORE_TYPE)
    score_exact: Mapped[str | None] = mapped_column(String(80))
    critical_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    overall_comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    answers: Mapped[list[CalibrationAnswer]] = relationship(cascade="all, delete-orphan")
    evaluator: Mapped[Person] = relationship()


class CalibrationAnswer(Base):
    __tablename__ = "calibration_answer"
    score_id: Mapped[int] = mapped_column(ForeignKey("calibration_score.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("scorecard_question.id"), primary_key=True, index=True
    )
    value: Mapped[str] = mapped_column(String(40))
    comment: Mapped[str | None] = mapped_column(Text)

    question: Mapped[ScorecardQuestion] = relationship()
