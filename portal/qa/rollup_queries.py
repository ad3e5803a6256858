"""QA roll-ups as SQL aggregates: a fixed number of statements whatever the number of evaluations.

Every statement starts from the viewer's Area.QA scope (evaluations of visible agents), then the
org node (the agents at or below a person), the period (submitted in the viewer's time zone) and
the filters. Only submitted evaluations count (drafts never do); calibration scores live in their
own tables and are never read here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Integer, Select, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import aliased

from portal import policy
from portal.extensions import db
from portal.org import tree
from portal.org.models import Market, Person, Segment, Team
from portal.params import read_datetime_key, split_cursor
from portal.policy import Area
from portal.qa import rollup_people, rollups
from portal.qa.evaluation_models import (
    Evaluation,
    EvaluationAnswer,
    EvaluationRevision,
    EvaluationStatus,
)
from portal.qa.models import (
    Contact,
    Scorecard,
    ScorecardQuestion,
    ScorecardSection,
    ScorecardVersion,
)
from portal.qa.rollup_daily import QaPlan
from portal.qa.rollup_daily_models import BIN_NAMES, QaRollupDaily, QaRollupQuestion
from portal.qa.rollups import Aggregate, PeriodKind, QuestionFailures

COUNTED = tuple(s.value for s in EvaluationStatus if s != EvaluationStatus.DRAFT)

DIMENSIONS = ("agent", "team", "evaluator", "market", "segment", "channel")


@dataclass(frozen=True)
class RollupFilters:
    start_on: date
    end_on: date  # inclusive
    node_id: int | None = None  # a person: their subtree's agents; None: everyone visible
    market_id: int | None = None
    segment_id: int | None = None
    channel: str | None = None
    scorecard_id: int | None = None
    # Drill-down: one group of one dimension, e.g. ("agent", 7).
    group: tuple[str, Any] | None = None
    time_zone: str = "UTC"
    # The team view: the node as its path (a constant prefix the path index serves), and the
    # market and segment of the agents themselves (the QA reports filter the contact's).
    node_path: str | None = None
    agent_market_id: int | None = None
    agent_segment_id: int | None = None

    def utc_bounds(self) -> tuple[datetime, datetime]:
        zone = ZoneInfo(self.time_zone)
        start = datetime.combine(self.start_on, time(0), zone).astimezone(UTC)
        end = datetime.combine(self.end_on + timedelta(days=1), time(0), zone).astimezone(UTC)
        return start, end


@dataclass(frozen=True)
class GroupRow:
    key: Any
    label: str
    summary: rollups.Summary


@dataclass
class RollupReport:
    filters: RollupFilters
    minimum: int
    overall: rollups.Summary
    bins: list[rollups.Bin]
    questions: list[QuestionFailures]
    weekly: list[rollups.TrendPoint]
    monthly: list[rollups.TrendPoint]
    groups: dict[str, list[GroupRow]] = field(default_factory=dict)
    # Groups per dimension in all (the page may show only the first `group_limit` of them).
    group_counts: dict[str, int] = field(default_factory=dict)


_Agent = aliased(Person, name="agent")
_Evaluator = aliased(Person, name="evaluator_person")


CONTACT_DIMENSIONS = ("market", "segment", "channel")
AGENT_DIMENSIONS = ("agent", "team")


def _base(
    viewer: Person,
    filters: RollupFilters,
    *columns: Any,
    contact: bool = False,
    agent: bool = False,
) -> Select:
    """The counted evaluations of the period, scoped and filtered. The contact and the agent are
    joined only when a column or a filter needs them (`contact=`/`agent=` for the columns)."""
    start, end = filters.utc_bounds()
    group_dimension = filters.group[0] if filters.group else None
    needs_contact = (
        contact
        or bool(filters.market_id or filters.segment_id or filters.channel)
        or group_dimension in CONTACT_DIMENSIONS
    )
    needs_agent = (
        agent
        or filters.node_id is not None
        or bool(filters.node_path or filters.agent_market_id or filters.agent_segment_id)
        or group_dimension in AGENT_DIMENSIONS
    )
    stmt = (
        select(*columns)
        .select_from(Evaluation)
        .where(
            Evaluation.status.in_(COUNTED),
            Evaluation.submitted_at >= start,
            Evaluation.submitted_at < end,
        )
    )
    if needs_contact:
        stmt = stmt.join(Contact, Contact.id == Evaluation.contact_id)
    if needs_agent:
        stmt = stmt.join(_Agent, _Agent.id == Evaluation.person_id)
    stmt = policy.scoped(stmt, Evaluation, viewer, Area.QA)
    if filters.node_id is not None:
        node_path = select(Person.path).where(Person.id == filters.node_id).scalar_subquery()
        stmt = stmt.where(_Agent.path.startswith(node_path))
    if filters.node_path:
        stmt = stmt.where(_Agent.path.startswith(filters.node_path, autoescape=True))
    if filters.agent_market_id:
        stmt = stmt.where(_Agent.market_id == filters.agent_market_id)
    if filters.agent_segment_id:
        stmt = stmt.where(_Agent.segment_id == filters.agent_segment_id)
    if filters.market_id:
        stmt = stmt.where(Contact.market_id == filters.market_id)
    if filters.segment_id:
        stmt = stmt.where(Contact.segment_id == filters.segment_id)
    if filters.channel:
        stmt = stmt.where(Contact.channel == filters.channel)
    if filters.scorecard_id:
        versions = select(ScorecardVersion.id).where(
            ScorecardVersion.scorecard_id == filters.scorecard_id
        )
        stmt = stmt.where(Evaluation.scorecard_version_id.in_(versions))
    if filters.group is not None:
        dimension, key = filters.group
        stmt = stmt.where(_dimension_key(dimension) == key)
    return stmt


def _aggregate_columns() -> list[Any]:
    score = Evaluation.score
    return [
        func.count(Evaluation.id),
        func.count(score),
        func.coalesce(func.sum(score), 0),
        func.coalesce(func.sum(score * score), 0),
        func.coalesce(func.sum(case((Evaluation.critical_failed, 1), else_=0)), 0),
    ]


def _to_aggregate(values: Sequence[Any]) -> Aggregate:
    n, n_scored, total, squares, critical = values
    # SQLite sums Numeric columns as floats, PostgreSQL as Decimal; rollups takes either.
    return Aggregate(int(n), int(n_scored), total, squares, int(critical))


def _dimension_key(dimension: str) -> Any:
    return {
        "agent": Evaluation.person_id,
        "team": _Agent.team_id,
        "evaluator": Evaluation.evaluator_id,
        "market": Contact.market_id,
        "segment": Contact.segment_id,
        "channel": Contact.channel,
    }[dimension]


def _dimension_statement(viewer: Person, filters: RollupFilters, dimension: str) -> Select:
    key = _dimension_key(dimension)
    if dimension == "agent":
        label: Any = _Agent.name
        stmt = _base(viewer, filters, key, label, *_aggregate_columns(), agent=True)
    elif dimension == "evaluator":
        label = _Evaluator.name
        stmt = _base(viewer, filters, key, label, *_aggregate_columns()).join(
            _Evaluator, _Evaluator.id == Evaluation.evaluator_id
        )
    elif dimension in ("team", "market", "segment"):
        model, column = {"team": (Team, Team.name), "market": (Market, Market.code)}.get(
            dimension, (Segment, Segment.name)
        )
        label = column
        stmt = _base(
            viewer,
            filters,
            key,
            label,
            *_aggregate_columns(),
            contact=dimension in CONTACT_DIMENSIONS,
            agent=dimension in AGENT_DIMENSIONS,
        ).outerjoin(model, model.id == key)
    else:
        label = Contact.channel
        stmt = _base(viewer, filters, key, literal(""), *_aggregate_columns(), contact=True)
        return stmt.group_by(key).order_by(key)
    # No label last on both databases (SQLite sorts NULL first), as the roll-up reads do.
    return stmt.group_by(key, label).order_by(label.is_(None), label, key)


def local_day(column: Any, time_zone: str, dialect: str, *, month: bool = False) -> Any:
    """The calendar day of a UTC timestamp in a time zone, computed by the database (with
    `month=True`: the first day of its month)."""
    if dialect == "postgresql":
        local = func.timezone(time_zone, column)
        return cast(func.date_trunc("month", local), Date) if month else func.date(local)
    # SQLite knows no zone names: shift by the zone's offset now (a DST change moves a few
    # evaluations near midnight by a day in SQLite only).
    offset = datetime.now(ZoneInfo(time_zone)).utcoffset() or timedelta(0)
    shift = f"{int(offset.total_seconds() // 60):+d} minutes"
    return func.date(column, shift, "start of month") if month else func.date(column, shift)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _score_bin_expression() -> Any:
    score = Evaluation.score
    whens = [(score >= (index * rollups.BIN_WIDTH), index) for index in range(9, 0, -1)]
    return case(*whens, else_=0)


def rollup_for(
    viewer: Person, filters: RollupFilters, minimum: int, group_limit: int | None = None
) -> RollupReport:
    """The whole roll-up page's figures in 5 + len(DIMENSIONS) statements (raw rows), or, when
    the daily roll-up is exact for the request, a fixed number of statements reading it for the
    days it covers and raw rows for the rest (see `report_plan`). `group_limit`: the groups
    of each dimension kept (the first ones, in the table's order; `group_counts` says how many
    there are), e.g. the page's first 50 agents of 5,000; the exports keep all."""
    plan = report_plan(viewer, filters)
    if plan is not None:
        return _rollup_for_plan(viewer, filters, minimum, plan, group_limit)
    session = db.session
    overall = _to_aggregate(session.execute(_base(viewer, filters, *_aggregate_columns())).one())
    bin_col = _score_bin_expression()
    bins = session.execute(
        _base(viewer, filters, bin_col, func.count())
        .where(Evaluation.score.is_not(None))
        .group_by(bin_col)
    ).all()
    daily = daily_aggregates(viewer, filters)
    report = RollupReport(
        filters=filters,
        minimum=minimum,
        overall=rollups.summarise(overall, minimum),
        bins=rollups.distribution({int(b): int(n) for b, n in bins}),
        questions=questions_failed_most(viewer, filters),
        weekly=rollups.trend(daily, PeriodKind.WEEK, minimum, filters.start_on, filters.end_on),
        monthly=rollups.trend(daily, PeriodKind.MONTH, minimum, filters.start_on, filters.end_on),
    )
    people = rollup_people.people_groups(viewer, filters, None, group_limit)
    _set_people(report, people, minimum)
    for dimension in DIMENSIONS:
        if dimension not in rollup_people.PEOPLE:
            _set_groups(report, viewer, filters, dimension, minimum, group_limit)
    return report


