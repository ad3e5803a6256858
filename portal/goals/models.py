"""Goals and semi-annual reviews: review cycles with phases, a review per enrolled person,
measurable goals with check-ins and comments, ratings per goal and competency, calibration changes.

A review row is also the person's enrolment in the cycle: team, market, segment and reviewer are
copied from the person when they are enrolled and never follow later moves (frozen). Goals and
reviews store the person they are about in `person_id`, so `policy.scoped(..., Area.GOALS)` and
`Area.REVIEWS` serve them.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
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
from portal.goals.progress import Direction
from portal.org.models import Market, Person, Segment, Team


class CycleState(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class PhaseKind(enum.StrEnum):
    GOAL_SETTING = "goal_setting"
    MID_CYCLE = "mid_cycle"
    SELF_ASSESSMENT = "self_assessment"
    MANAGER_ASSESSMENT = "manager_assessment"
    CALIBRATION = "calibration"
    SIGN_OFF = "sign_off"


class ReviewState(enum.StrEnum):
    DRAFT = "draft"
    SELF_REVIEW = "self_review"
    MANAGER_REVIEW = "manager_review"
    CALIBRATION = "calibration"
    SHARED = "shared"
    ACKNOWLEDGED = "acknowledged"
    LOCKED = "locked"


class Confidence(enum.StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"


class Author(enum.StrEnum):
    SELF = "self"
    MANAGER = "manager"


_cycle_state_type, _cycle_state_check = enum_column(CycleState, "state", 16)
_phase_type, _phase_check = enum_column(PhaseKind, "kind", 24)
_review_state_type, _review_state_check = enum_column(ReviewState, "state", 16)
_direction_type, _direction_check = enum_column(Direction, "direction", 8)
_confidence_type, _confidence_check = enum_column(Confidence, "confidence", 16)
_author_type, _author_check = enum_column(Author, "author", 8)

SCORE = Numeric(14, 4)


class ReviewCycle(IdMixin, TimestampMixin, Base):
    """A semi-annual review cycle (e.g. "2026 H2") and its rules.

    scale: [{"value": 1, "label": "Needs improvement"}, ...] rising.
    bands: [{"min": "0.5", "rating": 2}, ...] goal achievement (1 = 100 %) -> suggested rating.
    guideline: {"5": "0.15"} the most a rating's share should be at calibration.
    competencies: [{"key": "knowledge", "name": "Knowledge", "behaviours": "..."}, ...].
    """

    __tablename__ = "review_cycle"
    __table_args__ = (
        _cycle_state_check,
        CheckConstraint("ends_on >= starts_on", name="period"),
        CheckConstraint("goals_weight >= 0 AND competencies_weight >= 0", name="weights"),
        CheckConstraint(
            "achievement_cap_percent BETWEEN 100 AND 200", name="achievement_cap_in_range"
        ),
    )
    name: Mapped[str] = mapped_column(String(80), unique=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(_cycle_state_type, default=CycleState.NOT_STARTED)
    scale: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    bands: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    guideline: Mapped[dict[str, str]] = mapped_column(JSON)
    competencies: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    goals_weight: Mapped[int] = mapped_column(Integer, default=70)
    competencies_weight: Mapped[int] = mapped_column(Integer, default=30)
    promotion_min_months: Mapped[int] = mapped_column(Integer, default=6)
    # A goal's progress counts up to this % in the suggested rating (rating.capped_achievement).
    achievement_cap_percent: Mapped[int] = mapped_column(Integer, default=120, server_default="120")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    phases: Mapped[list[CyclePhase]] = relationship(
        back_populates="cycle", cascade="all, delete-orphan", order_by="CyclePhase.due_on"
    )

    @property
    def is_completed(self) -> bool:
        return self.state == CycleState.COMPLETED

    @property
    def scale_values(self) -> list[int]:
        return [int(item["value"]) for item in self.scale]

    def scale_label(self, value: int | None) -> str:
        for item in self.scale:
            if int(item["value"]) == value:
                return str(item["label"])
        return ""

    def phase_due(self, kind: str) -> date | None:
        for phase in self.phases:
            if phase.kind == kind:
                return phase.due_on
        return None

    def snapshot(self) -> dict:
        return {
            "name": self.name,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "state": self.state,
            "scale": self.scale,
            "bands": self.bands,
            "guideline": self.guideline,
            "competencies": self.competencies,
            "goals_weight": self.goals_weight,
            "competencies_weight": self.competencies_weight,
            "achievement_cap_percent": self.achievement_cap_percent,
            "phases": {p.kind: p.due_on.isoformat() for p in self.phases},
        }


class CyclePhase(IdMixin, Base):
    """One phase of a cycle and its deadline (a date in each person's own calendar)."""

    __tablename__ = "cycle_phase"
    __table_args__ = (UniqueConstraint("cycle_id", "kind"), _phase_check)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id"), index=True)
    kind: Mapped[str] = mapped_column(_phase_type)
    due_on: Mapped[date] = mapped_column(Date)

    cycle: Mapped[ReviewCycle] = relationship(back_populates="phases")


class Review(IdMixin, TimestampMixin, Base):
    """A person's enrolment in a cycle and their review, moving through ReviewState."""

    __tablename__ = "review"
    __table_args__ = (
        UniqueConstraint("cycle_id", "person_id"),
        Index("ix_review_cycle_id_state", "cycle_id", "state"),
        _review_state_check,
    )
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    # Frozen at enrolment: the reviewer (the person's manager then), team, market and segment.
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    market_id: Mapped[int | None] = mapped_column(ForeignKey("market.id"), index=True)
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id"), index=True)
    state: Mapped[str] = mapped_column(_review_state_type, default=ReviewState.DRAFT)
    self_comment: Mapped[str] = mapped_column(Text, default="")
    manager_comment: Mapped[str] = mapped_column(Text, default="")
    proposed_rating: Mapped[int | None] = mapped_column(Integer)
    # The rating after calibration; starts as the proposal when the manager submits.
    final_rating: Mapped[int | None] = mapped_column(Integer)
    self_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    manager_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledgement_comment: Mapped[str] = mapped_column(Text, default="")
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    cycle: Mapped[ReviewCycle] = relationship()
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    reviewer: Mapped[Person | None] = relationship(foreign_keys=[reviewer_id])
    team: Mapped[Team | None] = relationship()
    market: Mapped[Market | None] = relationship()
    segment: Mapped[Segment | None] = relationship()
    goals: Mapped[list[Goal]] = relationship(
        back_populates="review", order_by="Goal.id", cascade="all, delete-orphan"
    )
    ratings: Mapped[list[ReviewRating]] = relationship(
        back_populates="review", cascade="all, delete-orphan"
    )

    @property
    def is_shared(self) -> bool:
        """Ratings are shown to the employee only from here on."""
        return self.state in (ReviewState.SHARED, ReviewState.ACKNOWLEDGED, ReviewState.LOCKED)

    def snapshot(self) -> dict:
        return {
            "state": self.state,
            "proposed_rating": self.proposed_rating,
            "final_rating": self.final_rating,
            "reviewer_id": self.reviewer_id,
            "team_id": self.team_id,
            "market_id": self.market_id,
            "segment_id": self.segment_id,
        }


class Goal(IdMixin, TimestampMixin, Base):
    """A measurable accountability of one person in one cycle. Progress is derived, never stored."""

    __tablename__ = "goal"
    __table_args__ = (
        Index("ix_goal_review_id_id", "review_id", "id"),
        # One goal per title and person in a cycle; also makes a double submit create one goal.
        UniqueConstraint("review_id", "title"),
        CheckConstraint("weight > 0 AND weight <= 100", name="weight_range"),
        _direction_check,
    )
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(32), default="")
    baseline: Mapped[Decimal] = mapped_column(SCORE)
    target: Mapped[Decimal] = mapped_column(SCORE)
    direction: Mapped[str] = mapped_column(_direction_type)
    weight: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    # The most recent check-in's value, kept with it so lists need no extra query per goal.
    latest_value: Mapped[Decimal | None] = mapped_column(SCORE)
    latest_confidence: Mapped[str | None] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    review: Mapped[Review] = relationship(back_populates="goals")
    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    parent: Mapped[Goal | None] = relationship(remote_side="Goal.id")
    check_ins: Mapped[list[CheckIn]] = relationship(
        back_populates="goal", order_by="CheckIn.id", cascade="all, delete-orphan"
    )
    comments: Mapped[list[GoalComment]] = relationship(
        back_populates="goal", order_by="GoalComment.id", cascade="all, delete-orphan"
    )

    def snapshot(self) -> dict:
        return {
            "title": self.title,
            "metric": self.metric,
            "unit": self.unit,
            "baseline": str(self.baseline),
            "target": str(self.target),
            "direction": self.direction,
            "weight": self.weight,
            "due_on": self.due_on.isoformat(),
            "parent_id": self.parent_id,
        }


