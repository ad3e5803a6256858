"""QA records: contacts (and their CSV imports) and versioned scorecards.

A contact is about one agent, stored in `person_id`, so `policy.scoped(..., Area.QA)` serves it.
A scorecard's questions live in numbered versions; an evaluation keeps the version it was scored
on, so a version in use (`is_locked`) never changes: editing it copies it into a new version.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from portal.db import Base, IdMixin, TimestampMixin, UTCDateTime, enum_column, utcnow
from portal.org.models import Market, Person, Segment
from portal.qa import scoring


class Channel(enum.StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    VOICEMAIL = "voicemail"
    CHAT = "chat"


class Direction(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class ImportStatus(enum.StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class AnswerType(enum.StrEnum):
    YES_NO = "yes_no"
    SCALE = "scale"
    CHOICE = "choice"


class CriticalScope(enum.StrEnum):
    SECTION = "section"
    EVALUATION = "evaluation"


# An import that shows no progress for this long is reported as stopped.
STALLED_AFTER = timedelta(minutes=10)

# A CHECK constraint belongs to one table, so each table asks enum_column for its own.
_status_type, _status_check = enum_column(ImportStatus, "status", 16)
_channel_type, _channel_check = enum_column(Channel, "channel", 16)
_direction_type, _direction_check = enum_column(Direction, "direction", 16)
_link_channel_type, _link_channel_check = enum_column(Channel, "channel", 16)
_answer_type, _answer_check = enum_column(AnswerType, "answer_type", 16)
_critical_type, _critical_check = enum_column(CriticalScope, "critical_scope", 16)


class ContactImport(IdMixin, TimestampMixin, Base):
    """One CSV upload of contacts. Partial: valid rows land, refused rows are listed here."""

    __tablename__ = "contact_import"
    __table_args__ = (_status_check,)
    imported_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(_status_type, default=ImportStatus.RUNNING, index=True)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    imported_rows: Mapped[int] = mapped_column(Integer, default=0)
    duplicate_rows: Mapped[int] = mapped_column(Integer, default=0)
    error_rows: Mapped[int] = mapped_column(Integer, default=0)
    # The first problems found: [{"row": 7, "column": "occurred_at", "message": "..."}, ...]
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # One message about the whole file (encoding, columns, a crash), when there is one.
    message: Mapped[str | None] = mapped_column(String(1000))
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    imported_by: Mapped[Person] = relationship()

    @property
    def processed_rows(self) -> int:
        return self.imported_rows + self.duplicate_rows + self.error_rows

    @property
    def is_running(self) -> bool:
        return self.status == ImportStatus.RUNNING

    @property
    def is_stalled(self) -> bool:
        """Running, yet no batch has landed for a while: its worker probably died (a restart)."""
        return self.is_running and utcnow() - self.updated_at > STALLED_AFTER


class Contact(IdMixin, Base):
    """One customer interaction handled by an agent (`person_id`), to be reviewed."""

    __tablename__ = "contact"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_contact_person_id_occurred_at", "person_id", "occurred_at"),
        Index("ix_contact_occurred_at_id", "occurred_at", "id"),
        CheckConstraint("duration_seconds IS NULL OR duration_seconds >= 0", name="duration"),
        _channel_check,
        _direction_check,
    )
    channel: Mapped[str] = mapped_column(_channel_type, index=True)
    source: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column(String(128))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    direction: Mapped[str] = mapped_column(_direction_type)
    customer_ref: Mapped[str | None] = mapped_column(String(120))
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    market_id: Mapped[int | None] = mapped_column(ForeignKey("market.id"), index=True)
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id"), index=True)
    transcript: Mapped[str | None] = mapped_column(Text)
    recording_url: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    import_batch_id: Mapped[int | None] = mapped_column(ForeignKey("contact_import.id"), index=True)

    person: Mapped[Person] = relationship()
    market: Mapped[Market | None] = relationship()
    segment: Mapped[Segment | None] = relationship()
    import_batch: Mapped[ContactImport | None] = relationship()


scorecard_market = Table(
    "scorecard_market",
    Base.metadata,
    Column("scorecard_id", ForeignKey("scorecard.id"), primary_key=True),
    Column("market_id", ForeignKey("market.id"), primary_key=True, index=True),
)


class ScorecardChannel(Base):
    """A channel a scorecard applies to (none listed: every channel)."""

    __tablename__ = "scorecard_channel"
    __table_args__ = (_link_channel_check,)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecard.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(_link_channel_type, primary_key=True, index=True)


class Scorecard(IdMixin, TimestampMixin, Base):
    """A named scorecard; its questions live in its versions, the newest being current."""

    __tablename__ = "scorecard"
    name: Mapped[str] = mapped_column(String(160), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("scorecard_version.id", use_alter=True), index=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    versions: Mapped[list[ScorecardVersion]] = relationship(
        back_populates="scorecard",
        foreign_keys="ScorecardVersion.scorecard_id",
        order_by="ScorecardVersion.number",
        cascade="all, delete-orphan",
    )
    current_version: Mapped[ScorecardVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    channel_links: Mapped[list[ScorecardChannel]] = relationship(
        cascade="all, delete-orphan", order_by=ScorecardChannel.channel
    )
    markets: Mapped[list[Market]] = relationship(secondary=scorecard_market, order_by=Market.code)

    @property
    def channels(self) -> list[str]:
        return [link.channel for link in self.channel_links]

    def snapshot(self) -> dict:
        """The audited fields of a scorecard (its questions are audited per version)."""
        return {
            "name": self.name,
            "description": self.description,
            "is_archived": self.is_archived,
            "channels": self.channels,
            "market_ids": [m.id for m in self.markets],
            "current_version_id": self.current_version_id,
        }


class ScorecardVersion(IdMixin, Base):
    """One numbered version of a scorecard: a draft until published; frozen once locked."""

    __tablename__ = "scorecard_version"
    __table_args__ = (UniqueConstraint("scorecard_id", "number"),)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecard.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set by lock_version() when the first evaluation uses this version; never cleared.
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False)

    scorecard: Mapped[Scorecard] = relationship(
        back_populates="versions", foreign_keys=[scorecard_id]
    )
    created_by: Mapped[Person] = relationship()
    sections: Mapped[list[ScorecardSection]] = relationship(
        back_populates="version",
        order_by="ScorecardSection.position",
        cascade="all, delete-orphan",
    )

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def spec(self) -> scoring.CardSpec:
        """This version as the plain card the score arithmetic reads (ids are row ids)."""
        return scoring.CardSpec(
            id=self.id, sections=tuple(section.spec() for section in self.sections)
        )

    def snapshot(self) -> dict:
        """Everything that defines how this version scores, as plain data."""
        return {
            "number": self.number,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "is_locked": self.is_locked,
            "sections": [section.snapshot() for section in self.sections],
        }


class ScorecardSection(IdMixin, Base):
    __tablename__ = "scorecard_section"
    __table_args__ = (
        Index("ix_scorecard_section_version_id_position", "version_id", "position"),
        CheckConstraint("weight > 0", name="weight_positive"),
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("scorecard_version.id"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    # A share of the overall score, not a multiplier of points.
    weight: Mapped[Decimal] = mapped_column(Numeric(7, 2))

    version: Mapped[ScorecardVersion] = relationship(back_populates="sections")
    questions: Mapped[list[ScorecardQuestion]] = relationship(
        back_populates="section",
        order_by="ScorecardQuestion.position",
        cascade="all, delete-orphan",
    )

    def spec(self) -> scoring.SectionSpec:
        return scoring.SectionSpec(
            id=self.id,
            weight=Decimal(self.weight),
            questions=tuple(question.spec() for question in self.questions),
        )

    def snapshot(self) -> dict:
        return {
            "id": self.id,
            "position": self.position,
            "title": self.title,
            "weight": str(self.weight),
            "questions": [question.snapshot() for question in self.questions],
        }


class ScorecardQuestion(IdMixin, Base):
    __tablename__ = "scorecard_question"
    __table_args__ = (
        Index("ix_scorecard_question_section_id_position", "section_id", "position"),
        _answer_check,
        _critical_check,
    )
    section_id: Mapped[int] = mapped_column(ForeignKey("scorecard_section.id"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    guidance: Mapped[str] = mapped_column(Text, default="")
    answer_type: Mapped[str] = mapped_column(_answer_type)
    points: Mapped[int | None] = mapped_column(Integer)  # yes/no: earned on "yes"
    scale_max: Mapped[int | None] = mapped_column(Integer)  # scale: answers 0..scale_max
    na_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    critical_scope: Mapped[str | None] = mapped_column(_critical_type)

    section: Mapped[ScorecardSection] = relationship(back_populates="questions")
    choices: Mapped[list[QuestionChoice]] = relationship(
        back_populates="question",
        order_by="QuestionChoice.position",
        cascade="all, delete-orphan",
    )

    def spec(self) -> scoring.QuestionSpec:
        kind = scoring.QuestionType(self.answer_type)
        is_choice = kind == scoring.QuestionType.CHOICE
        return scoring.QuestionSpec(
            id=self.id,
            type=kind,
            points=self.points if kind == scoring.QuestionType.YES_NO else None,
            max=self.scale_max if kind == scoring.QuestionType.SCALE else None,
            # A choice is answered by its id (as text), which survives relabelling.
            choices={choice.key: choice.points for choice in self.choices} if is_choice else {},
            failing_choices=frozenset(c.key for c in self.choices if c.is_failing and is_choice),
            na_allowed=self.na_allowed,
            critical=scoring.CriticalScope(self.critical_scope) if self.critical_scope else None,
        )

    def snapshot(self) -> dict:
        return {
            "id": self.id,
            "position": self.position,
            "text": self.text,
            "guidance": self.guidance,
            "answer_type": self.answer_type,
            "points": self.points,
            "scale_max": self.scale_max,
            "na_allowed": self.na_allowed,
            "critical_scope": self.critical_scope,
            "choices": [choice.snapshot() for choice in self.choices],
        }


class QuestionChoice(IdMixin, Base):
    __tablename__ = "question_choice"
    __table_args__ = (
        Index("ix_question_choice_question_id_position", "question_id", "position"),
        CheckConstraint("points >= 0", name="points_not_negative"),
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("scorecard_question.id"))
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    points: Mapped[int] = mapped_column(Integer)
    is_failing: Mapped[bool] = mapped_column(Boolean, default=False)

    question: Mapped[ScorecardQuestion] = relationship(back_populates="choices")

    @property
    def key(self) -> str:
        """How an answer names this choice in a CardSpec."""
        return str(self.id)

    def snapshot(self) -> dict:
        return {
            "id": self.id,
            "position": self.position,
            "label": self.label,
            "points": self.points,
            "is_failing": self.is_failing,
        }


def load_card(version_relationship: Any) -> Any:
    """A loader option: the scorecard version behind `version_relationship` (e.g.
    `Evaluation.scorecard_version`) with its sections, questions and choices, one query per
    level instead of one per section and per question."""
    return (
        selectinload(version_relationship)
        .selectinload(ScorecardVersion.sections)
        .selectinload(ScorecardSection.questions)
        .selectinload(ScorecardQuestion.choices)
    )
