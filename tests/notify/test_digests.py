"""Daily and weekly digests: sent once per period (even when asked twice), after 07:00 in the
recipient's zone, holding the right notifications; retried after a failing server."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.extensions import db
from portal.notify import digests, preferences, service
from portal.notify.models import Notification, NotificationDigest
from tests.notify.conftest import parts

service.register_kind(
    "test.fyi", _l("%(actor)s noted %(what)s"), label=_l("Something to know (test)")
)

# Monday 7 December 2026. 22:00 UTC is 07:00 on Tuesday the 8th in Tokyo.
MONDAY = date(2026, 12, 7)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def raise_fyi(world, recipient, what: str, created: datetime, **params) -> Notification:
    note = service.notify(
        recipient, world.sup_a, "test.fyi", "person", recipient.id, "/x", what=what, **params
    )
    note.created_at = created
    db.session.commit()
    return note


def digest_count(person=None) -> int:
    stmt = select(func.count()).select_from(NotificationDigest)
    if person is not None:
        stmt = stmt.where(NotificationDigest.person_id == person.id)
    return db.session.scalar(stmt)


def test_periods_are_local_days_and_mondays_from_seven():
    from zoneinfo import ZoneInfo

    tokyo = ZoneInfo("Asia/Tokyo")
    assert digests.current_period("daily", at(7, 21, 59), tokyo) == (date(2026, 12, 7), at(6, 22))
    assert digests.current_period("daily", at(7, 22, 0), tokyo) == (date(2026, 12, 8), at(7, 22))
    assert digests.current_period("weekly", at(7, 22, 0), tokyo) == (MONDAY, at(6, 22))
    utc = ZoneInfo("UTC")
    assert digests.current_period("weekly", at(7, 6, 59), utc)[0] == MONDAY - timedelta(days=7)
    assert digests.current_period("weekly", at(7, 7, 0), utc) == (MONDAY, at(7, 7))
    assert digests.current_period("weekly", at(12, 7, 0), utc)[0] == MONDAY


def test_daily_digest_after_seven_local_once_with_the_right_notifications(app, world, smtp_server):
    agent = world.agent_a1
    agent.time_zone = "Asia/Tokyo"
    db.session.commit()
    first = raise_fyi(world, agent, "MK-first", at(7, 3), details=["Line one", "Line two"])
    second = raise_fyi(world, agent, "MK-second", at(7, 12))
    late = raise_fyi(world, agent, "MK-late", at(7, 22, 30))  # after 07:00 on the 8th there
    urgent_kind_at_once = service.notify(
        agent, world.sup_a, "test.fyi", "person", 1, "/x", what="MK-portal-only"
    )
    urgent_kind_at_once.channel, urgent_kind_at_once.email_state = "portal", "none"
    db.session.commit()
    # 06:59 on the 8th in Tokyo: the day's digest is not due yet (both were raised on the 7th
    # after that day's 07:00).
    assert digests.send_due(at(7, 21, 59)) == 0
    assert digest_count() == 0
    # 07:05 in Tokyo: sent once, however often asked.
    assert digests.send_due(at(7, 22, 5)) == 1
    assert digests.send_due(at(7, 22, 6)) == 0
    assert digests.send_due(at(7, 23, 0)) == 0
    assert len(smtp_server.messages) == 1 and digest_count(agent) == 1
    message = smtp_server.messages[0]
    assert message["To"] == agent.email
    assert "daily digest (2 notifications)" in message["Subject"]
    assert message["Content-Language"] == "en"
    text, html = parts(message)
    for body in (text, html):
        assert "MK-first" in body and "MK-second" in body and "Line two" in body
        assert "MK-late" not in body and "MK-portal-only" not in body
        assert "https://portal.example.test/x" in body
        assert "https://portal.example.test/notifications/preference/" in body
    db.session.expire_all()
    assert db.session.get(Notification, first.id).email_state == "digested"
    assert db.session.get(Notification, second.id).digest_id is not None
    assert db.session.get(Notification, late.id).email_state == "digest"  # tomorrow's
    # The next morning in Tokyo: the late one, alone.
    assert digests.send_due(at(8, 22, 1)) == 1
    assert "MK-late" in parts(smtp_server.messages[1])[0]
    assert "MK-first" not in parts(smtp_server.messages[1])[0]


def test_the_zone_decides_when_it_is_morning(app, world, smtp_server):
    tokyo, utc = world.agent_a1, world.agent_a2
    tokyo.time_zone, utc.time_zone = "Asia/Tokyo", "UTC"
    db.session.commit()
    raise_fyi(world, tokyo, "MK-tokyo", at(7, 5))
    raise_fyi(world, utc, "MK-utc", at(7, 5))
    # 06:30 UTC: 15:30 in Tokyo (after its 07:00; raised after, so tomorrow) and 06:30 in UTC.
    assert digests.send_due(at(7, 6, 30)) == 0
    # 07:00 UTC: UTC's morning, raised before it -> sent; Tokyo waits for its next morning.
    assert digests.send_due(at(7, 7, 0)) == 1
    assert smtp_server.messages[-1]["To"] == utc.email
    assert digests.send_due(at(7, 21, 59)) == 0
    assert digests.send_due(at(7, 22, 0)) == 1
    assert smtp_server.messages[-1]["To"] == tokyo.email


def test_weekly_digest_on_monday_morning_once(app, world, smtp_server):
    agent = world.agent_a1
    agent.time_zone = "UTC"
    preferences.set_channel(agent.id, "test.fyi", "weekly")
    db.session.commit()
    raise_fyi(world, agent, "MK-week", at(4, 9))  # Friday
    assert digests.send_due(at(6, 23)) == 0  # Sunday night: last Monday's period, nothing then
    assert digests.send_due(at(7, 6, 59)) == 0
    assert digests.send_due(at(7, 7, 1)) == 1
    assert digests.send_due(at(8, 7, 1)) == 0  # no daily digest for it, no second weekly
    assert digests.send_due(at(9, 7, 1)) == 0
    assert "weekly digest (1 notification)" in smtp_server.messages[0]["Subject"]
    row = db.session.scalar(select(NotificationDigest))
    assert (row.cadence, row.period, row.state) == ("weekly", MONDAY, "sent")


def test_the_same_digest_cannot_be_made_twice(app, world):
    agent = world.agent_a1
    agent.time_zone = "UTC"
    raise_fyi(world, agent, "MK-one", at(7, 3))
    made = digests._make_digest(agent, "daily", MONDAY, at(7, 7), at(7, 7, 1))
    again = digests._make_digest(agent, "daily", MONDAY, at(7, 7), at(7, 7, 2))
    assert made and not again
    assert digest_count(agent) == 1


def test_a_failing_server_retries_the_same_digest_later_and_sends_it_once(app, world, smtp_server):
    agent = world.agent_a1
    agent.time_zone = "UTC"
    db.session.commit()
    raise_fyi(world, agent, "MK-retry", at(7, 3))
    smtp_server.fail = True
    assert digests.send_due(at(7, 7, 1)) == 0
    row = db.session.scalar(select(NotificationDigest))
    assert (row.state, row.attempts) == ("pending", 1) and row.next_at > at(7, 7, 1)
    assert (
        digests.send_due(
            at(
                7,
                7,
                1,
            )
        )
        == 0
    )
    smtp_server.fail = False
    assert digests.send_due(at(7, 7, 10)) == 1
    assert digests.send_due(at(7, 8, 0)) == 0
    assert len(smtp_server.messages) == 1 and "MK-retry" in parts(smtp_server.messages[0])[0]
    assert digest_count(agent) == 1


def test_flask_notify_digests_prints_the_count(app, world, smtp_server, monkeypatch):
    agent = world.agent_a1
    agent.time_zone = "UTC"
    db.session.commit()
    raise_fyi(world, agent, "MK-cli", datetime.now(UTC) - timedelta(days=2))
    result = app.test_cli_runner().invoke(args=["notify", "digests"])
    assert result.exit_code == 0 and result.output.strip() == "1 digests sent."
    result = app.test_cli_runner().invoke(args=["notify", "digests"])
    assert result.output.strip() == "0 digests sent."
