"""The 1:1 panel of the team view: "did every report get their weekly 1:1?" for a node and a
period, with the 1:1 programme's own rules (portal.coaching.completion: a week's cell is the best
thing recorded in it, in the report's time zone; % held = held / expected).

Whose 1:1s: the reports at or below the node whose 1:1s the viewer may see (Area.COACHING),
narrowed by market and segment; not the node's own 1:1 with their manager (that is their
manager's team's), except when the node has nobody below them (an agent sees their own).
The period's weeks are those whose Monday falls in it (a week is never counted in two months);
a period holding no Monday takes the week of its first day.

Statements: the direct reports, the series with their reports, the meetings of those weeks.
Three, whatever the data (the meetings are then folded into cells in Python, by the
programme's pure rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from portal.coaching import completion
from portal.coaching import queries as coaching_queries
from portal.coaching.completion import Tally
from portal.coaching.queries import ReportInfo
from portal.kpis import queries as kpi_queries
from portal.kpis.periods import Period
from portal.kpis.queries import ViewFilters
from portal.org.models import Person
from portal.policy import Area


@dataclass(frozen=True)
class OneOnOneChild:
    person: Person
    tally: Tally


@dataclass(frozen=True)
class TeamOneOnOnes:
    weeks: list[date]
    total: Tally
    previous: Tally
    reports: int  # people with a 1:1 series in these weeks
    children: list[OneOnOneChild]


def period_weeks(period: Period) -> list[date]:
    """The Mondays inside the period; the Monday before its start when it holds none."""
    first = period.start + timedelta(days=(7 - period.start.weekday()) % 7)
    weeks = []
    day = first
    while day <= period.end:
        weeks.append(day)
        day += timedelta(days=7)
    return weeks or [period.start - timedelta(days=period.start.weekday())]


def child_of(path: str, children: list[Person]) -> Person | None:
    """The direct report whose subtree holds the person with this path."""
    for child in children:
        if path.startswith(child.path):
            return child
    return None


def tally_by_child(
    grid: completion.Grid, people: dict[int, ReportInfo], children: list[Person]
) -> dict[int, Tally]:
    """Each direct report's tally over their subtree's series (pure)."""
    result = {child.id: Tally() for child in children}
    for row in grid.rows:
        person = people.get(row.person_id)
        child = child_of(person.path, children) if person is not None else None
        if child is None:
            continue
        for week in grid.weeks:
            result[child.id].add(grid.cells[(row.series_id, week)])
    return result


def team_one_on_ones(
    viewer: Person, node: Person, period: Period, filters: ViewFilters, now: datetime
) -> TeamOneOnOnes:
    """Everything the 1:1 panel shows, in a fixed number of statements."""
    children = kpi_queries.children_of(viewer, node, Area.COACHING)
    people = kpi_queries.population(viewer, node, filters, Area.COACHING)
    if children:
        people = people.where(Person.id != node.id)
    previous = period.previous()
    weeks = period_weeks(period)
    before = period_weeks(previous)
    # One grid over the previous period's weeks and this period's: the same two statements.
    all_weeks = sorted(set(before) | set(weeks))
    grid = coaching_queries.completion_grid(viewer, weeks=all_weeks, now=now, people=people)
    this_grid = completion.Grid(weeks=weeks, rows=grid.rows, cells=grid.cells)
    before_grid = completion.Grid(weeks=before, rows=grid.rows, cells=grid.cells)
    people_by_id: dict[int, ReportInfo] = getattr(grid, "people", {})
    by_child = tally_by_child(this_grid, people_by_id, children)
    rows = [OneOnOneChild(child, by_child[child.id]) for child in children]
    if filters.narrows_people:
        rows = [row for row in rows if row.tally.expected]
    reports = len({row.person_id for row in grid.rows})
    return TeamOneOnOnes(weeks, _total(this_grid), _total(before_grid), reports, rows)


def _total(grid: completion.Grid) -> Tally:
    tally = Tally()
    for row in grid.rows:
        for week in grid.weeks:
            tally.add(grid.cells[(row.series_id, week)])
    return tally
