"""The corrective action service: write a draft, issue it (the person is told), the person's
acknowledgment (acknowledging is not agreeing), follow-ups done, closing. Every change and
every view is audited; each public function checks the policy, changes, audits and commits once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal import audit, policy
from portal.conduct import links, rules
from portal.conduct.models import ActionLink, CorrectiveAction, FollowUp, LinkType
from portal.conduct.rules import Kind, State
from portal.db import create_once, usable_token, utcnow
from portal.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from portal.extensions import db
from portal.notify.service import notify, register_kind
from portal.org.models import Person
from portal.web import path_for

RECORD = "corrective_action"

register_kind(
    "conduct.issued",
    _l("%(actor)s issued a corrective action to you: read it and acknowledge it"),
    label=_l("A corrective action was issued to me"),
    urgent=True,
)
register_kind(
    "conduct.acknowledged",
    _l("%(person)s acknowledged the corrective action you issued"),
    label=_l("A corrective action I issued was acknowledged"),
)
register_kind(
    "conduct.closed",
    _l("%(actor)s closed the corrective action about you: its follow-ups are done"),
    label=_l("A corrective action about me was closed"),
)

FOLLOW_UP_MESSAGES = {
    "missing": _l("Give at least one follow-up date."),
    "too_many": _l("Give at most %(n)d follow-up dates."),
    "repeated": _l("Give each follow-up date once."),
    "before": _l("Follow-ups come after the conversation."),
    "too_far": _l("A follow-up is at most two years after the conversation."),
}


@dataclass(frozen=True)
class Draft:
    """What a person typed in the form: checked by `_checked`."""

    kind: str
    held_on: date | None
    facts: str
    expectations: str
    follow_ups: Sequence[date | None]
    links: Mapping[str, Sequence[int]]


# ---- reading --------------------------------------------------------------------------------


def get_action(viewer: Person, action_id: int) -> CorrectiveAction:
    """The action if the viewer may read it (404 otherwise: "not yours" looks like "none")."""
    stmt = policy.scoped_conduct(
        select(CorrectiveAction).where(CorrectiveAction.id == action_id), CorrectiveAction, viewer
    )
    action = db.session.execute(stmt).scalar_one_or_none()
    if action is None:
        raise NotFound()
    return action


def view_action(viewer: Person, action_id: int) -> CorrectiveAction:
    """The action for its page; reading it is written to the audit log ("conduct.view")."""
    action = get_action(viewer, action_id)
    audit.record(viewer, "conduct.view", RECORD, action.id, None, {"person_id": action.person_id})
    db.session.commit()
    return action


def get_follow_up(viewer: Person, follow_up_id: int) -> FollowUp:
    follow_up = db.session.get(FollowUp, follow_up_id) if follow_up_id > 0 else None
    if follow_up is None:
        raise NotFound()
    get_action(viewer, follow_up.action_id)  # the same reach as its action
    return follow_up


def correctable_people(viewer: Person, limit: int = 500) -> list[Person]:
    """The active people about whom the viewer may write an action (policy.line_or_hr_of):
    everyone strictly below them, everyone but themselves for HR."""
    stmt = policy.line_or_hr_people(viewer).order_by(Person.name, Person.id).limit(limit)
    return list(db.session.scalars(stmt))


def expiry_months(kind: str) -> int:
    """CONDUCT_EXPIRY_MONTHS, or the kind's own entry in CONDUCT_EXPIRY_MONTHS_BY_KIND."""
    config = current_app.config
    return rules.expiry_months(
        kind,
        int(config.get("CONDUCT_EXPIRY_MONTHS", rules.DEFAULT_EXPIRY_MONTHS)),
        config.get("CONDUCT_EXPIRY_MONTHS_BY_KIND") or {},
    )


# ---- writing a draft --------------------------------------------------------------------------


