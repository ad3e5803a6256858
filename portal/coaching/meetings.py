"""A meeting's life: its status, shared notes, agenda and action items. Private notes live in
notes.py, apart, because no scope may ever reach them."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from portal import audit, policy
from portal.coaching import carry
from portal.coaching.models import (
    TRANSITIONS,
    ActionItem,
    AgendaItem,
    MeetingStatus,
    OneOnOne,
    OneOnOneSeries,
)
from portal.coaching.series import generate_meetings
from portal.db import create_once, usable_token
from portal.errors import Conflict, InvalidTransition, ValidationFailed
from portal.extensions import db
from portal.notify import service as notify
from portal.org.models import Person
from portal.policy import Area, get_visible_or_404

notify.register_kind(
    "coaching.meeting_cancelled",
    _l("%(actor)s cancelled your 1:1 of %(when)s: %(reason)s"),
    label=_l("My 1:1 was cancelled"),
)
notify.register_kind(
    "coaching.meeting_rescheduled",
    _l("%(actor)s moved your 1:1 of %(when)s to %(new_when)s"),
    label=_l("My 1:1 was moved"),
)
notify.register_kind(
    "coaching.action_assigned",
    _l("%(actor)s gave you an action item: %(body)s"),
    label=_l("I was given an action item in a 1:1"),
)

MAX_TEXT = 4000


def get_meeting(viewer: Person, meeting_id: int) -> OneOnOne:
    """The meeting if the viewer may see it (the report, anyone above them, HR), else 404."""
    return get_visible_or_404(OneOnOne, meeting_id, viewer, Area.COACHING)


def get_series(viewer: Person, series_id: int) -> OneOnOneSeries:
    return get_visible_or_404(OneOnOneSeries, series_id, viewer, Area.COACHING)


def check_version(record, expected_version: int | None) -> None:
    if expected_version is None or record.version != expected_version:
        raise Conflict()


def _claim(meeting: OneOnOne, column: str, expected: int | None) -> None:
    """Compare-and-set on one of the meeting's counters: of two writers holding the same
    version, the second is refused (409), never silently overwrites."""
    if expected is None or getattr(meeting, column) != expected:
        raise Conflict()
    counter = getattr(OneOnOne, column)
    result = db.session.execute(
        update(OneOnOne)
        .where(OneOnOne.id == meeting.id, counter == expected)
        .values({column: expected + 1})
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict()
    set_committed_value(meeting, column, expected + 1)


def _commit() -> None:
    db.session.commit()  # a stale version: Conflict (db.ConflictSession)


def _when(meeting: OneOnOne) -> str:
    """The start as ISO text: the notification shows it in the reader's language and zone
    (portal.time_format.shown)."""
    return meeting.scheduled_at.isoformat()


def _meeting_url(meeting: OneOnOne) -> str:
    return f"/coaching/meetings/{meeting.id}"


def _text(value: str | None, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(field_errors={field: [message]})
    if len(value) > MAX_TEXT:
        raise ValidationFailed(field_errors={field: [_("At most %(n)d characters.", n=MAX_TEXT)]})
    return value


def record_status(
    by: Person,
    meeting: OneOnOne,
    action: str,
    *,
    expected_version: int | None,
    now: datetime,
    reason: str | None = None,
    new_at: datetime | None = None,
) -> OneOnOne | None:
    """Record what happened to a meeting (the supervisor only). A reschedule creates the
    replacement meeting and returns it; a cancel needs a reason. The report is told of both."""
    policy.require(by, "one_on_one.record_status", meeting)
    check_version(meeting, expected_version)
    target = TRANSITIONS.get((MeetingStatus(meeting.status), action))
    if target is None:
        raise InvalidTransition()
    _claim(meeting, "version", expected_version)
    before = meeting.snapshot()
    replacement = None
    if action == "cancel":
        meeting.cancel_reason = _text(reason, "reason", _("Say why the meeting is cancelled."))
    if action == "reschedule":
        if new_at is None:
            raise ValidationFailed(field_errors={"new_at": [_("Give the new date and time.")]})
        taken = db.session.scalar(
            select(OneOnOne.id).where(
                OneOnOne.series_id == meeting.series_id, OneOnOne.scheduled_at == new_at
            )
        )
        if taken is not None:
            raise ValidationFailed(
                field_errors={"new_at": [_("This series already has a meeting at that time.")]}
            )
        replacement = OneOnOne(
            series_id=meeting.series_id,
            person_id=meeting.person_id,
            supervisor_id=meeting.supervisor_id,
            scheduled_at=new_at,
            duration_minutes=meeting.duration_minutes,
        )
        db.session.add(replacement)
        db.session.flush()
        meeting.rescheduled_to_id = replacement.id
    if action == "reopen":
        meeting.cancel_reason = None
    meeting.status = target
    meeting.status_recorded_at = now
    meeting.status_recorded_by_id = by.id
    audit.record(by, f"one_on_one.{action}", "one_on_one", meeting.id, before, meeting.snapshot())
    if action == "cancel":
        notify.notify(
            meeting.person_id,
            by,
            "coaching.meeting_cancelled",
            "one_on_one",
            meeting.id,
            _meeting_url(meeting),
            when=_when(meeting),
            reason=meeting.cancel_reason,
        )
    if replacement is not None:
        notify.notify(
            meeting.person_id,
            by,
            "coaching.meeting_rescheduled",
            "one_on_one",
            replacement.id,
            _meeting_url(replacement),
            when=_when(meeting),
            new_when=_when(replacement),
        )
    generate_meetings(meeting.series, now)
    _commit()
    return replacement


def save_shared_notes(
    by: Person, meeting: OneOnOne, body: str, *, expected_version: int | None
) -> None:
    """Both people write the shared notes; a stale version is refused, never overwritten."""
    policy.require(by, "one_on_one.participate", meeting)
    if len(body or "") > 20000:
        raise ValidationFailed(field_errors={"shared_notes": [_("At most 20000 characters.")]})
    _claim(meeting, "notes_version", expected_version)
    before = {"shared_notes": meeting.shared_notes}
    meeting.shared_notes = body or ""
    audit.record(
        by,
        "one_on_one.notes",
        "one_on_one",
        meeting.id,
        before,
        {"shared_notes": meeting.shared_notes},
    )
    _commit()


def agenda_for(meeting: OneOnOne) -> list[AgendaItem]:
    return list(
        db.session.scalars(
            select(AgendaItem).where(AgendaItem.meeting_id == meeting.id).order_by(AgendaItem.id)
        )
    )


def add_agenda_item(
    by: Person,
    meeting: OneOnOne,
    body: str,
    *,
    link: str | None = None,
    source_key: str | None = None,
) -> AgendaItem:
    """Add a line to the shared agenda. A talking point (source_key) is added once."""
    policy.require(by, "one_on_one.participate", meeting)
    body = _text(body, "body", _("Write what you want to talk about."))

    def make() -> AgendaItem:
        return AgendaItem(
            meeting_id=meeting.id,
            person_id=meeting.person_id,
            added_by_id=by.id,
            body=body,
            link=link if link and link.startswith("/") else None,
            source_key=source_key or None,
        )

    item, created = create_once(
        AgendaItem, make, meeting_id=meeting.id, source_key=source_key or None
    )
    if not created:
        return item
    audit.record(by, "agenda_item.add", "agenda_item", item.id, None, {"body": body})
    db.session.commit()
    return item


def get_agenda_item(viewer: Person, item_id: int) -> AgendaItem:
    return get_visible_or_404(AgendaItem, item_id, viewer, Area.COACHING)


def toggle_agenda_item(by: Person, item: AgendaItem) -> OneOnOne:
    meeting = db.session.get(OneOnOne, item.meeting_id)
    assert meeting is not None
    policy.require(by, "one_on_one.participate", meeting)
    item.is_done = not item.is_done
    audit.record(
        by,
        "agenda_item.tick",
        "agenda_item",
        item.id,
        {"is_done": not item.is_done},
        {"is_done": item.is_done},
    )
    db.session.commit()
    return meeting


# ---- action items --------------------------------------------------------------------------


def add_action_item(
    by: Person,
    meeting: OneOnOne,
    *,
    body: str,
    owner_id: int | None,
    due_on: date | None,
    request_token: str | None,
) -> ActionItem:
    """Agree an action item in a meeting, owned by either person. A double submit (same form
    token) finds the first item. The owner is told when the other person assigned it."""
    policy.require(by, "one_on_one.participate", meeting)
    errors: dict[str, list[str]] = {}
    try:
        body = _text(body, "body", _("Say what will be done."))
    except ValidationFailed as error:
        errors.update(error.field_errors)
    if owner_id not in (meeting.person_id, meeting.supervisor_id):
        errors["owner_id"] = [_("The owner is one of the two people in the meeting.")]
    if errors:
        raise ValidationFailed(field_errors=errors)
    token = usable_token(request_token)

    def make() -> ActionItem:
        return ActionItem(
            series_id=meeting.series_id,
            meeting_id=meeting.id,
            person_id=meeting.person_id,
            owner_id=owner_id,
            created_by_id=by.id,
            body=body,
            due_on=due_on,
            request_token=token,
        )

    item, created = create_once(ActionItem, make, meeting_id=meeting.id, request_token=token)
    if not created:
        return item
    audit.record(by, "action_item.add", "action_item", item.id, None, item.snapshot())
    if owner_id != by.id:
        notify.notify(
            owner_id,
            by,
            "coaching.action_assigned",
            "action_item",
            item.id,
            _meeting_url(meeting),
            body=body[:120],
        )
    db.session.commit()
    return item


def get_action_item(viewer: Person, item_id: int) -> ActionItem:
    return get_visible_or_404(ActionItem, item_id, viewer, Area.COACHING)


def set_action_item_done(
    by: Person,
    item: ActionItem,
    done: bool,
    *,
    now: datetime,
    meeting: OneOnOne | None = None,
) -> None:
    """Tick (or untick) an action item, on a meeting's page or from the list of open items."""
    series = db.session.get(OneOnOneSeries, item.series_id)
    policy.require(by, "one_on_one.participate", series)
    if item.is_done == done:
        return
    before = item.snapshot()
    item.is_done = done
    item.done_at = now if done else None
    item.done_meeting_id = meeting.id if (done and meeting is not None) else None
    audit.record(
        by,
        "action_item.done" if done else "action_item.reopen",
        "action_item",
        item.id,
        before,
        item.snapshot(),
    )
    _commit()


def action_items_for_meeting(meeting: OneOnOne) -> list[tuple[ActionItem, int]]:
    """The meeting's action items: those agreed in it and those carried over to it (with how
    many times they have been carried), in the order they were agreed."""
    series_meetings = db.session.execute(
        select(OneOnOne.id, OneOnOne.scheduled_at).where(OneOnOne.series_id == meeting.series_id)
    ).all()
    at = {row.id: row.scheduled_at for row in series_meetings}
    times = [row.scheduled_at for row in series_meetings if row.id in at]
    items = db.session.scalars(
        select(ActionItem).where(ActionItem.series_id == meeting.series_id).order_by(ActionItem.id)
    ).all()
    shown = []
    for item in items:
        facts = carry.ItemTimes(
            origin_at=at[item.meeting_id],
            done_at=item.done_at,
            done_meeting_at=at.get(item.done_meeting_id) if item.done_meeting_id else None,
        )
        if carry.shows_on(facts, meeting.scheduled_at):
            shown.append((item, carry.times_carried(facts, times, meeting.scheduled_at)))
    return shown


from portal.coaching import reminders  # noqa: E402, F401  (registers the reminders' kinds)
