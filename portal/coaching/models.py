"""One-on-ones (series, meetings, agenda, notes, action items) and coaching sessions.

Every record about the report stores them in `person_id`, so `policy.scoped(..., Area.COACHING)`
serves it; the supervisor is `supervisor_id`. Private notes carry no `person_id` on purpose: no
scope reaches them, only `coaching.notes.private_note_for(author, meeting)` does.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, IdMixin, TimestampMixin, UTCDateTime, enum_column, utcnow
from portal.org.models import Person


class Cadence(enum.StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"
    MISSED = "missed"
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"


# Recorded explicitly by the supervisor, never inferred. "reopen" corrects a wrong record.
TRANSITIONS: dict[tuple[MeetingStatus, str], MeetingStatus] = {
    (MeetingStatus.SCHEDULED, "hold"): MeetingStatus.HELD,
    (MeetingStatus.SCHEDULED, "miss"): MeetingStatus.MISSED,
    (MeetingStatus.SCHEDULED, "cancel"): MeetingStatus.CANCELLED,
    (MeetingStatus.SCHEDULED, "reschedule"): MeetingStatus.RESCHEDULED,
    (MeetingStatus.HELD, "reopen"): MeetingStatus.SCHEDULED,
    (MeetingStatus.MISSED, "reopen"): MeetingStatus.SCHEDULED,
    (MeetingStatus.CANCELLED, "reopen"): MeetingStatus.SCHEDULED,
}

_cadence_type, _cadence_check = enum_column(Cadence, "cadence", 16)
_status_type, _status_check = enum_column(MeetingStatus, "status", 16)


class OneOnOneSeries(IdMixin, TimestampMixin, Base):
    """The recurring 1:1 of one supervisor with one report. At most one active per report: a
    report who moves gets a new series; the old one is ended and keeps its meetings."""

    __tablename__ = "one_on_one_series"
    __table_args__ = (
        Index(
            "uq_one_on_one_series_active_person",
            "person_id",
            unique=True,
            sqlite_where=text("ended_on IS NULL"),
            postgresql_where=text("ended_on IS NULL"),
        ),
        Index("ix_one_on_one_series_supervisor_id", "supervisor_id"),
        _cadence_check,
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))  # the report
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    cadence: Mapped[str] = mapped_column(_cadence_type, default=Cadence.WEEKLY)
    weekday: Mapped[int] = mapped_column(Integer, default=0)  # Monday = 0
    start_time: Mapped[time] = mapped_column(Time())
    duration_minutes: Mapped[int] = mapped_column(Integer, default=30)
    time_zone: Mapped[str] = mapped_column(String(64))  # the supervisor's, when set up
    starts_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    report: Mapped[Person] = relationship(foreign_keys=[person_id])
    supervisor: Mapped[Person] = relationship(foreign_keys=[supervisor_id])

    @property
    def is_active(self) -> bool:
        return self.ended_on is None

    def snapshot(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "supervisor_id": self.supervisor_id,
            "cadence": self.cadence,
            "weekday": self.weekday,
            "start_time": self.start_time.isoformat(timespec="minutes"),
            "time_zone": self.time_zone,
            "starts_on": self.starts_on.isoformat(),
            "ended_on": self.ended_on.isoformat() if self.ended_on else None,
        }


class OneOnOne(IdMixin, TimestampMixin, Base):
    """One meeting of a series."""

    __tablename__ = "one_on_one"
    __table_args__ = (
        UniqueConstraint("series_id", "scheduled_at"),
        Index("ix_one_on_one_person_id_scheduled_at", "person_id", "scheduled_at"),
        Index("ix_one_on_one_supervisor_id_scheduled_at", "supervisor_id", "scheduled_at"),
        # The completion counts read a window of weeks of every series: an index-only scan.
        Index("ix_one_on_one_scheduled_at_series_id_status", "scheduled_at", "series_id", "status"),
        # The stored best meeting per week (coaching.best_weeks) is exact up to the first week
        # holding a meeting written after its refresh.
        Index("ix_one_on_one_updated_at", "updated_at"),
        _status_check,
    )
    series_id: Mapped[int] = mapped_column(ForeignKey("one_on_one_series.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))  # the report
    supervisor_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int] = mapped_column(Integer, default=30)
    status: Mapped[str] = mapped_column(_status_type, default=MeetingStatus.SCHEDULED)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    rescheduled_to_id: Mapped[int | None] = mapped_column(ForeignKey("one_on_one.id"))
    status_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    shared_notes: Mapped[str] = mapped_column(Text, default="")
    # Two counters, checked and bumped by compare-and-set UPDATEs in coaching.meetings: writing
    # the notes must not make the status buttons stale, nor the other way round.
    version: Mapped[int] = mapped_column(Integer, default=1)  # the status
    notes_version: Mapped[int] = mapped_column(Integer, default=1)

    series: Mapped[OneOnOneSeries] = relationship()
    report: Mapped[Person] = relationship(foreign_keys=[person_id])
    supervisor: Mapped[Person] = relationship(foreign_keys=[supervisor_id])
    rescheduled_to: Mapped[OneOnOne | None] = relationship(remote_side="OneOnOne.id")

    def snapshot(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "scheduled_at": self.scheduled_at.isoformat(),
            "cancel_reason": self.cancel_reason,
            "rescheduled_to_id": self.rescheduled_to_id,
        }


class AgendaItem(IdMixin, Base):
    """A line of a meeting's shared agenda; both people add and tick them off."""

    __tablename__ = "one_on_one_agenda_item"
    __table_args__ = (
        Index("ix_one_on_one_agenda_item_meeting_id", "meeting_id", "id"),
        # One talking point lands on one meeting's agenda once (double clicks included).
        UniqueConstraint("meeting_id", "source_key"),
    )
    meeting_id: Mapped[int] = mapped_column(ForeignKey("one_on_one.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    source_key: Mapped[str | None] = mapped_column(String(80))
    is_done: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    added_by: Mapped[Person] = relationship(foreign_keys=[added_by_id])


class PrivateNote(IdMixin, TimestampMixin, Base):
    """The supervisor's private note on a meeting: read and written by its author alone."""

    __tablename__ = "one_on_one_private_note"
    __table_args__ = (UniqueConstraint("meeting_id", "author_id"),)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("one_on_one.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ActionItem(IdMixin, TimestampMixin, Base):
    """Something either person will do. It belongs to the series and shows on every meeting
    from the one it was agreed in until the one where it was done: that is its carry-over."""

    __tablename__ = "action_item"
    __table_args__ = (
        Index("ix_action_item_series_id_is_done", "series_id", "is_done"),
        Index("ix_action_item_owner_id_is_done", "owner_id", "is_done"),
        UniqueConstraint("meeting_id", "request_token"),
    )
    series_id: Mapped[int] = mapped_column(ForeignKey("one_on_one_series.id"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("one_on_one.id"), index=True)  # agreed in
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)  # the report
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    is_done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_meeting_id: Mapped[int | None] = mapped_column(ForeignKey("one_on_one.id"), index=True)
    # The form's one-time token: a double submit finds the first item instead of a second.
    request_token: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    owner: Mapped[Person] = relationship(foreign_keys=[owner_id])
    meeting: Mapped[OneOnOne] = relationship(foreign_keys=[meeting_id])
    done_meeting: Mapped[OneOnOne | None] = relationship(foreign_keys=[done_meeting_id])

    def snapshot(self) -> dict[str, Any]:
        return {
            "body": self.body,
            "owner_id": self.owner_id,
            "due_on": self.due_on.isoformat() if self.due_on else None,
            "is_done": self.is_done,
        }


coaching_session_evaluation = Table(
    "coaching_session_evaluation",
    Base.metadata,
    Column("session_id", ForeignKey("coaching_session.id"), primary_key=True),
    Column("evaluation_id", ForeignKey("evaluation.id"), primary_key=True, index=True),
)

coaching_session_question = Table(
    "coaching_session_question",
    Base.metadata,
    Column("session_id", ForeignKey("coaching_session.id"), primary_key=True),
    Column("question_id", ForeignKey("scorecard_question.id"), primary_key=True, index=True),
)


class CoachingSession(IdMixin, TimestampMixin, Base):
    """Coaching of an agent on what evaluations showed: behaviour, commitment, follow-up."""

    __tablename__ = "coaching_session"
    __table_args__ = (
        Index("ix_coaching_session_person_id_held_on", "person_id", "held_on"),
        UniqueConstraint("coach_id", "request_token"),
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))  # the agent
    coach_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("one_on_one.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    behaviour: Mapped[str] = mapped_column(Text)
    commitment: Mapped[str] = mapped_column(Text)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    request_token: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    agent: Mapped[Person] = relationship(foreign_keys=[person_id])
    coach: Mapped[Person] = relationship(foreign_keys=[coach_id])
    evaluations: Mapped[list[Any]] = relationship(
        "Evaluation", secondary=coaching_session_evaluation
    )
    questions: Mapped[list[Any]] = relationship(
        "ScorecardQuestion", secondary=coaching_session_question
    )

    def snapshot(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "held_on": self.held_on.isoformat(),
            "behaviour": self.behaviour,
            "commitment": self.commitment,
            "follow_up_on": self.follow_up_on.isoformat() if self.follow_up_on else None,
            "evaluation_ids": sorted(e.id for e in self.evaluations),
            "question_ids": sorted(q.id for q in self.questions),
        }


class CalendarFeed(IdMixin, Base):
    """A person's secret iCalendar link. Only the token's hash is stored; a reset revokes it."""

    __tablename__ = "coaching_calendar_feed"
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