def _set_people(report: RollupReport, people: dict, minimum: int) -> None:
    """The agent, team and evaluator tables (`rollup_people.people_groups`, in order)."""
    for dimension, (rows, count) in people.items():
        report.group_counts[dimension] = count
        report.groups[dimension] = [
            GroupRow(
                key=key,
                label=str(label or key or ""),
                summary=rollups.summarise(aggregate, minimum),
            )
            for key, label, aggregate in rows
        ]


def _set_groups(
    report: RollupReport,
    viewer: Person,
    filters: RollupFilters,
    dimension: str,
    minimum: int,
    limit: int | None,
) -> None:
    if limit is None:
        report.groups[dimension] = group_rows(viewer, filters, dimension, minimum)
        report.group_counts[dimension] = len(report.groups[dimension])
    else:
        rows, count = group_rows_limited(viewer, filters, dimension, minimum, limit)
        report.groups[dimension], report.group_counts[dimension] = rows, count


# ---- the daily roll-up (portal.qa.rollup_daily) -------------------------------------------

# The roll-up's dimensions and the filters they serve.
_ROLLED_FILTERS = {
    "agent_market_id": QaRollupDaily.market_id,
    "agent_segment_id": QaRollupDaily.segment_id,
    "market_id": QaRollupDaily.contact_market_id,
    "segment_id": QaRollupDaily.contact_segment_id,
    "channel": QaRollupDaily.channel,
}
# The report's dimensions the roll-up groups by (the contact's market, segment and channel).
_ROLLED_DIMENSIONS = {
    "market": (QaRollupDaily.contact_market_id, Market, Market.code),
    "segment": (QaRollupDaily.contact_segment_id, Segment, Segment.name),
    "channel": (QaRollupDaily.channel, None, None),
}