class CheckIn(IdMixin, Base):
    """A value measured on a goal, with a confidence and a comment."""

    __tablename__ = "goal_check_in"
    __table_args__ = (_confidence_check,)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id"), index=True)
    by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    value: Mapped[Decimal] = mapped_column(SCORE)
    confidence: Mapped[str] = mapped_column(_confidence_type)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The form's one-time token: a double submit finds it taken and creates nothing.
    token: Mapped[str] = mapped_column(String(64), unique=True)

    goal: Mapped[Goal] = relationship(back_populates="check_ins")
    by: Mapped[Person] = relationship()


class GoalComment(IdMixin, Base):
    """A remark on a goal by the employee or their managers."""

    __tablename__ = "goal_comment"
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    token: Mapped[str] = mapped_column(String(64), unique=True)

    goal: Mapped[Goal] = relationship(back_populates="comments")
    author: Mapped[Person] = relationship()


class ReviewRating(IdMixin, Base):
    """One rating and comment, by the employee (self) or the reviewer (manager), on a goal
    ("goal:<id>") or a competency ("competency:<key>")."""

    __tablename__ = "review_rating"
    __table_args__ = (UniqueConstraint("review_id", "author", "subject"), _author_check)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    author: Mapped[str] = mapped_column(_author_type)
    subject: Mapped[str] = mapped_column(String(80))
    rating: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[Review] = relationship(back_populates="ratings")


