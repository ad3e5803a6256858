"""E-mail the notifications whose recipient wants them at once.

`send_pending(now)` is safe to call every minute, from several workers at once:
- each notification is claimed before it is sent (pending -> sending, one UPDATE that only one
  caller can win) and committed, so two callers never send the same one;
- sent -> "sent" with `emailed_at`; a failure puts it back to "pending" with its attempts
  counted and the next try later (1, 2, 4, ... minutes, at most 6 hours apart); after
  MAX_ATTEMPTS it is "failed" — and in every case it stays in the portal's list;
- a claim older than STALE_CLAIM (the sender died between claiming and recording the outcome)
  goes back to pending: the one case where a message may go out twice, since the server may
  have accepted it before the sender died.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from portal.extensions import db
from portal.notify import mailer, service
from portal.notify.models import Notification
from portal.org.models import Person

log = logging.getLogger(__name__)

BATCH = 200
MAX_ATTEMPTS = 12
STALE_CLAIM = timedelta(minutes=30)
MAX_BACKOFF = timedelta(hours=6)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failures: 1, 2, 4, ... minutes, capped."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _short(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:255]


def _release_stale_claims(now: datetime) -> None:
    db.session.execute(
        update(Notification)
        .where(
            Notification.email_state == "sending",
            Notification.email_next_at <= now - STALE_CLAIM,
        )
        .values(email_state="pending")
    )


def _claim(note_id: int, now: datetime) -> bool:
    claimed = db.session.execute(
        update(Notification)
        .where(Notification.id == note_id, Notification.email_state == "pending")
        .values(email_state="sending", email_next_at=now)
    ).rowcount
    db.session.commit()
    return claimed == 1


def notification_message(note: Notification, person: Person):
    """The e-mail for one notification, in the recipient's language and zone."""
    with mailer.as_recipient(person):
        text = service.message(note)
        subject = _("Performance portal: %(message)s", message=text)
        return mailer.build_message(
            person,
            subject,
            "notification",
            unsubscribe_url=mailer.preference_url(person.id, note.kind),
            note=note,
            text=text,
            details=note.details,
            link=mailer.absolute_url(note.url),
            kind_label=_kind_label(note.kind),
            preference_link=mailer.preference_url(person.id, note.kind),
        )


def _kind_label(kind: str) -> str:
    from portal.notify.preferences import kind_label

    return kind_label(kind)


def send_pending(now: datetime) -> int:
    """E-mail the due pending notifications; returns how many were sent. Commits."""
    _release_stale_claims(now)
    db.session.commit()
    due = db.session.execute(
        select(Notification.id)
        .where(Notification.email_state == "pending", Notification.email_next_at <= now)
        .order_by(Notification.email_next_at, Notification.id)
        .limit(BATCH)
    ).scalars()
    ids = list(due)
    if not ids:
        return 0
    sent = 0
    conn = mailer.connection()
    try:
        conn.open()
    except Exception as error:  # the server is down: every one of them waits for later
        log.warning("mail server unreachable: %s", error)
        for note_id in ids:
            if _claim(note_id, now):
                _failed(note_id, now, error)
        return 0
    try:
        for note_id in ids:
            if not _claim(note_id, now):
                continue  # another sender took it
            note = db.session.get(Notification, note_id)
            if note is None:
                continue
            person = note.person
            if not person.is_active or not person.email:
                note.email_state = "none"
                db.session.commit()
                continue
            try:
                mailer.send([notification_message(note, person)], conn)
            except Exception as error:
                log.warning("notification %s not e-mailed: %s", note_id, error)
                db.session.rollback()
                _failed(note_id, now, error)
                _reopen(conn)
                continue
            note.email_state = "sent"
            note.emailed_at = now
            note.email_attempts = (note.email_attempts or 0) + 1
            note.email_error = None
            db.session.commit()
            sent += 1
    finally:
        try:
            conn.close()
        except Exception:  # noqa: BLE001 - closing a broken connection
            pass
    return sent


def _reopen(conn) -> None:
    """After a refused message, start the next one on a fresh connection."""
    try:
        conn.close()
    except Exception:  # noqa: BLE001
        pass
    try:
        conn.open()
    except Exception:  # noqa: BLE001 - the next send raises and is counted
        pass


def _failed(note_id: int, now: datetime, error: BaseException) -> None:
    note = db.session.get(Notification, note_id)
    if note is None:
        return
    note.email_attempts = (note.email_attempts or 0) + 1
    note.email_error = _short(error)
    if note.email_attempts >= MAX_ATTEMPTS:
        note.email_state = "failed"
        note.email_next_at = None
    else:
        note.email_state = "pending"
        note.email_next_at = now + backoff(note.email_attempts)
    db.session.commit()
