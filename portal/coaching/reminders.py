"""1:1 reminders, recorded as notifications: the day before a 1:1 both people get its agenda and
the suggested talking points as a pre-read; an open action item falling due today or tomorrow
reminds its owner. Run hourly by `portal.reminders.run_all`; each is sent once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.coaching.models import ActionItem, AgendaItem, MeetingStatus, OneOnOne
from portal.coaching.talking_points import talking_points_for
from portal.extensions import db
from portal.notify.service import notify, register_kind
from portal.org.models import Person
from portal.reminders import OCCASION, sent_before
from portal.web import path_for

MEETING_KIND = "coaching.meeting_tomorrow"
ACTION_KIND = "coaching.action_due"
register_kind(
    MEETING_KIND,
    _l("Your 1:1 with %(other)s is on %(when)s: the agenda and suggested talking points"),
    label=_l("My 1:1 is tomorrow (with its agenda as a pre-read)"),
    urgent=True,
)
register_kind(
    ACTION_KIND,
    _l("Your action item is due on %(due)s: %(body)s"),
    label=_l("An action item of mine is due"),
    urgent=True,
)

AHEAD = timedelta(hours=24)  # "tomorrow": the 1:1 starts within the next day
MAX_DETAILS = 10  # lines of pre-read (the notify package's `details` convention)


def _when(at: datetime, person: Person) -> str:
    """The meeting's start as ISO text in UTC: the notification and e-mail show it in the
    person's own zone and language, in the one date-time format (portal.time_format.shown)."""
    moment = at if at.tzinfo else at.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def pre_read(meeting: OneOnOne, agenda: list[AgendaItem], person: Person) -> list[str]:
    """Up to ten short lines: the open agenda items, then the suggested talking points, in the
    person's language."""
    with force_locale(person.locale or "en"):
        lines = [_("Agenda: %(body)s", body=item.body[:140]) for item in agenda]
        lines += [
            _("Suggested: %(point)s", point=point.label[:140])
            for point in talking_points_for(meeting)
        ]
    return lines[:MAX_DETAILS]


def send_meeting_tomorrow(now: datetime) -> int:
    """Tell the report and the supervisor of each scheduled 1:1 starting within the next day,
    once each, with the pre-read. Returns how many were recorded. Commits."""
    meetings = list(
        db.session.scalars(
            select(OneOnOne)
            .where(
                OneOnOne.status == MeetingStatus.SCHEDULED,
                OneOnOne.scheduled_at > now,
                OneOnOne.scheduled_at <= now + AHEAD,
            )
            .options(joinedload(OneOnOne.report), joinedload(OneOnOne.supervisor))
            .order_by(OneOnOne.scheduled_at, OneOnOne.id)
        )
    )
    already = sent_before(MEETING_KIND, [m.id for m in meetings])
    agendas: dict[int, list[AgendaItem]] = {m.id: [] for m in meetings}
    if meetings:
        for item in db.session.scalars(
            select(AgendaItem)
            .where(AgendaItem.meeting_id.in_(list(agendas)), AgendaItem.is_done.is_(False))
            .order_by(AgendaItem.id)
        ):
            agendas[item.meeting_id].append(item)
    count = 0
    for meeting in meetings:
        occasion = meeting.scheduled_at.isoformat()
        details: dict[str, list[str]] = {}  # by language: the points are worked out once each
        pairs = ((meeting.report, meeting.supervisor), (meeting.supervisor, meeting.report))
        for person, other in pairs:
            if not person.is_active or (person.id, meeting.id, occasion) in already:
                continue
            language = person.locale or "en"
            if language not in details:
                details[language] = pre_read(meeting, agendas[meeting.id], person)
            notify(
                person.id,
                None,
                MEETING_KIND,
                "one_on_one",
                meeting.id,
                path_for("coaching.meeting_detail", meeting_id=meeting.id),
                other=other.display_name,
                when=_when(meeting.scheduled_at, person),
                details=details[language],
                **{OCCASION: occasion},
            )
            count += 1
    db.session.commit()
    return count


def send_action_items_due(now: datetime) -> int:
    """Tell each open action item's owner, once per due date, that it is due today or
    tomorrow. Returns how many were recorded. Commits."""
    today = now.date()
    items = list(
        db.session.scalars(
            select(ActionItem)
            .join(Person, Person.id == ActionItem.owner_id)
            .where(
                ActionItem.is_done.is_(False),
                ActionItem.due_on.is_not(None),
                ActionItem.due_on >= today,
                ActionItem.due_on <= today + timedelta(days=1),
                Person.is_active.is_(True),
            )
            .order_by(ActionItem.id)
        )
    )
    already = sent_before(ACTION_KIND, [i.id for i in items])
    count = 0
    for item in items:
        due: date = item.due_on  # type: ignore[assignment]
        occasion = due.isoformat()
        if (item.owner_id, item.id, occasion) in already:
            continue
        notify(
            item.owner_id,
            None,
            ACTION_KIND,
            "action_item",
            item.id,
            path_for("coaching.meeting_detail", meeting_id=item.meeting_id),
            body=item.body[:120],
            due=occasion,
            **{OCCASION: occasion},
        )
        count += 1
    db.session.commit()
    return count
