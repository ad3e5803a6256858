"""The QA report's tables by agent, team and evaluator, from a monthly roll-up where exact.

`qa_rollup_people` (`QaRollupPeople`) holds, per time zone, local month, agent and evaluator,
the sums of the counted evaluations (count, count scored, sum and sum of squares of scores,
critical fails). `flask rollups refresh` rebuilds it with the daily QA roll-up
(`rollup_daily.refresh`), in the same time zones, by the same rules (submitted and later states,
never drafts) and through the same last local day: a month's row holds its days up to the
refresh's last day (the current month: its days so far). It has no node: a read joins the
agent's person row for the node (its path), the team and the names, as the raw query does; a
day's rows hardly aggregate (an agent has about one evaluation every three days), a month's do.

A read uses it under the daily roll-up's plan (the same exactness rules and watermark, see
`rollup_daily`) and when no contact filter (market, segment, channel) is set: the whole months
among the plan's rolled days, and the month holding the refresh's last day when the rolled days
end on it, come from the roll-up; the period's other days from raw rows. One statement adds
both up (PostgreSQL: GROUPING SETS; SQLite: a UNION ALL of the three groupings) and returns only
the groups the page shows, with how many there are.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Select,
    and_,
    case,
    collate,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    tuple_,
    union_all,
)
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.org.models import Person, Team
from portal.qa.evaluation_models import Evaluation
from portal.qa.rollup_daily_models import QaRollupPeople
from portal.qa.rollups import Aggregate

if TYPE_CHECKING:
    from portal.qa.rollup_daily import QaPlan
    from portal.qa.rollup_queries import RollupFilters

PEOPLE = ("agent", "team", "evaluator")
# The report's filters on the contact: the roll-up has no such dimension (raw rows then).
_CONTACT_FILTERS = ("market_id", "segment_id", "channel")

Rows = list[tuple[Any, Any, Aggregate]]  # (key, label, aggregate) per group


def month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


# ---- refresh (called by rollup_daily.refresh) ---------------------------------------------


def delete_from(start_on: date | None) -> None:
    """Drop the rows a refresh from `start_on` rebuilds: all, or the months from its month."""
    stmt = delete(QaRollupPeople)
    if start_on is not None:
        stmt = stmt.where(QaRollupPeople.month >= month_start(start_on))
    db.session.execute(stmt)


def insert_zone(zone: str, start_on: date | None, through: date) -> None:
    """Aggregate the counted evaluations of local days [month of `start_on`, `through`] in the
    zone per month, agent and evaluator."""
    from portal.qa.rollup_daily import _counted, _dialect
    from portal.qa.rollup_queries import _aggregate_columns, local_day

    dialect = _dialect()
    day = local_day(Evaluation.submitted_at, zone, dialect)
    month = local_day(Evaluation.submitted_at, zone, dialect, month=True)
    keys = [month, Evaluation.person_id, Evaluation.evaluator_id]
    source = (
        _counted(
            select(literal(zone), *keys, *_aggregate_columns()).select_from(Evaluation),
            month_start(start_on) if start_on is not None else None,
            through,
            day,
        )
        .group_by(*keys)
        .order_by(*keys)
    )  # a month's rows together on disk
    columns = ["time_zone", "month", "person_id", "evaluator_id"]
    columns += ["n", "n_scored", "score_sum", "score_squares", "n_critical"]
    db.session.execute(insert(QaRollupPeople).from_select(columns, source))


def analyze() -> None:
    """Fresh planner statistics (PostgreSQL): without them a new table's few estimated rows
    make the read a nested loop over thousands."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"ANALYZE {QaRollupPeople.__tablename__}"))


# ---- reads ---------------------------------------------------------------------------------


def covered_days(plan: QaPlan, start: date, end: date) -> tuple[date, date] | None:
    """The days of [start, end] the monthly rows give exactly: from the first whole month of
    the plan's rolled days, month by month while a row ends within them (a row ends at the
    month's last day or the refresh's, whichever comes first)."""
    rolled, _rest = plan.split(start, end)
    if rolled is None or plan.refreshed_through is None:
        return None
    first_day, last_day = rolled
    first = first_day if first_day.day == 1 else _next_month(first_day)
    month, covered = first, None
    while month <= last_day:
        row_end = min(_next_month(month) - timedelta(days=1), plan.refreshed_through)
        if row_end > last_day:
            break
        covered, month = row_end, _next_month(month)
    return (first, covered) if covered is not None else None


def people_groups(
    viewer: Person, filters: RollupFilters, plan: QaPlan | None, limit: int | None = None
) -> dict[str, tuple[Rows, int]]:
    """The agent, team and evaluator tables, each in its order (label, key; no label last):
    its first `limit` groups (all without one) and how many there are, in one statement. The
    monthly roll-up gives the days it covers exactly (see `covered_days`), raw rows the rest;
    all raw without a plan or with a contact filter. The database sums both per agent and
    evaluator, groups, numbers the groups and hands over only those kept (a head's thousands
    of agents cost more to fetch than to add up)."""
    from portal.qa.rollup_queries import _rest

    span = None
    if plan is not None and not any(getattr(filters, name) for name in _CONTACT_FILTERS):
        span = covered_days(plan, filters.start_on, filters.end_on)
    if span is None:
        sources = [_raw(viewer, filters)]
    else:
        sources = [_rolled(filters, plan, span)]
        ranges = []
        if span[0] > filters.start_on:
            ranges.append((filters.start_on, span[0] - timedelta(days=1)))
        if span[1] < filters.end_on:
            ranges.append((span[1] + timedelta(days=1), filters.end_on))
        if len(ranges) == 1:
            sources.append(_raw(viewer, _rest(filters, ranges[0][0], ranges[0][1])))
        elif ranges:
            bounds = [_rest(filters, a, b).utc_bounds() for a, b in ranges]
            at = Evaluation.submitted_at
            sources.append(_raw(viewer, filters, or_(*[and_(at >= a, at < b) for a, b in bounds])))
    source = (sources[0] if len(sources) == 1 else union_all(*sources)).subquery("people_rows")
    return _groups(source, limit)


