"""List pages issue the same number of queries whatever the number of rows."""

from __future__ import annotations

from datetime import time, timedelta

from portal.coaching import meetings, sessions
from portal.coaching import series as series_service
from portal.db import utcnow
from tests.coaching.helpers import meetings_of
from tests.conftest import as_user, count_queries
from tests.factories import PersonFactory


def _grow(world, extra: int) -> None:
    """Give sup_a `extra` more reports, each with a series, an action item and a session."""
    for i in range(extra):
        PersonFactory(
            name=f"Extra {i}",
            manager=world.sup_a,
            team=world.team_a,
            market=world.hk,
            position=world.agent_a1.position,
        )
    now = utcnow() - timedelta(weeks=3)
    series_service.setup_team(world.sup_a, weekday=0, start_time=time(10), now=now)
    from sqlalchemy import select

    from portal.coaching.models import OneOnOneSeries
    from portal.extensions import db

    for s in db.session.scalars(select(OneOnOneSeries)).all():
        first = meetings_of(s)[0]
        if not meetings.action_items_for_meeting(first):
            meetings.add_action_item(
                world.sup_a,
                first,
                body="Item",
                owner_id=s.person_id,
                due_on=None,
                request_token=None,
            )
            meetings.add_agenda_item(
                world.agent_a1 if s.person_id == world.agent_a1.id else world.sup_a, first, "Topic"
            )
            sessions.create_session(
                world.sup_a,
                s.report,
                held_on=now.date(),
                behaviour="b",
                commitment="c",
                follow_up_on=None,
                evaluation_ids=[],
                question_ids=[],
            )


PAGES = ["/coaching/", "/coaching/actions", "/coaching/completion", "/coaching/sessions"]


def _counts(app, world) -> dict[str, int]:
    found = {}
    for viewer in (world.sup_a, world.manager_hk):
        client = as_user(app.test_client(), viewer)
        for url in PAGES:
            client.get(url)  # warm the session
            with count_queries(app) as statements:
                assert client.get(url).status_code == 200
            found[f"{viewer.email} {url}"] = len(statements)
    return found


def test_list_pages_do_not_grow_with_rows(app, world, no_panel_cache):
    _grow(world, 1)
    small = _counts(app, world)
    _grow(world, 6)
    large = _counts(app, world)
    assert small == large


def test_meeting_and_history_pages_do_not_grow_with_rows(app, world):
    _grow(world, 0)
    from sqlalchemy import select

    from portal.coaching.models import OneOnOneSeries
    from portal.extensions import db

    series = db.session.scalars(
        select(OneOnOneSeries).where(OneOnOneSeries.person_id == world.agent_a1.id)
    ).one()
    first = meetings_of(series)[0]
    client = as_user(app.test_client(), world.sup_a)

    def count(url: str) -> int:
        client.get(url)
        with count_queries(app) as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    before = (count(f"/coaching/meetings/{first.id}"), count(f"/coaching/series/{series.id}"))
    for i in range(5):
        meetings.add_agenda_item(world.agent_a1, first, f"More {i}")
        meetings.add_action_item(
            world.sup_a,
            first,
            body=f"Do {i}",
            owner_id=world.sup_a.id,
            due_on=None,
            request_token=None,
        )
    after = (count(f"/coaching/meetings/{first.id}"), count(f"/coaching/series/{series.id}"))
    assert before == after