def _checked(by: Person, person: Person, draft: Draft) -> dict[str, list[int]]:
    """The links chosen (among those offered), or ValidationFailed naming each wrong field."""
    errors: dict[str, list[str]] = {}
    if draft.kind not in {k.value for k in Kind}:
        errors["kind"] = [_("Choose the kind of corrective action.")]
    if draft.held_on is None:
        errors["held_on"] = [_("Give the date of the conversation.")]
    if not draft.facts.strip():
        errors["facts"] = [_("Write down the facts: what happened, when, and its effect.")]
    if not draft.expectations.strip():
        errors["expectations"] = [_("Write down what is expected from now on.")]
    problem = rules.check_follow_ups(draft.follow_ups, draft.held_on)
    if problem is not None:
        message = FOLLOW_UP_MESSAGES[problem.code]
        errors["follow_ups"] = [str(message) % {"n": rules.MAX_FOLLOW_UPS}]
    chosen: dict[str, list[int]] = {}
    for record_type in LinkType:
        wanted = sorted(set(draft.links.get(record_type, ())))
        if not wanted:
            continue
        found = links.reachable_ids(by, person.id, record_type, wanted)
        if found != set(wanted):
            errors[f"links_{record_type}"] = [_("Choose among the person's own records.")]
        chosen[record_type] = wanted
    if errors:
        raise ValidationFailed(field_errors=errors)
    return chosen


def _fill(action: CorrectiveAction, draft: Draft, chosen: Mapping[str, list[int]]) -> None:
    assert draft.held_on is not None
    action.kind = draft.kind
    action.held_on = draft.held_on
    action.facts = draft.facts.strip()
    action.expectations = draft.expectations.strip()
    dates = sorted({d for d in draft.follow_ups if d is not None})
    kept = {f.due_on: f for f in action.follow_ups}
    action.follow_ups = [kept.get(d) or FollowUp(due_on=d) for d in dates]
    current = {(link.record_type, link.record_id): link for link in action.links}
    action.links = [
        current.get((t, i)) or ActionLink(record_type=t, record_id=i)
        for t, ids in chosen.items()
        for i in ids
    ]


def create_action(
    by: Person, person: Person, draft: Draft, *, request_token: str | None = None
) -> CorrectiveAction:
    """Write a draft about a person below the author (or anyone, for HR); a double submit with
    the same form token finds the first one."""
    policy.require(by, "conduct.create", person)
    chosen = _checked(by, person, draft)
    token = usable_token(request_token)

    def make() -> CorrectiveAction:
        made = CorrectiveAction(
            person_id=person.id, author_id=by.id, state=State.DRAFT, request_token=token
        )
        _fill(made, draft, chosen)
        return made

    action, created = create_once(CorrectiveAction, make, author_id=by.id, request_token=token)
    if not created:
        return action
    audit.record(by, "conduct.create", RECORD, action.id, None, action.snapshot())
    db.session.commit()
    return action


