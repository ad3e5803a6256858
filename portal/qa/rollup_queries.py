"""QA roll-ups as SQL aggregates: a fixed number of statements whatever the number of evaluations.

Every statement starts from the viewer's Area.QA scope (evaluations of visible agents), then the
org node (the agents at or below a person), the period (submitted in the viewer's time zone) and
the filters. Only submitted evaluations count (drafts never do); calibration scores live in their
own tables and are never read here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, case, func, literal, select
from sqlalchemy.orm import aliased

from portal import policy
from portal.extensions import db
from portal.org.models import Market, Person, Segment, Team
from portal.policy import Area
from portal.qa import rollups
from portal.qa.evaluation_models import (
    Evaluation,
    EvaluationAnswer,
    EvaluationRevision,
    EvaluationStatus,
)
from portal.qa.models import Contact, ScorecardQuestion, ScorecardVersion
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
    return stmt.group_by(key, label).order_by(label, key)


def local_day(column: Any, time_zone: str, dialect: str) -> Any:
    """The calendar day of a UTC timestamp in a time zone, computed by the database."""
    if dialect == "postgresql":
        return func.date(func.timezone(time_zone, column))
    # SQLite knows no zone names: shift by the zone's offset now (a DST change moves a few
    # evaluations near midnight by a day in SQLite only).
    offset = datetime.now(ZoneInfo(time_zone)).utcoffset() or timedelta(0)
    return func.date(column, f"{int(offset.total_seconds() // 60):+d} minutes")


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _score_bin_expression() -> Any:
    score = Evaluation.score
    whens = [(score >= (index * rollups.BIN_WIDTH), index) for index in range(9, 0, -1)]
    return case(*whens, else_=0)


def rollup_for(viewer: Person, filters: RollupFilters, minimum: int) -> RollupReport:
    """The whole roll-up page's figures in 5 + len(DIMENSIONS) statements."""
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
    for dimension in DIMENSIONS:
        report.groups[dimension] = group_rows(viewer, filters, dimension, minimum)
    return report


def daily_aggregates(viewer: Person, filters: RollupFilters) -> dict[date, Aggregate]:
    """Aggregates per local day of submission (one statement); sums of days add up to any
    week, month or period of them (count, sums and critical count are additive)."""
    dialect = db.session.get_bind().dialect.name
    day = local_day(Evaluation.submitted_at, filters.time_zone, dialect)
    return {
        _as_date(row[0]): _to_aggregate(row[1:])
        for row in db.session.execute(
            _base(viewer, filters, day, *_aggregate_columns()).group_by(day)
        ).all()
    }


def by_child(viewer: Person, filters: RollupFilters, node_id: int) -> dict[int, Aggregate]:
    """Aggregates per direct report of the node, each over the report's whole subtree (one
    statement; the team view's drill-down)."""
    child = aliased(Person, name="child")
    stmt = (
        _base(viewer, filters, child.id, *_aggregate_columns(), agent=True)
        .join(child, _Agent.path.startswith(child.path))
        .where(child.manager_id == node_id)
        .group_by(child.id)
    )
    return {int(row[0]): _to_aggregate(row[1:]) for row in db.session.execute(stmt).all()}


def summary_for(viewer: Person, filters: RollupFilters, minimum: int) -> rollups.Summary:
    """Only the overall figures (one statement), e.g. week- and month-to-date on a daily report."""
    row = db.session.execute(_base(viewer, filters, *_aggregate_columns())).one()
    return rollups.summarise(_to_aggregate(row), minimum)


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


def questions_failed_most(
    viewer: Person, filters: RollupFilters, limit: int = 10
) -> list[QuestionFailures]:
    """Per question of the current revisions: how often answered (not N/A) and failed."""
    stmt = (
        _base(
            viewer,
            filters,
            EvaluationAnswer.question_id,
            ScorecardQuestion.text,
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
        .group_by(EvaluationAnswer.question_id, ScorecardQuestion.text)
    )
    rows = [
        QuestionFailures(int(qid), text, int(answered), int(failed))
        for qid, text, answered, failed in db.session.execute(stmt).all()
    ]
    return rollups.failed_most(rows, limit)


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
        contact=True,
        agent=True,
    ).join(_Evaluator, _Evaluator.id == Evaluation.evaluator_id)
    if after:
        try:
            stamp, _, ident = after.partition("_")
            at, last_id = datetime.fromisoformat(stamp), int(ident)
        except ValueError:
            at, last_id = None, None
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
