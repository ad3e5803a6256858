"""The 1:1 and coaching routes in the authorization matrix's shape (merged into
tests/test_authorization_matrix.py as COACHING_ROWS and coaching_extras)."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from portal.coaching import calendar, meetings, sessions
from portal.coaching import series as series_service
from portal.db import utcnow
from portal.extensions import db
from portal.org.models import Person
from tests.authz import ROLES, Row, expect
from tests.factories import World

# Who sees A1's 1:1s: A1, their supervisor, the manager above, HR. QA analysts and trainers do
# not (DESIGN.md: "never sees 1:1s"); nor do a peer or another supervisor.
COACH_SEES = ("self", "record_supervisor", "manager_above", "hr_admin")
HIDDEN = ("peer_agent", "other_supervisor", "qa_analyst", "trainer")


def a1_meeting(ok: int, *, acting: tuple[str, ...] = COACH_SEES) -> dict[str, int]:
    """`ok` for `acting`; 403 for the others who see A1's 1:1s; 404 for those who do not."""
    table = expect(404)
    for role in COACH_SEES:
        table[role] = ok if role in acting else 403
    return table


PARTICIPANTS = ("self", "record_supervisor")
SUPERVISOR = ("record_supervisor",)
COACHES = ("record_supervisor", "manager_above")  # above A1 in the tree

MEETING = "/coaching/meetings/{w.a1_meeting_id}"


def u(template: str):
    return lambda w: template.format(w=w)


COACHING_ROWS: dict[str, Row] = {
    "coaching.index GET": Row("GET", u("/coaching/"), expect(200), hidden_from=HIDDEN),
    "coaching.series_setup POST": Row(
        "POST",
        u("/coaching/series/setup"),
        expect(403, record_supervisor=303, other_supervisor=303, manager_above=303),
        data=lambda w: {"cadence": "weekly", "weekday": "0", "start_time": "10:00"},
    ),
    "coaching.series_detail GET": Row(
        "GET", u("/coaching/series/{w.a1_series_id}"), a1_meeting(200)
    ),
    "coaching.series_edit POST": Row(
        "POST",
        u("/coaching/series/{w.a1_series_id}/edit"),
        a1_meeting(303, acting=SUPERVISOR),
        data=lambda w: {
            "cadence": "biweekly",
            "weekday": "3",
            "start_time": "14:00",
            "version": str(w.a1_series_version),
        },
    ),
    "coaching.action_list GET": Row("GET", u("/coaching/actions"), expect(200), hidden_from=HIDDEN),
    "coaching.action_toggle POST": Row(
        "POST",
        u("/coaching/actions/{w.a1_action_id}/toggle"),
        a1_meeting(303, acting=PARTICIPANTS),
        data=lambda w: {"done": "1"},
    ),
    "coaching.calendar_settings GET": Row("GET", u("/coaching/calendar"), expect(200)),
    "coaching.calendar_reset POST": Row("POST", u("/coaching/calendar/reset"), expect(200)),
    "coaching.calendar_revoke POST": Row("POST", u("/coaching/calendar/revoke"), expect(303)),
    # The secret link is the key (calendar apps cannot sign in): it answers anyone holding it.
    # A wrong or revoked token answers 404 (test_one_on_ones).
    "coaching.calendar_feed GET": Row(
        "GET",
        u("/coaching/calendar/{w.a1_calendar_token}.ics"),
        expect(200, anonymous=200),
        hidden_from=(),
    ),
    "coaching.meeting_detail GET": Row("GET", u(MEETING), a1_meeting(200)),
    "coaching.meeting_status POST": Row(
        "POST",
        u(MEETING + "/status"),
        a1_meeting(303, acting=SUPERVISOR),
        data=lambda w: {"action": "hold", "version": str(w.a1_meeting_version)},
    ),
    "coaching.agenda_add POST": Row(
        "POST",
        u(MEETING + "/agenda"),
        a1_meeting(303, acting=PARTICIPANTS),
        data=lambda w: {"body": "Matrix topic"},
    ),
    "coaching.agenda_toggle POST": Row(
        "POST", u("/coaching/agenda/{w.a1_agenda_id}/toggle"), a1_meeting(303, acting=PARTICIPANTS)
    ),
    "coaching.notes_save POST": Row(
        "POST",
        u(MEETING + "/notes"),
        a1_meeting(303, acting=PARTICIPANTS),
        data=lambda w: {"shared_notes": "Notes", "version": str(w.a1_notes_version)},
    ),
    "coaching.private_note_save POST": Row(
        "POST",
        u(MEETING + "/private-note"),
        a1_meeting(303, acting=SUPERVISOR),
        data=lambda w: {"private_note": "Mine", "version": str(w.a1_private_version)},
    ),
    "coaching.action_add POST": Row(
        "POST",
        u(MEETING + "/actions"),
        a1_meeting(303, acting=PARTICIPANTS),
        data=lambda w: {"body": "Do it", "owner_id": str(w.agent_a1.id), "token": "matrix"},
    ),
    "coaching.completion_view GET": Row(
        "GET", u("/coaching/completion"), expect(200), hidden_from=HIDDEN
    ),
    "coaching.session_list GET": Row(
        "GET", u("/coaching/sessions"), expect(200), hidden_from=HIDDEN
    ),
    # The coaching effect rolled up: every signed-in role gets the page, scoped to the sessions
    # it may see (peers, QA analysts and trainers see none of A1's).
    "coaching.effect_rollup GET": Row(
        "GET", u("/coaching/effects"), expect(200), hidden_from=HIDDEN
    ),
    "coaching.session_new GET": Row(
        "GET", u("/coaching/sessions/new/{w.agent_a1.id}"), a1_meeting(200, acting=COACHES)
    ),
    "coaching.session_new POST": Row(
        "POST",
        u("/coaching/sessions/new/{w.agent_a1.id}"),
        a1_meeting(303, acting=COACHES),
        data=lambda w: {
            "held_on": "2026-03-04",
            "behaviour": "Listen",
            "commitment": "Pause",
            "token": "matrix",
        },
    ),
    "coaching.session_detail GET": Row(
        "GET", u("/coaching/sessions/{w.a1_session_id_coaching}"), a1_meeting(200)
    ),
    # Only the session's coach (A1's supervisor) corrects it; an empty form is 422.
    "coaching.session_edit GET": Row(
        "GET",
        u("/coaching/sessions/{w.a1_session_id_coaching}/edit"),
        a1_meeting(200, acting=SUPERVISOR),
    ),
    "coaching.session_edit POST": Row(
        "POST",
        u("/coaching/sessions/{w.a1_session_id_coaching}/edit"),
        a1_meeting(422, acting=SUPERVISOR),
    ),
}


