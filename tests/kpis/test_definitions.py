"""Defining KPIs: what is kept, archive not delete, targets per market or team. Who may is in
test_kpi_setup_scope.py and the authorization matrix."""

from __future__ import annotations

from sqlalchemy import select

from portal.audit import AuditEntry
from portal.extensions import db
from portal.kpis.models import Kpi, KpiTarget
from tests.conftest import as_user, post_form

NEW = {
    "code": "csat",
    "name": "CSAT",
    "unit": "/5",
    "direction": "higher",
    "aggregation": "weighted",
    "decimals": "2",
}


def test_hr_defines_a_kpi_and_it_is_audited(client, world):
    as_user(client, world.hr)
    response = post_form(client, "/kpis/new", NEW)
    assert response.status_code == 303
    kpi = db.session.execute(select(Kpi).where(Kpi.code == "csat")).scalar_one()
    assert kpi.aggregation == "weighted"
    assert db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "kpi.create")
    ).scalar_one()


def test_bad_input_answers_422_and_keeps_what_was_typed(client, world):
    as_user(client, world.hr)
    response = post_form(client, "/kpis/new", {**NEW, "code": "Bad Code!", "name": "Kept name"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Lower-case letters" in body and "Kept name" in body


def test_a_duplicate_code_is_refused_at_the_field(client, world):
    as_user(client, world.hr)
    post_form(client, "/kpis/new", NEW)
    response = post_form(client, "/kpis/new", NEW)
    assert response.status_code == 422
    assert "Another KPI has this code" in response.get_data(as_text=True)


def test_an_agent_or_a_manager_may_not_define(client, world):
    for person in (world.agent_a1, world.manager_hk, world.head):
        as_user(client, person)
        assert post_form(client, "/kpis/new", NEW).status_code == 403
    assert db.session.execute(select(Kpi)).first() is None


def test_archiving_keeps_the_kpi_and_restoring_brings_it_back(client, world):
    as_user(client, world.hr)
    post_form(client, "/kpis/new", NEW)
    kpi = db.session.execute(select(Kpi)).scalar_one()
    post_form(client, f"/kpis/{kpi.id}/archive")
    db.session.refresh(kpi)
    assert kpi.is_archived
    post_form(client, f"/kpis/{kpi.id}/archive")
    db.session.refresh(kpi)
    assert not kpi.is_archived


def test_a_stale_edit_answers_409(client, world):
    as_user(client, world.hr)
    post_form(client, "/kpis/new", NEW)
    kpi = db.session.execute(select(Kpi)).scalar_one()
    response = post_form(client, f"/kpis/{kpi.id}/edit", {**NEW, "name": "New", "version": "99"})
    assert response.status_code == 409
    response = post_form(
        client, f"/kpis/{kpi.id}/edit", {**NEW, "name": "New", "version": str(kpi.version)}
    )
    assert response.status_code == 303


def test_targets_are_set_once_per_market_or_team_and_replaced(client, world):
    as_user(client, world.hr)
    post_form(client, "/kpis/new", NEW)
    kpi = db.session.execute(select(Kpi)).scalar_one()
    market = f"market:{world.team_a.market_id}"
    team = f"team:{world.team_a.id}"
    post_form(client, f"/kpis/{kpi.id}/targets", {"scope": market, "target": "4.5"})
    post_form(client, f"/kpis/{kpi.id}/targets", {"scope": market, "target": "4.6"})
    post_form(client, f"/kpis/{kpi.id}/targets", {"scope": team, "target": "4.8"})
    targets = db.session.execute(select(KpiTarget).order_by(KpiTarget.id)).scalars().all()
    assert [(t.market_id, t.team_id, str(t.target)) for t in targets] == [
        (world.team_a.market_id, None, "4.600000"),
        (None, world.team_a.id, "4.800000"),
    ]
    response = post_form(client, f"/kpis/{kpi.id}/targets", {"scope": market, "target": "x"})
    assert response.status_code == 422
