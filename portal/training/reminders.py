"""Training reminders before things are late, recorded as notifications: a course falling due
within three days, and a certification expiring within three days (the last call after the
renewal reminder `certifications.send_renewal_reminders` sends when the alert window opens).
Run hourly by `portal.reminders.run_all`; each is sent once per due or expiry date."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from portal.extensions import db
from portal.notify.service import notify, register_kind
from portal.org.models import Person
from portal.reminders import OCCASION, sent_before
from portal.training.assignments import training_items
from portal.training.models import Certification
from portal.training.status import Status

DUE_SOON_KIND = "training.due_soon"
EXPIRING_KIND = "certification.expiring"
register_kind(
    DUE_SOON_KIND,
    _l("The course %(course)s is due on %(due)s"),
    label=_l("A course of mine is due soon"),
)
register_kind(
    EXPIRING_KIND,
    _l("Your certification %(name)s expires on %(expires)s: renew it now"),
    label=_l("A certification of mine expires within days"),
    urgent=True,
)

SOON = timedelta(days=3)


def send_due_soon(now: datetime) -> int:
    """Tell each person, once per (course, due date), that a course not complete is due
    within three days. One query for the items, one for what was sent. Commits."""
    today = now.date()
    items = [
        item
        for item in training_items(select(Person.id), today, due_between=(today, today + SOON))
        if item.standing.status == Status.DUE
    ]
    already = sent_before(DUE_SOON_KIND, [item.course_id for item in items])
    count = 0
    for item in items:
        occasion = item.due_on.isoformat()
        if (item.person_id, item.course_id, occasion) in already:
            continue
        notify(
            item.person_id,
            None,
            DUE_SOON_KIND,
            "course",
            item.course_id,
            "/training/",
            course=item.course_title,
            due=occasion,
            **{OCCASION: occasion},
        )
        already.add((item.person_id, item.course_id, occasion))
        count += 1
    db.session.commit()
    return count


def send_certifications_expiring(now: datetime) -> int:
    """Tell each active holder, once per expiry date, that a certification expires within
    three days, unless they earned it again since (a renewal). Commits."""
    today = now.date()
    later = aliased(Certification)
    renewed = exists().where(
        later.person_id == Certification.person_id,
        later.name == Certification.name,
        later.earned_on > Certification.earned_on,
    )
    certs = list(
        db.session.scalars(
            select(Certification)
            .join(Person, Person.id == Certification.person_id)
            .where(
                Person.is_active.is_(True),
                Certification.expires_on.is_not(None),
                Certification.expires_on > today,
                Certification.expires_on <= today + SOON,
                ~renewed,
            )
            .order_by(Certification.id)
        )
    )
    already = sent_before(EXPIRING_KIND, [c.id for c in certs])
    count = 0
    for cert in certs:
        occasion = cert.expires_on.isoformat() if cert.expires_on else ""
        if (cert.person_id, cert.id, occasion) in already:
            continue
        notify(
            cert.person_id,
            None,
            EXPIRING_KIND,
            "certification",
            cert.id,
            "/training/",
            name=cert.name,
            expires=occasion,
            **{OCCASION: occasion},
        )
        count += 1
    db.session.commit()
    return count
