"""The QA programme routes (reports, sampling, calibration, leniency) in the authorization matrix.

PROGRAMME_ROWS and programme_extras are merged into tests/test_authorization_matrix.py; this file
also runs them on their own. Calibration sessions are seen by their lead (the QA analyst), the
invited evaluator (A1's supervisor) and HR only: never by agents (404, as for a missing record).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from portal.qa import calibration_service, sampling_service
from tests.authz import ROLES, Row, expect
from tests.factories import World
from tests.qa.programme_helpers import answers_for, make_card, make_contact, make_evaluation

REVIEWERS = ("record_supervisor", "other_supervisor", "manager_above", "qa_analyst", "hr_admin")
# Reviewers who see A1's QA records; the other supervisor does not.
SEES_A1 = ("record_supervisor", "manager_above", "qa_analyst", "hr_admin")
NOT_A1 = ("peer_agent", "other_supervisor", "trainer", "anonymous")
MEMBERS = ("qa_analyst", "record_supervisor", "hr_admin")  # of the calibration sessions


def reviewers(ok: int) -> dict[str, int]:
    table = expect(403)
    table.update({role: ok for role in REVIEWERS})
    return table


def rule_record(ok: int) -> dict[str, int]:
    """A sampling rule over sup A's team: 403 for non-reviewers, 404 for reviewers out of reach."""
    table = expect(403)
    table.update({role: ok for role in SEES_A1})
    table["other_supervisor"] = 404
    return table


def session_record(ok: int, **overrides: int) -> dict[str, int]:
    table = expect(404)
    table.update({role: ok for role in MEMBERS})
    table.update(overrides)
    return table


def u(template: str):
    return lambda w: template.format(w=w)


PERIOD = "period=custom&start_on=2026-01-01&end_on=2026-12-31"
RULE = "/qa/programme/sampling/{w.rule_id}"
OPEN = "/qa/programme/calibration/{w.open_session_id}"
CLOSED = "/qa/programme/calibration/{w.closed_session_id}"


def score_data(w) -> dict:
    return {f"q-{qid}": value for qid, value in w.calibration_answers.items()}


PROGRAMME_ROWS: dict[str, Row] = {
    "qaprog.report GET": Row(
        "GET", u("/qa/programme/reports?" + PERIOD), reviewers(200), hidden_from=NOT_A1
    ),
    "qaprog.report_evaluations GET": Row(
        "GET", u("/qa/programme/reports/evaluations?" + PERIOD), reviewers(200), hidden_from=NOT_A1
    ),
    "qaprog.report_export GET": Row(
        "GET",
        u("/qa/programme/reports/export?table=agent&format=csv&" + PERIOD),
        reviewers(200),
        hidden_from=NOT_A1,
    ),
    "qaprog.daily_report GET": Row(
        "GET",
        u("/qa/programme/reports/daily?person={w.agent_a1.id}&on=2026-03-03"),
        rule_record(200),
        hidden_from=NOT_A1,
    ),
    # Everyone sees their own queue; A1's sampled contact is in A1's supervisor's only.
    "qaprog.sampling_queue GET": Row(
        "GET",
        u("/qa/programme/queue"),
        expect(200),
        hidden_from=tuple(r for r in ROLES if r not in ("self", "record_supervisor")),
    ),
    "qaprog.sampling_rule_list GET": Row("GET", u("/qa/programme/sampling"), reviewers(200)),
    "qaprog.sampling_rule_new GET": Row("GET", u("/qa/programme/sampling/new"), reviewers(200)),
    "qaprog.sampling_rule_new POST": Row("POST", u("/qa/programme/sampling/new"), reviewers(422)),
    "qaprog.sampling_rule_detail GET": Row("GET", u(RULE), rule_record(200)),
    "qaprog.sampling_rule_edit GET": Row("GET", u(RULE + "/edit"), rule_record(200)),
    "qaprog.sampling_rule_edit POST": Row("POST", u(RULE + "/edit"), rule_record(422)),
    "qaprog.sampling_rule_active POST": Row(
        "POST", u(RULE + "/active"), rule_record(303), data=lambda w: {"active": "1"}
    ),
    "qaprog.sampling_run_create POST": Row(
        "POST", u(RULE + "/runs"), rule_record(303), data=lambda w: {"week_on": "2026-03-10"}
    ),
    "qaprog.sampling_run_detail GET": Row("GET", u(RULE + "/runs/{w.run_id}"), rule_record(200)),
    "qaprog.calibration_list GET": Row("GET", u("/qa/programme/calibration"), reviewers(200)),
    "qaprog.calibration_new GET": Row(
        "GET", u("/qa/programme/calibration/new"), expect(403, qa_analyst=200, hr_admin=200)
    ),
    "qaprog.calibration_new POST": Row(
        "POST", u("/qa/programme/calibration/new"), expect(403, qa_analyst=422, hr_admin=422)
    ),
    "qaprog.calibration_detail GET": Row("GET", u(OPEN), session_record(200)),
    "qaprog.calibration_score GET": Row(
        "GET", u(OPEN + "/contacts/{w.calibration_contact_id}"), session_record(200)
    ),
    "qaprog.calibration_score POST": Row(
        "POST",
        u(OPEN + "/contacts/{w.calibration_contact_id}"),
        session_record(303, hr_admin=403),
        data=score_data,
    ),
    "qaprog.calibration_close POST": Row(
        "POST",
        u(OPEN + "/close"),
        session_record(403, qa_analyst=303),
        data=lambda w: {"version": str(w.open_session_version)},
    ),
    "qaprog.calibration_results GET": Row("GET", u(CLOSED + "/results"), session_record(200)),
    "qaprog.leniency GET": Row(
        "GET", u("/qa/programme/leniency"), expect(403, qa_analyst=200, hr_admin=200)
    ),
}


