"""Daily and weekly digest e-mails.

A person's daily digest gathers their notifications of the `daily` channel raised before 07:00
of a local day, and is sent at the first call after 07:00 that day in their time zone; the
weekly digest gathers the `weekly` ones raised before Monday 07:00 and is sent at the first
call after it. A notification raised later waits for the next one.

Each digest is one row per (person, cadence, period) — unique, so the same digest is never
made twice, even by two callers at once (the second one's insert fails and it moves on). The
row and the claim of its notifications are committed together before anything is sent; a
failed send is retried by a later call (backoff as for single e-mails), with the same content.
`send_due(now)` is safe to call every minute.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from portal.db import as_utc
from portal.extensions import db
from portal.notify import mailer, service
from portal.notify.delivery import MAX_ATTEMPTS, STALE_CLAIM, backoff
from portal.notify.models import Notification, NotificationDigest
from portal.org.models import Person

log = logging.getLogger(__name__)

SEND_AT = time(7, 0)
MAX_ITEMS = 200  # shown in one digest; the rest are counted and linked


def _zone(person: Person) -> ZoneInfo:
    try:
        return ZoneInfo(person.time_zone or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def current_period(cadence: str, now: datetime, zone: ZoneInfo) -> tuple[date, datetime]:
    """The latest period whose send time has come at `now`, and that send time (UTC): the
    local day (daily) or the local Monday (weekly), at 07:00 local."""
    local = now.astimezone(zone)
    day = local.date()
    if cadence == "weekly":
        day -= timedelta(days=day.weekday())
        step = timedelta(days=7)
    else:
        step = timedelta(days=1)
    cutoff = datetime.combine(day, SEND_AT, tzinfo=zone)
    if local < cutoff:
        day -= step
        cutoff = datetime.combine(day, SEND_AT, tzinfo=zone)
    return day, cutoff.astimezone(now.tzinfo)


def _create_due(now: datetime) -> int:
    """Make the digests that are due (rows + claimed notifications); returns how many."""
    waiting = db.session.execute(
        select(Notification.person_id, Notification.channel, func.min(Notification.created_at))
        .where(Notification.email_state == "digest")
        .group_by(Notification.person_id, Notification.channel)
    ).all()
    if not waiting:
        return 0
    people = {
        p.id: p
        for p in db.session.scalars(
            select(Person).where(Person.id.in_({row[0] for row in waiting}))
        )
    }
    made = 0
    for person_id, cadence, oldest in waiting:
        person = people.get(person_id)
        if person is None or cadence not in ("daily", "weekly"):
            continue
        period, cutoff = current_period(cadence, now, _zone(person))
        if as_utc(oldest) >= cutoff:
            continue  # nothing raised before this period's send time
        if _make_digest(person, cadence, period, cutoff, now):
            made += 1
    return made


def _make_digest(person: Person, cadence: str, period: date, cutoff: datetime, now) -> bool:
    digest = NotificationDigest(
        person_id=person.id,
        cadence=cadence,
        period=period,
        state="pending" if person.is_active and person.email else "skipped",
        attempts=0,
        next_at=now,
        created_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(digest)
            db.session.flush()
    except IntegrityError:
        return False  # made already (by an earlier call, or another caller just now)
    db.session.execute(
        update(Notification)
        .where(
            Notification.person_id == person.id,
            Notification.channel == cadence,
            Notification.email_state == "digest",
            Notification.created_at < cutoff,
        )
        .values(email_state="digested", digest_id=digest.id)
    )
    db.session.commit()
    return True


def digest_message(digest: NotificationDigest, person: Person):
    notes = list(
        db.session.scalars(
            select(Notification)
            .where(Notification.digest_id == digest.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(MAX_ITEMS + 1)
        )
    )
    total = db.session.scalar(select(func.count()).where(Notification.digest_id == digest.id)) or 0
    from portal.notify.preferences import kind_label

    with mailer.as_recipient(person):
        items = [
            {
                "note": note,
                "text": service.message(note),
                "details": note.details,
                "link": mailer.absolute_url(note.url),
                "kind_label": kind_label(note.kind),
                "preference_link": mailer.preference_url(person.id, note.kind),
            }
            for note in notes[:MAX_ITEMS]
        ]
        if digest.cadence == "weekly":
            subject = ngettext(
                "Performance portal: your weekly digest (%(num)d notification)",
                "Performance portal: your weekly digest (%(num)d notifications)",
                total,
            )
            heading = _("Your weekly digest")
        else:
            subject = ngettext(
                "Performance portal: your daily digest (%(num)d notification)",
                "Performance portal: your daily digest (%(num)d notifications)",
                total,
            )
            heading = _("Your daily digest")
        return mailer.build_message(
            person,
            subject,
            "digest",
            digest=digest,
            heading=heading,
            items=items,
            total=total,
            more=max(total - MAX_ITEMS, 0),
            list_url=mailer.absolute_url("/notifications/"),
        )


def _claim(digest_id: int, now: datetime) -> bool:
    claimed = db.session.execute(
        update(NotificationDigest)
        .where(NotificationDigest.id == digest_id, NotificationDigest.state == "pending")
        .values(state="sending", next_at=now)
    ).rowcount
    db.session.commit()
    return claimed == 1


def _send_ready(now: datetime) -> int:
    db.session.execute(
        update(NotificationDigest)
        .where(
            NotificationDigest.state == "sending",
            NotificationDigest.next_at <= now - STALE_CLAIM,
        )
        .values(state="pending")
    )
    db.session.commit()
    ids = list(
        db.session.scalars(
            select(NotificationDigest.id)
            .where(NotificationDigest.state == "pending", NotificationDigest.next_at <= now)
            .order_by(NotificationDigest.id)
        )
    )
    sent = 0
    for digest_id in ids:
        if not _claim(digest_id, now):
            continue
        digest = db.session.get(NotificationDigest, digest_id)
        try:
            mailer.send([digest_message(digest, digest.person)])
        except Exception as error:
            log.warning("digest %s not sent: %s", digest_id, error)
            db.session.rollback()
            digest = db.session.get(NotificationDigest, digest_id)
            digest.attempts += 1
            digest.error = f"{type(error).__name__}: {error}"[:255]
            if digest.attempts >= MAX_ATTEMPTS:
                digest.state = "failed"
            else:
                digest.state = "pending"
                digest.next_at = now + backoff(digest.attempts)
            db.session.commit()
            continue
        digest.state = "sent"
        digest.sent_at = now
        digest.attempts += 1
        digest.error = None
        db.session.commit()
        sent += 1
    return sent


def send_due(now: datetime) -> int:
    """Make the digests that are due and send every ready one; returns how many were sent."""
    _create_due(now)
    return _send_ready(now)
