"""The SQL roll-up of the team view equals the pure aggregation of the same rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.kpis import maths, queries
from portal.kpis.maths import Daily
from portal.kpis.models import Aggregation, KpiValue
from portal.kpis.queries import ViewFilters
from portal.org.models import Person
from tests.kpis.kpi_world import DAY, build_kpis


@pytest.fixture
def kw(world):
    return build_kpis(world)


def _pure(kpi, person_ids, start, end):
    rows = db.session.execute(
        select(KpiValue).where(
            KpiValue.kpi_id == kpi.id,
            KpiValue.person_id.in_(person_ids),
            KpiValue.value_on.between(start, end),
        )
    ).scalars()
    dailies = [Daily(r.value, r.numerator, r.denominator, r.weight) for r in rows]
    return maths.aggregate(Aggregation(kpi.aggregation), dailies)


def _close(a, b):
    if a is None or b is None:
        return a is b
    return abs(a - b) < 1e-9


@pytest.mark.parametrize("viewer_name", ["head", "manager_hk", "sup_a", "agent_a1", "hr"])
def test_sql_totals_equal_the_pure_aggregation_over_the_visible_subtree(world, kw, viewer_name):
    viewer = getattr(world, viewer_name)
    node = world.head if viewer_name == "hr" else viewer
    start, end = DAY - timedelta(days=6), DAY
    people = queries.population(viewer, node, ViewFilters())
    ids = list(db.session.execute(people).scalars())
    expected_ids = {
        p.id for p in db.session.execute(select(Person)).scalars() if p.path.startswith(node.path)
    }
    assert set(ids) == expected_ids
    sums = queries.totals(people, start, end)
    for kpi in (kw.csat, kw.aht, kw.rate, kw.contacts):
        sql = maths.from_sums(Aggregation(kpi.aggregation), sums.get(kpi.id, maths.Sums()))
        pure = _pure(kpi, ids, start, end)
        assert sql.n == pure.n
        assert _close(sql.value, pure.value), (kpi.code, sql, pure)


def test_by_child_sums_each_direct_reports_subtree(world, kw):
    start, end = DAY - timedelta(days=6), DAY
    people = queries.population(world.head, world.head, ViewFilters())
    sums = queries.by_child(people, world.head, start, end)
    hk_ids = [world.agent_a1.id, world.agent_a2.id, world.agent_b1.id]
    for kpi in (kw.csat, kw.aht, kw.rate, kw.contacts):
        sql = maths.from_sums(Aggregation(kpi.aggregation), sums[(world.manager_hk.id, kpi.id)])
        assert _close(sql.value, _pure(kpi, hk_ids, start, end).value)


def test_the_filters_narrow_the_population(world, kw):
    jp = ViewFilters(market_id=world.team_c.market_id)
    ids = set(db.session.execute(queries.population(world.head, world.head, jp)).scalars())
    assert world.agent_c1.id in ids and world.agent_a1.id not in ids
    small = ViewFilters(segment_id=world.agent_a1.segment_id)
    ids = set(db.session.execute(queries.population(world.head, world.head, small)).scalars())
    assert world.agent_a1.id in ids and world.agent_a2.id not in ids
