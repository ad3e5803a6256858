"""Training: courses (with an optional assessment and classroom sessions), assignments to an
audience, completions and assessment attempts.

Records about one person (a completion, an attempt, a seat in a session) store that person in
`person_id`, so `policy.scoped(..., Area.TRAINING)` serves them. An assignment is about an
audience (a person, or every active person matching a team / position / market), resolved when
it is read, so people who join the team later get it too.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, IdMixin, TimestampMixin, UTCDateTime, enum_column, utcnow
from portal.org.models import Market, Person, Position, Team
from portal.qa.models import ScorecardQuestion


class CourseKind(enum.StrEnum):
    ELEARNING = "elearning"
    CLASSROOM = "classroom"
    ON_THE_JOB = "on_the_job"


class CompletionSource(enum.StrEnum):
    SELF_REPORTED = "self_reported"  # e-learning without an assessment
    ASSESSMENT = "assessment"  # e-learning whose assessment was passed
    CONFIRMED = "confirmed"  # classroom or on-the-job, confirmed by a trainer


_kind_type, _kind_check = enum_column(CourseKind, "kind", 16)
_source_type, _source_check = enum_column(CompletionSource, "source", 16)


class Course(IdMixin, TimestampMixin, Base):
    """A course or programme. Archived, never deleted: completions and attempts point at it."""

    __tablename__ = "course"
    __table_args__ = (
        _kind_check,
        CheckConstraint("pass_mark IS NULL OR (pass_mark >= 0 AND pass_mark <= 100)", "pass_mark"),
        CheckConstraint("attempts_allowed IS NULL OR attempts_allowed > 0", "attempts_allowed"),
        CheckConstraint("time_limit_minutes IS NULL OR time_limit_minutes > 0", "time_limit"),
        Index("ix_course_is_archived_title", "is_archived", "title"),
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(_kind_type, default=CourseKind.ELEARNING)
    url: Mapped[str | None] = mapped_column(String(500))  # e-learning link
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    # Competencies as free text, one per comma ("Product knowledge, Empathy").
    competencies: Mapped[str] = mapped_column(String(500), default="")
    is_mandatory: Mapped[bool] = mapped_column(Boolean, default=False)
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # The assessment: present when the course has questions; must be passed to complete.
    pass_mark: Mapped[int | None] = mapped_column(Integer)  # percent
    attempts_allowed: Mapped[int | None] = mapped_column(Integer)  # None: unlimited
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    # Completing the course earns a certification valid this many months (None: none).
    certification_months: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    questions: Mapped[list[AssessmentQuestion]] = relationship(
        back_populates="course", order_by="AssessmentQuestion.position, AssessmentQuestion.id"
    )
    qa_questions: Mapped[list[ScorecardQuestion]] = relationship(
        secondary="course_qa_question", order_by="ScorecardQuestion.id"
    )

    @property
    def competency_list(self) -> list[str]:
        return [c.strip() for c in self.competencies.split(",") if c.strip()]

    def snapshot(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "kind": self.kind,
            "url": self.url,
            "duration_minutes": self.duration_minutes,
            "competencies": self.competencies,
            "is_mandatory": self.is_mandatory,
            "is_archived": self.is_archived,
            "pass_mark": self.pass_mark,
            "attempts_allowed": self.attempts_allowed,
            "time_limit_minutes": self.time_limit_minutes,
            "certification_months": self.certification_months,
        }


class CourseQaQuestion(Base):
    """A QA scorecard question the course addresses (drives skill-gap suggestions)."""

    __tablename__ = "course_qa_question"
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("scorecard_question.id"), primary_key=True, index=True
    )


class AssessmentQuestion(IdMixin, Base):
    __tablename__ = "assessment_question"
    __table_args__ = (Index("ix_assessment_question_course_id_position", "course_id", "position"),)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    is_multiple: Mapped[bool] = mapped_column(Boolean, default=False)

    course: Mapped[Course] = relationship(back_populates="questions")
    choices: Mapped[list[AssessmentChoice]] = relationship(
        back_populates="question",
        order_by="AssessmentChoice.position, AssessmentChoice.id",
        cascade="all, delete-orphan",
    )


class AssessmentChoice(IdMixin, Base):
    __tablename__ = "assessment_choice"
    question_id: Mapped[int] = mapped_column(ForeignKey("assessment_question.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    label: Mapped[str] = mapped_column(String(500))
    is_correct: Mapped[bool] = mapped_column(Boolean, default=False)

    question: Mapped[AssessmentQuestion] = relationship(back_populates="choices")


class ClassSession(IdMixin, Base):
    """A classroom session of a course: when, where, how many seats."""

    __tablename__ = "class_session"
    __table_args__ = (
        CheckConstraint("seats > 0", "seats_positive"),
        Index("ix_class_session_course_id_starts_at", "course_id", "starts_at"),
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(200))
    seats: Mapped[int] = mapped_column(Integer)
    trainer_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)

    course: Mapped[Course] = relationship()
    trainer: Mapped[Person | None] = relationship()


class SessionSeat(IdMixin, Base):
    """A person booked on a session; `attended` is set by the trainer afterwards."""

    __tablename__ = "session_seat"
    __table_args__ = (UniqueConstraint("session_id", "person_id"),)
    session_id: Mapped[int] = mapped_column(ForeignKey("class_session.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    attended: Mapped[bool | None] = mapped_column(Boolean)
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    session: Mapped[ClassSession] = relationship()
    person: Mapped[Person] = relationship()


class Assignment(IdMixin, Base):
    """A course assigned to an audience with a due date.

    Either one person, or everyone active matching every audience column given (team,
    position, market): "agents in JP" is position + market. Resolved at read time.
    """

    __tablename__ = "assignment"
    __table_args__ = (
        CheckConstraint(
            "(person_id IS NOT NULL AND team_id IS NULL AND position_id IS NULL "
            "AND market_id IS NULL) OR (person_id IS NULL AND (team_id IS NOT NULL "
            "OR position_id IS NOT NULL OR market_id IS NOT NULL))",
            "audience_given",
        ),
        # The idempotency token makes a double-submitted form one assignment.
        UniqueConstraint("token"),
        Index("ix_assignment_course_id_due_on", "course_id", "due_on"),
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    position_id: Mapped[int | None] = mapped_column(ForeignKey("position.id"), index=True)
    market_id: Mapped[int | None] = mapped_column(ForeignKey("market.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    is_cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped[Course] = relationship()
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])
    team: Mapped[Team | None] = relationship()
    position: Mapped[Position | None] = relationship()
    market: Mapped[Market | None] = relationship()
    assigned_by: Mapped[Person | None] = relationship(foreign_keys=[assigned_by_id])

    def snapshot(self) -> dict[str, Any]:
        return {
            "course_id": self.course_id,
            "person_id": self.person_id,
            "team_id": self.team_id,
            "position_id": self.position_id,
            "market_id": self.market_id,
            "due_on": self.due_on.isoformat(),
            "is_cancelled": self.is_cancelled,
        }


class Completion(IdMixin, Base):
    """A person completed a course (one per person and course)."""

    __tablename__ = "completion"
    __table_args__ = (UniqueConstraint("person_id", "course_id"), _source_check)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    completed_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(_source_type)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped[Course] = relationship()
    person: Mapped[Person] = relationship(foreign_keys=[person_id])


class AssessmentAttempt(IdMixin, Base):
    """One attempt at a course's assessment. The question and choice order shown is kept, the
    answers and the server-computed score too; every attempt is kept."""

    __tablename__ = "assessment_attempt"
    __table_args__ = (
        UniqueConstraint("person_id", "course_id", "number"),
        Index("ix_assessment_attempt_course_id", "course_id"),
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # [[question id, [choice id, ...]], ...] in the shuffled order shown.
    layout: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # {question id (str): [choice id, ...]} as submitted.
    answers: Mapped[dict[str, list[int]]] = mapped_column(JSON, default=dict)
    correct: Mapped[int | None] = mapped_column(Integer)
    total: Mapped[int | None] = mapped_column(Integer)
    percent: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))
    is_passed: Mapped[bool] = mapped_column(Boolean, default=False)
    is_late: Mapped[bool] = mapped_column(Boolean, default=False)
    pass_mark: Mapped[int] = mapped_column(Integer)  # the mark in force when it started

    course: Mapped[Course] = relationship()
    person: Mapped[Person] = relationship()

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None


class Kudos(IdMixin, Base):
    """Recognition from anyone to anyone, tied to a value or competency. Seen by the
    recipient (person_id), their managers, the giver, HR; and on the team feed if public."""

    __tablename__ = "kudos"
    __table_args__ = (
        Index("ix_kudos_person_id_id", "person_id", "id"),
        Index("ix_kudos_giver_id_id", "giver_id", "id"),
        UniqueConstraint("token"),
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))  # the recipient
    giver_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    value: Mapped[str] = mapped_column(String(120))
    message: Mapped[str] = mapped_column(Text)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    giver: Mapped[Person] = relationship(foreign_keys=[giver_id])


class CertificationSource(enum.StrEnum):
    COURSE = "course"  # earned by completing (passing) a course
    GRANTED = "granted"  # granted by a trainer


_cert_source_type, _cert_source_check = enum_column(CertificationSource, "source", 16)


class Certification(IdMixin, Base):
    """A certification a person holds, with an optional expiry. Its state (valid, expiring,
    expired) is computed from the dates by `certifications.state`; `reminded_at` records that
    the renewal reminder was sent, so it is sent once."""

    __tablename__ = "certification"
    __table_args__ = (
        _cert_source_check,
        Index("ix_certification_person_id_expires_on", "person_id", "expires_on"),
        Index("ix_certification_expires_on", "expires_on"),
        CheckConstraint("expires_on IS NULL OR expires_on > earned_on", "expiry_after_earning"),
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    name: Mapped[str] = mapped_column(String(200))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id"), index=True)
    source: Mapped[str] = mapped_column(_cert_source_type)
    earned_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    course: Mapped[Course | None] = relationship()


class Cadence(enum.StrEnum):
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class NominationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    WINNER = "winner"


_cadence_type, _cadence_check = enum_column(Cadence, "cadence", 16)
_nomination_type, _nomination_check = enum_column(NominationStatus, "status", 16)


class RecognitionProgramme(IdMixin, Base):
    """A reward and recognition programme on a cadence, for a market or a team, run by its
    owner (a manager): people are nominated each period, the owner approves or declines and
    picks the winners."""

    __tablename__ = "recognition_programme"
    __table_args__ = (
        _cadence_check,
        CheckConstraint("team_id IS NOT NULL OR market_id IS NOT NULL", "scope_given"),
    )
    name: Mapped[str] = mapped_column(String(200))
    cadence: Mapped[str] = mapped_column(_cadence_type)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    market_id: Mapped[int | None] = mapped_column(ForeignKey("market.id"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    winners_per_period: Mapped[int] = mapped_column(Integer, default=1)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    team: Mapped[Team | None] = relationship()
    market: Mapped[Market | None] = relationship()
    owner: Mapped[Person] = relationship()


class Nomination(IdMixin, Base):
    """Someone (person_id) nominated in one period of a programme, with a reason."""

    __tablename__ = "nomination"
    __table_args__ = (
        _nomination_check,
        UniqueConstraint("programme_id", "period_start", "person_id", "nominated_by_id"),
        Index("ix_nomination_programme_id_period_start", "programme_id", "period_start"),
    )
    programme_id: Mapped[int] = mapped_column(ForeignKey("recognition_programme.id"))
    period_start: Mapped[date] = mapped_column(Date)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    nominated_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(_nomination_type, default=NominationStatus.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    programme: Mapped[RecognitionProgramme] = relationship()
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    nominated_by: Mapped[Person] = relationship(foreign_keys=[nominated_by_id])
