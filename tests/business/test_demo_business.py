"""The demo's business reviews: held ones with frozen figures, decisions and action items,
scheduled ones, carried-over items; and the pages work on it for the fixed sign-ins."""

from __future__ import annotations

from sqlalchemy import func, select

from portal.business.models import BusinessActionItem, BusinessDecision, BusinessReview
from portal.demo import load
from portal.extensions import db
from portal.org.models import Market, Person
from tests.conftest import as_user, in_language


def _login(local: str) -> Person:
    return db.session.scalars(select(Person).where(Person.email == load.login_email(local))).one()


def test_the_demo_has_held_and_scheduled_business_reviews(app, client):
    assert load.load_demo(if_empty=True)
    statuses = dict(
        db.session.execute(
            select(BusinessReview.status, func.count()).group_by(BusinessReview.status)
        ).all()
    )
    assert statuses["held"] >= 5 and statuses["scheduled"] >= 5
    held = db.session.scalars(select(BusinessReview).where(BusinessReview.status == "held")).all()
    assert all(r.snapshot and r.snapshot["kpis"] for r in held)
    assert any(k["value"] is not None for r in held for k in r.snapshot["kpis"]), (
        "the frozen figures carry the demo's KPI values"
    )
    assert db.session.scalar(select(func.count()).select_from(BusinessDecision)) >= 10
    open_items = db.session.scalar(
        select(func.count()).where(BusinessActionItem.is_done.is_(False))
    )
    assert open_items > 0

    supervisor = _login("supervisor.hk")
    as_user(client, supervisor)
    in_language(client, "en")
    listing = client.get("/business/").get_data(as_text=True)
    assert "WBR" in listing
    latest = db.session.scalars(
        select(BusinessReview)
        .where(BusinessReview.person_id == supervisor.id)
        .order_by(BusinessReview.period_start.desc())
    ).first()
    page = client.get(f"/business/reviews/{latest.id}").get_data(as_text=True)
    assert "Still open from the previous review" in page
    manager = _login("manager.hk")
    as_user(client, manager)
    in_language(client, "en")
    hk = db.session.scalars(select(Market).where(Market.code == "HK")).one()
    assert client.get(f"/business/markets/{hk.id}/summary").status_code == 200
    assert client.get(f"/business/markets/{hk.id}/summary?period=quarter").status_code == 200
