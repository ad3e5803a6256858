"""Read-only queries over people, always through the visibility scope."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from portal import policy
from portal.extensions import db
from portal.org.models import Market, Person, Position, Segment, Team
from portal.params import BadCursor, has_control_chars, parse_int


@dataclass(frozen=True)
class HomeSummary:
    visible_people: int
    direct_reports: int
    subtree_size: int


def home_summary_for(viewer: Person) -> HomeSummary:
    """Counts for the home page, each within what the viewer may see."""
    visible = db.session.execute(
        policy.scoped(select(func.count(Person.id)), Person, viewer).where(Person.is_active)
    ).scalar_one()
    direct = db.session.execute(
        select(func.count(Person.id)).where(Person.manager_id == viewer.id, Person.is_active)
    ).scalar_one()
    subtree = db.session.execute(
        select(func.count(Person.id)).where(
            policy.subtree_condition(viewer.path), Person.id != viewer.id, Person.is_active
        )
    ).scalar_one()
    return HomeSummary(visible_people=visible, direct_reports=direct, subtree_size=subtree)


# ---- the people directory ------------------------------------------------------------------

# Sorting on a nullable date needs a stand-in for "no date" so that keyset paging can compare.
NO_DATE = date(1, 1, 1)
SORT_KEYS: dict[str, Any] = {
    "name": Person.name,
    "employee_id": Person.employee_id,
    "hire_on": func.coalesce(Person.hire_on, NO_DATE),
}
STATUSES = ("active", "inactive", "all")
DIRECTIONS = ("asc", "desc")


def _int_or_none(value: str | None) -> int | None:
    return parse_int(value)


@dataclass(frozen=True)
class PersonFilters:
    """What the directory is asked for: search text, filters and order."""

    q: str = ""
    market: int | None = None
    segment: int | None = None
    team: int | None = None
    position: int | None = None
    status: str = "active"
    sort: str = "name"
    dir: str = "asc"

    @classmethod
    def from_mapping(cls, args: Mapping[str, str]) -> PersonFilters:
        """Read filters from query-string values; anything unusable falls back to the default."""
        status = args.get("status", "active")
        sort = args.get("sort", "name")
        direction = args.get("dir", "asc")
        return cls(
            q=(args.get("q") or "").strip()[:100],
            market=_int_or_none(args.get("market")),
            segment=_int_or_none(args.get("segment")),
            team=_int_or_none(args.get("team")),
            position=_int_or_none(args.get("position")),
            status=status if status in STATUSES else "active",
            sort=sort if sort in SORT_KEYS else "name",
            dir=direction if direction in DIRECTIONS else "asc",
        )

    def as_args(self) -> dict[str, Any]:
        """The filters that differ from the defaults, for links and the audit log."""
        default = PersonFilters()
        return {k: v for k, v in asdict(self).items() if v != getattr(default, k)}

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.q:
            found.append(
                or_(
                    Person.name.icontains(self.q, autoescape=True),
                    Person.name_romanised.icontains(self.q, autoescape=True),
                    Person.email.icontains(self.q, autoescape=True),
                    Person.employee_id.icontains(self.q, autoescape=True),
                )
            )
        for column, value in (
            (Person.market_id, self.market),
            (Person.segment_id, self.segment),
            (Person.team_id, self.team),
            (Person.position_id, self.position),
        ):
            if value is not None:
                found.append(column == value)
        if self.status == "active":
            found.append(Person.is_active.is_(True))
        elif self.status == "inactive":
            found.append(Person.is_active.is_(False))
        return found

    def order_by(self) -> tuple:
        key = SORT_KEYS[self.sort]
        if self.dir == "desc":
            return key.desc(), Person.id.desc()
        return key.asc(), Person.id.asc()


@dataclass(frozen=True)
class PersonPage:
    rows: list[Person]
    total: int
    next_cursor: str | None
    has_previous: bool


def _sort_value(person: Person, sort: str) -> Any:
    if sort == "hire_on":
        return person.hire_on or NO_DATE
    return getattr(person, sort)


def encode_cursor(person: Person, sort: str) -> str:
    """The last row's sort key and id, as an opaque URL-safe token."""
    value = _sort_value(person, sort)
    payload = [sort, value.isoformat() if isinstance(value, date) else value, person.id]
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def decode_cursor(token: str | None, sort: str) -> tuple[Any, int] | None:
    """The (sort key, id) a cursor carries; None when it is missing or for another sort (the
    first page); BadCursor (400) when it is damaged."""
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        cursor_sort, value, person_id = json.loads(raw)
        if not isinstance(person_id, int) or not isinstance(value, str):
            raise BadCursor()
        if cursor_sort != sort:
            return None
        key = date.fromisoformat(value) if sort == "hire_on" else value  # NO_DATE is 0001
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise BadCursor() from None
    if parse_int(person_id) is None or has_control_chars(value):
        raise BadCursor()
    return key, person_id


def _after(filters: PersonFilters, cursor: tuple[Any, int]) -> ColumnElement[bool]:
    key_column = SORT_KEYS[filters.sort]
    key, person_id = cursor
    if filters.dir == "desc":
        return or_(key_column < key, and_(key_column == key, Person.id < person_id))
    return or_(key_column > key, and_(key_column == key, Person.id > person_id))