def carries(filters: RollupFilters) -> bool:
    """Whether the roll-up can answer these filters (scorecard and drill-down groups: no)."""
    return not filters.scorecard_id and filters.group is None


def _questions_carried(filters: RollupFilters) -> bool:
    """The questions roll-up has no dimensions: only unfiltered reads use it."""
    return not any(getattr(filters, name) for name in _ROLLED_FILTERS)


def node_plan(viewer: Person, node: Person, filters: RollupFilters) -> QaPlan | None:
    """The roll-up plan for a read of the node's subtree, when it is exact for it."""
    from portal.qa import rollup_daily

    if not carries(filters):
        return None
    return rollup_daily.plan_for(viewer, node, filters.time_zone)


def report_plan(viewer: Person, filters: RollupFilters) -> QaPlan | None:
    """The QA report's plan: its node, or without one the viewer's own subtree when that is
    all they see (no QA grant, not HR)."""
    from portal.qa import rollup_daily

    if not carries(filters) or filters.node_path:
        return None
    if filters.node_id is None:
        node = rollup_daily.whole_subtree_node(viewer)
    else:
        node = db.session.get(Person, filters.node_id)
    return node_plan(viewer, node, filters) if node is not None else None


def _rolled_columns() -> list[Any]:
    r = QaRollupDaily
    return [
        func.coalesce(func.sum(r.n), 0),
        func.coalesce(func.sum(r.n_scored), 0),
        func.coalesce(func.sum(r.score_sum), 0),
        func.coalesce(func.sum(r.score_squares), 0),
        func.coalesce(func.sum(r.n_critical), 0),
    ]


