from tests.conftest import as_user
from tests.factories import PersonFactory


def test_a_profile_shows_facts_reports_and_the_chain_of_managers(client, world):
    as_user(client, world.hr)
    page = client.get(f"/org/people/{world.sup_a.id}").get_data(as_text=True)
    for fact in ("Supervisor", "W-SUPA", "supa@world.example.com", "Team A", "HK · Hong Kong"):
        assert fact in page
    assert "Jan 9, 2023" in page and "Jan 8, 2024" in page  # hire date, in position since
    assert "Hong Kong Time" in page and "English" in page  # the zone by its localised name
    # Breadcrumb: head > manager_hk > sup_a, in that order.
    crumbs = page[page.index('aria-label="Reporting line"') : page.index("<h1>")]
    assert crumbs.index("MK-HEAD") < crumbs.index("MK-MGRHK") < crumbs.index("MK-SUPA")
    assert f'href="/org/people/{world.manager_hk.id}"' in crumbs
    reports = page[page.index('id="reports-title"') :]
    assert "MK-A1" in reports and "MK-A2" in reports and "MK-B1" not in reports


def test_a_supervisor_sees_only_the_visible_part_of_a_reports_chain(client, world):
    as_user(client, world.sup_a)
    page = client.get(f"/org/people/{world.agent_a1.id}").get_data(as_text=True)
    body = page[page.index("<main") :]
    assert "MK-SUPA" in body
    assert "MK-MGRHK" not in body and "MK-HEAD" not in body


def test_an_agent_sees_their_own_profile_without_their_managers_details(client, world):
    as_user(client, world.agent_a1)
    page = client.get(f"/org/people/{world.agent_a1.id}").get_data(as_text=True)
    body = page[page.index("<main") :]
    assert "MK-A1" in body
    assert "MK-SUPA" not in body
    assert "Outside what you can see" in body
    assert "No one reports to" in body


def test_a_deactivated_report_is_marked_on_the_profile(client, world):
    PersonFactory(name="Left MK-LEFT", is_active=False, manager=world.sup_a)
    as_user(client, world.sup_a)
    page = client.get(f"/org/people/{world.sup_a.id}").get_data(as_text=True)
    reports = page[page.index('id="reports-title"') :]
    assert "MK-LEFT" in reports and "Deactivated" in reports
