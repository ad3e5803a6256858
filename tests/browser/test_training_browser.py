"""Training in a real browser: a trainer builds a course with an assessment and assigns it to
a team; an agent fails once, passes, and the trainer's team matrix shows it completed."""

import re

from tests.browser.conftest import sign_in


def sign_out(watch, base):
    watch.page.context.clear_cookies()
    watch.page.goto(f"{base}/auth/login")


def test_trainer_assigns_an_assessed_course_and_the_agent_fails_then_passes(live_server, page):
    base = live_server["url"]
    people = live_server["people"]
    p = page.page
    sign_in(page, base, people["trainer"]["email"])

    p.goto(f"{base}/training/courses/new")
    p.get_by_label("Title").fill("Refund policy")
    p.get_by_label("Mandatory").check()
    p.get_by_label("Pass mark (%)").fill("100")
    p.get_by_label("Attempts allowed (empty: unlimited)").fill("3")
    p.get_by_role("button", name="Save").click()
    p.wait_for_url(re.compile(r".*/training/courses/\d+$"))
    course_url = p.url

    p.get_by_label("Question").fill("What do you offer first?")
    p.get_by_label("Choices, one per line; start the correct ones with *").fill("*Refund\nIgnore")
    p.get_by_role("button", name="Add question").click()
    p.wait_for_url(re.compile(r".*/training/courses/\d+(#assessment)?$"))
    p.get_by_label("Question").fill("Which channels do we answer?")
    p.get_by_label("Several answers are correct").check()
    p.get_by_label("Choices, one per line; start the correct ones with *").fill(
        "*Phone\n*Chat\nFax"
    )
    p.get_by_role("button", name="Add question").click()
    p.wait_for_url(re.compile(r".*/training/courses/\d+(#assessment)?$"))
    assert "2 questions" in p.content()
    page.screenshot("course")

    p.goto(course_url.split("#")[0] + "/assign")
    p.get_by_label("Team").select_option(label="Team C (JP)")
    p.get_by_label("Due on").fill("2030-01-01")
    p.get_by_role("button", name="Assign").click()
    p.wait_for_url(re.compile(r".*/training/assignments/\d+$"))
    assert people["agent_c1"]["name"] in p.content()
    page.screenshot("assignment")

    sign_out(page, base)
    sign_in(page, base, people["agent_c1"]["email"])
    p.goto(f"{base}/training/")
    assert "Refund policy" in p.content()
    p.get_by_role("button", name="Take the assessment").click()
    p.wait_for_url(re.compile(r".*/training/attempts/\d+$"))
    p.get_by_label("Ignore").check()
    p.get_by_label("Fax").check()
    p.get_by_role("button", name="Submit answers").click()
    p.get_by_text("Not passed").first.wait_for()
    assert "0 of 2 correct" in p.content()
    page.screenshot("failed")

    p.get_by_role("button", name="Try again").click()
    p.get_by_role("button", name="Submit answers").wait_for()
    p.get_by_label("Refund").check()
    p.get_by_label("Phone").check()
    p.get_by_label("Chat").check()
    p.get_by_role("button", name="Submit answers").click()
    p.get_by_text("2 of 2 correct").wait_for()
    page.screenshot("passed")

    sign_out(page, base)
    sign_in(page, base, people["trainer"]["email"])
    p.goto(f"{base}/training/team")
    row = p.get_by_role("row").filter(has_text=people["agent_c1"]["name"])
    assert "Completed" in row.inner_text()
    page.screenshot("matrix")
