"""The recognition panel of the team view: kudos received in the period by the people at or
below the node whose recognition the viewer may see (Area.RECOGNITION: the recipient's
reporting line and HR), narrowed by market and segment: how many, how many people were
recognised, by value, and per direct report.

A kudos counts on the day it was given in the viewer's time zone.
Statements: the totals of this period and the previous one, the counts by value, the direct
reports and their counts. Five, whatever the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.kpis import queries as kpi_queries
from portal.kpis.periods import Comparison, Period, comparison
from portal.kpis.queries import ViewFilters
from portal.org.models import Person
from portal.policy import Area
from portal.training.models import Kudos


@dataclass(frozen=True)
class KudosCount:
    kudos: int = 0
    people: int = 0  # distinct recipients


@dataclass(frozen=True)
class RecognitionChild:
    person: Person
    count: KudosCount


@dataclass(frozen=True)
class TeamRecognition:
    total: KudosCount
    previous: KudosCount
    by_value: list[tuple[str, int]]  # most first
    children: list[RecognitionChild]


def utc_bounds(start: date, end: date, time_zone: str) -> tuple[datetime, datetime]:
    """The instants from the start of `start` to the end of `end` in the time zone."""
    try:
        zone = ZoneInfo(time_zone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    low = datetime.combine(start, time(0), zone).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), time(0), zone).astimezone(UTC)
    return low, high


def by_value_sorted(rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Values by count, most first, then by name (pure)."""
    return sorted(((str(v), int(n)) for v, n in rows), key=lambda r: (-r[1], r[0]))


def _received(stmt: Select, people: Select, low: datetime, high: datetime) -> Select:
    return stmt.where(Kudos.person_id.in_(people), Kudos.created_at >= low, Kudos.created_at < high)


def counts(people: Select, low: datetime, high: datetime) -> KudosCount:
    row = db.session.execute(
        _received(
            select(func.count(Kudos.id), func.count(func.distinct(Kudos.person_id))),
            people,
            low,
            high,
        )
    ).one()
    return KudosCount(int(row[0] or 0), int(row[1] or 0))


def team_recognition(
    viewer: Person,
    node: Person,
    period: Period,
    filters: ViewFilters,
    compared: Comparison | None = None,
) -> TeamRecognition:
    """Everything the recognition panel shows, in five statements. `compared`
    (kpis.periods.comparison): its current days against its previous ones (like for like while
    the period runs); default the whole period against the whole previous one."""
    compared = compared or comparison(period, period.end + timedelta(days=1))
    people = kpi_queries.population(viewer, node, filters, Area.RECOGNITION)
    zone = viewer.time_zone or "UTC"
    low, high = utc_bounds(period.start, compared.current.end, zone)
    before = compared.previous
    total = counts(people, low, high)
    previous = counts(people, *utc_bounds(before.start, before.end, zone))
    values = db.session.execute(
        _received(select(Kudos.value, func.count(Kudos.id)), people, low, high).group_by(
            Kudos.value
        )
    ).all()
    children = kpi_queries.children_of(viewer, node, Area.RECOGNITION)
    rows: list[RecognitionChild] = []
    if children:
        member, child = aliased(Person), aliased(Person)
        stmt = (
            _received(
                select(child.id, func.count(Kudos.id), func.count(func.distinct(Kudos.person_id))),
                people,
                low,
                high,
            )
            .join(member, member.id == Kudos.person_id)
            .join(child, member.path.startswith(child.path))
            .where(child.manager_id == node.id)
            .group_by(child.id)
        )
        found = {int(c): KudosCount(int(k), int(p)) for c, k, p in db.session.execute(stmt)}
        rows = [RecognitionChild(c, found.get(c.id, KudosCount())) for c in children]
        if filters.narrows_people:
            rows = [row for row in rows if row.count.kudos]
    return TeamRecognition(total, previous, by_value_sorted(values), rows)