def _check_version(action: CorrectiveAction, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != action.version:
        raise Conflict(
            _(
                "This corrective action was changed since you opened it. It is shown as it "
                "is now; what you typed is kept."
            )
        )


def update_draft(
    by: Person, action: CorrectiveAction, draft: Draft, *, expected_version: int | None
) -> CorrectiveAction:
    """Change a draft (its author only); a stale form is refused (Conflict)."""
    policy.require(by, "conduct.edit", action)
    _check_version(action, expected_version)
    chosen = _checked(by, action.person, draft)
    before = action.snapshot()
    _fill(action, draft, chosen)
    action.updated_at = utcnow()
    db.session.flush()
    audit.record(by, "conduct.edit", RECORD, action.id, before, action.snapshot())
    db.session.commit()
    return action


# ---- the lifecycle --------------------------------------------------------------------------


def _url(action: CorrectiveAction) -> str:
    return path_for("conduct.action_detail", action_id=action.id)


def issue_action(
    by: Person, action: CorrectiveAction, *, expected_version: int | None, today: date
) -> None:
    """Issue a draft: it counts from today until its expiry, and the person is asked to
    acknowledge it."""
    policy.require(by, "conduct.issue", action)
    _check_version(action, expected_version)
    target = rules.next_state(action.state, "issue")
    if rules.check_follow_ups([f.due_on for f in action.follow_ups], action.held_on):
        raise ValidationFailed(_("Give the follow-up dates before issuing."))
    before = action.snapshot()
    action.state = target
    action.issued_at = utcnow()
    action.issued_on = today
    action.expires_on = rules.expires_on(today, expiry_months(action.kind))
    audit.record(by, "conduct.issue", RECORD, action.id, before, action.snapshot())
    notify(action.person_id, by, "conduct.issued", RECORD, action.id, _url(action))
    db.session.commit()


def acknowledge_action(
    by: Person, action: CorrectiveAction, *, comment: str, expected_version: int | None
) -> None:
    """The person acknowledges an issued action, with an optional comment (acknowledging is
    not agreeing); its author is told."""
    policy.require(by, "conduct.acknowledge", action)
    _check_version(action, expected_version)
    target = rules.next_state(action.state, "acknowledge")
    before = action.snapshot()
    action.state = target
    action.acknowledged_at = utcnow()
    action.acknowledgment_comment = comment.strip() or None
    audit.record(by, "conduct.acknowledge", RECORD, action.id, before, action.snapshot())
    notify(
        action.author_id,
        by,
        "conduct.acknowledged",
        RECORD,
        action.id,
        _url(action),
        person=action.person.display_name,
    )
    db.session.commit()


def complete_follow_up(by: Person, follow_up: FollowUp, *, note: str) -> None:
    """Record a follow-up as done, with what was seen (the person's line or HR)."""
    action = follow_up.action
    policy.require(by, "conduct.follow_up", action)
    if action.state not in rules.FOLLOW_UPS_OPEN:
        raise InvalidTransition()
    if follow_up.is_done:
        raise Conflict(_("This follow-up is already recorded as done."))
    follow_up.done_at = utcnow()
    follow_up.done_by_id = by.id
    follow_up.note = note.strip()
    action.updated_at = utcnow()  # another writer's form on the action is now stale
    audit.record(
        by,
        "conduct.follow_up",
        RECORD,
        action.id,
        {"follow_up": follow_up.due_on.isoformat(), "done": False},
        {"follow_up": follow_up.due_on.isoformat(), "done": True, "note": follow_up.note},
    )
    db.session.commit()


def open_follow_ups(action: CorrectiveAction) -> int:
    return sum(1 for f in action.follow_ups if not f.is_done)


def close_action(by: Person, action: CorrectiveAction, *, expected_version: int | None) -> None:
    """Close an action whose follow-ups are all done; it still counts until it expires."""
    policy.require(by, "conduct.close", action)
    _check_version(action, expected_version)
    target = rules.next_state(action.state, "close")
    if not rules.may_close(action.state, open_follow_ups(action)):
        raise ValidationFailed(_("Record every follow-up as done before closing."))
    before = action.snapshot()
    action.state = target
    action.closed_at = utcnow()
    action.closed_by_id = by.id
    audit.record(by, "conduct.close", RECORD, action.id, before, action.snapshot())
    notify(action.person_id, by, "conduct.closed", RECORD, action.id, _url(action))
    db.session.commit()


def steps_for(viewer: Person, action: CorrectiveAction) -> dict[str, bool]:
    """Which buttons the action page offers this viewer: their role and the action's state."""
    state = action.state
    return {
        "edit": policy.can(viewer, "conduct.edit", action),
        "issue": rules.allows(state, "issue") and policy.can(viewer, "conduct.issue", action),
        "acknowledge": rules.allows(state, "acknowledge")
        and policy.can(viewer, "conduct.acknowledge", action),
        "follow_up": state in rules.FOLLOW_UPS_OPEN
        and policy.can(viewer, "conduct.follow_up", action),
        "close": rules.may_close(state, open_follow_ups(action))
        and policy.can(viewer, "conduct.close", action),
    }


from portal.conduct import reminders, talking_points  # noqa: E402, F401  (register themselves)