def _rolled(
    filters: RollupFilters,
    plan: QaPlan,
    days: tuple[date, date],
    *columns: Any,
    nodes: Any = None,
    model: Any = QaRollupDaily,
) -> Select:
    """The roll-up rows of the node (or `nodes`), the plan's zone, the days and the filters."""
    stmt = (
        select(*columns)
        .select_from(model)
        .where(
            model.node_id == plan.node_id if nodes is None else nodes,
            model.time_zone == plan.time_zone,
            model.day >= days[0],
            model.day <= days[1],
        )
    )
    if model is QaRollupDaily:
        for name, column in _ROLLED_FILTERS.items():
            value = getattr(filters, name)
            if value:
                stmt = stmt.where(column == value)
    return stmt


def _rest(filters: RollupFilters, rest: date, end: date | None = None) -> RollupFilters:
    return replace(filters, start_on=rest, end_on=end or filters.end_on)


def _merge_rows(into: dict, rows: Any) -> None:
    """key, label, aggregate columns... -> into[key] = [label, Aggregate] (summed)."""
    for row in rows:
        aggregate = _to_aggregate(row[2:])
        if row[0] in into:
            into[row[0]][1] = into[row[0]][1] + aggregate
            into[row[0]][0] = into[row[0]][0] or row[1]
        else:
            into[row[0]] = [row[1], aggregate]


def _sort_key(item: tuple[Any, list]) -> tuple:
    key, (label, _aggregate) = item
    return (label is None, str(label or ""), key is None, key if key is not None else 0)


