"""The improvement-plan pages: reading a plan, its PDF and the export are audited; the list
pages by keyset with a fixed number of queries and filters by state and person; forms keep what
was typed; the profile and the menu lead to the plans."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader
from sqlalchemy import select

from portal.audit import AuditEntry
from portal.extensions import db
from portal.improvement import plans as service
from portal.improvement.models import ImprovementPlan
from tests.conftest import count_queries, csrf_header, login
from tests.improvement.helpers import active_plan, check_in, draft_plan


def audited(action: str, actor) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == action, AuditEntry.actor_id == actor.id)
        )
    )


def test_every_read_of_a_plan_page_is_audited(client, world):
    plan = active_plan(world)
    login(client, world.agent_a1)
    assert client.get(f"/improvement/{plan.id}").status_code == 200
    assert client.get(f"/improvement/{plan.id}").status_code == 200
    entries = audited("pip.view", world.agent_a1)
    assert [(e.record_type, e.record_id) for e in entries] == [("improvement_plan", plan.id)] * 2


def test_the_pdf_is_audited_and_holds_the_plan(client, world):
    plan = active_plan(world)
    check_in(world, plan, date(2026, 3, 9), qa=70, note="Went through five contacts")
    login(client, world.manager_hk)
    response = client.get(f"/improvement/{plan.id}/plan.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)
    assert "QA scores below 70" in text and "Went through five contacts" in text
    assert "does not mean they agree" in text
    assert len(audited("pip.pdf", world.manager_hk)) == 1


def test_the_export_is_audited_and_lists_only_the_plans_the_viewer_sees(client, world):
    active_plan(world)
    active_plan(world, person=world.agent_c1, by=world.hr)
    login(client, world.sup_a)
    body = client.get("/improvement/export.csv").get_data(as_text=True)
    assert "MK-A1" in body and "MK-C1" not in body
    [entry] = audited("pip.export", world.sup_a)
    assert entry.after == {"plans": 1}


def test_the_list_query_count_does_not_grow_with_the_plans(app, client, world):
    active_plan(world)
    login(client, world.hr)
    with count_queries(app) as few:
        assert client.get("/improvement/").status_code == 200
    for person in (world.agent_a2, world.agent_b1, world.agent_c1, world.sup_b):
        plan = active_plan(world, person=person, by=world.hr)
        check_in(world, plan, date(2026, 3, 9), qa=70, response=20)
    with count_queries(app) as many:
        page = client.get("/improvement/").get_data(as_text=True)
    assert "MK-C1" in page
    assert len(many) == len(few)


def rows(html: str) -> str:
    """The list's table (the filter above it names every person with a plan)."""
    return html.split('id="plan-rows"', 1)[1]


def test_the_list_filters_by_state_and_person_and_pages_by_keyset(app, client, world):
    app.config["PAGE_SIZE"] = 2
    try:
        active_plan(world)
        draft_plan(world, person=world.agent_a2)
        active_plan(world, person=world.agent_b1, by=world.manager_hk)
        login(client, world.manager_hk)
        first = rows(client.get("/improvement/").get_data(as_text=True))
        assert "MK-A1" in first and "MK-A2" in first and "MK-B1" not in first
        assert 'rel="next"' in first
        after = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
        second = rows(client.get(after.replace("&amp;", "&")).get_data(as_text=True))
        assert "MK-B1" in second and "MK-A2" not in second
        drafts = rows(client.get("/improvement/?state=draft").get_data(as_text=True))
        assert "MK-A2" in drafts and "MK-A1" not in drafts and "MK-B1" not in drafts
        only_b1 = rows(
            client.get(f"/improvement/?person={world.agent_b1.id}").get_data(as_text=True)
        )
        assert "MK-B1" in only_b1 and "MK-A1" not in only_b1
    finally:
        app.config["PAGE_SIZE"] = 25


def test_a_damaged_cursor_or_filter_never_answers_500(client, world):
    login(client, world.sup_a)
    assert client.get("/improvement/?after=zzz").status_code == 400
    assert client.get("/improvement/?state=%00&person=99999999999999").status_code == 200


