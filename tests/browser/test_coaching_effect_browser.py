"""The coaching effect roll-up in a real browser: a supervisor with one session on a question,
three evaluations before and three since, reaches the page from the coaching menu with the
keyboard and reads the change with n on each side; a second question says "not enough data"."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from portal.coaching import sessions
from portal.db import utcnow
from portal.extensions import db
from portal.org.models import Person
from tests.browser.conftest import sign_in
from tests.coaching.helpers import make_evaluation, scorecard_question_ids


def _coached_a1(app, people) -> None:
    with app.app_context():
        world = SimpleNamespace(
            qa=db.session.get(Person, people["qa"]["id"]),
            sup_a=db.session.get(Person, people["sup_a"]["id"]),
        )
        agent = db.session.get(Person, people["agent_a1"]["id"])
        version_id, (greet, confirm) = scorecard_question_ids(world)
        held = (utcnow() - timedelta(days=10)).date()
        for days, earned in ((-5, 0), (-4, 0), (-3, 1), (1, 1), (2, 1), (3, 1)):
            outcomes = {greet: (earned, 1)}
            if days in (-5, 1):
                outcomes[confirm] = (0, 1)
            make_evaluation(
                world,
                agent,
                version_id,
                submitted_at=utcnow() - timedelta(days=10) + timedelta(days=days, hours=12),
                outcomes=outcomes,
            )
        sessions.create_session(
            world.sup_a, agent, held_on=held, behaviour="Greet first", commitment="Always",
            follow_up_on=None, evaluation_ids=[], question_ids=[greet, confirm],
        )  # fmt: skip
        db.session.remove()


def test_a_supervisor_reads_the_coaching_effect_with_n(live_server, page):
    base = live_server["url"]
    people = live_server["people"]
    _coached_a1(live_server["app"], people)
    sign_in(page, base, people["sup_a"]["email"])
    p = page.page
    p.goto(f"{base}/coaching/sessions")
    link = p.get_by_role("link", name="Coaching effect", exact=True)
    link.focus()
    p.keyboard.press("Enter")
    p.wait_for_url(f"{base}/coaching/effects")
    page.screenshot("coaching-effect")
    by_question = p.locator("#effect-by-question")
    greet = by_question.get_by_role("row").filter(has_text="Greeted the customer")
    assert "(n = 3 answers in 3 evaluations)" in greet.inner_text()
    assert "+66.7" in greet.inner_text()
    confirm = by_question.get_by_role("row").filter(has_text="Confirmed the fix")
    assert "Not enough data" in confirm.inner_text()
    coach = (
        p.locator("#effect-by-coach").get_by_role("row").filter(has_text=people["sup_a"]["name"])
    )
    assert "Not enough data" not in coach.inner_text()
    p.get_by_label("Sessions held in the last").select_option("90")
    p.get_by_role("button", name="Show").click()
    p.wait_for_url(f"{base}/coaching/effects?days=90")
    assert "Greeted the customer" in p.locator("#effect-by-question").inner_text()
