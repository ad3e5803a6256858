"""Certifications: earned by completing a course that certifies, or granted by a trainer;
their renewal reminders are notification records, sent once per certification."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal import audit, policy
from portal.errors import InvalidTransition
from portal.extensions import db
from portal.notify.service import notify, register_kind
from portal.org.models import Person
from portal.training.cert_rules import DEFAULT_ALERT_DAYS, add_months, needs_reminder
from portal.training.models import Certification, CertificationSource, Course

register_kind(
    "certification.renewal",
    _l("Your certification %(name)s expires on %(expires)s: renew it in time"),
    label=_l("A certification of mine is due for renewal"),
)


def issue_for_course(person_id: int, course: Course, on: date) -> Certification | None:
    """The certification a completed course carries (flushes; the caller commits)."""
    if not course.certification_months:
        return None
    cert = Certification(
        person_id=person_id,
        name=course.title,
        course_id=course.id,
        source=CertificationSource.COURSE,
        earned_on=on,
        expires_on=add_months(on, course.certification_months),
    )
    db.session.add(cert)
    db.session.flush()
    return cert


def grant_certification(
    by: Person, person: Person, name: str, earned_on: date, expires_on: date | None
) -> Certification:
    """A trainer grants a certification to a person in their training scope (the caller
    loaded the person through it)."""
    policy.require(by, "training.confirm", person)
    if expires_on is not None and expires_on <= earned_on:
        raise InvalidTransition()
    cert = Certification(
        person_id=person.id,
        name=name.strip(),
        source=CertificationSource.GRANTED,
        earned_on=earned_on,
        expires_on=expires_on,
        granted_by_id=by.id,
    )
    db.session.add(cert)
    db.session.flush()
    audit.record(
        by,
        "certification.grant",
        "certification",
        cert.id,
        None,
        {
            "person_id": person.id,
            "name": cert.name,
            "earned_on": earned_on.isoformat(),
            "expires_on": expires_on.isoformat() if expires_on else None,
        },
    )
    db.session.commit()
    return cert


def certifications_for(person_id: int) -> list[Certification]:
    return list(
        db.session.scalars(
            select(Certification)
            .where(Certification.person_id == person_id)
            .order_by(
                Certification.expires_on.is_(None), Certification.expires_on, Certification.id
            )
        )
    )


def send_renewal_reminders(today: date, now: datetime, alert_days: int = DEFAULT_ALERT_DAYS) -> int:
    """Notify each holder whose certification entered its alert window and was not reminded
    yet; returns how many reminders were recorded. Run daily (`flask training reminders`)."""
    from datetime import timedelta

    horizon = today + timedelta(days=alert_days)
    candidates = db.session.scalars(
        select(Certification).where(
            Certification.reminded_at.is_(None),
            Certification.expires_on.is_not(None),
            Certification.expires_on <= horizon,
        )
    )
    sent = 0
    for cert in candidates:
        if not needs_reminder(cert.expires_on, today, False, alert_days):
            continue
        notify(
            cert.person_id,
            None,
            "certification.renewal",
            "certification",
            cert.id,
            "/training/",
            name=cert.name,
            expires=cert.expires_on.isoformat() if cert.expires_on else "",
        )
        cert.reminded_at = now
        sent += 1
    audit.record(None, "certification.reminders", "certification", None, None, {"sent": sent})
    db.session.commit()
    return sent
