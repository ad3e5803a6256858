"""The corrective action service: who writes, issues, acknowledges, follows up and closes; what
is checked; what is audited and who is told."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.audit import AuditEntry
from portal.conduct import actions
from portal.conduct.models import CorrectiveAction, LinkType
from portal.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from portal.extensions import db
from portal.notify import service
from portal.notify.models import Notification
from tests.conduct.helpers import HELD, a1_evaluation, draft, issued, write
from tests.notify.helpers import told


def audited(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def url(action: CorrectiveAction) -> str:
    return f"/conduct/{action.id}"


# ---- writing a draft --------------------------------------------------------------------------


def test_a_supervisor_writes_a_draft_seen_by_them_alone(world):
    action = write(world)
    assert action.state == "draft" and action.author_id == world.sup_a.id
    assert [f.due_on for f in action.follow_ups] == [HELD + timedelta(days=14)]
    assert audited("conduct.create")[0].record_id == action.id
    assert actions.get_action(world.sup_a, action.id) is action
    for other in (world.agent_a1, world.manager_hk, world.head, world.hr):
        with pytest.raises(NotFound):
            actions.get_action(other, action.id)
    assert told("conduct.issued") == []  # nobody is told about a draft


@pytest.mark.parametrize("author", ["sup_a", "manager_hk", "head", "hr"])
def test_the_manager_line_and_hr_may_write_one(world, author):
    action = write(world, author=getattr(world, author))
    assert action.id


@pytest.mark.parametrize("author", ["agent_a1", "agent_a2", "sup_b", "manager_jp", "qa", "trainer"])
def test_no_one_else_may_write_one_not_even_about_themselves(world, author):
    with pytest.raises(Forbidden):
        write(world, author=getattr(world, author))


def test_hr_may_not_write_one_about_themselves(world):
    with pytest.raises(Forbidden):
        write(world, author=world.hr, person=world.hr)


def test_bad_input_is_refused_at_each_field(world):
    with pytest.raises(ValidationFailed) as failure:
        write(world, kind="scolding", held_on=None, facts=" ", expectations="", follow_ups=())
    assert set(failure.value.field_errors) == {
        "kind",
        "held_on",
        "facts",
        "expectations",
        "follow_ups",
    }
    assert db.session.scalars(select(CorrectiveAction)).first() is None


@pytest.mark.parametrize(
    ("follow_ups", "message"),
    [
        ((HELD,), "after the conversation"),
        ((HELD + timedelta(days=3),) * 2, "once"),
        (tuple(HELD + timedelta(days=d) for d in (1, 2, 3, 4)), "at most 3"),
        ((date(2030, 1, 1),), "two years"),
    ],
)
def test_follow_up_dates_are_checked(world, follow_ups, message):
    with pytest.raises(ValidationFailed) as failure:
        write(world, follow_ups=follow_ups)
    assert message in failure.value.field_errors["follow_ups"][0]


def test_it_links_the_persons_own_records_the_author_sees(world):
    evaluation = a1_evaluation(world)
    action = write(world, links={LinkType.EVALUATION: [evaluation.id]})
    assert [(link.record_type, link.record_id) for link in action.links] == [
        ("evaluation", evaluation.id)
    ]
    offered = actions.links.choices_for(world.sup_a, world.agent_a1)
    assert [i for i, _label in offered[LinkType.EVALUATION]] == [evaluation.id]


def test_a_record_of_someone_else_or_a_draft_evaluation_cannot_be_linked(world):
    peer = a1_evaluation(world)
    peer.person_id = world.agent_a2.id  # now A2's
    db.session.flush()
    draft_eval = a1_evaluation(world, status="draft")
    for bad in (peer.id, draft_eval.id, 999_999):
        with pytest.raises(ValidationFailed) as failure:
            write(world, links={LinkType.EVALUATION: [bad]})
        assert "links_evaluation" in failure.value.field_errors


def test_a_form_sent_twice_makes_one_draft(world):
    first = actions.create_action(world.sup_a, world.agent_a1, draft(), request_token="tok-1")
    again = actions.create_action(world.sup_a, world.agent_a1, draft(), request_token="tok-1")
    assert first.id == again.id
    assert len(db.session.scalars(select(CorrectiveAction)).all()) == 1


def test_the_author_edits_the_draft_and_a_stale_form_is_refused(world):
    action = write(world)
    opened_at = action.version
    actions.update_draft(
        world.sup_a,
        action,
        draft(
            kind="verbal_warning", follow_ups=(HELD + timedelta(days=7), HELD + timedelta(days=30))
        ),
        expected_version=opened_at,
    )
    assert action.kind == "verbal_warning"
    assert len(action.follow_ups) == 2
    assert audited("conduct.edit")
    with pytest.raises(Conflict):
        actions.update_draft(world.sup_a, action, draft(), expected_version=opened_at)
    with pytest.raises(Forbidden):
        actions.update_draft(world.manager_hk, action, draft(), expected_version=action.version)


# ---- the lifecycle ----------------------------------------------------------------------------


def test_issuing_tells_the_person_and_fixes_the_expiry(world, app):
    action = issued(world, today=date(2026, 3, 3))
    assert action.state == "issued"
    assert action.issued_on == date(2026, 3, 3)
    assert action.expires_on == date(2027, 3, 3)  # CONDUCT_EXPIRY_MONTHS = 12
    assert told("conduct.issued") == [(world.agent_a1.id, action.id, url(action))]
    note = db.session.scalars(select(Notification).where(Notification.kind == "conduct.issued"))
    assert "issued a corrective action to you" in service.message(note.one())
    assert audited("conduct.issue")


def test_the_expiry_can_depend_on_the_kind(world, app, monkeypatch):
    monkeypatch.setitem(app.config, "CONDUCT_EXPIRY_MONTHS_BY_KIND", {"final_warning": 24})
    final = issued(world, kind="final_warning", today=date(2026, 3, 3))
    verbal = issued(world, kind="verbal_warning", today=date(2026, 3, 3))
    assert final.expires_on == date(2028, 3, 3)
    assert verbal.expires_on == date(2027, 3, 3)


def test_only_the_author_issues_a_draft_and_only_once(world):
    action = write(world)
    with pytest.raises(Forbidden):
        actions.issue_action(world.hr, action, expected_version=action.version, today=HELD)
    actions.issue_action(world.sup_a, action, expected_version=action.version, today=HELD)
    with pytest.raises(Conflict):  # a stale form: it is no longer a draft
        actions.issue_action(world.sup_a, action, expected_version=action.version - 1, today=HELD)
    with pytest.raises(InvalidTransition):  # no longer a draft
        actions.issue_action(world.sup_a, action, expected_version=action.version, today=HELD)


@pytest.mark.parametrize("viewer", ["agent_a1", "sup_a", "manager_hk", "head", "hr"])
def test_an_issued_action_is_seen_by_the_person_their_line_and_hr(world, viewer):
    action = issued(world)
    assert actions.get_action(getattr(world, viewer), action.id).id == action.id


@pytest.mark.parametrize("viewer", ["agent_a2", "sup_b", "manager_jp", "qa", "trainer", "agent_b1"])
def test_peers_qa_analysts_and_trainers_never_see_one(world, viewer):
    action = issued(world)
    with pytest.raises(NotFound):
        actions.get_action(getattr(world, viewer), action.id)


def test_the_person_acknowledges_with_a_comment_and_the_author_is_told(world):
    action = issued(world)
    with pytest.raises(Forbidden):
        actions.acknowledge_action(world.sup_a, action, comment="", expected_version=action.version)
    actions.acknowledge_action(
        world.agent_a1,
        action,
        comment="  I disagree about the second date.  ",
        expected_version=action.version,
    )
    assert action.state == "acknowledged"
    assert action.acknowledgment_comment == "I disagree about the second date."
    assert action.acknowledged_at is not None
    assert told("conduct.acknowledged") == [(world.sup_a.id, action.id, url(action))]
    assert audited("conduct.acknowledge")
    with pytest.raises(InvalidTransition):  # once
        actions.acknowledge_action(
            world.agent_a1, action, comment="", expected_version=action.version
        )


def test_a_draft_cannot_be_acknowledged(world):
    action = write(world)
    with pytest.raises(NotFound):  # the person does not even see it
        actions.get_action(world.agent_a1, action.id)
    with pytest.raises(InvalidTransition):
        actions.acknowledge_action(
            world.agent_a1, action, comment="", expected_version=action.version
        )


def test_follow_ups_are_done_by_the_line_then_the_action_closes(world):
    action = issued(world, follow_ups=(HELD + timedelta(days=7), HELD + timedelta(days=21)))
    first, second = action.follow_ups
    with pytest.raises(Forbidden):
        actions.complete_follow_up(world.agent_a1, first, note="")
    actions.complete_follow_up(world.manager_hk, first, note="On time all week")
    assert first.is_done and first.done_by_id == world.manager_hk.id
    assert not actions.steps_for(world.sup_a, action)["close"]
    with pytest.raises(ValidationFailed):
        actions.close_action(world.sup_a, action, expected_version=action.version)
    with pytest.raises(Conflict):
        actions.complete_follow_up(world.sup_a, first, note="again")
    actions.complete_follow_up(world.sup_a, second, note="Still on time")
    assert actions.steps_for(world.sup_a, action)["close"]
    actions.close_action(world.sup_a, action, expected_version=action.version)
    assert action.state == "closed" and action.closed_by_id == world.sup_a.id
    assert not any(actions.steps_for(world.sup_a, action).values())
    assert told("conduct.closed") == [(world.agent_a1.id, action.id, url(action))]
    assert len(audited("conduct.follow_up")) == 2
    assert audited("conduct.close")
    with pytest.raises(InvalidTransition):  # closed already
        actions.close_action(world.sup_a, action, expected_version=action.version)


def test_a_stale_step_is_refused(world):
    action = write(world)
    with pytest.raises(Conflict):
        actions.issue_action(world.sup_a, action, expected_version=action.version - 1, today=HELD)


def test_viewing_an_action_is_audited(world):
    action = issued(world)
    actions.view_action(world.hr, action.id)
    entries = audited("conduct.view")
    assert [(e.actor_id, e.record_id) for e in entries] == [(world.hr.id, action.id)]


def test_the_transitions_are_refused_by_the_rules_even_past_the_policy(world):
    action = write(world)
    with pytest.raises(InvalidTransition):
        actions.rules.next_state(action.state, "close")
