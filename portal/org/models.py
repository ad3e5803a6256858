"""People and the organisation they sit in."""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import Base, IdMixin, TimestampMixin, UTCDateTime, utcnow
from portal.extensions import db


class Market(IdMixin, Base):
    __tablename__ = "market"
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")


class Segment(IdMixin, Base):
    __tablename__ = "segment"
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(80))


class Position(IdMixin, Base):
    """A job position from the configurable list (agent, senior agent, supervisor, ...)."""

    __tablename__ = "position"
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    rank: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Team(IdMixin, Base):
    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("market_id", "name"),)
    name: Mapped[str] = mapped_column(String(120))
    market_id: Mapped[int | None] = mapped_column(ForeignKey("market.id"), index=True)
    market: Mapped[Market | None] = relationship()


class Person(IdMixin, TimestampMixin, UserMixin, Base):
    """Someone in the organisation; also the signed-in user."""

    __tablename__ = "person"
    __table_args__ = (
        Index("ix_person_path", "path", postgresql_ops={"path": "text_pattern_ops"}),
        Index("ix_person_name_id", "name", "id"),
        CheckConstraint("manager_id IS NULL OR manager_id <> id", name="not_own_manager"),
    )
    name: Mapped[str] = mapped_column(String(160))
    name_romanised: Mapped[str | None] = mapped_column(String(160))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    employee_id: Mapped[str] = mapped_column(String(32), unique=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("position.id"), index=True)
    hire_on: Mapped[date | None] = mapped_column(Date)
    position_since_on: Mapped[date | None] = mapped_column(Date)
    market_id: Mapped[int | None] = mapped_column(ForeignKey("market.id"), index=True)
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segment.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    locale: Mapped[str] = mapped_column(String(16), default="en")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    # Materialised path of ids from the root, e.g. "/1/5/23/": a subtree is one LIKE.
    path: Mapped[str] = mapped_column(String(1024), default="/")
    depth: Mapped[int] = mapped_column(Integer, default=0)
    # When this row last changed in a way that moves roll-up sums (manager, path, market,
    # segment, team, activity; set on insert too): the roll-up's reader compares the latest with its
    # refresh time (portal.kpis.rollup). A password change or a sign-in leaves it alone.
    org_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    position: Mapped[Position] = relationship(lazy="joined")
    market: Mapped[Market | None] = relationship(lazy="joined")
    segment: Mapped[Segment | None] = relationship(lazy="joined")
    team: Mapped[Team | None] = relationship(lazy="joined")
    manager: Mapped[Person | None] = relationship(remote_side="Person.id")

    # Flask-Login: the session id travels in the cookie, not the person id (see auth.sessions).
    current_session_token = None  # set per request; not a column

    def get_id(self) -> str | None:  # Flask-Login
        return self.current_session_token

    # UserMixin compares users by get_id(); two people without a session token would be
    # "equal". The identity map gives one object per row, so identity is the right equality.
    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other

    __hash__ = object.__hash__

    @property
    def is_active_user(self) -> bool:
        return self.is_active

    @property
    def display_name(self) -> str:
        if self.name_romanised and self.name_romanised != self.name:
            return f"{self.name} ({self.name_romanised})"
        return self.name

    def snapshot(self) -> dict:
        """The audited fields of this person (never the password hash)."""
        return {
            "name": self.name,
            "name_romanised": self.name_romanised,
            "email": self.email,
            "employee_id": self.employee_id,
            "position_id": self.position_id,
            "hire_on": self.hire_on.isoformat() if self.hire_on else None,
            "position_since_on": (
                self.position_since_on.isoformat() if self.position_since_on else None
            ),
            "market_id": self.market_id,
            "segment_id": self.segment_id,
            "team_id": self.team_id,
            "locale": self.locale,
            "time_zone": self.time_zone,
            "is_active": self.is_active,
            "manager_id": self.manager_id,
        }

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.email}>"


# The columns whose change moves people between roll-up sums (subtrees, market, segment, the
# team of the 1:1 counts per node, who is counted): changing one stamps Person.org_changed_at.
ORG_COLUMNS = ("manager_id", "path", "market_id", "segment_id", "team_id", "is_active")


@event.listens_for(Person, "before_insert")
def _stamp_new_person(_mapper, _connection, person: Person) -> None:
    person.org_changed_at = utcnow()


@event.listens_for(Person, "before_update")
def _stamp_org_change(_mapper, _connection, person: Person) -> None:
    state = inspect(person)
    if any(state.attrs[name].history.has_changes() for name in ORG_COLUMNS):
        person.org_changed_at = utcnow()


class StaffRole(enum.StrEnum):
    QA_ANALYST = "qa_analyst"
    TRAINER = "trainer"
    HR_ADMIN = "hr_admin"


class Grant(IdMixin, TimestampMixin, Base):
    """A staff role for a person, scoped to a team or a market (HR admin: everyone)."""

    __tablename__ = "staff_grant"
    __table_args__ = (
        CheckConstraint("role IN ('qa_analyst', 'trainer', 'hr_admin')", name="role_valid"),
        CheckConstraint(
            "role = 'hr_admin' OR team_id IS NOT NULL OR market_id IS NOT NULL",
            name="scope_given",
        ),
        UniqueConstraint("person_id", "role", "team_id", "market_id"),
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    market_id: Mapped[int | None] = mapped_column(ForeignKey("market.id"), index=True)

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    team: Mapped[Team | None] = relationship()
    market: Mapped[Market | None] = relationship()


__all__ = ["Market", "Segment", "Position", "Team", "Person", "Grant", "StaffRole", "db"]