def _rollup_for_plan(
    viewer: Person,
    filters: RollupFilters,
    minimum: int,
    plan: QaPlan,
    group_limit: int | None = None,
) -> RollupReport:
    session = db.session
    rolled, rest = plan.split(filters.start_on, filters.end_on)
    daily = daily_aggregates(viewer, filters, plan)
    overall = Aggregate.empty()
    for aggregate in daily.values():
        overall = overall + aggregate
    bins: dict[int, int] = {}
    if rolled:
        sums = [func.coalesce(func.sum(getattr(QaRollupDaily, name)), 0) for name in BIN_NAMES]
        row = session.execute(_rolled(filters, plan, rolled, *sums)).one()
        bins = {index: int(n) for index, n in enumerate(row)}
    if rest <= filters.end_on:
        bin_col = _score_bin_expression()
        for b, n in session.execute(
            _base(viewer, _rest(filters, rest), bin_col, func.count())
            .where(Evaluation.score.is_not(None))
            .group_by(bin_col)
        ).all():
            bins[int(b)] = bins.get(int(b), 0) + int(n)
    report = RollupReport(
        filters=filters,
        minimum=minimum,
        overall=rollups.summarise(overall, minimum),
        bins=rollups.distribution({b: n for b, n in bins.items() if n}),
        questions=questions_failed_most(viewer, filters, plan=plan),
        weekly=rollups.trend(daily, PeriodKind.WEEK, minimum, filters.start_on, filters.end_on),
        monthly=rollups.trend(daily, PeriodKind.MONTH, minimum, filters.start_on, filters.end_on),
    )
    people = rollup_people.people_groups(viewer, filters, plan, group_limit)
    _set_people(report, people, minimum)
    for dimension in _ROLLED_DIMENSIONS:
        key, model, label = _ROLLED_DIMENSIONS[dimension]
        found: dict[Any, list] = {}
        if rolled:
            label_col = label if label is not None else literal("")
            stmt = _rolled(filters, plan, rolled, key, label_col, *_rolled_columns())
            if model is not None:
                stmt = stmt.outerjoin(model, model.id == key)
            _merge_rows(found, session.execute(stmt.group_by(key, label_col)).all())
        if rest <= filters.end_on:
            stmt = _dimension_statement(viewer, _rest(filters, rest), dimension)
            _merge_rows(found, session.execute(stmt).all())
        ordered = (
            sorted(found.items(), key=lambda item: str(item[0]))
            if dimension == "channel"
            else sorted(found.items(), key=_sort_key)
        )
        report.group_counts[dimension] = len(ordered)
        report.groups[dimension] = [
            GroupRow(
                key=key_value,
                label=str(group_label or key_value or ""),
                summary=rollups.summarise(aggregate, minimum),
            )
            for key_value, (group_label, aggregate) in ordered[:group_limit]
        ]
    return report


def daily_aggregates(
    viewer: Person, filters: RollupFilters, plan: QaPlan | None = None
) -> dict[date, Aggregate]:
    """Aggregates per local day of submission (one statement; two with a roll-up plan: the
    covered days from the roll-up, the rest raw); sums of days add up to any week, month or
    period of them (count, sums and critical count are additive)."""
    result: dict[date, Aggregate] = {}
    rolled, rest = plan.split(filters.start_on, filters.end_on) if plan else (None, None)
    if plan is not None and rolled:
        stmt = _rolled(filters, plan, rolled, QaRollupDaily.day, *_rolled_columns())
        for row in db.session.execute(stmt.group_by(QaRollupDaily.day)).all():
            result[_as_date(row[0])] = _to_aggregate(row[1:])
    if rest is not None:
        if rest > filters.end_on:
            return result
        filters = _rest(filters, rest)
    dialect = db.session.get_bind().dialect.name
    day = local_day(Evaluation.submitted_at, filters.time_zone, dialect)
    for row in db.session.execute(
        _base(viewer, filters, day, *_aggregate_columns()).group_by(day)
    ).all():
        result[_as_date(row[0])] = _to_aggregate(row[1:])
    return result