def programme_extras(world: World) -> dict:
    """An evaluation of A1; a sampling rule over team A with a run; calibration sessions led
    by the QA analyst with A1's supervisor invited, one open (lead scored) and one closed."""
    card = make_card(world.qa, "Matrix programme card")
    when = datetime(2026, 3, 3, 3, tzinfo=UTC)
    evaluated = make_contact(world.agent_a1, when)
    make_evaluation(card, evaluated, world.sup_a, answers_for(card, "yes", 3, "Full"))
    make_contact(world.agent_a1, when)  # left for sampling
    rule = sampling_service.create_rule(
        world.sup_a,
        sampling_service.RuleFields(
            name="Matrix rule",
            root_person_id=world.sup_a.id,
            per_agent=2,
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
    run = sampling_service.run_rule(
        world.sup_a, rule, week_on=date(2026, 3, 3), seed=1, today=date(2026, 3, 3)
    )
    contact = make_contact(world.agent_a1, when)
    contact.external_id = "EXT-CAL-MK-A1"
    answers = answers_for(card, "yes", 4, "Full")
    sessions = []
    for title in ("Open session", "Closed session"):
        session = calibration_service.create_session(
            world.qa,
            title=title,
            scorecard_version_id=card.version.id,
            contact_ids=[contact.id],
            evaluator_ids=[world.sup_a.id],
        )
        calibration_service.submit_score(world.qa, session, contact.id, answers)
        sessions.append(session)
    calibration_service.submit_score(world.sup_a, sessions[1], contact.id, answers)
    calibration_service.close_session(world.qa, sessions[1], expected_version=sessions[1].version)
    return {
        "rule_id": rule.id,
        "run_id": run.id,
        "open_session_id": sessions[0].id,
        "open_session_version": sessions[0].version,
        "closed_session_id": sessions[1].id,
        "calibration_contact_id": contact.id,
        "calibration_answers": {qid: str(v) for qid, v in answers.items()},
    }


def test_every_programme_route_has_a_row_naming_every_role(app):
    routes = {
        f"{rule.endpoint} {method}"
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("qaprog.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes == set(PROGRAMME_ROWS)
    assert all(set(row.expect) == set(ROLES) for row in PROGRAMME_ROWS.values())
