"""The business pages issue the same number of statements however much data they show."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from portal.business import actions
from portal.db import utcnow
from portal.extensions import db
from tests.business.helpers import WEEK, build_business_kpis, schedule
from tests.conftest import as_user, count_queries
from tests.kpis.kpi_world import add_value

_DAYS = itertools.count()


def _grow(world, kpis, review, times: int) -> None:
    for n in range(times):
        actions.add_decision(world.sup_a, review, f"Decision {n}", request_token=None, now=utcnow())
        owner = world.agent_a1 if n % 2 else world.agent_a2
        actions.add_action_item(
            world.sup_a,
            review,
            body=f"Item {n}",
            owner_id=owner.id,
            due_on=date(2026, 11, 13),
            request_token=None,
        )
    for _ in range(3):
        # Days before the previous week's Tuesday, never one build_business_kpis used.
        day = WEEK - timedelta(days=9 + next(_DAYS))
        for person in (world.agent_a1, world.agent_a2):
            add_value(person, kpis["aht"], day, value="350")
    db.session.commit()


def _count(app, client, url: str) -> int:
    client.get(url)  # warm caches (policy, templates)
    with count_queries(app) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


def test_review_page_query_count_is_flat_as_items_and_values_grow(app, client, world):
    kpis = build_business_kpis(world)
    before_review = schedule(world.sup_a, world.sup_a, on=WEEK - timedelta(weeks=1))
    review = schedule(world.sup_a, world.sup_a)
    _grow(world, kpis, review, 1)
    _grow(world, kpis, before_review, 1)
    as_user(client, world.sup_a)
    url = f"/business/reviews/{review.id}"
    small = _count(app, client, url)
    _grow(world, kpis, review, 10)
    _grow(world, kpis, before_review, 10)
    assert _count(app, client, url) == small


def test_list_my_actions_and_summary_query_counts_are_flat(app, client, world, no_panel_cache):
    kpis = build_business_kpis(world)
    first = schedule(world.sup_a, world.sup_a)
    _grow(world, kpis, first, 2)  # one item for A1, one for A2
    as_user(client, world.agent_a1)
    mine_small = _count(app, client, "/business/actions")
    as_user(client, world.sup_a)
    urls = ["/business/", f"/business/markets/{world.hk.id}/summary?period=quarter&on=2026-11-03"]
    small = [_count(app, client, url) for url in urls]
    for weeks in range(1, 12):
        review = schedule(world.sup_a, world.sup_a, on=WEEK - timedelta(weeks=weeks))
        _grow(world, kpis, review, 2)
    assert [_count(app, client, url) for url in urls] == small
    as_user(client, world.agent_a1)
    assert _count(app, client, "/business/actions") == mine_small
