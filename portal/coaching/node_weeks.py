"""1:1 completion per org node and week (node_week_models): refreshing it, and when a read may
use it.

`refresh` runs right after the stored best meetings (portal.coaching.best_weeks.refresh), in
the same transaction, from them: for the weeks they hold (over everywhere), every cell of every
series is known for good (the best meeting's rank, or "not recorded" for a week due without
one), and is added to each rolled-up node above the report (the KPI roll-up's nodes:
portal.kpis.rollup._kpi_nodes) under the direct report it falls under, the series' supervisor
and the report's team and market.

A read of a node's 1:1 cells may use it (`through`) when it gives exactly the raw count:
- the people are everyone strictly below the node (no market or segment filter) and the viewer
  sees all of them (policy.sees_whole_subtree; Area.COACHING has no grants to widen it);
- the node was rolled up;
- no person's place, team, market or activity changed since the refresh
  (`Person.org_changed_at`) and no series was created or changed (`updated_at`);
- only for the weeks the stored best meetings are still exact for (best_weeks.stored_through:
  lowered by meetings written, deleted or a report's time zone changed since).
Later weeks are counted from the meetings (portal.coaching.cells).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import aliased

from portal import policy
from portal.coaching.best_week_models import OneOnOneBestWeek
from portal.coaching.completion import Tally
from portal.coaching.models import Cadence, OneOnOneSeries
from portal.coaching.node_week_models import STATE_NAME, OneOnOneNodeWeek
from portal.db import as_utc
from portal.extensions import db
from portal.kpis.rollup_models import RollupState, record_state
from portal.org import tree
from portal.org.models import Person

COUNTS = ("held", "missed", "cancelled", "not_recorded")  # the ranks 0 to 3, in order
NOT_RECORDED = 3


def _dialect() -> str:
    return db.session.get_bind().dialect.name


def _days_after(day: Any, days: int) -> Any:
    return day + days if _dialect() == "postgresql" else func.date(day, f"+{days} days")


def _weeks(first: date, last: date) -> Any:
    """The Mondays first..last, as a recursive CTE (any number of them, on both databases)."""
    weeks = select(literal(first, Date).label("monday")).cte("weeks", recursive=True)
    step = select(_days_after(weeks.c.monday, 7).label("monday")).where(weeks.c.monday < last)
    return weeks.union_all(step)


def refresh(through: date | None, started: datetime, node_ids: list[int]) -> int:
    """Recompute every row from the stored best meetings through the Monday `through` (their
    own last week). Does not commit (best_weeks.refresh does). Returns the rows written."""
    db.session.execute(delete(OneOnOneNodeWeek))
    written = 0
    # The first week with a cell: the first stored meeting's, or the first week due.
    firsts = db.session.execute(
        select(
            select(func.min(OneOnOneBestWeek.monday)).scalar_subquery(),
            select(func.min(OneOnOneSeries.starts_on))
            .where(OneOnOneSeries.cadence == Cadence.WEEKLY)
            .scalar_subquery(),
        )
    ).one()
    known = [day for day in firsts if day is not None]
    if through is not None and node_ids and known:
        low = min(known) - timedelta(days=min(known).weekday())
        if low <= through:
            written = _insert(low, through, node_ids)
    record_state(STATE_NAME, through_on=through, refreshed_at=started, node_ids=sorted(node_ids))
    if _dialect() == "postgresql":
        db.session.execute(text(f"ANALYZE {OneOnOneNodeWeek.__tablename__}"))
    return written


def _insert(low: date, through: date, node_ids: list[int]) -> int:
    s = OneOnOneSeries
    b = OneOnOneBestWeek
    from portal.coaching.cells import monday_of

    first_week = monday_of(s.starts_on, _dialect())
    end_week = monday_of(s.ended_on, _dialect())
    weeks = _weeks(low, through)

    def due(monday: Any) -> Any:
        return and_(
            s.cadence == Cadence.WEEKLY,
            first_week <= monday,
            or_(s.ended_on.is_(None), monday <= end_week),
        )

    # Every cell with something to count: the weeks due (with or without a meeting), and the
    # weeks holding a meeting that are not due (a meeting counts by its rank wherever it is).
    no_date = literal(None, Date)
    due_cells = (
        select(
            s.person_id.label("person_id"),
            s.supervisor_id.label("supervisor_id"),
            weeks.c.monday.label("monday"),
            func.coalesce(b.best, NOT_RECORDED).label("code"),
            no_date.label("series_starts_on"),
            no_date.label("series_ended_on"),
        )
        .select_from(s)
        .join(weeks, due(weeks.c.monday))
        .outerjoin(b, and_(b.series_id == s.id, b.monday == weeks.c.monday))
    )
    # Inside the span: begun by the week's Sunday, not ended before its Monday.
    inside = and_(
        s.starts_on <= _days_after(b.monday, 6),
        or_(s.ended_on.is_(None), s.ended_on >= b.monday),
    )
    other_cells = (
        select(
            s.person_id,
            s.supervisor_id,
            b.monday,
            b.best,
            case((inside, None), else_=s.starts_on),
            case((inside, None), else_=s.ended_on),
        )
        .join(s, s.id == b.series_id)
        .where(b.monday <= through, ~due(b.monday))
    )
    cells = union_all(due_cells, other_cells).subquery("cells")
    node = aliased(Person, name="node")
    member = aliased(Person, name="member")
    child = tree.child_segment(member.path, func.length(node.path))
    below = (
        select(
            node.id.label("node_id"),
            member.id.label("person_id"),
            member.team_id.label("team_id"),
            member.market_id.label("market_id"),
            cast(child, Integer).label("child_id"),
        )
        .join(member, and_(member.path.startswith(node.path), member.id != node.id))
        .where(node.id.in_(node_ids))
        .subquery("below")
    )
    keys = [below.c.node_id, cells.c.monday, below.c.child_id, cells.c.supervisor_id]
    keys += [below.c.team_id, below.c.market_id]
    keys += [cells.c.series_starts_on, cells.c.series_ended_on]
    counts = [func.sum(case((cells.c.code == rank, 1), else_=0)) for rank in range(4)]
    source = (
        select(*keys, *counts)
        .join(below, below.c.person_id == cells.c.person_id)
        .group_by(*keys)
        .order_by(below.c.node_id, cells.c.monday)  # a node's weeks together on disk
    )
    columns = ["node_id", "monday", "child_id", "supervisor_id", "team_id", "market_id"]
    columns += ["series_starts_on", "series_ended_on"]
    db.session.execute(insert(OneOnOneNodeWeek).from_select([*columns, *COUNTS], source))
    return db.session.execute(select(func.count()).select_from(OneOnOneNodeWeek)).scalar_one()


# ---- reads ---------------------------------------------------------------------------------


def through(viewer: Person, node: Person, *, narrowed: bool, now: datetime) -> date | None:
    """The last Monday whose cells of everyone strictly below `node` the stored rows give
    exactly for this viewer now, or None (see the module's rules). Two statements, and the two
    of best_weeks.stored_through when the rest holds."""
    from portal.coaching import best_weeks

    if narrowed or not policy.sees_whole_subtree(viewer, node):
        return None
    state = db.session.get(RollupState, STATE_NAME)
    if state is None or state.through_on is None or node.id not in set(state.node_ids or ()):
        return None
    refreshed_at = as_utc(state.refreshed_at)
    person_changed, series_changed = db.session.execute(
        select(
            select(func.max(Person.org_changed_at)).scalar_subquery(),
            select(func.max(OneOnOneSeries.updated_at)).scalar_subquery(),
        )
    ).one()
    for moment in (person_changed, series_changed):
        if moment is not None and as_utc(moment) > refreshed_at:
            return None
    stored = best_weeks.stored_through(now)
    if stored is None:
        return None
    return min(state.through_on, stored)


def split(
    weeks: list[tuple[date, int]], last: date | None
) -> tuple[list[tuple[date, int]], list[tuple[date, int]]]:
    """The tagged Mondays the stored counts give (through `last`, from `through`), and those
    left to the meetings."""
    if last is None:
        return [], list(weeks)
    return [w for w in weeks if w[0] <= last], [w for w in weeks if w[0] > last]


def tallies(
    node: Person, weeks: list[tuple[date, int]], span: tuple[date, date], group: str | list[str]
) -> dict[tuple[Any, int], Tally]:
    """(group value, tag) -> tally of the node's stored cells of the tagged Mondays, of the
    series in play over `span` (the whole read's first and last Monday: begun by last + 7 days,
    not ended before first), grouped by "child_id", or by "supervisor_id", "team_id" and
    "market_id" together (a tuple) when `group` is "people", or by the columns a list names
    (a tuple): one statement."""
    from portal.coaching.cells import tag_of

    r = OneOnOneNodeWeek
    if isinstance(group, list):
        keys = [getattr(r, name) for name in group]
    elif group == "child_id":
        keys = [r.child_id]
    else:
        keys = [r.supervisor_id, r.team_id, r.market_id]
    tag, w = tag_of(r.monday, weeks)
    stmt = select(*keys, tag, *[func.sum(getattr(r, name)) for name in COUNTS]).where(
        r.node_id == node.id,
        r.monday.in_(sorted({day for day, _tag in weeks})),
        or_(r.series_starts_on.is_(None), r.series_starts_on <= span[1] + timedelta(days=7)),
        or_(r.series_ended_on.is_(None), r.series_ended_on >= span[0]),
    )
    if w is not None:  # a Monday with two tags: joined to the weeks, counted under each
        stmt = stmt.join(w, w.c.monday == r.monday)
    found: dict[tuple[Any, int], Tally] = {}
    width = len(keys)
    for row in db.session.execute(stmt.group_by(*keys, tag)):
        key = row[0] if width == 1 and not isinstance(group, list) else tuple(row[:width])
        tally = found.setdefault((key, int(row[width])), Tally())
        for name, value in zip(COUNTS, row[width + 1 :], strict=True):
            setattr(tally, name, getattr(tally, name) + int(value or 0))
    return found
