"""Courses due soon and certifications about to expire remind their person once; decided
nominations reach the nominee and the nominator (a decline only the nominator)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from portal.db import utcnow
from portal.extensions import db
from portal.notify.models import Notification
from portal.training import programmes
from portal.training import reminders as training
from portal.training.models import Certification, CertificationSource
from tests.notify.helpers import told
from tests.training.helpers import assign, course

NOW = datetime(2026, 3, 8, 9, 0, tzinfo=UTC)


def test_a_course_due_within_three_days_reminds_the_person_once(world):
    soon = course(world.hr, title="Soon MK-SOON")
    later = course(world.hr, title="Later MK-LATER")
    assign(world.hr, soon, due_on=date(2026, 3, 10), person_id=world.agent_a1.id)
    assign(world.hr, later, due_on=date(2026, 3, 20), person_id=world.agent_a1.id)
    assert training.send_due_soon(NOW) == 1
    assert told(training.DUE_SOON_KIND) == [(world.agent_a1.id, soon.id, "/training/")]
    assert training.send_due_soon(NOW) == 0
    assert training.send_due_soon(datetime(2026, 3, 9, 9, 0, tzinfo=UTC)) == 0
    assert training.send_due_soon(datetime(2026, 3, 17, 9, 0, tzinfo=UTC)) == 1  # the later one
    assert world.sup_a.id not in [p for p, _r, _u in told(training.DUE_SOON_KIND)]


def test_a_certification_expiring_within_three_days_reminds_its_holder_once(world):
    def cert(person, earned, expires):
        row = Certification(person_id=person.id, name="Safety MK-CERT",
                            source=CertificationSource.GRANTED, earned_on=earned,
                            expires_on=expires)  # fmt: skip
        db.session.add(row)
        return row

    expiring = cert(world.agent_a1, date(2025, 3, 10), date(2026, 3, 10))
    cert(world.agent_a2, date(2025, 3, 10), date(2026, 3, 10))
    cert(world.agent_a2, date(2026, 3, 1), date(2027, 3, 1))  # A2 renewed it already
    cert(world.agent_b1, date(2025, 3, 20), date(2026, 3, 20))  # not within three days
    db.session.commit()
    assert training.send_certifications_expiring(NOW) == 1
    assert told(training.EXPIRING_KIND) == [(world.agent_a1.id, expiring.id, "/training/")]
    assert training.send_certifications_expiring(NOW) == 0


@pytest.fixture
def programme(world):
    return programmes.create_programme(
        world.manager_hk, name="Star MK-STAR", cadence="monthly", team_id=world.team_a.id,
        market_id=None, winners_per_period=1,
    )  # fmt: skip


def test_a_decided_nomination_reaches_the_nominee_and_the_nominator(world, programme):
    today = utcnow().date()
    url = f"/recognition/programmes/{programme.id}"
    first = programmes.nominate(world.sup_a, programme, world.agent_a1, "Great", today)
    programmes.decide(world.manager_hk, first, "approve", utcnow())
    assert told("nomination.approved") == sorted(
        [(world.agent_a1.id, first.id, url), (world.sup_a.id, first.id, url)]
    )
    programmes.decide(world.manager_hk, first, "win", utcnow())
    assert told("programme.won") == [(world.agent_a1.id, first.id, url)]
    assert told("nomination.won") == [(world.sup_a.id, first.id, url)]


def test_a_declined_nomination_reaches_the_nominator_only(world, programme):
    nomination = programmes.nominate(
        world.sup_a, programme, world.agent_a2, "Secret MK", utcnow().date()
    )
    programmes.decide(world.manager_hk, nomination, "decline", utcnow())
    url = f"/recognition/programmes/{programme.id}"
    assert told("nomination.declined") == [(world.sup_a.id, nomination.id, url)]
    kinds = db.session.scalars(
        select(Notification.kind).where(Notification.person_id == world.agent_a2.id)
    ).all()
    assert not [k for k in kinds if k.startswith(("nomination.", "programme."))]