def _raw_by_child(viewer: Person, filters: RollupFilters, node_id: int, only: Any = None) -> Select:
    child = aliased(Person, name="child")
    stmt = (
        _base(viewer, filters, child.id, *_aggregate_columns(), agent=True)
        .join(child, _Agent.path.startswith(child.path))
        .where(child.manager_id == node_id)
        .group_by(child.id)
    )
    if only is None:
        return stmt
    # Only the chosen children's subtrees: said twice so that the planner reads just their
    # people's evaluations (by the person index) instead of the whole period's.
    other_child = aliased(Person, name="other_child")
    members = (
        select(Person.id)
        .join(other_child, Person.path.startswith(other_child.path))
        .where(other_child.manager_id == node_id, only(other_child.id))
    )
    return stmt.where(only(child.id), Evaluation.person_id.in_(members))


def _by_known_children(
    viewer: Person, filters: RollupFilters, children: list[Person], *, large: bool = False
) -> Select:
    """Aggregates per child when the children (and their paths) are known: each agent's child
    by constant path prefixes, so the agents' path index serves and no person × person join.
    `large`: the children's subtrees are most of the node's (the rolled-up ones), so the index
    would not narrow anything: each agent's child is the path segment below the node, one
    expression whatever the number of children (a CASE of one LIKE per child cost ~10 ms of
    CPU to build for the head's ~46 children, and PostgreSQL a LIKE per child per row)."""
    if large and children:
        node_path = children[0].path[: children[0].path.rstrip("/").rfind("/") + 1]
        segment = cast(func.nullif(tree.child_segment(_Agent.path, len(node_path)), ""), Integer)
        return (
            _base(viewer, filters, segment, *_aggregate_columns(), agent=True)
            .where(
                _Agent.path.startswith(node_path, autoescape=True),
                segment.in_([c.id for c in children]),
            )
            .group_by(segment)
        )
    key = case(
        *[(_Agent.path.startswith(c.path, autoescape=True), c.id) for c in children], else_=None
    )
    prefixes = [_Agent.path.startswith(c.path, autoescape=True) for c in children]
    return (
        _base(viewer, filters, key, *_aggregate_columns(), agent=True)
        .where(or_(*prefixes))
        .group_by(key)
    )


def by_child(
    viewer: Person,
    filters: RollupFilters,
    node_id: int,
    plan: QaPlan | None = None,
    known: Sequence[Person] | None = None,
) -> dict[int, Aggregate]:
    """Aggregates per direct report of the node, each over the report's whole subtree (one
    statement; the team view's drill-down). With a roll-up plan, the rolled-up reports'
    covered days come from the roll-up (three statements; `known`, the children when the caller
    has them, lets the small children's statement match constant path prefixes)."""
    if plan is None:
        stmt = _raw_by_child(viewer, filters, node_id)
        return {int(row[0]): _to_aggregate(row[1:]) for row in db.session.execute(stmt).all()}
    covered = sorted(plan.covered_ids)
    rolled, rest = plan.split(filters.start_on, filters.end_on)
    result: dict[int, Aggregate] = {}
    statements = []
    if rolled:
        children = select(Person.id).where(Person.manager_id == node_id, Person.id.in_(covered))
        statements.append(
            _rolled(
                filters,
                plan,
                rolled,
                QaRollupDaily.node_id,
                *_rolled_columns(),
                nodes=QaRollupDaily.node_id.in_(children),
            ).group_by(QaRollupDaily.node_id)
        )
        if known is None:
            statements.append(_raw_by_child(viewer, filters, node_id, lambda c: c.not_in(covered)))
        else:
            small = [c for c in known if c.id not in plan.covered_ids]
            if small:
                statements.append(_by_known_children(viewer, filters, small))
        if rest <= filters.end_on and known is None:
            statements.append(
                _raw_by_child(viewer, _rest(filters, rest), node_id, lambda c: c.in_(covered))
            )
        elif rest <= filters.end_on:
            rolled_up = [c for c in known if c.id in plan.covered_ids]
            if rolled_up:
                statements.append(
                    _by_known_children(viewer, _rest(filters, rest), rolled_up, large=True)
                )
    else:
        statements.append(_raw_by_child(viewer, filters, node_id))
    for stmt in statements:
        for row in db.session.execute(stmt).all():
            key = int(row[0])
            aggregate = _to_aggregate(row[1:])
            result[key] = result[key] + aggregate if key in result else aggregate
    return result


