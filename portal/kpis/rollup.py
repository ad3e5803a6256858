"""The daily KPI roll-up: refreshing it, and deciding when a read may use it.

A read uses the roll-up only when it gives exactly what the raw query would:
- the viewer sees the node's whole subtree in the KPI area (the node is the viewer or below
  them, or the viewer is HR), so the population is the subtree narrowed by market and segment;
- the filters are only market and segment (the roll-up's own columns);
- the node was rolled up, and no person's place in the org changed since the refresh (a move
  changes subtrees; also market, segment, activity or a new person: `Person.org_changed_at`,
  stamped by portal.org.models; a password change or a sign-in does not count);
- the days used are at most the watermark: through the last refreshed day and before the first
  day whose values were written after the refresh. Later days come from the raw rows.
Otherwise `plan_for` returns None and every query reads the raw daily values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import aliased

from portal import policy
from portal.db import as_utc, utcnow
from portal.extensions import db
from portal.kpis.models import KpiValue
from portal.kpis.rollup_models import KpiRollupDaily, RollupState, record_state
from portal.org.models import Person

NAME = "kpi"
MIN_SUBTREE = 100  # people at or below a node for it to be rolled up (config overrides);
# the direct reports with reports of such a node are rolled up too (see _kpi_nodes)
SUM_NAMES = (
    "n_value",
    "value_sum",
    "n_rate",
    "numerator_sum",
    "denominator_sum",
    "n_weighted",
    "weighted_sum",
    "weight_sum",
)


@dataclass(frozen=True)
class RollupPlan:
    """Read the node's roll-up for days through `through_on` (None: no day is covered)."""

    node_id: int
    market_id: int | None
    segment_id: int | None
    through_on: date | None
    covered_ids: frozenset[int]  # every rolled-up node (the drill-down's children among them)
    # No value was written since the refresh: the days after through_on (the last day with
    # values then) hold none, so nothing is left to read from raw rows.
    nothing_after: bool = False

    def split(self, start: date, end: date) -> tuple[tuple[date, date] | None, date]:
        """(the days served by the roll-up, or None; the first day left to the raw rows: after
        `end` when there is none)."""
        after_end = end + timedelta(days=1)
        if self.through_on is None or self.through_on < start:
            return None, after_end if self.nothing_after else start
        last = min(end, self.through_on)
        return (start, last), after_end if self.nothing_after else last + timedelta(days=1)


def _min_subtree() -> int:
    return int(current_app.config.get("KPI_ROLLUP_MIN_SUBTREE", MIN_SUBTREE))


def _nodes(min_subtree: int) -> list[int]:
    member = aliased(Person)
    stmt = (
        select(Person.id)
        .join(member, member.path.startswith(Person.path))
        .group_by(Person.id)
        .having(func.count(member.id) >= min_subtree)
    )
    return sorted(db.session.execute(stmt).scalars())


def rolled_node_ids() -> list[int]:
    """The nodes a full refresh rolls up now (the configured threshold): also those of the 1:1
    counts per node (portal.coaching.node_weeks)."""
    return _kpi_nodes(_min_subtree())


def _kpi_nodes(min_subtree: int) -> list[int]:
    """The nodes the KPI roll-up keeps: those with at least `min_subtree` people at or below
    them, and the direct reports of those who manage anyone (a manager's supervisors, the
    head's smaller departments), so that the drill-down of a large node reads every child
    with reports from the roll-up and only people without reports from raw rows."""
    large = _nodes(min_subtree)
    report = aliased(Person)
    stmt = (
        select(Person.id)
        .where(Person.manager_id.in_(large))
        .where(select(report.id).where(report.manager_id == Person.id).exists())
    )
    return sorted(set(large) | set(db.session.execute(stmt).scalars()))


def _org_changed_after(moment: datetime) -> bool:
    latest = db.session.execute(select(func.max(Person.org_changed_at))).scalar()
    return latest is not None and as_utc(latest) > moment


def refresh(since: date | None = None, *, min_subtree: int | None = None) -> tuple[int, int]:
    """Recompute the roll-up (from `since` on, when the org has not changed since the last
    refresh; else all of it). Commits. Returns (nodes, rows held)."""
    from portal.kpis.queries import _sum_columns

    started_at = utcnow()
    state = db.session.get(RollupState, NAME)
    full = (
        since is None
        or state is None
        or _org_changed_after(state.refreshed_at)
        or (min_subtree is not None)
    )
    nodes = _kpi_nodes(min_subtree or _min_subtree()) if full else list(state.node_ids)
    if full:
        db.session.execute(delete(KpiRollupDaily))
    else:
        db.session.execute(delete(KpiRollupDaily).where(KpiRollupDaily.value_on >= since))
    member = aliased(Person)
    node = aliased(Person)
    source = (
        select(
            node.id,
            KpiValue.kpi_id,
            KpiValue.value_on,
            member.market_id,
            member.segment_id,
            *_sum_columns(),
        )
        .join(member, member.id == KpiValue.person_id)
        .join(node, member.path.startswith(node.path))
        .where(node.id.in_(nodes))
        .group_by(node.id, KpiValue.kpi_id, KpiValue.value_on, member.market_id, member.segment_id)
        # Written in the order they are read (a node's days together), so that a node's
        # period is a few pages, not a page per row.
        .order_by(node.id, KpiValue.value_on, KpiValue.kpi_id)
    )
    if not full:
        source = source.where(KpiValue.value_on >= since)
    columns = ["node_id", "kpi_id", "value_on", "market_id", "segment_id", *SUM_NAMES]
    db.session.execute(insert(KpiRollupDaily).from_select(columns, source))
    written = db.session.execute(select(func.count(KpiRollupDaily.id))).scalar_one()
    through = db.session.execute(select(func.max(KpiValue.value_on))).scalar()
    record_state(NAME, through_on=through, refreshed_at=started_at, node_ids=nodes)
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE kpi_rollup_daily"))  # the planner's row estimates
        db.session.commit()
    return len(nodes), written


def plan_for(
    viewer: Person,
    node: Person,
    market_id: int | None,
    segment_id: int | None,
    *,
    other_filters: bool = False,
) -> RollupPlan | None:
    """The roll-up plan for this read, or None when only raw rows give the exact answer."""
    if other_filters:
        return None
    if not policy.sees_whole_subtree(viewer, node):
        return None
    state = db.session.get(RollupState, NAME)
    if state is None or node.id not in set(state.node_ids or ()):
        return None
    refreshed_at = as_utc(state.refreshed_at)
    changed = select(func.min(KpiValue.value_on)).where(KpiValue.updated_at > refreshed_at)
    people_changed = select(func.max(Person.org_changed_at))
    first_changed, latest_person = db.session.execute(
        select(changed.scalar_subquery(), people_changed.scalar_subquery())
    ).one()
    if latest_person is not None and as_utc(latest_person) > refreshed_at:
        return None
    through = state.through_on
    if first_changed is not None and through is not None:
        through = min(through, first_changed - timedelta(days=1))
    return RollupPlan(
        node_id=node.id,
        market_id=market_id,
        segment_id=segment_id,
        through_on=through,
        covered_ids=frozenset(state.node_ids or ()),
        nothing_after=first_changed is None and through is not None,
    )