def people_page_for(
    viewer: Person, filters: PersonFilters, *, after: str | None, page_size: int
) -> PersonPage:
    """One page of the directory (keyset paging: no OFFSET) and the total that matches."""
    conditions = filters.conditions()
    total = db.session.execute(
        policy.scoped(select(func.count(Person.id)), Person, viewer).where(*conditions)
    ).scalar_one()
    stmt = policy.scoped(select(Person), Person, viewer).where(*conditions)
    cursor = decode_cursor(after, filters.sort)
    if cursor is not None:
        stmt = stmt.where(_after(filters, cursor))
    stmt = stmt.order_by(*filters.order_by()).limit(page_size + 1)
    rows = list(db.session.execute(stmt).scalars())
    has_more = len(rows) > page_size
    rows = rows[:page_size]
    next_cursor = encode_cursor(rows[-1], filters.sort) if has_more else None
    return PersonPage(rows, total, next_cursor, has_previous=cursor is not None)


def people_for_export(viewer: Person, filters: PersonFilters) -> list[tuple[Person, str | None]]:
    """Every visible person matching the filters, with their manager's e-mail when the viewer
    may see the manager too (otherwise None, so an export leaks no one out of reach)."""
    manager = aliased(Person)
    visible_manager = and_(
        manager.id == Person.manager_id, manager.id.in_(policy.visible_person_ids(viewer))
    )
    stmt = (
        policy.scoped(select(Person, manager.email), Person, viewer)
        .outerjoin(manager, visible_manager)
        .where(*filters.conditions())
        .order_by(*filters.order_by())
    )
    return [(person, email) for person, email in db.session.execute(stmt)]


@dataclass(frozen=True)
class Choices:
    """Reference lists for filters and forms (not about people, so not scoped)."""

    markets: list[Market]
    segments: list[Segment]
    teams: list[Team]
    positions: list[Position]


def choices() -> Choices:
    return Choices(
        markets=list(db.session.execute(select(Market).order_by(Market.code)).scalars()),
        segments=list(db.session.execute(select(Segment).order_by(Segment.name)).scalars()),
        teams=list(db.session.execute(select(Team).order_by(Team.name, Team.id)).scalars()),
        positions=list(
            db.session.execute(select(Position).order_by(Position.rank, Position.name)).scalars()
        ),
    )


# ---- profile and tree -----------------------------------------------------------------------


def _visible_people(viewer: Person, stmt: Select) -> list[Person]:
    return list(db.session.execute(policy.scoped(stmt, Person, viewer)).scalars())


@dataclass(frozen=True)
class Profile:
    person: Person
    chain: list[Person]  # the managers above, top first, as far as the viewer may see them
    reports: list[Person]

    @property
    def manager(self) -> Person | None:
        if self.chain and self.chain[-1].id == self.person.manager_id:
            return self.chain[-1]
        return None


def profile_for(viewer: Person, person_id: int) -> Profile:
    """A person's profile: themselves, their visible managers and their visible reports."""
    person = policy.get_visible_or_404(Person, person_id, viewer)
    above = [int(part) for part in person.path.strip("/").split("/")[:-1] if part]
    chain = (
        _visible_people(viewer, select(Person).where(Person.id.in_(above)).order_by(Person.depth))
        if above
        else []
    )
    reports = _visible_people(
        viewer,
        select(Person)
        .where(Person.manager_id == person.id)
        .order_by(Person.is_active.desc(), Person.name, Person.id),
    )
    return Profile(person=person, chain=chain, reports=reports)


@dataclass(frozen=True)
class TreeNode:
    person: Person
    report_count: int


def _with_counts(viewer: Person, people: list[Person]) -> list[TreeNode]:
    """Attach each person's count of visible active reports, in one grouped query."""
    if not people:
        return []
    stmt = (
        policy.scoped(select(Person.manager_id, func.count(Person.id)), Person, viewer)
        .where(Person.manager_id.in_([p.id for p in people]), Person.is_active)
        .group_by(Person.manager_id)
    )
    counts = dict(db.session.execute(stmt).tuples().all())
    return [TreeNode(person, counts.get(person.id, 0)) for person in people]


def tree_roots_for(viewer: Person, root_id: int | None = None) -> list[TreeNode]:
    """Where the viewer's tree starts: the given person (if visible), else every visible active
    person whose manager is out of view or inactive (for HR: the top; for others: themselves)."""
    if root_id is not None:
        return _with_counts(viewer, [policy.get_visible_or_404(Person, root_id, viewer)])
    shown_managers = policy.scoped(select(Person.id), Person, viewer).where(Person.is_active)
    stmt = (
        select(Person)
        .where(
            Person.is_active,
            or_(Person.manager_id.is_(None), Person.manager_id.not_in(shown_managers)),
        )
        .order_by(Person.name, Person.id)
    )
    return _with_counts(viewer, _visible_people(viewer, stmt))


def tree_children_for(viewer: Person, person_id: int) -> tuple[Person, list[TreeNode]]:
    """A visible person and their visible active direct reports (404 when out of reach)."""
    parent = policy.get_visible_or_404(Person, person_id, viewer)
    stmt = (
        select(Person)
        .where(Person.manager_id == parent.id, Person.is_active)
        .order_by(Person.name, Person.id)
    )
    return parent, _with_counts(viewer, _visible_people(viewer, stmt))
