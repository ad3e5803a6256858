"""The home page "what needs me": each item's count equals what its linked page lists."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from portal.coaching import meetings as meeting_service
from portal.extensions import db
from portal.home import sections_for
from portal.home.items import Urgency
from portal.qa.models import Contact
from portal.training import kudos
from portal.training.assignments import new_token
from portal.training.certifications import grant_certification
from tests.coaching.helpers import (
    make_evaluation,
    meetings_of,
    scorecard_question_ids,
    setup_series,
)
from tests.conftest import as_user, count_queries
from tests.goals.helpers import ready_review
from tests.training import helpers as training

# Wednesday 2026-03-04 12:00 UTC (20:00 in Hong Kong, where the world's people live).
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
TODAY = date(2026, 3, 4)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    """The home page and the pages it links to read the same fixed clock."""
    for module in (
        "portal.home.agent",
        "portal.home.supervisor",
        "portal.blueprints.home.views",
        "portal.blueprints.coaching.completion_views",
        "portal.blueprints.training.views",
    ):
        monkeypatch.setattr(f"{module}.utcnow", lambda: NOW)


def home(client, person) -> tuple[str, dict[str, tuple[int, str]]]:
    """The home page as `person`, and {item key: (count, url)} read from it."""
    as_user(client, person)
    page = client.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for panel in re.findall(r'hx-get="(/home/sections/[a-z]+)"', html):  # sections loaded after
        answer = client.get(panel)
        assert answer.status_code == 200, panel
        html += answer.get_data(as_text=True)
    found = {}
    for key, count, url in re.findall(
        r'data-item="([^"]+)" data-count="(\d+)">\s*<a href="([^"]+)"', html
    ):
        found[key] = (int(count), url.replace("&amp;", "&"))
    return html, found


def linked(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, url
    return page.get_data(as_text=True)


def _evaluations(world, agent, statuses):
    version_id, _questions = scorecard_question_ids(world)
    made = []
    for status in statuses:
        ev = make_evaluation(world, agent, version_id, submitted_at=NOW - timedelta(days=2),
                             status="resolved" if status == "upheld" else status)  # fmt: skip
        if status == "upheld":
            ev.resolution, ev.resolved_at = "upheld", NOW - timedelta(days=1)
            ev.disputed_at = NOW - timedelta(days=2)
            ev.resolved_by_id = world.sup_a.id
        made.append(ev)
    db.session.commit()
    return made


def test_nothing_waiting_overall_and_per_section(client, world):
    html, found = home(client, world.sup_a)
    assert found == {}
    assert 'data-home-empty="all"' in html
    assert 'data-home-empty="agent"' in html and 'data-home-empty="supervisor"' in html
    html, _found = home(client, world.agent_a1)
    assert 'data-section="supervisor"' not in html, "an agent has no team section"


def test_evaluations_to_acknowledge_and_disputes_answered_match_my_evaluations(client, world):
    mine = _evaluations(world, world.agent_a1, ["submitted", "submitted", "acknowledged", "upheld"])
    _evaluations(world, world.agent_a2, ["submitted"])
    _html, found = home(client, world.agent_a1)
    count, url = found["agent.acknowledge"]
    assert (count, url) == (2, "/qa/my-evaluations?status=submitted")
    page = linked(client, url)
    shown = set(map(int, re.findall(r'href="/qa/evaluations/(\d+)"', page)))
    assert shown == {mine[0].id, mine[1].id}
    count, url = found["agent.disputes_answered"]
    assert count == 1
    assert set(map(int, re.findall(r'href="/qa/evaluations/(\d+)"', linked(client, url)))) == {
        mine[3].id
    }


def test_supervisor_queue_drafts_and_disputes_match_their_pages(client, world):
    evs = _evaluations(world, world.agent_a1, ["draft", "disputed", "disputed", "submitted"])
    _evaluations(world, world.agent_c1, ["disputed"])  # another supervisor's team
    waiting = []
    for n in range(3):
        contact = Contact(channel="phone", source="test", external_id=f"HOME-Q{n}",
                          person_id=world.agent_a2.id, occurred_at=NOW - timedelta(hours=n + 1),
                          direction="inbound")  # fmt: skip
        db.session.add(contact)
        waiting.append(contact)
    db.session.commit()
    _html, found = home(client, world.sup_a)
    assert found["supervisor.queue"][0] == 3
    page = linked(client, found["supervisor.queue"][1])
    assert set(map(int, re.findall(r"/qa/contacts/(\d+)/evaluate", page))) == {
        c.id for c in waiting
    }
    assert found["supervisor.drafts"][0] == 1
    assert f"/qa/evaluations/{evs[0].id}/edit" in page
    count, url = found["supervisor.disputes"]
    assert count == 2
    shown = set(map(int, re.findall(r'href="/qa/evaluations/(\d+)"', linked(client, url))))
    assert shown == {evs[1].id, evs[2].id}


def test_one_on_ones_next_meeting_and_this_week_to_record(client, world):
    # The series began on Monday 2 March (08:00 in Hong Kong): that day's 10:00 meeting is
    # this week's, not recorded; the next ones are on Monday 9 March.
    series = setup_series(world, now=datetime(2026, 3, 2, 0, 0, tzinfo=UTC))
    for s in series.values():
        from portal.coaching import series as series_service

        series_service.generate_meetings(s, NOW)
    db.session.commit()
    a1 = series[world.agent_a1.id]
    upcoming = [m for m in meetings_of(a1) if m.scheduled_at > NOW][0]
    meeting_service.add_agenda_item(world.agent_a1, upcoming, "Talk about my dispute")
    meeting_service.add_action_item(world.sup_a, upcoming, body="Read the refund guide MK-ACT",
                                    owner_id=world.agent_a1.id, due_on=date(2026, 3, 3),
                                    request_token=new_token())  # fmt: skip
    db.session.commit()

    html, found = home(client, world.agent_a1)
    count, url = found["agent.one_on_one"]
    assert count == 1 and url == f"/coaching/meetings/{upcoming.id}"
    assert "1 agenda item" in html and "1 open action item" in html
    count, url = found["agent.actions"]
    assert count == 1
    assert linked(client, url).count("MK-ACT") == 1
    assert 'data-item="agent.actions"' in html and "urgency-overdue" in html

    html, found = home(client, world.sup_a)
    count, url = found["supervisor.one_on_ones"]
    assert count == 2, "A1's and A2's Monday 1:1s are not recorded"
    assert linked(client, url).count("cell-not_recorded") == 2
    count, url = found["supervisor.actions"]
    assert count == 1 and linked(client, url).count("MK-ACT") == 1


def test_goals_self_assessment_and_reviews_to_write(client, world):
    ready = ready_review(world)  # A1's review in self-review, two goals without check-ins
    _html, found = home(client, world.agent_a1)
    count, url = found["agent.checkins"]
    assert count == 2
    page = linked(client, url)
    assert "NPS MK-A1" in page and "First response time" in page
    count, url = found["agent.self_assessment"]
    assert count == 1 and url == f"/goals/reviews/{ready.review.id}"
    linked(client, url)
    ready.review.state = "manager_review"  # the self-assessment was submitted
    db.session.commit()
    _html, found = home(client, world.sup_a)
    count, url = found["supervisor.reviews"]
    assert count == 1
    assert f"/goals/reviews/{ready.review.id}" in linked(client, url)
    ready.review.state = "shared"  # calibrated and shared: the employee acknowledges
    db.session.commit()
    _html, found = home(client, world.agent_a1)
    count, url = found["agent.review_acknowledge"]
    assert count == 1 and url == f"/goals/reviews/{ready.review.id}"
    assert "agent.self_assessment" not in found


def test_training_certifications_and_kudos(client, world):
    course = training.course(world.hr, title="Refunds MK-LATE")
    training.assign(world.hr, course, due_on=date(2026, 3, 1), person_id=world.agent_a1.id)
    soon = training.course(world.hr, title="Chat MK-SOON")
    training.assign(world.hr, soon, due_on=date(2026, 3, 6), person_id=world.agent_a1.id)
    grant_certification(world.hr, world.agent_a1, "Refund desk MK-CERT", date(2025, 3, 20),
                        date(2026, 3, 20))  # fmt: skip
    kudos.give_kudos(world.agent_a2, world.agent_a1.id, "Teamwork", "Thanks!", True,
                     new_token(), url="/recognition/")  # fmt: skip
    db.session.commit()
    html, found = home(client, world.agent_a1)
    count, url = found["agent.training"]
    assert count == 2
    page = linked(client, url)
    assert "MK-LATE" in page and "MK-SOON" in page and "MK-CERT" in page
    assert found["agent.certifications"][0] == 1
    # Overdue first: the late course is listed before everything else.
    assert html.index('data-item="agent.training"') < html.index('data-item="agent.kudos"')
    assert found["agent.kudos"][0] == 1 and "Thanks!" in linked(client, found["agent.kudos"][1])


def test_items_are_ordered_by_urgency(world):
    course = training.course(world.hr, title="Refunds MK-LATE")
    training.assign(world.hr, course, due_on=date(2026, 3, 1), person_id=world.agent_a1.id)
    _evaluations(world, world.agent_a1, ["submitted"])
    sections = sections_for(world.agent_a1, TODAY)
    waiting = sections[0].waiting()
    assert [i.urgency for i in waiting] == sorted(i.urgency for i in waiting)
    assert waiting[0].key == "agent.training" and waiting[0].urgency == Urgency.OVERDUE


def test_roles_combined(client, world):
    """A manager is also an employee: both sections; HR without reports: only their own."""
    html, _found = home(client, world.manager_hk)
    assert 'data-section="agent"' in html and 'data-section="supervisor"' in html
    html, _found = home(client, world.hr)
    assert 'data-section="agent"' in html and 'data-section="supervisor"' not in html


def test_the_query_count_does_not_grow_with_the_records(app, client, world, no_panel_cache):
    def queries_for_home() -> int:
        as_user(client, world.sup_a)
        with count_queries(app) as statements:
            assert client.get("/").status_code == 200
        return len(statements)

    _evaluations(world, world.agent_a1, ["draft", "disputed", "submitted"])
    setup_series(world, now=datetime(2026, 3, 2, 0, 0, tzinfo=UTC))
    training.assign(world.hr, training.course(world.hr, title="Course"),
                    due_on=date(2026, 3, 1), person_id=world.agent_a1.id)  # fmt: skip
    few = queries_for_home()
    _evaluations(world, world.agent_a1, ["draft", "disputed", "submitted"] * 10)
    _evaluations(world, world.agent_a2, ["draft", "disputed", "submitted"] * 10)
    from portal.coaching import series as series_service

    for series in setup_series(world).values():
        for week in range(1, 5):
            series_service.generate_meetings(series, NOW + timedelta(weeks=week))
    for n in range(5):
        training.assign(world.hr, training.course(world.hr, title=f"Course {n}"),
                        due_on=date(2026, 3, 1), person_id=world.agent_a1.id)  # fmt: skip
    db.session.commit()
    many = queries_for_home()
    assert many == few, (few, many)
    assert many <= 40


def test_sampled_contacts_and_calibration_sessions_to_score(client, world):
    from portal.qa import calibration_service
    from portal.qa import sampling_service as sampling
    from tests.qa.programme_helpers import answers_for, make_card, make_contact

    monday = datetime(2026, 3, 2, 2, tzinfo=UTC)
    for i, agent in enumerate([world.agent_a1, world.agent_a1, world.agent_a2]):
        make_contact(agent, monday + timedelta(hours=i + 1))
    db.session.commit()
    rule = sampling.create_rule(world.manager_hk, sampling.RuleFields(
        name="Weekly HK", root_person_id=world.manager_hk.id, per_agent=1,
        stratify="proportional", channel_minimums={}, market_id=None, segment_id=None,
        direction=None, min_duration_seconds=None, assign_to="supervisor", due_days=1,
    ))  # fmt: skip
    sampling.run_rule(world.manager_hk, rule, week_on=TODAY, seed=3, today=TODAY)
    card = make_card(world.qa)
    contacts = [make_contact(world.agent_a1, monday), make_contact(world.agent_b1, monday)]
    sessions = [
        calibration_service.create_session(
            world.hr,
            title=f"Calibration MK-CAL{n}",
            scorecard_version_id=card.version.id,
            contact_ids=[c.id for c in contacts],
            evaluator_ids=[world.sup_a.id, world.sup_b.id],
        )  # fmt: skip
        for n in range(2)
    ]
    for contact in contacts:  # sup_a scored the first session fully
        calibration_service.submit_score(world.sup_a, sessions[0], contact.id,
                                         answers_for(card, "yes", 4, "Full"))  # fmt: skip
    db.session.commit()
    html, found = home(client, world.sup_a)
    count, url = found["supervisor.sampled"]
    assert count == 2, "one contact per agent of sup_a's team"
    assert linked(client, url).count("MK-A") == 2
    assert 'data-item="supervisor.sampled"' in html
    count, url = found["supervisor.calibration"]
    assert count == 1
    page = linked(client, url)
    assert "MK-CAL1" in page


def test_hr_home_says_where_emails_are_written_without_smtp(app, client, world, tmp_path):
    app.config["MAIL_OUTBOX_DIR"] = str(tmp_path / "mail")
    try:
        as_user(client, world.hr)
        page = client.get("/").get_data(as_text=True)
        assert "data-home-outbox" in page and str(tmp_path / "mail") in page
        as_user(client, world.sup_a)
        assert "data-home-outbox" not in client.get("/").get_data(as_text=True)
    finally:
        app.config["MAIL_OUTBOX_DIR"] = ""
    as_user(client, world.hr)
    assert "data-home-outbox" not in client.get("/").get_data(as_text=True)


def test_a_managers_organisation_section_loads_after_the_page(client, world):
    as_user(client, world.manager_hk)
    html = client.get("/").get_data(as_text=True)
    assert 'hx-get="/home/sections/manager"' in html and 'aria-busy="true"' in html
    assert 'data-home-empty="all"' not in html  # not known yet: the panel may hold work
    panel = client.get("/home/sections/manager", headers={"HX-Request": "true"})
    assert panel.status_code == 200
    assert 'data-section="manager"' in panel.get_data(as_text=True)
    # Not a manager of managers, or no such panel: 404.
    as_user(client, world.sup_a)
    assert 'hx-get="/home/sections/manager"' not in client.get("/").get_data(as_text=True)
    assert client.get("/home/sections/manager").status_code == 404
    assert client.get("/home/sections/nosuch").status_code == 404
