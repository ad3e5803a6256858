"""1:1 series, meetings and their regions, through the services and the pages."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from portal.audit import AuditEntry
from portal.coaching import meetings, notes, talking_points
from portal.coaching import series as series_service
from portal.coaching.models import ActionItem, MeetingStatus, OneOnOne, OneOnOneSeries
from portal.errors import Conflict, Forbidden, InvalidTransition, ValidationFailed
from portal.extensions import db
from portal.notify.models import Notification
from portal.org import services as org_services
from tests.coaching.helpers import NOW, meetings_of, setup_series
from tests.conftest import as_user, post_form

HX = {"HX-Request": "true"}


def test_setting_up_the_team_makes_one_series_per_report_and_meetings_ahead(app, world):
    found = setup_series(world)
    assert set(found) == {world.agent_a1.id, world.agent_a2.id}
    series = found[world.agent_a1.id]
    assert series.time_zone == "Asia/Hong_Kong" and series.cadence == "weekly"
    ms = meetings_of(series)
    assert len(ms) == 4
    # Monday 10:00 in Hong Kong is 02:00 UTC
    assert all(m.scheduled_at.weekday() == 0 and m.scheduled_at.hour == 2 for m in ms)
    assert all(m.status == MeetingStatus.SCHEDULED for m in ms)
    again = series_service.setup_team(world.sup_a, weekday=0, start_time=time(10), now=NOW)
    assert again == []
    assert db.session.scalar(select(func.count()).select_from(OneOnOneSeries)) == 2


def test_an_agent_cannot_set_up_series(app, world):
    with pytest.raises(Forbidden):
        series_service.setup_team(world.agent_a1, weekday=0, start_time=time(10), now=NOW)


def test_the_setup_page_does_it_in_one_action(app, world):
    client = as_user(app.test_client(), world.sup_a)
    page = client.get("/coaching/").get_data(as_text=True)
    assert "Set up weekly 1:1s with my team" in page
    answer = post_form(
        client,
        "/coaching/series/setup",
        {"cadence": "weekly", "weekday": "2", "start_time": "09:30"},
    )
    assert answer.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(OneOnOneSeries)) == 2
    bad = post_form(
        client,
        "/coaching/series/setup",
        {"cadence": "weekly", "weekday": "2", "start_time": "nonsense"},
    )
    assert bad.status_code == 422


def test_a_moved_report_gets_a_new_series_and_the_old_keeps_its_history(app, world):
    found = setup_series(world)
    old = found[world.agent_a1.id]
    first = meetings_of(old)[0]
    meetings.record_status(world.sup_a, first, "hold", expected_version=first.version, now=NOW)
    series_service.setup_team(world.sup_b, weekday=1, start_time=time(15), now=NOW)
    org_services.move_person(world.hr, world.agent_a1, manager_reference=world.sup_b.email)
    db.session.expire_all()
    assert old.ended_on is not None
    assert db.session.get(OneOnOne, first.id).status == MeetingStatus.HELD  # history kept
    current = db.session.scalar(
        select(OneOnOneSeries).where(
            OneOnOneSeries.person_id == world.agent_a1.id, OneOnOneSeries.ended_on.is_(None)
        )
    )
    assert current is not None and current.supervisor_id == world.sup_b.id
    assert current.weekday == 1 and meetings_of(current)


def test_a_moved_reports_open_action_items_follow_them_to_the_new_series(app, world):
    old = setup_series(world)[world.agent_a1.id]
    first = meetings_of(old)[0]
    meetings.add_action_item(
        world.sup_a,
        first,
        body="Carry me",
        owner_id=world.agent_a1.id,
        due_on=None,
        request_token="a",
    )
    done = meetings.add_action_item(
        world.sup_a,
        first,
        body="Done already",
        owner_id=world.agent_a1.id,
        due_on=None,
        request_token="b",
    )
    meetings.set_action_item_done(world.sup_a, done, True, now=NOW)
    series_service.setup_team(world.sup_b, weekday=1, start_time=time(15), now=NOW)
    org_services.move_person(world.hr, world.agent_a1, manager_reference=world.sup_b.email)
    db.session.expire_all()
    current = db.session.scalar(
        select(OneOnOneSeries).where(
            OneOnOneSeries.person_id == world.agent_a1.id, OneOnOneSeries.ended_on.is_(None)
        )
    )
    points = [p.label for p in talking_points.talking_points_for(meetings_of(current)[0])]
    assert "Open action item: Carry me" in points
    assert not any("Done already" in label for label in points)


def test_statuses_are_recorded_by_the_supervisor_only(app, world):
    m = meetings_of(setup_series(world)[world.agent_a1.id])[0]
    with pytest.raises(Forbidden):
        meetings.record_status(world.agent_a1, m, "hold", expected_version=m.version, now=NOW)
    with pytest.raises(Forbidden):
        meetings.record_status(world.manager_hk, m, "hold", expected_version=m.version, now=NOW)
    with pytest.raises(Conflict):
        meetings.record_status(world.sup_a, m, "hold", expected_version=m.version + 1, now=NOW)
    meetings.record_status(world.sup_a, m, "miss", expected_version=m.version, now=NOW)
    assert m.status == MeetingStatus.MISSED
    with pytest.raises(InvalidTransition):
        meetings.record_status(world.sup_a, m, "hold", expected_version=m.version, now=NOW)
    meetings.record_status(world.sup_a, m, "reopen", expected_version=m.version, now=NOW)
    meetings.record_status(world.sup_a, m, "hold", expected_version=m.version, now=NOW)
    assert m.status == MeetingStatus.HELD


def test_cancel_needs_a_reason_and_tells_the_report(app, world):
    m = meetings_of(setup_series(world)[world.agent_a1.id])[0]
    with pytest.raises(ValidationFailed):
        meetings.record_status(
            world.sup_a, m, "cancel", expected_version=m.version, now=NOW, reason="  "
        )
    db.session.rollback()
    meetings.record_status(
        world.sup_a, m, "cancel", expected_version=m.version, now=NOW, reason="Public holiday"
    )
    note = db.session.scalar(
        select(Notification).where(Notification.person_id == world.agent_a1.id)
    )
    assert note.kind == "coaching.meeting_cancelled" and "Public holiday" in note.params["reason"]


def test_reschedule_makes_the_new_meeting_and_tells_the_report(app, world):
    m = meetings_of(setup_series(world)[world.agent_a1.id])[0]
    new_at = m.scheduled_at + timedelta(days=1)
    replacement = meetings.record_status(
        world.sup_a, m, "reschedule", expected_version=m.version, now=NOW, new_at=new_at
    )
    assert m.status == MeetingStatus.RESCHEDULED and m.rescheduled_to_id == replacement.id
    assert replacement.scheduled_at == new_at and replacement.status == MeetingStatus.SCHEDULED
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.person_id == world.agent_a1.id)
    ).all()
    assert kinds == ["coaching.meeting_rescheduled"]


def test_status_page_form_records_held(app, world):
    m = meetings_of(setup_series(world)[world.agent_a1.id])[0]
    client = as_user(app.test_client(), world.sup_a)
    answer = post_form(
        client,
        f"/coaching/meetings/{m.id}/status",
        {"action": "hold", "version": str(m.version)},
        headers=dict(HX),
    )
    assert answer.status_code == 204 and answer.headers["HX-Redirect"].endswith(f"/{m.id}")
    db.session.expire_all()
    assert db.session.get(OneOnOne, m.id).status == MeetingStatus.HELD
    stale = post_form(
        client,
        f"/coaching/meetings/{m.id}/status",
        {"action": "reopen", "version": "1"},
        headers=dict(HX),
    )
    assert stale.status_code == 409


def test_both_people_add_to_and_tick_the_agenda_over_htmx(app, world):
    m = meetings_of(setup_series(world)[world.agent_a1.id])[0]
    report = as_user(app.test_client(), world.agent_a1)
    answer = post_form(
        report, f"/coaching/meetings/{m.id}/agenda", {"body": "My roster"}, headers=dict(HX)
    )
    assert answer.status_code == 200
    body = answer.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="agenda">') and "My roster" in body
    item = meetings.agenda_for(m)[0]
    supervisor = as_user(app.test_client(), world.sup_a)
    ticked = post_form(supervisor, f"/coaching/agenda/{item.id}/toggle", headers=dict(HX))
    assert ticked.status_code == 200 and 'aria-pressed="true"' in ticked.get_data(as_text=True)
    empty = post_form(report, f"/coaching/meetings/{m.id}/agenda", {"body": ""}, headers=dict(HX))
    assert empty.status_code == 422
    # the manager above sees the meeting but does not write in it
    manager = as_user(app.test_client(), world.manager_hk)
    assert manager.get(f"/coaching/meetings/{m.id}").status_code == 200
    assert post_form(manager, f"/coaching/meetings/{m.id}/agenda", {"body": "x"}).status_code == 403


def test_concurrent_edits_of_the_shared_notes_are_detected_not_lost(app, world):
    m = meetings_of(setup_series(world)[world.agent_a1.id])[0]
    version = m.notes_version
    sup = as_user(app.test_client(), world.sup_a)
    report = as_user(app.test_client(), world.agent_a1)
    first = post_form(
        sup,
        f"/coaching/meetings/{m.id}/notes",
        {"shared_notes": "Supervisor's words", "version": str(version)},
        headers=dict(HX),
    )
    assert first.status_code == 200
    second = post_form(
        report,
        f"/coaching/meetings/{m.id}/notes",
        {"shared_notes": "Report's words", "version": str(version)},
        headers=dict(HX),
    )
    assert second.status_code == 409
    text = second.get_data(as_text=True)
    assert "Report's words" in text.replace("&#39;", "'")  # what they typed is kept
    assert "Supervisor's words" in text.replace("&#39;", "'")  # and they see what is saved
    db.session.expire_all()
    assert db.session.get(OneOnOne, m.id).shared_notes == "Supervisor's words"


def test_private_notes_are_seen_by_their_author_alone(app, world):
    m = meetings_of(setup_series(world)[world.agent_a1.id])[0]
    sup = as_user(app.test_client(), world.sup_a)
    page = sup.get(f"/coaching/meetings/{m.id}").get_data(as_text=True)
    assert "Only you can read these." in page and "not HR" in page
    saved = post_form(
        sup,
        f"/coaching/meetings/{m.id}/private-note",
        {"private_note": "PRIVATE-SECRET-42", "version": "0"},
        headers=dict(HX),
    )
    assert saved.status_code == 200
    assert "PRIVATE-SECRET-42" in sup.get(f"/coaching/meetings/{m.id}").get_data(as_text=True)
    for person in (world.agent_a1, world.manager_hk, world.head, world.hr):
        client = as_user(app.test_client(), person)
        for url in (
            f"/coaching/meetings/{m.id}",
            f"/coaching/series/{m.series_id}",
            "/coaching/",
            "/coaching/actions",
            "/coaching/completion",
            "/org/people/export.csv",
            "/admin/audit",
            "/notifications/",
        ):
            assert "PRIVATE-SECRET-42" not in client.get(url).get_data(as_text=True), (person, url)
        # nor can they write it
        answer = post_form(
            client, f"/coaching/meetings/{m.id}/private-note", {"private_note": "x", "version": "0"}
        )
        assert answer.status_code == 403
    assert notes.private_note_for(world.agent_a1, m) is None
    assert notes.private_note_for(world.hr, m) is None
    audit_text = " ".join(str(a.after) for a in db.session.scalars(select(AuditEntry)))
    assert "PRIVATE-SECRET-42" not in audit_text


def test_undone_action_items_carry_over_across_missed_and_cancelled_meetings(app, world):
    ms = meetings_of(setup_series(world)[world.agent_a1.id])
    item = meetings.add_action_item(
        world.sup_a,
        ms[0],
        body="Shadow a senior agent",
        owner_id=world.agent_a1.id,
        due_on=None,
        request_token="t1",
    )
    meetings.record_status(world.sup_a, ms[0], "hold", expected_version=ms[0].version, now=NOW)
    meetings.record_status(world.sup_a, ms[1], "miss", expected_version=ms[1].version, now=NOW)
    meetings.record_status(
        world.sup_a, ms[2], "cancel", expected_version=ms[2].version, now=NOW, reason="Training day"
    )
    on_third = meetings.action_items_for_meeting(ms[2])
    assert [(i.id, n) for i, n in on_third] == [(item.id, 2)]
    on_fourth = meetings.action_items_for_meeting(ms[3])
    assert [(i.id, n) for i, n in on_fourth] == [(item.id, 3)]
    meetings.set_action_item_done(world.agent_a1, item, True, now=NOW, meeting=ms[3])
    later = meetings.generate_meetings  # noqa: F841 (the series has nothing after ms[3] yet)
    assert meetings.action_items_for_meeting(ms[3])[0][0].is_done
    assert [i.id for i, _ in meetings.action_items_for_meeting(ms[0])] == [item.id]
    # A meeting after the one it was done in no longer shows it.
    extra = OneOnOne(
        series_id=ms[0].series_id,
        person_id=ms[0].person_id,
        supervisor_id=ms[0].supervisor_id,
        scheduled_at=ms[3].scheduled_at + timedelta(weeks=1),
    )
    db.session.add(extra)
    db.session.commit()
    assert meetings.action_items_for_meeting(extra) == []
    client = as_user(app.test_client(), world.agent_a1)
    page = client.get(f"/coaching/meetings/{ms[3].id}").get_data(as_text=True)
    assert "Shadow a senior agent" in page and "carried over 3 times" in page


def test_action_item_double_submit_makes_one_and_the_owner_is_told(app, world):
    m = meetings_of(setup_series(world)[world.agent_a1.id])[0]
    client = as_user(app.test_client(), world.sup_a)
    data = {
        "body": "Read the refund policy",
        "owner_id": str(world.agent_a1.id),
        "due_on": "2026-03-20",
        "token": "same-token",
    }
    assert (
        post_form(client, f"/coaching/meetings/{m.id}/actions", data, headers=dict(HX)).status_code
        == 200
    )
    assert (
        post_form(client, f"/coaching/meetings/{m.id}/actions", data, headers=dict(HX)).status_code
        == 200
    )
    assert db.session.scalar(select(func.count()).select_from(ActionItem)) == 1
    notes_ = db.session.scalars(
        select(Notification).where(Notification.person_id == world.agent_a1.id)
    ).all()
    assert [n.kind for n in notes_] == ["coaching.action_assigned"]
    bad = post_form(
        client,
        f"/coaching/meetings/{m.id}/actions",
        {"body": "x", "owner_id": str(world.agent_b1.id), "token": "t2"},
        headers=dict(HX),
    )
    assert bad.status_code == 422
    # the list of open items shows it to both sides
    mine = (
        as_user(app.test_client(), world.agent_a1).get("/coaching/actions").get_data(as_text=True)
    )
    assert "Read the refund policy" in mine
    item = db.session.scalar(select(ActionItem))
    done = post_form(
        as_user(app.test_client(), world.agent_a1),
        f"/coaching/actions/{item.id}/toggle",
        {"done": "1"},
    )
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(ActionItem, item.id).is_done


def test_others_cannot_reach_a_meeting(app, world):
    m = meetings_of(setup_series(world)[world.agent_a1.id])[0]
    for person in (world.agent_a2, world.sup_b, world.qa, world.trainer, world.manager_jp):
        client = as_user(app.test_client(), person)
        assert client.get(f"/coaching/meetings/{m.id}").status_code == 404


def test_calendar_feed_behind_a_secret_revocable_link(app, world):
    setup_series(world)
    from portal.coaching import calendar

    token = calendar.reset_feed(world.agent_a1)
    client = app.test_client()
    answer = client.get(f"/coaching/calendar/{token}.ics")
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    assert "BEGIN:VEVENT" not in answer.get_data(as_text=True)  # March is > 8 weeks before now
    new_token = calendar.reset_feed(world.agent_a1)
    assert client.get(f"/coaching/calendar/{token}.ics").status_code == 404
    assert client.get(f"/coaching/calendar/{new_token}.ics").status_code == 200


def test_calendar_feed_lists_recent_meetings(app, world):
    from portal.coaching import calendar

    # A fixed moment: how many meetings lie ahead depends on the time of the week.
    series = setup_series(world, now=NOW)[world.agent_a1.id]
    meetings = meetings_of(series)
    ics = calendar.ics_for(world.agent_a1, NOW, "http://x/")
    assert len(meetings) >= 4
    assert ics.count("BEGIN:VEVENT") == len(meetings) and "1:1 with Supa MK-SUPA" in ics
    # Read by a calendar app, in the person's own language.
    world.agent_a1.locale = "ja"
    with force_locale("ja"):
        summary = gettext("1:1 with %(name)s", name="Supa MK-SUPA")
    assert summary != "1:1 with Supa MK-SUPA"
    assert f"SUMMARY:{summary}" in calendar.ics_for(world.agent_a1, NOW, "http://x/")


def test_saving_notes_does_not_make_the_status_buttons_stale(app, world):
    m = meetings_of(setup_series(world)[world.agent_a1.id])[0]
    status_version = m.version
    meetings.save_shared_notes(world.agent_a1, m, "Notes", expected_version=m.notes_version)
    meetings.record_status(world.sup_a, m, "hold", expected_version=status_version, now=NOW)
    with pytest.raises(Conflict):
        meetings.save_shared_notes(world.sup_a, m, "Older", expected_version=1)
    db.session.expire_all()
    saved = db.session.get(OneOnOne, m.id)
    assert saved.status == MeetingStatus.HELD and saved.shared_notes == "Notes"


def test_changing_a_series_moves_the_untouched_upcoming_meetings(app, world):
    series = setup_series(world)[world.agent_a1.id]
    ms = meetings_of(series)
    meetings.add_agenda_item(world.agent_a1, ms[1], "Keep this one")
    earlier = NOW - timedelta(days=1)
    client = as_user(app.test_client(), world.sup_a)
    from unittest import mock

    with mock.patch("portal.blueprints.coaching.views.utcnow", return_value=earlier):
        answer = post_form(
            client,
            f"/coaching/series/{series.id}/edit",
            {
                "cadence": "biweekly",
                "weekday": "3",
                "start_time": "15:00",
                "version": str(series.version),
            },
        )
        assert answer.status_code == 303
        stale = post_form(
            client,
            f"/coaching/series/{series.id}/edit",
            {
                "cadence": "weekly",
                "weekday": "3",
                "start_time": "15:00",
                "version": "1",
            },
        )
        assert stale.status_code == 409
    db.session.expire_all()
    after = meetings_of(db.session.get(OneOnOneSeries, series.id))
    kept = [m for m in after if m.id == ms[1].id]
    assert kept and kept[0].scheduled_at == ms[1].scheduled_at
    moved = [m for m in after if m.id != ms[1].id]
    # Thursday 15:00 in Hong Kong = 07:00 UTC, every two weeks
    assert moved and all(m.scheduled_at.weekday() == 3 and m.scheduled_at.hour == 7 for m in moved)
    assert all(
        (b.scheduled_at - a.scheduled_at).days == 14 for a, b in zip(moved, moved[1:], strict=False)
    )
    assert as_user(app.test_client(), world.agent_a1).post(
        f"/coaching/series/{series.id}/edit"
    ).status_code in (400, 403)


def test_a_double_submitted_agenda_line_is_added_once(app, world):
    m = meetings_of(setup_series(world)[world.agent_a1.id])[0]
    client = as_user(app.test_client(), world.agent_a1)
    data = {"body": "Same line", "token": "tok-1"}
    for _ in range(2):
        assert post_form(client, f"/coaching/meetings/{m.id}/agenda", data).status_code == 303
    assert [i.body for i in meetings.agenda_for(m)] == ["Same line"]


def test_completion_shows_the_people_below_and_rolls_up_for_the_manager(app, world):
    setup_series(world)
    series_service.setup_team(world.sup_b, weekday=0, start_time=time(10), now=NOW)
    series_service.setup_team(world.manager_hk, weekday=0, start_time=time(9), now=NOW)
    sup = as_user(app.test_client(), world.sup_a).get("/coaching/completion").get_data(as_text=True)
    assert "Reports by week" in sup and world.agent_a1.name in sup
    assert "By supervisor" not in sup  # sup_a's own 1:1 with their manager is not theirs to count
    manager = as_user(app.test_client(), world.manager_hk)
    page = manager.get("/coaching/completion").get_data(as_text=True)
    assert "By supervisor" in page and world.sup_a.name in page and world.sup_b.name in page
    drill = manager.get(f"/coaching/completion?supervisor={world.sup_a.id}").get_data(as_text=True)
    assert world.agent_a1.name in drill and world.agent_b1.name not in drill
    agent = as_user(app.test_client(), world.agent_a1).get("/coaching/completion")
    assert world.agent_a2.name not in agent.get_data(as_text=True)
    other = as_user(app.test_client(), world.sup_c)
    assert other.get(f"/coaching/completion?supervisor={world.sup_a.id}").status_code == 404
