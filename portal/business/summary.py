"""Monthly and quarterly business summaries per market: the KPI table against target and the
previous period, the QA summary, the headcount, and the decisions of the period's held reviews.
Everything counts only the people the viewer may see in the KPI area (their subtree; everyone
for HR), in that market."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import and_, case, func, or_, select

from portal import policy
from portal.business.figures import Figures
from portal.business.live import compute_figures
from portal.business.models import BusinessDecision, BusinessReview, ReviewStatus
from portal.extensions import db
from portal.kpis import queries
from portal.kpis.periods import Period
from portal.kpis.queries import ViewFilters
from portal.org.models import Market, Person, Position
from portal.policy import Area


@dataclass(frozen=True)
class HeadcountRow:
    position: str
    in_post: int  # at the end of the period
    joined: int  # hired during the period
    left: int  # deactivated during the period


@dataclass(frozen=True)
class Headcount:
    rows: tuple[HeadcountRow, ...]

    @property
    def in_post(self) -> int:
        return sum(r.in_post for r in self.rows)

    @property
    def joined(self) -> int:
        return sum(r.joined for r in self.rows)

    @property
    def left(self) -> int:
        return sum(r.left for r in self.rows)


@dataclass(frozen=True)
class DecisionLine:
    review_id: int
    review_title: str
    body: str
    recorded_at: datetime


@dataclass(frozen=True)
class MarketSummary:
    market: Market
    period: Period
    node: Person
    figures: Figures
    headcount: Headcount
    decisions: tuple[DecisionLine, ...]


def summary_node(viewer: Person) -> Person:
    """The viewer's own node; for HR without reports, the top of the tree."""
    if policy.is_hr(viewer) and not policy.has_reports(viewer):
        top = db.session.scalar(
            select(Person)
            .where(Person.manager_id.is_(None), Person.is_active.is_(True))
            .order_by(Person.depth, Person.id)
            .limit(1)
        )
        if top is not None:
            return top
    return viewer


def _utc_midnight(day) -> datetime:
    return datetime.combine(day, time(0), UTC)


def headcount(people, period: Period) -> Headcount:
    """People by position: in post at the period's end, joined and left during it (one
    statement). Deactivation is the leaving date."""
    end_excl = _utc_midnight(period.end + timedelta(days=1))
    start = _utc_midnight(period.start)
    hired_by_end = or_(Person.hire_on.is_(None), Person.hire_on <= period.end)
    still_there = or_(Person.deactivated_at.is_(None), Person.deactivated_at >= end_excl)
    joined = and_(Person.hire_on >= period.start, Person.hire_on <= period.end)
    left = and_(Person.deactivated_at >= start, Person.deactivated_at < end_excl)
    stmt = (
        select(
            Position.name,
            func.sum(case((and_(hired_by_end, still_there), 1), else_=0)),
            func.sum(case((joined, 1), else_=0)),
            func.sum(case((left, 1), else_=0)),
        )
        .join(Position, Position.id == Person.position_id)
        .where(Person.id.in_(people))
        .group_by(Position.name, Position.rank)
        .order_by(Position.rank.desc(), Position.name)
    )
    rows = tuple(
        HeadcountRow(name, int(a or 0), int(b or 0), int(c or 0))
        for name, a, b, c in db.session.execute(stmt)
    )
    return Headcount(tuple(r for r in rows if r.in_post or r.joined or r.left))


def held_decisions(viewer: Person, market: Market, period: Period) -> tuple[DecisionLine, ...]:
    """Decisions of the held reviews of the period about this market: reviews filtered by the
    market, or of a node in the market with no market filter. Scoped like the reviews."""
    stmt = (
        select(
            BusinessReview.id,
            BusinessReview.title,
            BusinessDecision.body,
            BusinessDecision.recorded_at,
        )
        .join(BusinessDecision, BusinessDecision.review_id == BusinessReview.id)
        .join(Person, Person.id == BusinessReview.person_id)
        .where(
            BusinessReview.status == ReviewStatus.HELD,
            BusinessReview.period_start >= period.start,
            BusinessReview.period_start <= period.end,
            or_(
                BusinessReview.market_id == market.id,
                and_(BusinessReview.market_id.is_(None), Person.market_id == market.id),
            ),
        )
        .order_by(BusinessReview.period_start, BusinessReview.id, BusinessDecision.id)
        .limit(200)
    )
    stmt = policy.scoped(stmt, BusinessReview, viewer, Area.KPIS)
    return tuple(DecisionLine(*row) for row in db.session.execute(stmt))


def market_summary(
    viewer: Person, market: Market, period: Period, *, minimum: int, now: datetime
) -> MarketSummary:
    """Everything the summary page and its PDF show, in a fixed number of statements."""
    node = summary_node(viewer)
    people = queries.population(viewer, node, ViewFilters(market_id=market.id))
    return MarketSummary(
        market=market,
        period=period,
        node=node,
        figures=compute_figures(viewer, node, market.id, period, minimum=minimum, now=now),
        headcount=headcount(people, period),
        decisions=held_decisions(viewer, market, period),
    )
