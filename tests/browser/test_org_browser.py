"""The foundation in a real browser: sign in, the org tree over htmx, profiles, visibility."""

from tests.browser.conftest import sign_in


def test_a_supervisor_expands_the_org_tree_and_opens_a_profile(live_server, page):
    base = live_server["url"]
    people = live_server["people"]
    sign_in(page, base, people["manager_hk"]["email"])
    page.screenshot("home")

    p = page.page
    p.get_by_role("link", name="Org tree", exact=True).click()
    p.wait_for_url(f"{base}/org/tree")
    agent_link = p.get_by_role("link", name=people["agent_a1"]["name"], exact=True)
    assert not agent_link.is_visible()
    page.screenshot("tree-collapsed")

    toggle = p.get_by_role("button", name=f"Reports of {people['sup_a']['name']}")
    if toggle.count() == 0:
        # The manager's own reports are collapsed at first: open them, then supervisor A's.
        p.get_by_role("button", name=f"Reports of {people['manager_hk']['name']}").click()
        toggle = p.get_by_role("button", name=f"Reports of {people['sup_a']['name']}")
    toggle.click()
    agent_link.wait_for(state="visible")
    assert toggle.get_attribute("aria-expanded") == "true"
    page.screenshot("tree-expanded")

    agent_link.click()
    p.wait_for_url(f"{base}/org/people/{people['agent_a1']['id']}")
    assert people["agent_a1"]["name"] in p.content()
    page.screenshot("profile")


def test_an_agent_cannot_open_a_peers_profile(live_server, page):
    base = live_server["url"]
    people = live_server["people"]
    sign_in(page, base, people["agent_a1"]["email"])
    page.allow(f"/org/people/{people['agent_a2']['id']}")
    response = page.page.goto(f"{base}/org/people/{people['agent_a2']['id']}")
    assert response.status == 404
    assert people["agent_a2"]["name"] not in page.page.content()
    page.screenshot("peer-profile-404")

    response = page.page.goto(f"{base}/org/people/{people['agent_a1']['id']}")
    assert response.status == 200
    assert people["agent_a1"]["name"] in page.page.content()
    page.screenshot("own-profile")
