"""The daily KPI roll-up answers exactly what the raw rows answer, and is never used stale."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.dashboards import team_kpis
from portal.extensions import db
from portal.kpis import queries, rollup
from portal.kpis.periods import custom_period
from portal.kpis.queries import ViewFilters
from tests.conftest import as_user, count_queries
from tests.kpis.kpi_world import DAY, add_value, build_kpis
from tests.teams.page import team_page

NO_FILTERS = ViewFilters()
PERIODS = [
    (DAY - timedelta(days=6), DAY),
    (DAY - timedelta(days=1), DAY),
    (DAY, DAY + timedelta(days=3)),
    (DAY - timedelta(days=40), DAY - timedelta(days=10)),
]


@pytest.fixture
def kw(world):
    return build_kpis(world)


def _both(viewer, node, start, end, filters=NO_FILTERS):
    """The team KPI panel's data read with the roll-up plan and without it."""
    period = custom_period(start, end)
    with_rollup = team_kpis.team_kpis(viewer, node, period, filters)
    plan = queries.rollup_plan(viewer, node, filters)
    original = queries.rollup_plan
    queries.rollup_plan = lambda *a: None
    try:
        raw = team_kpis.team_kpis(viewer, node, period, filters)
    finally:
        queries.rollup_plan = original
    return plan, with_rollup, raw


def _filters(world):
    return [
        ViewFilters(),
        ViewFilters(market_id=world.team_a.market_id),
        ViewFilters(segment_id=world.agent_a1.segment_id),
        ViewFilters(market_id=world.team_c.market_id, segment_id=world.agent_c1.segment_id),
    ]


def test_rollup_and_raw_rows_give_identical_figures_for_every_node_filter_and_period(world, kw):
    nodes, rows = rollup.refresh(min_subtree=2)
    assert rows > 0
    for node in (world.head, world.manager_hk, world.manager_jp, world.sup_a):
        assert node.id in set(db.session.get(rollup.RollupState, "kpi").node_ids)
        for filters in _filters(world):
            for start, end in PERIODS:
                plan, with_rollup, raw = _both(world.head, node, start, end, filters)
                assert plan is not None and plan.through_on == DAY
                assert plan.nothing_after  # nothing written since: no raw read after DAY
                assert with_rollup == raw, (node, filters, start, end)


@pytest.mark.parametrize("min_subtree", [3, 5, 8])
def test_with_small_children_read_raw_the_figures_are_still_identical(world, kw, min_subtree):
    """A larger threshold leaves some children (and their children) out of the roll-up: the
    drill-down then mixes rolled-up and raw children, and must still equal the raw read."""
    rollup.refresh(min_subtree=min_subtree)
    covered = set(db.session.get(rollup.RollupState, "kpi").node_ids)
    people = [world.head, world.manager_hk, world.manager_jp, world.sup_a, world.agent_a1]
    planned = 0
    for node in people:
        for filters in _filters(world)[:2]:
            for start, end in PERIODS[:3]:
                plan, with_rollup, raw = _both(world.head, node, start, end, filters)
                assert (plan is not None) == (node.id in covered)
                planned += plan is not None
                assert with_rollup == raw, (min_subtree, node, filters, start, end)
    assert planned


def test_hr_uses_the_rollup_and_a_granted_analyst_does_not(world, kw):
    rollup.refresh(min_subtree=2)
    assert queries.rollup_plan(world.hr, world.head, ViewFilters()) is not None
    # The QA analyst sees team A through a grant, not the head's whole subtree.
    assert queries.rollup_plan(world.qa, world.head, ViewFilters()) is None
    # A supervisor's own node is their whole subtree.
    assert queries.rollup_plan(world.sup_a, world.sup_a, ViewFilters()) is not None


def test_no_rollup_before_the_first_refresh_or_for_a_small_node_outside_a_large_one(world, kw):
    assert queries.rollup_plan(world.head, world.head, ViewFilters()) is None
    rollup.refresh(min_subtree=5)
    assert queries.rollup_plan(world.head, world.manager_hk, ViewFilters()) is not None
    # A small node is rolled up only as a direct report with reports of a large one: sup_a
    # (3 people) under manager_hk is; an agent (nobody below) is not.
    assert queries.rollup_plan(world.head, world.sup_a, ViewFilters()) is not None
    assert queries.rollup_plan(world.head, world.agent_a1, ViewFilters()) is None
    rollup.refresh(min_subtree=50)  # no node that large: nothing is rolled up
    assert queries.rollup_plan(world.head, world.sup_a, ViewFilters()) is None


