"""Certifications: states at their edges, earned by a course or granted, reminders once."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from portal.errors import Forbidden
from portal.extensions import db
from portal.notify.models import Notification
from portal.training import assignments, certifications
from portal.training.cert_rules import CertState, add_months, needs_reminder, state
from portal.training.models import Certification
from tests.conftest import as_user, post_form
from tests.training import helpers

EXPIRES = date(2027, 3, 31)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (EXPIRES - timedelta(days=31), CertState.VALID),
        (EXPIRES - timedelta(days=30), CertState.EXPIRING),  # the alert window opens
        (EXPIRES - timedelta(days=1), CertState.EXPIRING),
        (EXPIRES, CertState.EXPIRED),  # expires on that day
        (EXPIRES + timedelta(days=400), CertState.EXPIRED),
    ],
)
def test_state_at_the_edges(today, expected):
    assert state(EXPIRES, today) == expected


def test_no_expiry_is_always_valid_and_the_window_is_a_parameter():
    assert state(None, date(2099, 1, 1)) == CertState.VALID
    assert state(EXPIRES, EXPIRES - timedelta(days=7), alert_days=7) == CertState.EXPIRING
    assert state(EXPIRES, EXPIRES - timedelta(days=8), alert_days=7) == CertState.VALID


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 23), 12, date(2027, 11, 23)),
        (date(2026, 12, 15), 2, date(2027, 2, 15)),
    ],
)
def test_add_months_clamps_to_the_month_end(day, months, expected):
    assert add_months(day, months) == expected


@given(st.dates(date(2000, 1, 1), date(2100, 1, 1)), st.integers(-100, 100))
def test_a_reminder_is_due_exactly_outside_the_valid_state(expires, offset):
    today = expires + timedelta(days=offset)
    assert needs_reminder(expires, today, False) == (state(expires, today) != CertState.VALID)
    assert not needs_reminder(expires, today, True)


def test_completing_a_certifying_course_earns_a_certification(app, world):
    course = helpers.course(world.trainer, kind="classroom", certification_months=12)
    assignments.confirm_completion(world.trainer, world.agent_c1, course, date(2026, 11, 23))
    cert = db.session.scalars(select(Certification)).one()
    assert (cert.person_id, cert.expires_on, cert.source) == (
        world.agent_c1.id, date(2027, 11, 23), "course",
    )  # fmt: skip


def test_a_trainer_grants_within_reach_only(app, client, world):
    as_user(client, world.trainer)
    url = f"/training/people/{world.agent_c1.id}/certifications"
    bad = post_form(
        client, url, {"name": "Kept", "earned_on": "2026-11-01", "expires_on": "2026-10-01"}
    )
    assert bad.status_code == 422 and 'value="Kept"' in bad.get_data(as_text=True)
    ok = post_form(
        client, url, {"name": "Forklift", "earned_on": "2026-11-01", "expires_on": "2027-11-01"}
    )
    assert ok.status_code == 303
    assert "Forklift" in client.get(f"/training/people/{world.agent_c1.id}").get_data(as_text=True)
    assert (
        post_form(client, f"/training/people/{world.agent_a1.id}/certifications").status_code == 404
    )
    with pytest.raises(Forbidden):
        certifications.grant_certification(world.sup_c, world.agent_c1, "X", date(2026, 1, 1), None)


def test_renewal_reminders_are_notifications_sent_once(app, world):
    today = date(2026, 11, 23)
    now = datetime(2026, 11, 23, 1, tzinfo=UTC)
    plan = [("Soon", 10), ("Later", 90), ("Gone", -1)]
    for name, days in plan:
        expires = today + timedelta(days=days)
        db.session.add(
            Certification(person_id=world.agent_a1.id, name=name, source="granted",
                          earned_on=date(2025, 1, 1), expires_on=expires)
        )  # fmt: skip
    db.session.commit()
    assert certifications.send_renewal_reminders(today, now) == 2
    assert certifications.send_renewal_reminders(today, now) == 0
    kinds = db.session.scalars(
        select(Notification.params).where(Notification.kind == "certification.renewal")
    ).all()
    assert sorted(p["name"] for p in kinds) == ["Gone", "Soon"]


def test_certifications_show_with_their_state_on_my_training(app, client, world):
    db.session.add(
        Certification(
            person_id=world.agent_a1.id,
            name="Expiring MK",
            source="granted",
            earned_on=date(2025, 1, 1),
            expires_on=datetime.now(UTC).date() + timedelta(days=5),
        )
    )
    db.session.commit()
    as_user(client, world.agent_a1)
    body = client.get("/training/").get_data(as_text=True)
    assert "Expiring MK" in body and "Expiring: renew it" in body
