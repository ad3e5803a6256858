"""The day before a 1:1 both people get its agenda and suggested talking points as a pre-read;
an open action item due today or tomorrow reminds its owner. Each once."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from portal.coaching import meetings
from portal.coaching import reminders as coaching
from portal.extensions import db
from portal.notify import service
from portal.notify.models import Notification
from tests.coaching.helpers import NOW, meetings_of, setup_series

# The first 1:1s: Monday 2026-03-09 10:00 Hong Kong = 02:00 UTC.
EVE = datetime(2026, 3, 8, 3, 0, tzinfo=UTC)


def notes(kind: str) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.kind == kind).order_by(Notification.id)
        )
    )


def test_a_1_1_tomorrow_reaches_both_people_with_the_pre_read_once(world):
    series = setup_series(world)
    first, later = meetings_of(series[world.agent_a1.id])[:2]
    assert first.scheduled_at == datetime(2026, 3, 9, 2, 0, tzinfo=UTC)
    meetings.add_agenda_item(world.agent_a1, first, "Discuss MK-AGENDA")
    meetings.add_action_item(
        world.sup_a, later, body="Send MK-ACTION", owner_id=world.agent_a1.id, due_on=None,
        request_token="t1",
    )  # fmt: skip
    assert coaching.send_meeting_tomorrow(NOW) == 0  # five days ahead: not yet
    sent = coaching.send_meeting_tomorrow(EVE)
    assert sent == 4  # A1 and A2's meetings: each report and sup_a
    mine = [n for n in notes(coaching.MEETING_KIND) if n.record_id == first.id]
    assert sorted(n.person_id for n in mine) == sorted([world.agent_a1.id, world.sup_a.id])
    for note in mine:
        assert note.url == f"/coaching/meetings/{first.id}"
        assert "Agenda: Discuss MK-AGENDA" in note.params["details"]
        assert "Suggested: Open action item: Send MK-ACTION" in note.params["details"]
        assert len(note.params["details"]) <= 10
    to_a1 = next(n for n in mine if n.person_id == world.agent_a1.id)
    assert world.sup_a.name in service.message(to_a1)
    # kept as ISO text; shown in the reader's language and zone, in the one format, no seconds
    assert to_a1.params["when"] == "2026-03-09T02:00:00+00:00"
    assert "Mar 9, 2026" in service.message(to_a1) and ":00:00" not in service.message(to_a1)
    # A2's meeting is not A1's business.
    assert world.agent_a1.id not in [
        n.person_id for n in notes(coaching.MEETING_KIND) if n.record_id != first.id
    ]
    assert coaching.send_meeting_tomorrow(EVE) == 0
    assert coaching.send_meeting_tomorrow(datetime(2026, 3, 8, 20, 0, tzinfo=UTC)) == 0
    assert coaching.MEETING_KIND in service.URGENT


def test_a_cancelled_1_1_sends_no_pre_read(world):
    series = setup_series(world)
    first = meetings_of(series[world.agent_a1.id])[0]
    meetings.record_status(
        world.sup_a, first, "cancel", expected_version=first.version, reason="Leave", now=NOW
    )
    coaching.send_meeting_tomorrow(EVE)
    assert first.id not in [n.record_id for n in notes(coaching.MEETING_KIND)]


def test_an_action_item_due_tomorrow_reminds_its_owner_once(world):
    series = setup_series(world)
    first = meetings_of(series[world.agent_a1.id])[0]
    due = meetings.add_action_item(
        world.sup_a, first, body="Call MK-DUE", owner_id=world.agent_a1.id,
        due_on=date(2026, 3, 9), request_token="d1",
    )  # fmt: skip
    meetings.add_action_item(
        world.sup_a, first, body="Later MK-LATER", owner_id=world.agent_a1.id,
        due_on=date(2026, 3, 20), request_token="d2",
    )  # fmt: skip
    assert coaching.send_action_items_due(EVE) == 1
    (note,) = notes(coaching.ACTION_KIND)
    assert (note.person_id, note.record_id) == (world.agent_a1.id, due.id)
    assert note.url == f"/coaching/meetings/{first.id}"
    assert "Call MK-DUE" in service.message(note)
    assert coaching.send_action_items_due(EVE) == 0
    assert coaching.send_action_items_due(datetime(2026, 3, 9, 1, 0, tzinfo=UTC)) == 0
