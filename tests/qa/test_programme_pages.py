"""QA programme pages: roll-up report, drill-down and exports; sampling; calibration; leniency."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.audit import AuditEntry
from portal.extensions import db
from portal.qa import calibration_service
from portal.qa.programme_models import CalibrationSession, SamplingRule, SamplingRun
from tests.conftest import as_user, count_queries, post_form
from tests.factories import PersonFactory
from tests.qa.programme_helpers import answers_for, make_card, make_contact, make_evaluation

WHEN = datetime(2026, 11, 3, 3, tzinfo=UTC)
REPORT = "/qa/programme/reports?period=month&on=2026-11-10"


def _evaluate(card, agent, evaluator, n, answers=None, start=WHEN):
    for i in range(n):
        contact = make_contact(agent, start + timedelta(hours=i))
        make_evaluation(card, contact, evaluator, answers or answers_for(card, "yes", 3, "Full"))


@pytest.fixture
def card(world):
    return make_card(world.qa)


def test_report_shows_mean_with_n_and_interval_and_not_enough_data(app, client, world, card):
    _evaluate(card, world.agent_a1, world.sup_a, 5)
    _evaluate(card, world.agent_b1, world.sup_b, 2, answers_for(card, "no", 0, "None"))
    as_user(client, world.hr)
    page = client.get(REPORT).get_data(as_text=True)
    assert "n = 7" in page and "95 % CI" in page
    assert "Not enough data" in page  # agent B1: 2 evaluations < 5
    assert "Verified the caller" in page  # failed most
    assert "<svg" in page


def test_report_refuses_a_backwards_custom_range_with_the_input_kept(app, client, world):
    as_user(client, world.hr)
    response = client.get(
        "/qa/programme/reports?period=custom&start_on=2026-11-10&end_on=2026-11-01"
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "The last day is before the first." in body and 'value="2026-11-10"' in body


def test_report_of_a_node_out_of_reach_is_404(app, client, world):
    as_user(client, world.sup_b)
    assert client.get(f"/qa/programme/reports?node={world.sup_a.id}").status_code == 404


def test_report_query_count_is_flat_when_evaluations_grow_tenfold(
    app, client, world, card, no_panel_cache
):
    _evaluate(card, world.agent_a1, world.sup_a, 2)
    as_user(client, world.hr)
    client.get(REPORT)
    with count_queries(app) as few:
        assert client.get(REPORT).status_code == 200
    _evaluate(card, world.agent_a2, world.sup_a, 20, start=WHEN + timedelta(days=2))
    with count_queries(app) as many:
        assert client.get(REPORT).status_code == 200
    assert len(many) == len(few)


def test_drill_down_lists_a_groups_evaluations_and_pages(app, client, world, card):
    _evaluate(card, world.agent_a1, world.sup_a, 3)
    _evaluate(card, world.agent_a2, world.sup_a, 1)
    app.config["PAGE_SIZE"] = 2
    try:
        as_user(client, world.hr)
        url = f"/qa/programme/reports/evaluations?on=2026-11-10&by=agent&key={world.agent_a1.id}"
        page = client.get(url).get_data(as_text=True)
        assert page.count("MK-A1") >= 2 and "MK-A2" not in page and "Next page" in page
    finally:
        app.config["PAGE_SIZE"] = 25


def test_exports_neutralise_formulas_are_scoped_and_audited(app, client, world, card):
    sly = PersonFactory(name="=HYPERLINK(1)", manager=world.sup_b, market=world.hk)
    _evaluate(card, sly, world.sup_b, 1)
    _evaluate(card, world.agent_a1, world.sup_a, 1)
    as_user(client, world.sup_b)
    csv_body = client.get(REPORT.replace("reports?", "reports/export?table=agent&format=csv&"))
    text = csv_body.get_data(as_text=True)
    assert "'=HYPERLINK(1)" in text and "MK-A1" not in text
    xlsx = client.get(REPORT.replace("reports?", "reports/export?table=agent&format=xlsx&"))
    sheets = zipfile.ZipFile(io.BytesIO(xlsx.data))
    xml = (
        sheets.read("xl/worksheets/sheet1.xml").decode()
        + sheets.read("xl/sharedStrings.xml").decode()
    )
    assert "<f>" not in xml and "=HYPERLINK(1)" in xml
    actions = db.session.execute(
        select(AuditEntry.action).where(AuditEntry.action == "qa_report.export")
    ).all()
    assert len(actions) == 2


def test_sampling_rule_and_run_pages(app, client, world):
    for i in range(6):
        make_contact(world.agent_a1, datetime(2026, 11, 16, 2 + i, tzinfo=UTC), "phone")
    db.session.commit()
    as_user(client, world.sup_a)
    assert client.get("/qa/programme/sampling/new").status_code == 200
    bad = post_form(client, "/qa/programme/sampling/new", {"name": "", "per_agent": "0"})
    assert bad.status_code == 422
    data = {
        "name": "Team A weekly",
        "root": str(world.sup_a.id),
        "per_agent": "3",
        "stratify": "proportional",
        "direction": "",
        "assign_to": "supervisor",
        "due_days": "5",
    }
    assert post_form(client, "/qa/programme/sampling/new", data).status_code == 303
    rule = db.session.execute(select(SamplingRule)).scalar_one()
    run_url = f"/qa/programme/sampling/{rule.id}/runs"
    assert post_form(client, run_url, {"week_on": "2026-11-18", "seed": "42"}).status_code == 303
    assert post_form(client, run_url, {"week_on": "2026-11-17"}).status_code == 409
    run = db.session.execute(select(SamplingRun)).scalar_one()
    page = client.get(f"{run_url}/{run.id}").get_data(as_text=True)
    assert "random draw" in page and "MK-A2" in page  # A2 had no contacts: listed as short
    assert client.get("/qa/programme/sampling").status_code == 200


def test_a_rule_is_edited_with_its_version_and_paused_from_its_page(app, client, world):
    as_user(client, world.sup_a)
    data = {
        "name": "Team A weekly",
        "root": str(world.sup_a.id),
        "per_agent": "3",
        "stratify": "proportional",
        "direction": "",
        "assign_to": "supervisor",
        "due_days": "5",
    }
    assert post_form(client, "/qa/programme/sampling/new", data).status_code == 303
    rule = db.session.execute(select(SamplingRule)).scalar_one()
    url = f"/qa/programme/sampling/{rule.id}"
    form = client.get(f"{url}/edit").get_data(as_text=True)
    assert (
        'value="Team A weekly"' in form
        and f'name="version" type="hidden" value="{rule.version}"' in form
    )
    saved = post_form(client, f"{url}/edit", {**data, "per_agent": "5", "version": rule.version})
    assert saved.status_code == 303
    db.session.expire_all()
    assert rule.per_agent == 5
    stale = post_form(
        client, f"{url}/edit", {**data, "name": "TYPED-NAME", "version": rule.version - 1}
    )
    assert stale.status_code == 409 and "TYPED-NAME" in stale.get_data(as_text=True)
    assert "Someone else changed this rule" in stale.get_data(as_text=True)
    garbled = post_form(client, f"{url}/edit", {**data, "version": "x"})
    assert garbled.status_code == 409
    paused = post_form(client, f"{url}/active", {"active": "0", "version": rule.version})
    assert paused.status_code == 303
    page = client.get(url).get_data(as_text=True)
    assert "Paused" in page and "Resume rule" in page
    refused = post_form(client, f"{url}/runs", {"week_on": "2026-11-18"})
    assert refused.status_code == 409 and "paused" in refused.get_data(as_text=True)


def test_calibration_pages_from_creation_to_results(app, client, world, card):
    contact = make_contact(world.agent_a1, WHEN)
    db.session.commit()
    as_user(client, world.qa)
    assert client.get("/qa/programme/calibration/new").status_code == 200
    data = {
        "title": "Weekly calibration",
        "scorecard_version": str(card.version.id),
        "pick": [str(contact.id)],
        "evaluators": [str(world.sup_a.id)],
    }
    assert post_form(client, "/qa/programme/calibration/new", data).status_code == 303
    session = db.session.execute(select(CalibrationSession)).scalar_one()
    answers = answers_for(card, "yes", 4, "Full")
    calibration_service.submit_score(world.qa, session, contact.id, answers)
    calibration_service.submit_score(world.sup_a, session, contact.id, answers)
    detail = client.get(f"/qa/programme/calibration/{session.id}")
    assert "Scoring is blind" in detail.get_data(as_text=True)
    close = post_form(
        client,
        f"/qa/programme/calibration/{session.id}/close",
        {"version": str(session.version)},
    )
    assert close.status_code == 303
    results = client.get(f"/qa/programme/calibration/{session.id}/results")
    body = results.get_data(as_text=True)
    assert results.status_code == 200 and "nominal" in body and "Percent agreement" in body
    assert client.get("/qa/programme/calibration").status_code == 200
    assert client.get("/qa/programme/leniency").status_code == 200


def test_daily_report_for_a_team_and_an_individual(app, client, world, card):
    _evaluate(card, world.agent_a1, world.sup_a, 2)
    _evaluate(card, world.agent_a2, world.sup_a, 1, answers_for(card, "no", 1, "None"))
    as_user(client, world.sup_a)
    team = client.get(f"/qa/programme/reports/daily?person={world.sup_a.id}&on=2026-11-03")
    body = team.get_data(as_text=True)
    assert team.status_code == 200 and "MK-A1" in body and "MK-A2" in body
    assert "Week to date" in body and "data-print" in body
    one = client.get(f"/qa/programme/reports/daily?person={world.agent_a1.id}&on=2026-11-03")
    assert "MK-A2" not in one.get_data(as_text=True)
    assert client.get(f"/qa/programme/reports/daily?person={world.agent_b1.id}").status_code == 404


def _count(app, client, url):
    client.get(url)
    with count_queries(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_list_pages_query_counts_do_not_grow_with_rows(app, client, world, card):
    from portal.qa import sampling_service

    def contacts(n, day):
        for i in range(n):
            make_contact(world.agent_a1, datetime(2026, 11, day, 2, i, tzinfo=UTC))
            make_contact(world.agent_a2, datetime(2026, 11, day, 3, i, tzinfo=UTC), "email")
        db.session.commit()

    def sessions(n):
        contact = make_contact(world.agent_a1, WHEN)
        for i in range(n):
            calibration_service.create_session(
                world.qa,
                title=f"Session {i}",
                scorecard_version_id=card.version.id,
                contact_ids=[contact.id],
                evaluator_ids=[world.sup_a.id],
            )

    rule = sampling_service.create_rule(
        world.sup_a,
        sampling_service.RuleFields(
            name="Count rule",
            root_person_id=world.sup_a.id,
            per_agent=30,
            stratify="proportional",
            channel_minimums={},
            market_id=None,
            segment_id=None,
            direction=None,
            min_duration_seconds=None,
            assign_to="supervisor",
            due_days=7,
        ),
    )
    contacts(2, 16)
    contacts(20, 23)
    small = sampling_service.run_rule(
        world.sup_a, rule, week_on=datetime(2026, 11, 16).date(), seed=1, today=WHEN.date()
    )
    large = sampling_service.run_rule(
        world.sup_a, rule, week_on=datetime(2026, 11, 23).date(), seed=1, today=WHEN.date()
    )
    assert large.picked_count >= 10 * small.picked_count
    sessions(1)
    as_user(client, world.qa)
    base = f"/qa/programme/sampling/{rule.id}/runs/"
    assert _count(app, client, base + str(small.id)) == _count(app, client, base + str(large.id))
    few = _count(app, client, "/qa/programme/calibration")
    sessions(10)
    assert _count(app, client, "/qa/programme/calibration") == few


def test_an_htmx_filter_with_a_bad_range_answers_the_results_fragment_with_the_error(
    app, client, world
):
    as_user(client, world.hr)
    response = client.get(
        "/qa/programme/reports?period=custom&start_on=2026-11-10&end_on=2026-11-01",
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and body.lstrip().startswith('<div id="report-results">')
    assert "The last day is before the first." in body


def test_the_queue_page_lists_my_sampled_contacts(app, client, world):
    from portal.qa import sampling_service

    make_contact(world.agent_a1, datetime(2026, 11, 17, 2, tzinfo=UTC))
    db.session.commit()
    rule = sampling_service.create_rule(
        world.sup_a,
        sampling_service.RuleFields(
            name="Queue rule",
            root_person_id=world.sup_a.id,
            per_agent=1,
            stratify="proportional",
            channel_minimums={},
            market_id=None,
            segment_id=None,
            direction=None,
            min_duration_seconds=None,
            assign_to="supervisor",
            due_days=2,
        ),
    )
    sampling_service.run_rule(
        world.sup_a, rule, week_on=datetime(2026, 11, 17).date(), seed=1, today=WHEN.date()
    )
    as_user(client, world.sup_a)
    body = client.get("/qa/programme/queue").get_data(as_text=True)
    assert "MK-A1" in body


def test_the_lead_picks_calibration_contacts_from_recent_ones(app, client, world, card):
    first, second = (make_contact(world.agent_a1, WHEN + timedelta(hours=i)) for i in range(2))
    db.session.commit()
    as_user(client, world.qa)
    page = client.get("/qa/programme/calibration/new").get_data(as_text=True)
    assert f'value="{first.id}"' in page and f'value="{second.id}"' in page
    data = {
        "title": "Picked",
        "scorecard_version": str(card.version.id),
        "pick": [str(first.id), str(second.id)],
        "evaluators": [str(world.sup_a.id)],
    }
    assert post_form(client, "/qa/programme/calibration/new", data).status_code == 303
    session = db.session.execute(select(CalibrationSession)).scalar_one()
    assert [c.contact_id for c in session.contacts] == [first.id, second.id]
    empty = post_form(client, "/qa/programme/calibration/new", {**data, "pick": []})
    assert empty.status_code == 422 and "Give at least one contact." in empty.get_data(as_text=True)