def summary_for(
    viewer: Person, filters: RollupFilters, minimum: int, node: Person | None = None
) -> rollups.Summary:
    """Only the overall figures (one statement), e.g. week- and month-to-date on a daily report.
    Given the node whose subtree the filters read, the daily roll-up answers when it is exact
    for the viewer (two statements: the covered days rolled up, the rest raw)."""
    plan = node_plan(viewer, node, filters) if node is not None else None
    if plan is None:
        row = db.session.execute(_base(viewer, filters, *_aggregate_columns())).one()
        return rollups.summarise(_to_aggregate(row), minimum)
    overall = Aggregate.empty()
    for aggregate in daily_aggregates(viewer, filters, plan).values():
        overall = overall + aggregate
    return rollups.summarise(overall, minimum)


def group_rows(
    viewer: Person, filters: RollupFilters, dimension: str, minimum: int
) -> list[GroupRow]:
    """One dimension's groups (by agent, team, ...) with their figures, in one statement."""
    rows = db.session.execute(_dimension_statement(viewer, filters, dimension)).all()
    return [
        GroupRow(
            key=row[0],
            label=str(row[1] or row[0] or ""),
            summary=rollups.summarise(_to_aggregate(row[2:]), minimum),
        )
        for row in rows
    ]


def group_rows_limited(
    viewer: Person, filters: RollupFilters, dimension: str, minimum: int, limit: int
) -> tuple[list[GroupRow], int]:
    """The first `limit` groups of a dimension (in the table's order) and how many there are,
    in one statement: every group is aggregated and fetched, only these are summarised (a
    head's 5,000 agents would otherwise cost more than the aggregates). No LIMIT in SQL: it
    makes PostgreSQL trade the hash aggregate for a much slower ordered plan."""
    rows = db.session.execute(_dimension_statement(viewer, filters, dimension)).all()
    return [
        GroupRow(
            key=row[0],
            label=str(row[1] or row[0] or ""),
            summary=rollups.summarise(_to_aggregate(row[2:]), minimum),
        )
        for row in rows[:limit]
    ], len(rows)


_QUESTION_KEY = (ScorecardQuestion.text, Scorecard.name, ScorecardVersion.number)


def _with_scorecard(stmt: Select) -> Select:
    """Join a question to its scorecard: the same wording on two scorecards is two questions,
    and the report names each one's scorecard. Three joins by primary key."""
    return (
        stmt.join(ScorecardSection, ScorecardSection.id == ScorecardQuestion.section_id)
        .join(ScorecardVersion, ScorecardVersion.id == ScorecardSection.version_id)
        .join(Scorecard, Scorecard.id == ScorecardVersion.scorecard_id)
    )


