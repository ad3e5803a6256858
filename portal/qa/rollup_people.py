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
end on it, come from the roll-up; the period's other days from raw rows. One statement each
(PostgreSQL: GROUPING SETS; SQLite: a UNION ALL of the three groupings).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, and_, delete, func, insert, literal, or_, select, tuple_, union_all
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
    source = _counted(
        select(literal(zone), *keys, *_aggregate_columns()).select_from(Evaluation),
        month_start(start_on) if start_on is not None else None,
        through,
        day,
    ).group_by(*keys)
    columns = ["time_zone", "month", "person_id", "evaluator_id"]
    columns += ["n", "n_scored", "score_sum", "score_squares", "n_critical"]
    db.session.execute(insert(QaRollupPeople).from_select(columns, source))


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
    its first `limit` groups (all without one) and how many there are. The monthly roll-up
    gives the days it covers exactly (see `covered_days`), raw rows the rest; all raw without
    a plan or with a contact filter. Only the groups kept become `Aggregate`s (a head's
    thousands of agents cost more in Python than in SQL)."""
    from portal.qa.rollup_queries import _rest

    found: dict[str, dict[Any, list]] = {name: {} for name in PEOPLE}
    span = None
    if plan is not None and not any(getattr(filters, name) for name in _CONTACT_FILTERS):
        span = covered_days(plan, filters.start_on, filters.end_on)
    if span is None:
        _merge(found, _raw(viewer, filters))
    else:
        _merge(found, _rolled(filters, plan, span))
        ranges = []
        if span[0] > filters.start_on:
            ranges.append((filters.start_on, span[0] - timedelta(days=1)))
        if span[1] < filters.end_on:
            ranges.append((span[1] + timedelta(days=1), filters.end_on))
        if len(ranges) == 1:
            _merge(found, _raw(viewer, _rest(filters, ranges[0][0], ranges[0][1])))
        elif ranges:
            bounds = [_rest(filters, a, b).utc_bounds() for a, b in ranges]
            at = Evaluation.submitted_at
            only = or_(*[and_(at >= a, at < b) for a, b in bounds])
            _merge(found, _raw(viewer, filters, only))
    result: dict[str, tuple[Rows, int]] = {}
    for name, groups in found.items():
        rows = [(key, label, sums) for key, (label, sums) in groups.items()]
        rows.sort(key=lambda r: (r[1] is None, str(r[1] or ""), r[0] is None, r[0] or 0))
        kept = [(key, label, _aggregate(sums)) for key, label, sums in rows[:limit]]
        result[name] = (kept, len(rows))
    return result


def _aggregate(sums: Any) -> Aggregate:
    from portal.qa.rollup_queries import _to_aggregate

    return sums if isinstance(sums, Aggregate) else _to_aggregate(sums)


def _merge(found: dict[str, dict[Any, list]], rows: list[tuple[str, Any, Any, Any]]) -> None:
    """(dimension, key, label, sums) into found[dimension][key] = [label, sums]: the row's
    sums as fetched, or an `Aggregate` when a key came twice (roll-up and raw rows)."""
    for name, key, label, sums in rows:
        groups = found[name]
        if key in groups:
            before = groups[key]
            groups[key] = [before[0] or label, _aggregate(before[1]) + _aggregate(sums)]
        else:
            groups[key] = [label, sums]


def _grouped(
    base: Callable[..., Select], keys: dict[str, tuple[Any, Any]], sums: list[Any]
) -> list[tuple[str, Any, Any, Any]]:
    """(dimension, key, label, sums) of the three groupings of `base(columns...)`."""
    if db.session.get_bind().dialect.name == "postgresql":
        flat = [column for pair in keys.values() for column in pair]
        flags = [func.grouping(keys["agent"][0]), func.grouping(keys["team"][0])]
        stmt = base(*flat, *flags, *sums).group_by(
            func.grouping_sets(*[tuple_(*pair) for pair in keys.values()])
        )
        result = []
        for row in db.session.execute(stmt).all():
            name = "agent" if row[6] == 0 else "team" if row[7] == 0 else "evaluator"
            index = {"agent": 0, "team": 2, "evaluator": 4}[name]
            result.append((name, row[index], row[index + 1], tuple(row[8:])))
        return result
    parts = [
        base(literal(name), key, label, *sums).group_by(key, label)
        for name, (key, label) in keys.items()
    ]
    return [
        (row[0], row[1], row[2], tuple(row[3:])) for row in db.session.execute(union_all(*parts))
    ]


def _raw(viewer: Person, filters: RollupFilters, only: Any = None):
    from portal.qa.rollup_queries import _Agent, _aggregate_columns, _base, _Evaluator

    def base(*columns: Any) -> Select:
        stmt = (
            _base(viewer, filters, *columns, agent=True)
            .join(_Evaluator, _Evaluator.id == Evaluation.evaluator_id)
            .outerjoin(Team, Team.id == _Agent.team_id)
        )
        return stmt if only is None else stmt.where(only)

    keys = {
        "agent": (Evaluation.person_id, _Agent.name),
        "team": (_Agent.team_id, Team.name),
        "evaluator": (Evaluation.evaluator_id, _Evaluator.name),
    }
    return _grouped(base, keys, _aggregate_columns())


def _rolled(filters: RollupFilters, plan: QaPlan, span: tuple[date, date]):
    r = QaRollupPeople
    agent = aliased(Person, name="agent")
    evaluator = aliased(Person, name="evaluator_person")
    node = db.session.get(Person, plan.node_id)

    def base(*columns: Any) -> Select:
        stmt = (
            select(*columns)
            .select_from(r)
            .join(agent, agent.id == r.person_id)
            .join(evaluator, evaluator.id == r.evaluator_id)
            .outerjoin(Team, Team.id == agent.team_id)
            .where(
                r.time_zone == plan.time_zone,
                r.month >= span[0],
                r.month <= month_start(span[1]),
                agent.path.startswith(node.path, autoescape=True),
            )
        )
        if filters.agent_market_id:
            stmt = stmt.where(agent.market_id == filters.agent_market_id)
        if filters.agent_segment_id:
            stmt = stmt.where(agent.segment_id == filters.agent_segment_id)
        return stmt

    keys = {
        "agent": (r.person_id, agent.name),
        "team": (agent.team_id, Team.name),
        "evaluator": (r.evaluator_id, evaluator.name),
    }
    sums = [
        func.coalesce(func.sum(column), 0)
        for column in (r.n, r.n_scored, r.score_sum, r.score_squares, r.n_critical)
    ]
    return _grouped(base, keys, sums)