def test_values_written_after_the_refresh_are_read_from_raw_rows(world, kw):
    rollup.refresh(min_subtree=2)
    # A late correction of a covered day and a new day after the watermark.
    add_value(world.agent_a2, kw.contacts, DAY - timedelta(days=1), value="7")
    add_value(world.agent_b1, kw.contacts, DAY + timedelta(days=1), value="5")
    db.session.commit()
    plan, with_rollup, raw = _both(
        world.head, world.head, DAY - timedelta(days=6), DAY + timedelta(days=1)
    )
    assert plan is not None and plan.through_on == DAY - timedelta(days=2)
    assert not plan.nothing_after
    assert with_rollup == raw
    contacts = next(r for r in with_rollup.rows if r.kpi.id == kw.contacts.id)
    assert contacts.figure.value == 40 * 3 + 1000 * 3 + 7 + 5


def test_a_change_of_market_turns_the_rollup_off_until_the_next_refresh(world, kw):
    rollup.refresh(min_subtree=2)
    world.agent_b1.market_id = world.team_c.market_id
    db.session.commit()
    assert queries.rollup_plan(world.head, world.head, ViewFilters()) is None
    rollup.refresh(min_subtree=2)
    plan, with_rollup, raw = _both(world.head, world.head, DAY - timedelta(days=6), DAY)
    assert plan is not None and with_rollup == raw


@pytest.mark.parametrize("change", ["move", "segment", "deactivate", "new person"])
def test_every_change_of_place_in_the_org_turns_the_rollup_off(world, kw, change):
    from portal.org import tree
    from portal.org.models import Person

    rollup.refresh(min_subtree=2)
    if change == "move":
        tree.move(world.agent_b1, world.sup_a)
    elif change == "segment":
        world.agent_b1.segment_id = None if world.agent_b1.segment_id else world.agent_a1.segment_id
    elif change == "deactivate":
        world.agent_b1.is_active = False
    else:
        new = Person(
            name="New",
            email="new@example.com",
            employee_id="NEW-1",
            position_id=world.agent_b1.position_id,
        )
        db.session.add(new)
        db.session.flush()
        tree.place(new, world.sup_a)
    db.session.commit()
    assert queries.rollup_plan(world.head, world.head, ViewFilters()) is None


def test_a_password_change_or_a_sign_in_leaves_the_rollup_on(world, kw):
    from portal.db import utcnow

    rollup.refresh(min_subtree=2)
    world.agent_b1.password_hash = "changed"
    world.agent_b1.password_changed_at = utcnow()
    world.head.name = world.head.name + " (renamed)"
    world.head.locale = "ja"
    db.session.commit()
    assert world.agent_b1.updated_at > db.session.get(rollup.RollupState, rollup.NAME).refreshed_at
    plan, with_rollup, raw = _both(world.head, world.head, DAY - timedelta(days=6), DAY)
    assert plan is not None and with_rollup == raw


def test_incremental_refresh_from_a_day_matches_a_full_one(world, kw):
    rollup.refresh(min_subtree=2)
    add_value(world.agent_a2, kw.contacts, DAY, value="11")
    db.session.commit()
    rollup.refresh(DAY)
    plan, with_rollup, raw = _both(world.head, world.head, DAY - timedelta(days=6), DAY)
    assert plan is not None and plan.through_on == DAY
    assert with_rollup == raw


def test_team_view_query_count_stays_flat_with_the_rollup(app, client, world, kw, no_panel_cache):
    rollup.refresh(min_subtree=2)
    url = f"/teams/{world.head.id}?period=custom&start={DAY - timedelta(days=6)}&end={DAY}"
    as_user(client, world.head)
    team_page(client, url)
    with count_queries(app) as first:
        assert team_page(client, url).status_code == 200
    for offset in range(3, 10):
        day = DAY - timedelta(days=offset)
        for person in (world.agent_a1, world.agent_a2, world.agent_b1, world.agent_c1):
            add_value(person, kw.contacts, day, value="3")
    db.session.commit()
    rollup.refresh(min_subtree=2)
    with count_queries(app) as second:
        assert team_page(client, url).status_code == 200
    assert len(second) == len(first)
