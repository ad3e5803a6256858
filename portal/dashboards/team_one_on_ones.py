"""The 1:1 panel of the team view: "did every report get their weekly 1:1?" for a node and a
period, with the 1:1 programme's own rules (portal.coaching.completion: a week's cell is the best
thing recorded in it, in the report's time zone; % held = held / expected).

Whose 1:1s: the reports at or below the node whose 1:1s the viewer may see (Area.COACHING),
narrowed by market and segment; not the node's own 1:1 with their manager (that is their
manager's team's), except when the node has nobody below them (an agent sees their own).
The period's weeks are those whose Monday falls in it (a week is never counted in two months);
a period holding no Monday takes the week of its first day.

Statements: the direct reports; for a node rolled up by portal.coaching.node_weeks, its state,
the latest change of people and series, how far the stored best meetings are exact (two) and
one sum of the stored counts per node for the weeks they cover; then, for the weeks after them
(or all weeks), portal.coaching.cells (the rules of coaching.completion.build_grid
in SQL, tested equal to it): how far the stored best meetings per week are exact (two), on
PostgreSQL no JIT, one aggregate of the cells; on SQLite the time zones in play first. At most
eleven, whatever the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Select

from portal.coaching import cells as one_on_one_cells
from portal.coaching import node_weeks
from portal.coaching.completion import Tally
from portal.kpis import queries as kpi_queries
from portal.kpis.periods import Comparison, Period, comparison
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


def team_one_on_ones(
    viewer: Person,
    node: Person,
    period: Period,
    filters: ViewFilters,
    now: datetime,
    compared: Comparison | None = None,
) -> TeamOneOnOnes:
    """Everything the 1:1 panel shows, in a fixed number of statements. `compared`
    (kpis.periods.comparison): the weeks whose Monday falls in its current days against those
    of its previous days (like for like while the period runs); default the whole period
    against the whole previous one."""
    compared = compared or comparison(period, period.end + timedelta(days=1))
    children = kpi_queries.children_of(viewer, node, Area.COACHING)
    people = kpi_queries.population(viewer, node, filters, Area.COACHING)
    if children:
        people = people.where(Person.id != node.id)
    weeks = period_weeks(compared.current)
    before = period_weeks(compared.previous)
    narrowed = filters.narrows_people or not children
    found = node_tallies(
        viewer, node, people, [(w, 1) for w in weeks] + [(w, 0) for w in before], now, narrowed
    )
    total, previous = Tally(), Tally()
    for (_child, tag), tally in found.items():
        add(total if tag == 1 else previous, tally)
    rows = [OneOnOneChild(c, found.get((c.id, 1), Tally())) for c in children]
    if filters.narrows_people:
        rows = [row for row in rows if row.tally.expected]
    return TeamOneOnOnes(weeks, total, previous, rows)


def node_tallies(
    viewer: Person,
    node: Person,
    people: Select,
    weeks: list[tuple[date, int]],
    now: datetime,
    narrowed: bool,
) -> dict[tuple[int | None, int], Tally]:
    """one_on_one_cells.tallies of everyone strictly below the node (`people`; `narrowed` when
    it is fewer): the weeks the counts per node give exactly (portal.coaching.node_weeks) from
    them, the others from the meetings."""
    stored, rest = node_weeks.split(
        weeks, node_weeks.through(viewer, node, narrowed=narrowed, now=now)
    )
    span = (min(w for w, _tag in weeks), max(w for w, _tag in weeks))
    found: dict[tuple[int | None, int], Tally] = {}
    if stored:
        found = node_weeks.tallies(node, stored, span, "child_id")
    if rest:
        for key, tally in one_on_one_cells.tallies(viewer, node, people, rest, now, span).items():
            add(found.setdefault(key, Tally()), tally)
    return found


def add(into: Tally, other: Tally) -> None:
    into.held += other.held
    into.missed += other.missed
    into.cancelled += other.cancelled
    into.not_recorded += other.not_recorded
