def test_a_supervisor_signs_in_and_sees_the_home_page(live_server, page):
    from tests.browser.conftest import sign_in

    base = live_server["url"]
    sign_in(page, base, live_server["people"]["sup_a"]["email"])
    assert "MK-SUPA" in page.page.content()
    page.screenshot("home")