class CalibrationChange(IdMixin, Base):
    """A rating changed at calibration: who, before -> after and why."""

    __tablename__ = "calibration_change"
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    before_rating: Mapped[int | None] = mapped_column(Integer)
    after_rating: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    by: Mapped[Person] = relationship()


class ReviewReopening(IdMixin, Base):
    """HR reopened a review: from which state, to which, and why."""

    __tablename__ = "review_reopening"
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CloseScope(enum.StrEnum):
    CYCLE = "cycle"  # every review of the cycle
    TEAM = "team"  # the reviews of one team (as frozen at enrolment)
    REVIEW = "review"  # one review: HR's override, with a reason


_close_scope_type, _close_scope_check = enum_column(CloseScope, "scope", 8)


class CalibrationClose(IdMixin, Base):
    """Calibration closed by HR, for a whole cycle, one team of it, or one review (HR's
    override to share before the rest closes, which needs a reason). A review may be shared
    once a close covers it, or at once when its cycle has no calibration phase."""

    __tablename__ = "calibration_close"
    __table_args__ = (
        # One close per scope: a double submit records one. scope_key: "cycle", "team:<id>",
        # "review:<id>" (a NULL team or review would not be unique).
        UniqueConstraint("cycle_id", "scope_key"),
        _close_scope_check,
    )
    cycle_id: Mapped[int] = mapped_column(ForeignKey("review_cycle.id"))
    scope: Mapped[str] = mapped_column(_close_scope_type)
    scope_key: Mapped[str] = mapped_column(String(32))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("review.id"), index=True)
    by_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    by: Mapped[Person] = relationship()
    team: Mapped[Team | None] = relationship()

    @staticmethod
    def key_for(scope: str, team_id: int | None = None, review_id: int | None = None) -> str:
        if scope == CloseScope.TEAM:
            return f"team:{team_id}"
        if scope == CloseScope.REVIEW:
            return f"review:{review_id}"
        return "cycle"