def test_an_employee_sees_their_own_plan_with_the_acknowledgment_form(client, world):
    plan = active_plan(world)
    login(client, world.agent_a1)
    mine = client.get("/improvement/").get_data(as_text=True)
    assert f"/improvement/{plan.id}" in mine and "Waiting for your acknowledgment" in mine
    page = client.get(f"/improvement/{plan.id}").get_data(as_text=True)
    assert "It does not mean you agree with it" in page
    assert "Record a check-in" not in page and "Record the outcome" not in page


def test_creating_a_plan_through_the_form_keeps_what_was_typed_when_refused(client, world):
    login(client, world.sup_a)
    headers = {"X-CSRFToken": csrf_header(client)}
    form = {
        "version": "0",
        "person_id": str(world.agent_a1.id),
        "reason": "Keeps missing the callback window",
        "support": "",
        "starts_on": "2026-03-02",
        "length_days": "45",
        "check_in_every_days": "7",
        "token": "new-1",
    }
    refused = client.post("/improvement/new", data=form, headers=headers)
    assert refused.status_code == 422
    assert "Keeps missing the callback window" in refused.get_data(as_text=True)
    made = client.post("/improvement/new", data={**form, "length_days": "30"}, headers=headers)
    assert made.status_code == 303
    again = client.post("/improvement/new", data={**form, "length_days": "30"}, headers=headers)
    assert again.status_code == 303 and again.location == made.location
    assert db.session.scalar(select(db.func.count(ImprovementPlan.id))) == 1


def test_a_check_in_with_a_bad_value_is_refused_at_the_value_keeping_the_note(client, world):
    plan = active_plan(world)
    qa_id = plan.expectations[0].id
    login(client, world.sup_a)
    headers = {"X-CSRFToken": csrf_header(client)}
    response = client.post(
        f"/improvement/{plan.id}/check-ins",
        data={
            "held_on": "2026-03-09",
            "note": "We listened to three calls",
            "token": "ci-x",
            f"value-{qa_id}": "seventy",
        },
        headers=headers,
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "We listened to three calls" in page and 'value="seventy"' in page
    assert f'id="value-{qa_id}-err"' in page


def test_an_outcome_form_from_a_stale_page_answers_409(client, world):
    plan = active_plan(world)
    stale = plan.version
    service.acknowledge_plan(plan, world.agent_a1, comment="", expected_version=plan.version)
    login(client, world.sup_a)
    response = client.post(
        f"/improvement/{plan.id}/outcome",
        data={"version": str(stale), "outcome": "met", "extend_days": "", "reason": "Done well"},
        headers={"X-CSRFToken": csrf_header(client)},
    )
    assert response.status_code == 409
    assert "Done well" in response.get_data(as_text=True)


def test_the_profile_leads_to_the_plans_and_the_menu_offers_them_to_managers(client, world):
    login(client, world.sup_a)
    profile = client.get(f"/org/people/{world.agent_a1.id}").get_data(as_text=True)
    assert f"/improvement/?person={world.agent_a1.id}" in profile
    assert f"/improvement/new?person={world.agent_a1.id}" in profile
    assert 'href="/improvement/"' in client.get("/").get_data(as_text=True)


def test_the_edit_page_saves_a_draft(client, world):
    plan = draft_plan(world)
    login(client, world.sup_a)
    assert client.get(f"/improvement/{plan.id}/edit").status_code == 200
    response = client.post(
        f"/improvement/{plan.id}/edit",
        data={
            "version": str(plan.version),
            "reason": "Reworded",
            "support": "A mentor",
            "starts_on": "2026-03-02",
            "length_days": "60",
            "check_in_every_days": "14",
        },
        headers={"X-CSRFToken": csrf_header(client)},
    )
    assert response.status_code == 303
    db.session.expire_all()
    saved = db.session.get(ImprovementPlan, plan.id)
    assert (saved.reason, saved.length_days, saved.check_in_every_days) == ("Reworded", 60, 14)
    assert saved.ends_on == date(2026, 5, 1)
