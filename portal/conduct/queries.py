"""The list of corrective actions and its CSV export: one statement each, scoped by the policy
(drafts only for their author), filtered by whose, kind, state and person, keyset-paged on the
id (newest first)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import joinedload

from portal import policy
from portal.conduct.models import CorrectiveAction, FollowUp
from portal.conduct.rules import Kind, Standing, State, standing
from portal.extensions import db
from portal.org.models import Person
from portal.params import cursor_id, parse_int

WHOSE = ("all", "mine", "team")
# A state filter is a lifecycle state or a standing (active: issued and not expired).
STATE_FILTERS = (
    *(s.value for s in State),
    Standing.ACTIVE.value,
    Standing.EXPIRED.value,
)
EXPORT_CAP = 10_000


@dataclass(frozen=True)
class ActionFilters:
    whose: str = "all"  # mine: about me; team: about others I see
    kind: str = ""
    state: str = ""
    person: int | None = None

    @classmethod
    def from_mapping(cls, args: Mapping[str, str]) -> ActionFilters:
        """Read filters from query-string values; anything unusable falls back to the default."""
        whose = args.get("whose", "all")
        kind = args.get("kind", "")
        state = args.get("state", "")
        return cls(
            whose=whose if whose in WHOSE else "all",
            kind=kind if kind in {k.value for k in Kind} else "",
            state=state if state in STATE_FILTERS else "",
            person=parse_int(args.get("person"), minimum=1),
        )

    def as_args(self) -> dict[str, Any]:
        default = ActionFilters()
        return {k: v for k, v in asdict(self).items() if v != getattr(default, k)}

    def conditions(self, viewer: Person, today: date) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.whose == "mine":
            found.append(CorrectiveAction.person_id == viewer.id)
        elif self.whose == "team":
            found.append(CorrectiveAction.person_id != viewer.id)
        if self.kind:
            found.append(CorrectiveAction.kind == self.kind)
        if self.person is not None:
            found.append(CorrectiveAction.person_id == self.person)
        if self.state == Standing.ACTIVE:
            found += [CorrectiveAction.state != State.DRAFT, CorrectiveAction.expires_on > today]
        elif self.state == Standing.EXPIRED:
            found += [CorrectiveAction.state != State.DRAFT, CorrectiveAction.expires_on <= today]
        elif self.state:
            found.append(CorrectiveAction.state == self.state)
        return found


@dataclass(frozen=True)
class ActionRow:
    """One line of the list, as plain values (the audit's commit expires the ORM objects)."""

    id: int
    person_id: int
    person_name: str
    employee_id: str
    kind: str
    state: str
    held_on: date
    issued_on: date | None
    acknowledged_on: date | None
    expires_on: date | None
    author_name: str
    standing: Standing
    next_follow_up: date | None
    open_follow_ups: int


@dataclass(frozen=True)
class ActionPage:
    rows: list[ActionRow]
    next_cursor: str | None
    has_previous: bool


def _statement(viewer: Person, filters: ActionFilters, today: date) -> Select:
    open_ = FollowUp.done_at.is_(None)
    next_due = (
        select(func.min(FollowUp.due_on))
        .where(FollowUp.action_id == CorrectiveAction.id, open_)
        .correlate(CorrectiveAction)
        .scalar_subquery()
    )
    open_count = (
        select(func.count(FollowUp.id))
        .where(FollowUp.action_id == CorrectiveAction.id, open_)
        .correlate(CorrectiveAction)
        .scalar_subquery()
    )
    stmt = select(CorrectiveAction, next_due, open_count).options(
        joinedload(CorrectiveAction.person), joinedload(CorrectiveAction.author)
    )
    stmt = policy.scoped_conduct(stmt, CorrectiveAction, viewer)
    return stmt.where(*filters.conditions(viewer, today))


def _rows(result: Any, today: date) -> list[ActionRow]:
    return [
        ActionRow(
            id=a.id,
            person_id=a.person_id,
            person_name=a.person.name,
            employee_id=a.person.employee_id,
            kind=a.kind,
            state=a.state,
            held_on=a.held_on,
            issued_on=a.issued_on,
            acknowledged_on=a.acknowledged_at.date() if a.acknowledged_at else None,
            expires_on=a.expires_on,
            author_name=a.author.name,
            standing=standing(a.state, a.expires_on, today),
            next_follow_up=due,
            open_follow_ups=count or 0,
        )
        for a, due, count in result
    ]


def actions_page(
    viewer: Person, filters: ActionFilters, *, after: str | None, page_size: int, today: date
) -> ActionPage:
    """One page of the actions the viewer may read, newest first (keyset on the id)."""
    stmt = _statement(viewer, filters, today)
    last = cursor_id(after)
    if last is not None:
        stmt = stmt.where(CorrectiveAction.id < last)
    result = db.session.execute(stmt.order_by(CorrectiveAction.id.desc()).limit(page_size + 1))
    rows = _rows(result.all(), today)
    more = len(rows) > page_size
    rows = rows[:page_size]
    cursor = str(rows[-1].id) if more and rows else None
    return ActionPage(rows, cursor, last is not None)


def actions_for_export(viewer: Person, filters: ActionFilters, today: date) -> list[ActionRow]:
    stmt = _statement(viewer, filters, today).order_by(CorrectiveAction.id.desc())
    return _rows(db.session.execute(stmt.limit(EXPORT_CAP)).all(), today)


def person_filter_name(viewer: Person, person_id: int | None) -> Person | None:
    """The person a list is filtered on, when the viewer may see their actions."""
    if person_id is None:
        return None
    stmt = policy.scoped(
        select(Person).where(Person.id == person_id), Person, viewer, policy.Area.IMPROVEMENT
    )
    return db.session.scalars(stmt).first()
