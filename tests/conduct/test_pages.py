"""The corrective action pages: the form (bad input kept at the field), the action's page and its
steps, the list (filters, keyset paging, query count flat), the audited CSV export, the link from
the profile and the menu entry."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from portal.audit import AuditEntry
from portal.conduct.models import CorrectiveAction
from portal.extensions import db
from tests.conduct.helpers import HELD, a1_evaluation, issued, write
from tests.conftest import as_user, count_queries, post_form


def audited(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_the_form_keeps_what_was_typed_and_saves_a_draft_linked_to_an_evaluation(app, world):
    evaluation = a1_evaluation(world)
    client = as_user(app.test_client(), world.sup_a)
    url = f"/conduct/new/{world.agent_a1.id}"
    page = client.get(url).get_data(as_text=True)
    assert f"QA evaluation #{evaluation.id}" in page
    assert 'for="follow_up_1"' in page
    bad = post_form(
        client,
        url,
        {"kind": "written_warning", "held_on": "2026-03-02", "facts": "Typed facts", "token": "t"},
    )
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    assert "Typed facts" in body and "Give at least one follow-up date." in body
    good = post_form(
        client,
        url,
        {
            "kind": "written_warning",
            "held_on": "2026-03-02",
            "facts": "Typed facts",
            "expectations": "Be on time",
            "follow_up_1": "2026-03-16",
            "links_evaluation": str(evaluation.id),
            "token": "t",
        },
    )
    assert good.status_code == 303
    action = db.session.scalars(select(CorrectiveAction)).one()
    assert good.headers["Location"].endswith(f"/conduct/{action.id}")
    detail = client.get(f"/conduct/{action.id}").get_data(as_text=True)
    assert f'href="/qa/evaluations/{evaluation.id}"' in detail
    assert "Issue to" in detail


def test_the_page_is_audited_and_the_person_acknowledges_from_it(app, world):
    action = issued(world)
    client = as_user(app.test_client(), world.agent_a1)
    page = client.get(f"/conduct/{action.id}").get_data(as_text=True)
    assert "Acknowledge" in page and "Late three times" in page
    assert [e.actor_id for e in audited("conduct.view")] == [world.agent_a1.id]
    response = post_form(
        client,
        f"/conduct/{action.id}/acknowledge",
        {"comment": "I was stuck in traffic", "version": str(action.version)},
    )
    assert response.status_code == 303
    db.session.refresh(action)
    assert action.state == "acknowledged"
    page = client.get(f"/conduct/{action.id}").get_data(as_text=True)
    assert "I was stuck in traffic" in page and "Acknowledging is not agreeing" in page


def test_a_stale_acknowledgment_answers_409_and_keeps_the_comment(app, world):
    action = issued(world)
    client = as_user(app.test_client(), world.agent_a1)
    response = post_form(
        client,
        f"/conduct/{action.id}/acknowledge",
        {"comment": "My words", "version": str(action.version - 1)},
    )
    assert response.status_code == 409
    assert "My words" in response.get_data(as_text=True)


def test_the_list_filters_and_shows_expired_actions_as_expired(app, world):
    old = issued(world, kind="verbal_warning", today=date(2024, 1, 10))  # expired in 2025
    recent = issued(world, today=date.today())
    client = as_user(app.test_client(), world.manager_hk)

    def ids(query: str) -> set[int]:
        body = client.get(f"/conduct/?{query}").get_data(as_text=True)
        return {int(i) for i in re.findall(r'href="/conduct/(\d+)"', body)}

    assert ids("") == {old.id, recent.id}
    assert ids("state=expired") == {old.id}
    assert ids("state=active") == {recent.id}
    assert ids("kind=verbal_warning") == {old.id}
    assert ids("whose=mine") == set()
    assert ids(f"person={world.agent_a1.id}") == {old.id, recent.id}
    assert ids(f"person={world.agent_a2.id}") == set()
    body = client.get("/conduct/?state=expired").get_data(as_text=True)
    assert "Expired" in body
    assert audited("conduct.list")


def test_the_person_sees_their_own_in_the_list_and_a_peer_sees_none(app, world):
    action = issued(world)
    write(world)  # a draft: sup_a's alone
    mine = as_user(app.test_client(), world.agent_a1).get("/conduct/?whose=mine")
    assert f'href="/conduct/{action.id}"' in mine.get_data(as_text=True)
    for viewer in (world.agent_a2, world.qa, world.trainer, world.sup_b):
        body = as_user(app.test_client(), viewer).get("/conduct/").get_data(as_text=True)
        assert "/conduct/" + str(action.id) not in body and "MK-A1" not in body


def test_the_list_pages_by_keyset(app, world, monkeypatch):
    monkeypatch.setitem(app.config, "PAGE_SIZE", 2)
    made = [issued(world).id for _ in range(3)]
    client = as_user(app.test_client(), world.sup_a)
    first = client.get("/conduct/").get_data(as_text=True)
    assert f'href="/conduct/{made[2]}"' in first and f'href="/conduct/{made[0]}"' not in first
    cursor = re.search(r"after=(\d+)", first).group(1)
    second = client.get(f"/conduct/?after={cursor}").get_data(as_text=True)
    assert f'href="/conduct/{made[0]}"' in second
    assert client.get("/conduct/?after=junk").status_code == 400


def test_the_list_query_count_does_not_grow_with_rows(app, world):
    def count() -> int:
        client = as_user(app.test_client(), world.manager_hk)
        client.get("/conduct/")
        with count_queries(app) as statements:
            assert client.get("/conduct/").status_code == 200
        return len(statements)

    issued(world)
    small = count()
    for person in (world.agent_a1, world.agent_a2, world.agent_b1):
        for _ in range(3):
            issued(world, author=world.manager_hk, person=person)
    assert count() == small


def test_the_export_is_scoped_formula_safe_and_audited(app, world):
    issued(world, facts="secret facts")
    issued(world, author=world.manager_jp, person=world.agent_c1)
    client = as_user(app.test_client(), world.manager_hk)
    response = client.get("/conduct/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert "MK-A1" in text and "MK-C1" not in text
    assert "secret facts" not in text  # facts stay on the action's page
    assert len(text.strip().splitlines()) == 2
    entry = audited("conduct.export")[0]
    assert entry.actor_id == world.manager_hk.id and entry.after["count"] == 1


def test_the_profile_links_to_the_actions_for_the_line_only(app, world):
    url = f"/org/people/{world.agent_a1.id}"
    sup = as_user(app.test_client(), world.sup_a).get(url).get_data(as_text=True)
    assert f"/conduct/?person={world.agent_a1.id}" in sup
    assert f"/conduct/new/{world.agent_a1.id}" in sup
    own = as_user(app.test_client(), world.agent_a1).get(url).get_data(as_text=True)
    assert f"/conduct/?person={world.agent_a1.id}" in own
    assert f"/conduct/new/{world.agent_a1.id}" not in own
    qa = as_user(app.test_client(), world.qa).get(url).get_data(as_text=True)
    assert "/conduct/" not in qa


def test_the_menu_offers_the_list_to_managers_and_hr(app, world):
    for person, shown in ((world.sup_a, True), (world.hr, True), (world.agent_a1, False)):
        body = as_user(app.test_client(), person).get("/").get_data(as_text=True)
        assert ('href="/conduct/"' in body) is shown


def test_follow_ups_and_closing_from_the_page(app, world):
    action = issued(world, follow_ups=(HELD + timedelta(days=7),))
    client = as_user(app.test_client(), world.sup_a)
    page = client.get(f"/conduct/{action.id}").get_data(as_text=True)
    assert "Close the corrective action" not in page
    follow_up_id = action.follow_ups[0].id
    done = post_form(client, f"/conduct/follow-ups/{follow_up_id}/done", {"note": "Better"})
    assert done.status_code == 303
    page = client.get(f"/conduct/{action.id}").get_data(as_text=True)
    assert "Better" in page and "Close the corrective action" in page
    db.session.refresh(action)
    closed = post_form(client, f"/conduct/{action.id}/close", {"version": str(action.version)})
    assert closed.status_code == 303
    db.session.refresh(action)
    assert action.state == "closed"