def questions_failed_most(
    viewer: Person, filters: RollupFilters, limit: int = 10, plan: QaPlan | None = None
) -> list[QuestionFailures]:
    """Per question of the current revisions: how often answered (not N/A) and failed. With a
    roll-up plan and no market, segment or channel filter, the covered days come from the
    question roll-up and the rest from raw rows."""
    statements = []
    if plan is not None and _questions_carried(filters):
        rolled, rest = plan.split(filters.start_on, filters.end_on)
        if rolled:
            q = QaRollupQuestion
            statements.append(
                _with_scorecard(
                    _rolled(
                        filters,
                        plan,
                        rolled,
                        q.question_id,
                        ScorecardQuestion.text,
                        Scorecard.name,
                        ScorecardVersion.number,
                        func.coalesce(func.sum(q.answered), 0),
                        func.coalesce(func.sum(q.failed), 0),
                        model=q,
                    ).join(ScorecardQuestion, ScorecardQuestion.id == q.question_id)
                ).group_by(*_QUESTION_KEY, q.question_id)
            )
        if rest <= filters.end_on:
            statements.append(_raw_questions(viewer, _rest(filters, rest)))
    else:
        statements.append(_raw_questions(viewer, filters))
    found: dict[int, QuestionFailures] = {}
    for stmt in statements:
        for qid, text, card, number, answered, failed in db.session.execute(stmt).all():
            before = found.get(int(qid))
            found[int(qid)] = QuestionFailures(
                int(qid),
                text,
                int(answered) + (before.answered if before else 0),
                int(failed) + (before.failed if before else 0),
                scorecard=card,
                version=int(number),
            )
    return rollups.label_scorecards(rollups.failed_most(list(found.values()), limit))


def _raw_questions(viewer: Person, filters: RollupFilters) -> Select:
    return _with_scorecard(
        _base(
            viewer,
            filters,
            EvaluationAnswer.question_id,
            ScorecardQuestion.text,
            Scorecard.name,
            ScorecardVersion.number,
            func.count(EvaluationAnswer.possible),
            func.coalesce(func.sum(case((EvaluationAnswer.failed, 1), else_=0)), 0),
        )
        .join(
            EvaluationRevision,
            and_(
                EvaluationRevision.evaluation_id == Evaluation.id,
                EvaluationRevision.number == Evaluation.revision_number,
            ),
        )
        .join(EvaluationAnswer, EvaluationAnswer.revision_id == EvaluationRevision.id)
        .join(ScorecardQuestion, ScorecardQuestion.id == EvaluationAnswer.question_id)
    ).group_by(*_QUESTION_KEY, EvaluationAnswer.question_id)


@dataclass(frozen=True)
class EvaluationRow:
    id: int
    contact_id: int
    submitted_at: datetime
    agent_name: str
    evaluator_name: str
    channel: str
    score: Any
    critical_failed: bool
    status: str
    scorecard: str = ""
    score_exact: str | None = None  # "p/q": shown rounded once, as the evaluation page does


def evaluations_page(
    viewer: Person, filters: RollupFilters, *, after: str | None, limit: int
) -> tuple[list[EvaluationRow], str | None]:
    """The evaluations behind a roll-up (drill-down), newest first, keyset-paged."""
    stmt = _base(
        viewer,
        filters,
        Evaluation.id,
        Evaluation.contact_id,
        Evaluation.submitted_at,
        _Agent.name,
        _Evaluator.name,
        Contact.channel,
        Evaluation.score,
        Evaluation.critical_failed,
        Evaluation.status,
        Scorecard.name,
        Evaluation.score_exact,
        contact=True,
        agent=True,
    )
    stmt = (
        stmt.join(_Evaluator, _Evaluator.id == Evaluation.evaluator_id)
        .join(ScorecardVersion, ScorecardVersion.id == Evaluation.scorecard_version_id)
        .join(Scorecard, Scorecard.id == ScorecardVersion.scorecard_id)
    )
    cursor = split_cursor(after, "_", read_datetime_key)
    if cursor:
        at, last_id = cursor
        if at is not None:
            stmt = stmt.where(
                (Evaluation.submitted_at < at)
                | (and_(Evaluation.submitted_at == at, Evaluation.id < last_id))
            )
    stmt = stmt.order_by(Evaluation.submitted_at.desc(), Evaluation.id.desc()).limit(limit + 1)
    rows = [EvaluationRow(*row) for row in db.session.execute(stmt).all()]
    cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        cursor = f"{last.submitted_at.isoformat()}_{last.id}"
    return rows, cursor
