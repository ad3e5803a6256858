"""The evaluator overturn roll-up: refreshing it, and the boundary a read may take it at.

The evaluator overturns page (`evaluation_queries.overturns`) counts, per evaluator, the
submitted evaluations the viewer may read, and of them the disputed, resolved and re-scored
ones, over all time. The roll-up holds those counts per (evaluator, agent) for the evaluations
submitted before each boundary (UTC midnight of a day: the first of every month, and every one
of the last `DAYS` days before the refresh). A read takes the rows of one boundary and adds the
evaluations submitted since from the raw rows; the viewer's scope is applied to the agent of
both parts, after the union, so visibility is decided in one place (`policy`).

A boundary is exact when no evaluation submitted before it changed after the refresh: the read
takes the last boundary no later than the refresh day and the first submission moment of an
evaluation changed since (`evaluation.updated_at`: submitted, acknowledged, disputed, resolved,
re-scored; an evaluation's submission moment and evaluator never change once submitted, and
evaluations are never deleted). People do not matter: the rows are keyed by the evaluator's and
the agent's ids, and who may see which agent is decided at read time. Before the first refresh,
or when the first boundary is the one left, the read is all raw.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Date, Integer, case, delete, func, insert, literal, select, union_all

from portal.db import as_utc, utcnow
from portal.extensions import db
from portal.kpis.rollup_models import RollupState, record_state
from portal.qa.evaluation_models import Evaluation, EvaluationStatus, Resolution
from portal.qa.overturn_rollup_models import QaOverturnRollup

NAME = "overturns"
DAYS = 35  # the last days before the refresh with a boundary each (the rest: months)
# Changes written by transactions still open when the refresh started count as later ones.
MARGIN = timedelta(minutes=5)
COLUMNS = ["before_on", "evaluator_id", "person_id", "n", "disputed", "resolved", "rescored"]


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def boundaries(first: date, cut: date, days: int = DAYS) -> list[date]:
    """The first of every month from `first`'s month, and each of the `days` days before
    `cut`, through `cut` (no later than it)."""
    month = first.replace(day=1)
    found = {cut}
    while month < cut:
        found.add(month)
        month = (month + timedelta(days=32)).replace(day=1)
    found.update(cut - timedelta(days=n) for n in range(1, days + 1))
    return sorted(day for day in found if first.replace(day=1) <= day <= cut)


def _cumulative(bounds: list[date]):
    """Per boundary (but the first), evaluator and agent: the counts of the evaluations
    submitted from the first boundary up to it."""
    moments = [midnight(day) for day in bounds]
    last = len(bounds) - 1
    whens = [(Evaluation.submitted_at >= moments[k], k) for k in range(last - 1, 0, -1)]
    bucket = case(*whens, else_=0) if whens else literal(0, Integer)
    rows = (
        select(
            Evaluation.evaluator_id,
            Evaluation.person_id,
            Evaluation.disputed_at,
            Evaluation.resolution,
            bucket.label("k"),
        )
        .where(
            Evaluation.status != EvaluationStatus.DRAFT,
            Evaluation.submitted_at >= moments[0],
            Evaluation.submitted_at < moments[last],
        )
        .subquery("bucketed")
    )
    per_bucket = (
        select(
            rows.c.evaluator_id,
            rows.c.person_id,
            rows.c.k,
            func.count().label("n"),
            func.count(rows.c.disputed_at).label("disputed"),
            func.count(rows.c.resolution).label("resolved"),
            func.sum(case((rows.c.resolution == Resolution.RESCORED.value, 1), else_=0)).label(
                "rescored"
            ),
        )
        .group_by(rows.c.evaluator_id, rows.c.person_id, rows.c.k)
        .subquery("per_bucket")
    )
    ends = union_all(
        *[
            select(literal(j, Integer).label("j"), literal(bounds[j], Date).label("before_on"))
            for j in range(1, last + 1)
        ]
    ).subquery("ends")
    return (
        select(
            ends.c.before_on,
            per_bucket.c.evaluator_id,
            per_bucket.c.person_id,
            func.sum(per_bucket.c.n),
            func.sum(per_bucket.c.disputed),
            func.sum(per_bucket.c.resolved),
            func.sum(per_bucket.c.rescored),
        )
        .join(ends, per_bucket.c.k < ends.c.j)
        .group_by(ends.c.before_on, per_bucket.c.evaluator_id, per_bucket.c.person_id)
        .order_by(ends.c.before_on)  # a boundary's rows together: a read touches few pages
    )


def refresh(*, now: datetime | None = None, days: int = DAYS) -> tuple[int, int]:
    """Recompute the whole roll-up (boundaries through the refresh day's UTC midnight).
    Commits. Returns (boundaries, rows held)."""
    started_at = now or utcnow()
    cut = started_at.astimezone(UTC).date()
    first = db.session.execute(
        select(func.min(Evaluation.submitted_at)).where(Evaluation.status != EvaluationStatus.DRAFT)
    ).scalar()
    db.session.execute(delete(QaOverturnRollup))
    bounds = boundaries(as_utc(first).date(), cut, days) if first is not None else [cut]
    if not bounds:  # nothing submitted before the refresh day
        bounds = [cut]
    if len(bounds) > 1:
        db.session.execute(insert(QaOverturnRollup).from_select(COLUMNS, _cumulative(bounds)))
    written = db.session.execute(select(func.count()).select_from(QaOverturnRollup)).scalar_one()
    record_state(
        NAME,
        through_on=cut - timedelta(days=1),
        refreshed_at=started_at - MARGIN,
        node_ids=[day.isoformat() for day in bounds],  # here: the boundaries, not nodes
    )
    db.session.commit()
    return len(bounds), written


def usable_boundary() -> date | None:
    """The boundary whose rows a read may take (the evaluations submitted from its midnight on
    come from the raw rows), or None: read everything raw. Two small statements: the state,
    then the evaluations changed since (by `updated_at`; the refresh moment is given as a
    value, so the planner sees how few they are, and the count keeps it from hunting the
    minimum along the submission index)."""
    state = db.session.get(RollupState, NAME)
    if state is None or not state.node_ids:
        return None
    first_changed, _changed = db.session.execute(
        select(func.min(Evaluation.submitted_at), func.count()).where(
            Evaluation.updated_at > as_utc(state.refreshed_at),
            Evaluation.status != EvaluationStatus.DRAFT,
        )
    ).one()
    bounds = [date.fromisoformat(day) for day in state.node_ids]
    limit = midnight(bounds[-1])
    if first_changed is not None:
        limit = min(limit, as_utc(first_changed))
    usable = [day for day in bounds[1:] if midnight(day) <= limit]
    return usable[-1] if usable else None


def rolled_pairs(before_on: date):
    """The roll-up's counts per (evaluator, agent) at a boundary, as the raw pairs are."""
    return select(
        QaOverturnRollup.evaluator_id,
        QaOverturnRollup.person_id,
        QaOverturnRollup.n,
        QaOverturnRollup.disputed,
        QaOverturnRollup.resolved,
        QaOverturnRollup.rescored,
    ).where(QaOverturnRollup.before_on == before_on)