def coaching_extras(world: World) -> dict:
    """sup_a's weekly series with A1 and A2 (meetings from now on), an agenda line and an action
    item on A1's first meeting, a private note of sup_a's, a coaching session about A1 (with
    A1's marker in it), and A1's calendar link."""
    now = utcnow()
    series_service.setup_team(world.sup_a, weekday=0, start_time=time(10), now=now)
    a1 = db.session.get(Person, world.agent_a1.id)
    meeting = _first_meeting(a1)
    sup_a = db.session.get(Person, world.sup_a.id)
    agenda = meetings.add_agenda_item(sup_a, meeting, "Agenda about MK-A1")
    action = meetings.add_action_item(
        sup_a, meeting, body="Action MK-A1", owner_id=a1.id, due_on=None, request_token="x"
    )
    from portal.coaching import notes

    note = notes.save_private_note(sup_a, meeting, "Private MK-A1", expected_version=0)
    session = sessions.create_session(
        sup_a,
        a1,
        held_on=now.date() - timedelta(days=1),
        behaviour="Behaviour MK-A1",
        commitment="Commitment",
        follow_up_on=None,
        evaluation_ids=[],
        question_ids=[],
    )
    token = calendar.reset_feed(a1)
    return {
        "a1_series_id": meeting.series_id,
        "a1_series_version": meeting.series.version,
        "a1_meeting_id": meeting.id,
        "a1_meeting_version": meeting.version,
        "a1_notes_version": meeting.notes_version,
        "a1_agenda_id": agenda.id,
        "a1_action_id": action.id,
        "a1_private_version": note.version,
        "a1_session_id_coaching": session.id,
        "a1_calendar_token": token,
    }


def _first_meeting(person: Person):
    from portal.coaching.models import OneOnOne

    return db.session.scalars(
        select(OneOnOne).where(OneOnOne.person_id == person.id).order_by(OneOnOne.scheduled_at)
    ).first()


def test_every_coaching_route_has_a_row_for_every_role(app):
    routes = {
        f"{rule.endpoint} {method}"
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("coaching.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == set(COACHING_ROWS)
    assert all(set(row.expect) == set(ROLES) for row in COACHING_ROWS.values())
