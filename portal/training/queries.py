"""Read helpers for the training pages: choices, people pages, a person in training scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, func, not_, or_, select

from portal import policy
from portal.errors import NotFound
from portal.extensions import db
from portal.org.models import Market, Person, Position, Team
from portal.params import split_cursor
from portal.training import assignments
from portal.training.status import StatusCounts


def today_for(person: Person, now: datetime) -> date:
    """The date in the person's time zone: due dates are days where the person lives."""
    try:
        zone = ZoneInfo(person.time_zone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()


def audience_choices() -> tuple[list, list, list]:
    teams = db.session.execute(
        select(Team.id, Team.name, Market.code)
        .outerjoin(Market, Market.id == Team.market_id)
        .order_by(Market.code, Team.name, Team.id)
    ).all()
    positions = db.session.execute(
        select(Position.id, Position.name)
        .where(Position.is_active.is_(True))
        .order_by(Position.rank, Position.name)
    ).all()
    markets = db.session.execute(
        select(Market.id, Market.code, Market.name).order_by(Market.code)
    ).all()
    return (
        [(i, f"{name} ({code})" if code else name) for i, name, code in teams],
        [(i, name) for i, name in positions],
        [(i, f"{code} · {name}") for i, code, name in markets],
    )


def person_in_training_scope(viewer: Person, person_id: int) -> Person:
    return policy.get_visible_or_404(Person, person_id, viewer, policy.Area.TRAINING)


def find_by_employee_id(employee_id: str) -> Person | None:
    return db.session.execute(
        select(Person).where(Person.employee_id == employee_id.strip())
    ).scalar_one_or_none()


@dataclass(frozen=True)
class PeoplePage:
    ids: list[int]
    next_cursor: str | None
    has_previous: bool


def people_page(
    viewer: Person,
    *,
    team_id: int | None = None,
    after: str | None = None,
    limit: int = 50,
) -> PeoplePage:
    """Active people whose training the viewer follows (not the viewer), by name, keyset-paged."""
    stmt = people_in_scope(viewer, team_id=team_id).add_columns(Person.name)
    cursor = _cursor(after)
    if cursor:
        name, last_id = cursor
        stmt = stmt.where(or_(Person.name > name, and_(Person.name == name, Person.id > last_id)))
    rows = db.session.execute(stmt.order_by(Person.name, Person.id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = f"{rows[-1][0]}:{rows[-1][1]}" if more and rows else None
    return PeoplePage([r[0] for r in rows], next_cursor, cursor is not None)


def people_in_scope(viewer: Person, *, team_id: int | None = None) -> Select:
    """Ids of every person people_page would list across all its pages."""
    stmt = policy.scoped(
        select(Person.id).where(Person.is_active.is_(True), Person.id != viewer.id),
        Person,
        viewer,
        policy.Area.TRAINING,
    )
    return stmt.where(Person.team_id == team_id) if team_id else stmt


def counts_by_course(people: Select, today: date) -> dict[int, StatusCounts]:
    """Course id -> completed / due / overdue over every (person, course) item of the people,
    in one statement (status.standing's rule as CASEs, like the team view's training panel)."""
    items = assignments.items_statement(people, mandatory_only=True).subquery("items")
    done = assignments.is_complete_sql(items)
    overdue = and_(not_(done), items.c.due_on < today)
    stmt = select(
        items.c.id,  # the course's id
        func.count(),
        func.sum(case((done, 1), else_=0)),
        func.sum(case((overdue, 1), else_=0)),
    ).group_by(items.c.id)
    result = {}
    for course_id, total, completed, late in db.session.execute(stmt):
        completed, late = int(completed or 0), int(late or 0)
        result[course_id] = StatusCounts(
            completed=completed, due=int(total) - completed - late, overdue=late
        )
    return result


def _cursor(after: str | None) -> tuple[str, int] | None:
    return split_cursor(after, ":", str, id_first=True)


def people_names(ids: list[int]) -> list[tuple[int, str]]:
    if not ids:
        return []
    rows = db.session.execute(
        select(Person.id, Person.name).where(Person.id.in_(ids)).order_by(Person.name, Person.id)
    ).all()
    return [(i, n) for i, n in rows]


def require_found(record):  # noqa: ANN001, ANN201
    if record is None:
        raise NotFound()
    return record
