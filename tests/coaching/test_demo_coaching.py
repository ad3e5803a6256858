"""The demo's 1:1s: every pair has a series with 12 weeks of history, mostly held, and the pages
work on it."""

from __future__ import annotations

import time as clock

from sqlalchemy import func, select

from portal.coaching import meetings
from portal.coaching.models import (
    ActionItem,
    CoachingSession,
    MeetingStatus,
    OneOnOne,
    OneOnOneSeries,
    PrivateNote,
)
from portal.demo import load
from portal.extensions import db
from portal.org.models import Person
from tests.conftest import as_user


def test_the_demo_has_realistic_one_on_ones(app):
    started = clock.perf_counter()
    assert load.load_demo(if_empty=True)
    elapsed = clock.perf_counter() - started
    assert elapsed < 60
    pairs = db.session.scalar(
        select(func.count())
        .select_from(Person)
        .where(Person.manager_id.is_not(None), Person.is_active.is_(True))
    )
    assert db.session.scalar(select(func.count()).select_from(OneOnOneSeries)) == pairs
    statuses = dict(
        db.session.execute(select(OneOnOne.status, func.count()).group_by(OneOnOne.status)).all()
    )
    past = sum(v for k, v in statuses.items() if k != MeetingStatus.SCHEDULED)
    assert statuses[MeetingStatus.HELD] > 0.7 * past
    assert statuses[MeetingStatus.MISSED] and statuses[MeetingStatus.CANCELLED]
    assert db.session.scalar(select(func.count()).select_from(PrivateNote)) > 0
    assert db.session.scalar(select(func.count()).select_from(CoachingSession)) > 0
    # Some action items were carried over several times.
    item = db.session.scalars(
        select(ActionItem).where(ActionItem.is_done.is_(False)).order_by(ActionItem.id)
    ).first()
    latest = db.session.scalars(
        select(OneOnOne)
        .where(OneOnOne.series_id == item.series_id)
        .order_by(OneOnOne.scheduled_at.desc())
    ).first()
    assert dict((i.id, n) for i, n in meetings.action_items_for_meeting(latest))[item.id] >= 1
    supervisor = db.session.scalar(
        select(Person).where(Person.email == load.login_email("supervisor.hk"))
    )
    manager = db.session.scalar(
        select(Person).where(Person.email == load.login_email("manager.hk"))
    )
    for person in (supervisor, manager):
        client = as_user(app.test_client(), person)
        for url in (
            "/coaching/",
            "/coaching/actions",
            "/coaching/completion",
            "/coaching/sessions",
        ):
            assert client.get(url).status_code == 200, url
    client = as_user(app.test_client(), supervisor)
    meeting = db.session.scalars(
        select(OneOnOne).where(OneOnOne.supervisor_id == supervisor.id)
    ).first()
    assert client.get(f"/coaching/meetings/{meeting.id}").status_code == 200
