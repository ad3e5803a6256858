"""Talking points appear and disappear with their records; coaching sessions and their effect."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.coaching import meetings, sessions, talking_points
from portal.errors import Forbidden, ValidationFailed
from portal.extensions import db
from tests.coaching.helpers import (
    NOW,
    make_evaluation,
    meetings_of,
    scorecard_question_ids,
    setup_series,
)
from tests.conftest import as_user, post_form


def keys(meeting) -> set[str]:
    return {p.key for p in talking_points.talking_points_for(meeting)}


def test_qa_points_appear_since_the_last_held_meeting_and_go_with_their_records(app, world):
    ms = meetings_of(setup_series(world)[world.agent_a1.id])
    version_id, _questions = scorecard_question_ids(world)
    before_first = ms[0].scheduled_at - timedelta(days=2)
    old = make_evaluation(world, world.agent_a1, version_id, submitted_at=before_first)
    draft = make_evaluation(
        world, world.agent_a1, version_id, submitted_at=before_first, status="draft"
    )
    assert keys(ms[0]) == {f"qa.new:{old.id}"}  # never held: everything so far; no drafts
    assert f"qa.new:{draft.id}" not in keys(ms[1])
    meetings.record_status(world.sup_a, ms[0], "hold", expected_version=ms[0].version, now=NOW)
    assert keys(ms[1]) == set()  # discussed at the held meeting
    between = ms[0].scheduled_at + timedelta(days=2)
    critical = make_evaluation(
        world, world.agent_a1, version_id, submitted_at=between, critical=True
    )
    disputed = make_evaluation(
        world, world.agent_a1, version_id, submitted_at=between, status="disputed"
    )
    other = make_evaluation(world, world.agent_a2, version_id, submitted_at=between)
    found = keys(ms[1])
    assert found == {
        f"qa.critical:{critical.id}",
        f"qa.dispute:{disputed.id}",
        f"qa.new:{disputed.id}",
    }
    assert not any(str(other.id) in k.split(":")[1] for k in found if other.id != disputed.id)
    # A missed meeting does not reset "since the last held meeting".
    meetings.record_status(world.sup_a, ms[1], "miss", expected_version=ms[1].version, now=NOW)
    assert f"qa.critical:{critical.id}" in keys(ms[2])
    # The dispute is resolved: its point goes.
    disputed.status = "resolved"
    db.session.commit()
    assert f"qa.dispute:{disputed.id}" not in keys(ms[2])


def test_open_action_items_are_points_until_done_and_a_point_added_is_not_suggested_again(
    app, world
):
    ms = meetings_of(setup_series(world)[world.agent_a1.id])
    item = meetings.add_action_item(
        world.sup_a,
        ms[0],
        body="Update CRM notes",
        owner_id=world.agent_a1.id,
        due_on=None,
        request_token="a",
    )
    assert f"action:{item.id}" in keys(ms[1])
    client = as_user(app.test_client(), world.agent_a1)
    headers = {"HX-Request": "true"}
    answer = post_form(
        client,
        f"/coaching/meetings/{ms[1].id}/agenda",
        {"point": f"action:{item.id}"},
        headers=headers,
    )
    assert answer.status_code == 200
    body = answer.get_data(as_text=True)
    assert "Open action item: Update CRM notes" in body
    assert f"action:{item.id}" not in keys(ms[1])
    # twice: still one line on the agenda
    post_form(
        client,
        f"/coaching/meetings/{ms[1].id}/agenda",
        {"point": f"action:{item.id}"},
        headers={"HX-Request": "true"},
    )
    assert len(meetings.agenda_for(ms[1])) == 1
    meetings.set_action_item_done(world.agent_a1, item, True, now=NOW, meeting=ms[1])
    assert f"action:{item.id}" not in keys(ms[2])


def test_providers_can_be_registered(app, world):
    ms = meetings_of(setup_series(world)[world.agent_a1.id])

    def goals(context):
        return [talking_points.TalkingPoint("goal:1", "goals", "Goal check-in due", "/", None)]

    talking_points.register_provider("test_goals", goals)
    try:
        assert "goal:1" in keys(ms[0])
    finally:
        talking_points.PROVIDERS.pop("test_goals")


def test_a_coaching_session_links_evaluations_and_questions_and_says_when_too_few(app, world):
    version_id, (q1, q2) = scorecard_question_ids(world)
    start = NOW - timedelta(days=30)
    evs = [
        make_evaluation(
            world,
            world.agent_a1,
            version_id,
            submitted_at=start + timedelta(days=d),
            outcomes={q1: (0, 1), q2: (1, 1)},
        )
        for d in (1, 2, 3)
    ]
    with pytest.raises(Forbidden):
        sessions.create_session(
            world.agent_a2,
            world.agent_a1,
            held_on=NOW.date(),
            behaviour="b",
            commitment="c",
            follow_up_on=None,
            evaluation_ids=[],
            question_ids=[],
        )
    with pytest.raises(ValidationFailed):
        sessions.create_session(
            world.sup_a,
            world.agent_a1,
            held_on=NOW.date(),
            behaviour="",
            commitment="",
            follow_up_on=None,
            evaluation_ids=[],
            question_ids=[],
        )
    session = sessions.create_session(
        world.sup_a,
        world.agent_a1,
        held_on=NOW.date(),
        behaviour="Confirm the fix",
        commitment="Ask every time",
        follow_up_on=NOW.date() + timedelta(days=14),
        evaluation_ids=[evs[0].id],
        question_ids=[],
        request_token="once",
    )
    assert sessions.session_question_ids(session) == [q1]  # failed in the linked evaluation
    effect = sessions.effect_of(session)
    assert effect.before.evaluations == 3 and effect.after.evaluations == 0
    assert not effect.enough
    page = as_user(app.test_client(), world.agent_a1).get(f"/coaching/sessions/{session.id}")
    assert page.status_code == 200 and "Not enough evaluations yet" in page.get_data(as_text=True)
    for d in (1, 2, 4):
        make_evaluation(
            world,
            world.agent_a1,
            version_id,
            submitted_at=NOW + timedelta(days=d),
            outcomes={q1: (1, 1)},
        )
    effect = sessions.effect_of(session)
    assert effect.enough and effect.before.average == 0 and effect.after.average == 1
    page = as_user(app.test_client(), world.sup_a).get(f"/coaching/sessions/{session.id}")
    assert "Not enough evaluations yet" not in page.get_data(as_text=True)
    again = sessions.create_session(
        world.sup_a,
        world.agent_a1,
        held_on=NOW.date(),
        behaviour="x",
        commitment="y",
        follow_up_on=None,
        evaluation_ids=[],
        question_ids=[],
        request_token="once",
    )
    assert again.id == session.id


def test_the_coaching_session_form(app, world):
    version_id, (q1, _q2) = scorecard_question_ids(world)
    ev = make_evaluation(world, world.agent_a1, version_id, submitted_at=NOW, outcomes={q1: (0, 1)})
    client = as_user(app.test_client(), world.sup_a)
    page = client.get(f"/coaching/sessions/new/{world.agent_a1.id}").get_data(as_text=True)
    assert f"#{ev.id}" in page and "Greeted the customer" in page
    bad = post_form(
        client,
        f"/coaching/sessions/new/{world.agent_a1.id}",
        {"behaviour": "Kept text", "token": "t"},
    )
    assert bad.status_code == 422 and "Kept text" in bad.get_data(as_text=True)
    good = post_form(
        client,
        f"/coaching/sessions/new/{world.agent_a1.id}",
        {
            "held_on": "2026-03-04",
            "behaviour": "b",
            "commitment": "c",
            "token": "t",
            "evaluations": str(ev.id),
            "questions": str(q1),
        },
    )
    assert good.status_code == 303
    agent = as_user(app.test_client(), world.agent_a1)
    assert agent.get(f"/coaching/sessions/new/{world.agent_a1.id}").status_code == 403


def test_the_coach_corrects_a_session_and_a_stale_form_keeps_what_was_typed(app, world):
    version_id, (q1, _q2) = scorecard_question_ids(world)
    ev = make_evaluation(world, world.agent_a1, version_id, submitted_at=NOW, outcomes={q1: (0, 1)})
    session = sessions.create_session(
        world.sup_a,
        world.agent_a1,
        held_on=NOW.date(),
        behaviour="Before",
        commitment="c",
        follow_up_on=None,
        evaluation_ids=[ev.id],
        question_ids=[],
    )
    client = as_user(app.test_client(), world.sup_a)
    url = f"/coaching/sessions/{session.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert "Before" in form and f'<option selected value="{ev.id}">' in form
    data = {
        "held_on": NOW.date().isoformat(),
        "behaviour": "After",
        "commitment": "c",
        "questions": str(q1),
        "version": str(session.version),
    }
    assert post_form(client, url, data).status_code == 303
    db.session.expire_all()
    assert session.behaviour == "After" and [q.id for q in session.questions] == [q1]
    assert session.evaluations == []  # no longer chosen: unlinked
    stale = post_form(client, url, {**data, "behaviour": "TYPED", "version": "1"})
    assert stale.status_code == 409 and "TYPED" in stale.get_data(as_text=True)
    bad = post_form(client, url, {**data, "behaviour": "", "version": str(session.version)})
    assert bad.status_code == 422
    garbled = post_form(client, url, {**data, "version": "not-a-number"})
    assert garbled.status_code == 409  # an unreadable version is a conflict, never a 500
    manager = as_user(app.test_client(), world.manager_hk)  # sees it, is not its coach
    assert manager.get(url).status_code == 403


def test_a_coaching_follow_up_becomes_a_talking_point_when_due(app, world):
    ms = meetings_of(setup_series(world)[world.agent_a1.id])
    session = sessions.create_session(
        world.sup_a,
        world.agent_a1,
        held_on=NOW.date(),
        behaviour="Confirm the fix",
        commitment="Ask",
        follow_up_on=ms[1].scheduled_at.date(),
        evaluation_ids=[],
        question_ids=[],
    )
    key = f"coaching.follow_up:{session.id}"
    assert key not in keys(ms[0])  # not due yet
    assert key in keys(ms[1])
    meetings.record_status(world.sup_a, ms[1], "hold", expected_version=ms[1].version, now=NOW)
    assert key not in keys(ms[2])  # dealt with at the held meeting