def _groups(source: Any, limit: int | None) -> dict[str, tuple[Rows, int]]:
    from portal.qa.rollup_queries import _to_aggregate

    postgresql = db.session.get_bind().dialect.name == "postgresql"
    agent = aliased(Person, name="agent")
    evaluator = aliased(Person, name="evaluator_person")
    keys = {
        "agent": (source.c.person_id, agent.name),
        "team": (agent.team_id, Team.name),
        "evaluator": (source.c.evaluator_id, evaluator.name),
    }
    sums = [func.coalesce(func.sum(source.c[name]), 0).label(name) for name in _SUMS]

    def grouped(*columns: Any) -> Select:
        return (
            select(*columns, *sums)
            .select_from(source)
            .join(agent, agent.id == source.c.person_id)
            .join(evaluator, evaluator.id == source.c.evaluator_id)
            .outerjoin(Team, Team.id == agent.team_id)
        )

    if postgresql:
        # One pass over the rows (GROUPING SETS); which set a row is of, by GROUPING().
        is_agent, is_team = (
            func.grouping(source.c.person_id) == 0,
            func.grouping(agent.team_id) == 0,
        )
        columns = [
            case((is_agent, "agent"), (is_team, "team"), else_="evaluator").label("dimension"),
            case(
                (is_agent, source.c.person_id),
                (is_team, agent.team_id),
                else_=source.c.evaluator_id,
            ).label("key"),
            case((is_agent, agent.name), (is_team, Team.name), else_=evaluator.name).label("label"),
        ]
        groups = grouped(*columns).group_by(
            func.grouping_sets(*[tuple_(*pair) for pair in keys.values()])
        )
    else:
        groups = union_all(
            *[
                grouped(
                    literal(name).label("dimension"), key.label("key"), label.label("label")
                ).group_by(key, label)
                for name, (key, label) in keys.items()
            ]
        )
    g = groups.subquery("people_groups")
    # The order of the tables: label (by code point, as Python compares), key; none last.
    label = collate(g.c.label, "C") if postgresql else g.c.label
    order = [g.c.label.is_(None), label, g.c.key.is_(None), g.c.key]
    numbered = select(
        g,
        func.row_number().over(partition_by=g.c.dimension, order_by=order).label("number"),
        func.count().over(partition_by=g.c.dimension).label("total"),
    ).subquery("numbered")
    stmt = select(numbered).order_by(numbered.c.dimension, numbered.c.number)
    if limit is not None:
        stmt = stmt.where(numbered.c.number <= limit)
    result: dict[str, tuple[Rows, int]] = {name: ([], 0) for name in PEOPLE}
    for row in db.session.execute(stmt).mappings():
        rows, _total = result[row["dimension"]]
        aggregate = _to_aggregate([row[name] for name in _SUMS])
        rows.append((row["key"], row["label"], aggregate))
        result[row["dimension"]] = (rows, int(row["total"]))
    return result


_SUMS = ("n", "n_scored", "score_sum", "score_squares", "n_critical")


def _raw(viewer: Person, filters: RollupFilters, only: Any = None) -> Select:
    """The period's counted evaluations summed per agent and evaluator (the raw rows)."""
    from portal.qa.rollup_queries import _aggregate_columns, _base

    stmt = _base(
        viewer,
        filters,
        Evaluation.person_id.label("person_id"),
        Evaluation.evaluator_id.label("evaluator_id"),
        *[column.label(name) for column, name in zip(_aggregate_columns(), _SUMS, strict=True)],
    ).group_by(Evaluation.person_id, Evaluation.evaluator_id)
    return stmt if only is None else stmt.where(only)


def _rolled(filters: RollupFilters, plan: QaPlan, span: tuple[date, date]) -> Select:
    """The roll-up's rows of the months in `span` for the agents at or below the node."""
    r = QaRollupPeople
    member = aliased(Person, name="member")
    node = db.session.get(Person, plan.node_id)
    stmt = (
        select(r.person_id, r.evaluator_id, *[getattr(r, name) for name in _SUMS])
        .join(member, member.id == r.person_id)
        .where(
            r.time_zone == plan.time_zone,
            r.month >= span[0],
            r.month <= month_start(span[1]),
            member.path.startswith(node.path, autoescape=True),
        )
    )
    if filters.agent_market_id:
        stmt = stmt.where(member.market_id == filters.agent_market_id)
    if filters.agent_segment_id:
        stmt = stmt.where(member.segment_id == filters.agent_segment_id)
    return stmt
