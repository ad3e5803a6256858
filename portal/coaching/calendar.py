"""A personal iCalendar feed of one's 1:1s behind a secret link; resetting the link revokes it.
Only a hash of the token is stored, so the database never holds a working link."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from portal import audit
from portal.coaching.models import CalendarFeed, MeetingStatus, OneOnOne, OneOnOneSeries
from portal.extensions import db
from portal.org.models import Person


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_of(person: Person) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.person_id == person.id))


def reset_feed(person: Person) -> str:
    """Make a new secret link (the old one stops working) and return its token, shown once."""
    token = secrets.token_urlsafe(32)
    feed = feed_of(person)
    if feed is None:
        feed = CalendarFeed(person_id=person.id, token_hash=_hash(token))
        db.session.add(feed)
    else:
        feed.token_hash = _hash(token)
    db.session.flush()
    audit.record(person, "calendar_feed.reset", "person", person.id, None, None)
    db.session.commit()
    return token


def revoke_feed(person: Person) -> None:
    feed = feed_of(person)
    if feed is not None:
        db.session.delete(feed)
        audit.record(person, "calendar_feed.revoke", "person", person.id, None, None)
        db.session.commit()


def person_for_token(token: str) -> Person | None:
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == _hash(token)))
    if feed is None:
        return None
    person = db.session.get(Person, feed.person_id)
    return person if person is not None and person.is_active else None


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def ics_for(person: Person, now: datetime, base_url: str) -> str:
    """The person's 1:1s (as report or supervisor) from 8 weeks back to the horizon."""
    meetings = db.session.scalars(
        select(OneOnOne)
        .join(OneOnOneSeries, OneOnOneSeries.id == OneOnOne.series_id)
        .options(joinedload(OneOnOne.report), joinedload(OneOnOne.supervisor))
        .where(
            or_(OneOnOne.person_id == person.id, OneOnOne.supervisor_id == person.id),
            OneOnOne.scheduled_at >= now - timedelta(weeks=8),
            OneOnOne.status != MeetingStatus.RESCHEDULED,
        )
        .order_by(OneOnOne.scheduled_at)
    ).all()
    # Read by a calendar app with no session: the person's own language.
    with force_locale(person.locale or "en"):
        summaries = {
            name: _("1:1 with %(name)s", name=name)
            for name in {
                (m.supervisor if m.person_id == person.id else m.report).name for m in meetings
            }
        }
        calendar_name = _("1:1s")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Performance portal//1:1s//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(calendar_name)}",
    ]
    for m in meetings:
        other = m.supervisor if m.person_id == person.id else m.report
        status = "CANCELLED" if m.status == MeetingStatus.CANCELLED else "CONFIRMED"
        lines += [
            "BEGIN:VEVENT",
            f"UID:one-on-one-{m.id}@portal",
            f"DTSTAMP:{_stamp(now)}",
            f"DTSTART:{_stamp(m.scheduled_at)}",
            f"DTEND:{_stamp(m.scheduled_at + timedelta(minutes=m.duration_minutes))}",
            f"SUMMARY:{_escape(summaries[other.name])}",
            f"URL:{base_url.rstrip('/')}/coaching/meetings/{m.id}",
            f"STATUS:{status}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
