"""The manager's home section: completion in their subtree (1:1s, reviews), business-review
actions and ratings to calibrate; each count equals what the linked page shows."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import select

from portal.business import actions
from portal.coaching import best_weeks
from portal.coaching import series as series_service
from portal.coaching.models import OneOnOne, OneOnOneSeries
from portal.extensions import db
from portal.goals.models import Review
from portal.home import manager
from portal.home.items import Urgency
from tests.business.helpers import schedule
from tests.conftest import as_user, count_queries
from tests.goals.helpers import make_cycle, review_of


def _today(person) -> date:
    """Today as the goals pages compute it (the person's own zone)."""
    return datetime.now(ZoneInfo(person.time_zone or "UTC")).date()


def _items(section) -> dict:
    return {item.key: item for item in section.items}


def test_the_section_is_for_managers_of_supervisors_only(app, world):
    today = date(2026, 12, 7)
    assert manager.section(world.manager_hk, today).key == "manager"
    assert manager.section(world.head, today) is not None
    for person in (world.sup_a, world.agent_a1, world.qa, world.trainer, world.hr):
        assert manager.section(person, today) is None


def _weekly_series(supervisor, weeks_back: int) -> list[OneOnOneSeries]:
    start = datetime.now(UTC) - timedelta(weeks=weeks_back)
    series_service.setup_team(supervisor, weekday=0, start_time=time(10, 0), now=start)
    found = list(
        db.session.scalars(
            select(OneOnOneSeries).where(OneOnOneSeries.supervisor_id == supervisor.id)
        )
    )
    for s in found:
        for w in range(weeks_back + 1):
            series_service.generate_meetings(s, start + timedelta(weeks=w))
    db.session.commit()
    return found


def test_one_on_ones_name_the_teams_below_target_and_match_the_completion_page(app, client, world):
    _weekly_series(world.sup_a, 6)  # Team A: nothing recorded, 0 % held
    for s in _weekly_series(world.sup_b, 6):  # Team B: every past meeting held
        for meeting in db.session.scalars(select(OneOnOne).where(OneOnOne.series_id == s.id)):
            if meeting.scheduled_at <= datetime.now(UTC):
                meeting.status = "held"
    db.session.commit()
    item = _items(manager.section(world.manager_hk, _today(world.manager_hk)))[
        "manager.one_on_ones"
    ]
    assert item.count == 1 and item.detail == "Team A: 0 %"
    assert item.url == "/coaching/completion?weeks=4&full=1"
    as_user(client, world.manager_hk)
    body = client.get(item.url).get_data(as_text=True)
    by_team = body.split("By team")[1].split("By market")[0]
    rows = re.findall(r"<tr><td>([^<]+)</td>(.*?)</tr>", by_team, re.S)
    below = [
        name
        for name, cells in rows
        if re.search(r">\s*(\d+)%", cells) and int(re.search(r">\s*(\d+)%", cells).group(1)) < 80
    ]
    assert below == ["Team A"]
    # "full=1": the four weeks ending with the last one over in every time zone.
    grid = client.get(f"{item.url}&supervisor={world.sup_a.id}").get_data(as_text=True)
    last = best_weeks.last_frozen_monday(datetime.now(UTC))
    shown = lambda day: format_date(day, "medium", locale="en") in grid  # noqa: E731
    assert shown(last) and shown(last - timedelta(weeks=3))
    assert not shown(last + timedelta(weeks=1)) and not shown(last - timedelta(weeks=4))
    # The other manager sees none of these teams.
    other = _items(manager.section(world.manager_jp, _today(world.manager_jp)))
    assert other["manager.one_on_ones"].count == 0


def test_reviews_count_the_teams_with_an_overdue_phase_as_the_completion_page_does(
    app, client, world
):
    cycle = make_cycle(world)  # goal setting was due 31 Jul 2026: every draft is late
    today = _today(world.manager_hk)
    item = _items(manager.section(world.manager_hk, today))["manager.reviews"]
    assert item.url == f"/goals/completion?cycle={cycle.id}"
    as_user(client, world.manager_hk)
    body = client.get(item.url).get_data(as_text=True)
    table = body.split("<tbody>")[1].split("</tbody>")[0]
    late_teams = [row for row in table.split("<tr>") if 'class="badge danger"' in row]
    assert item.count == len(late_teams) == 2  # Team A and Team B (sup_a, sup_b)
    assert item.urgency == Urgency.OVERDUE and item.due == date(2026, 7, 31)
    assert "Team A" in item.detail and "Team B" in item.detail
    # Someone who cannot see those reviews counts none of them.
    assert _items(manager.section(world.manager_jp, today))["manager.reviews"].count == 0


def test_ratings_to_calibrate_match_the_calibration_page(app, client, world):
    cycle = make_cycle(world)
    for agent in (world.agent_a1, world.agent_b1):
        review = review_of(cycle, agent)
        review.state = "calibration"
        review.proposed_rating = review.final_rating = 3
    shared = review_of(cycle, world.agent_a2)
    shared.state, shared.final_rating = "shared", 4  # calibrated already
    db.session.commit()
    today = date(2027, 1, 10)
    item = _items(manager.section(world.manager_hk, today))["manager.calibrate"]
    assert item.count == 2 and item.due == date(2027, 1, 15)
    assert item.urgency == Urgency.THIS_WEEK
    as_user(client, world.manager_hk)
    body = client.get(item.url).get_data(as_text=True)
    # The page offers a rating change (a Change button per review in calibration) on exactly those.
    assert len(re.findall(r'hx-get="/goals/calibration/\d+/edit', body)) == item.count
    # A supervisor is their own reviews' reviewer: never their calibrator (no section either).
    assert manager.section(world.sup_a, today) is None
    review_ids = set(db.session.scalars(select(Review.id).where(Review.state == "calibration")))
    assert len(review_ids) == 2


def test_business_actions_count_the_open_items_of_my_actions(app, client, world):
    review = schedule(world.manager_hk, world.manager_hk)
    for n, due in enumerate((date(2026, 12, 1), date(2026, 12, 20), None)):
        actions.add_action_item(
            world.manager_hk,
            review,
            body=f"Action MK-{n}",
            owner_id=world.manager_hk.id,
            due_on=due,
            request_token=None,
        )
    done = actions.add_action_item(
        world.manager_hk,
        review,
        body="Done MK-D",
        owner_id=world.manager_hk.id,
        due_on=date(2026, 11, 1),
        request_token=None,
    )
    actions.set_action_done(
        world.manager_hk, done, True, expected_version=done.version, now=datetime.now(UTC)
    )
    item = _items(manager.section(world.manager_hk, date(2026, 12, 7)))["manager.business_actions"]
    assert item.count == 3 and item.due == date(2026, 12, 1)
    assert item.urgency == Urgency.OVERDUE
    as_user(client, world.manager_hk)
    body = client.get(item.url).get_data(as_text=True)
    assert all(f"Action MK-{n}" in body for n in range(3))


def _count_statements(app, person, today) -> int:
    """Statements of one call in a request (as on the home page)."""
    assert person.name  # loaded before counting
    with app.test_request_context(), count_queries(app) as statements:
        manager.section(person, today)
    return len(statements)


def _grow(world, cycle, review, n: int) -> None:
    for i in range(n):
        actions.add_action_item(
            world.head,
            review,
            body=f"Grow {n}-{i}",
            owner_id=world.head.id,
            due_on=date(2026, 12, 1 + i),
            request_token=None,
        )


def test_the_query_count_does_not_grow_with_the_data(app, world, no_panel_cache):
    cycle = make_cycle(world)
    today = _today(world.head)
    review = schedule(world.head, world.head)
    _grow(world, cycle, review, 2)
    review_of(cycle, world.agent_a1).state = "calibration"
    db.session.commit()
    _weekly_series(world.sup_a, 2)
    few = _count_statements(app, world.head, today)
    _grow(world, cycle, review, 10)
    review_of(cycle, world.agent_b1).state = "calibration"
    db.session.commit()
    _weekly_series(world.sup_b, 8)
    assert _count_statements(app, world.head, today) == few <= 24


def test_the_cached_section_shows_a_review_state_change_on_the_next_read(
    app, client, world, monkeypatch
):
    moment = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    monkeypatch.setattr("portal.cache.utcnow", lambda: moment)  # the key's clock held still
    cache = app.extensions["portal_cache"]
    cycle = make_cycle(world)
    as_user(client, world.manager_hk)
    hx = {"HX-Request": "true"}
    first = client.get("/home/sections/manager", headers=hx)
    hits = cache.hits
    again = client.get("/home/sections/manager", headers=hx)
    assert again.get_data() == first.get_data() and cache.hits == hits + 1
    assert (
        client.get(
            "/home/sections/manager", headers={**hx, "If-None-Match": first.headers["ETag"]}
        ).status_code
        == 304
    )
    review = review_of(cycle, world.agent_a1)
    review.state = "calibration"
    review.proposed_rating = review.final_rating = 3
    db.session.commit()
    after = client.get("/home/sections/manager", headers=hx)
    assert after.status_code == 200 and after.headers["ETag"] != first.headers["ETag"]
    cache.enabled = False
    try:
        fresh = client.get("/home/sections/manager", headers=hx)
    finally:
        cache.enabled = True
    assert after.get_data() == fresh.get_data() != first.get_data()
