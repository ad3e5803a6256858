"""The audit log in words: registered formatters, readable diffs, links only where the viewer
may go, the action picker, and a query count that does not grow with the entries."""

from __future__ import annotations

import re

from portal import audit, audit_display
from portal.audit_display import Field, Line, diff_lines, plain
from portal.extensions import db
from portal.qa import evaluations
from portal.qa.audit_entries import QuestionWording
from tests.conftest import as_user, count_queries
from tests.qa.evaluation_helpers import card_for, submitted


def entry(actor, action, record_type, record_id=None, before=None, after=None):
    made = audit.record(actor, action, record_type, record_id, before, after)
    db.session.commit()
    return made


def row_html(html: str, entry_id: int) -> str:
    found = re.search(rf'<tr data-entry="{entry_id}">(.*?)</tr>', html, re.S)
    assert found, f"entry {entry_id} is on the page"
    return re.sub(r"\s+", " ", found.group(1))


def words(row: str) -> str:
    """A row's text as read aloud: tags and the hidden "changed to" gone, spaces collapsed."""
    text = row.replace('<span class="visually-hidden">changed to</span>', "")
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()


# ---- pure parts --------------------------------------------------------------------------------


def test_plain_values_read_without_json(app):
    with app.test_request_context():
        assert plain(None) == "—"
        assert plain(True) == "Yes" and plain(False) == "No"
        assert plain({"dispute_reason": "late", "n": 2}) == "Dispute reason: late; N: 2"
        assert plain(["a", 3]) == "a, 3"
        assert plain("2026-03-02") == "Mar 2, 2026"


def test_a_diff_lists_only_what_changed_with_field_labels_in_registered_order(app):
    fields = {
        "score": Field("Score", format=lambda v: f"{v} pts"),
        "status": Field("Status", kind="enum", labels={"draft": "Draft", "submitted": "Sent"}),
        "team_id": Field("Team", kind="ref", ref="team"),
    }
    names = {"team": {1: "Alpha", 2: "Beta"}}
    with app.test_request_context():
        lines = diff_lines(
            {"status": "draft", "score": 1, "team_id": 1, "same": 5, "zeta": "x"},
            {"status": "submitted", "score": 2, "team_id": 2, "same": 5, "zeta": "y"},
            fields,
            names,
        )
    assert lines == [
        Line("Score", "1 pts", "2 pts"),
        Line("Status", "Draft", "Sent"),
        Line("Team", "Alpha", "Beta"),
        Line("Zeta", "x", "y"),
    ]


def test_a_created_record_shows_its_values_and_a_deleted_one_its_old_values(app):
    with app.test_request_context():
        created = diff_lines(None, {"role": "qa"}, {}, {})
        deleted = diff_lines({"role": "qa"}, None, {}, {})
        assert created == [Line("Role", None, "qa")]
        assert deleted == [Line("Role", "qa", None)]
        assert diff_lines(1, 1, {}, {}) == []
        assert diff_lines(1, 2, {}, {}) == [Line("Value", "1", "2")]


def test_an_unknown_reference_reads_as_its_type_and_id(app):
    with app.test_request_context():
        lines = diff_lines(None, {"team_id": 99}, {"team_id": Field("Team", "ref", "team")}, {})
    assert lines == [Line("Team", None, "Team #99")]


def test_answers_read_as_question_wording_and_answer_words(app):
    names = {
        "question": {
            1: QuestionWording("Greeting", "yes_no"),
            2: QuestionWording("Empathy", "scale", scale_max=4),
            3: QuestionWording("Resolved", "choice", choices={"17": "Full"}),
        }
    }
    spec = Field("Answers", kind="answers")
    with app.test_request_context():
        text = audit_display.shown_value(spec, {"1": "no", "2": "3", "3": "17", "4": "na"}, names)
    assert text == "Greeting: No; Empathy: 3 of 4; Resolved: Full; Question #4: N/A"


def test_action_names_fall_back_to_words_and_groups_hold_every_action(app):
    with app.test_request_context():
        assert audit_display.action_label("evaluation.submit") == "Evaluation submitted"
        assert audit_display.action_label("widget.turn_on") == "Widget: turn on"
        groups = {g.prefix: g for g in audit_display.action_groups(["widget.turn_on"])}
        assert ("widget.turn_on", "Widget: turn on") in groups["widget."].actions
        evaluation_actions = dict(groups["evaluation."].actions)
        assert evaluation_actions["evaluation.rescore"] == "Dispute resolved: re-scored"
        assert groups["auth."].label == "Sign-in and sessions"


# ---- the page ----------------------------------------------------------------------------------


def test_an_evaluation_entry_reads_in_words_with_a_link(client, world):
    card = card_for(world)
    evaluation = submitted(world, card)
    as_user(client, world.hr)
    html = client.get("/admin/audit?action=evaluation.submit").get_data(as_text=True)
    row = row_html(html, _last_entry("evaluation.submit"))
    assert "Evaluation submitted" in row
    assert f'href="/qa/evaluations/{evaluation.id}"' in row
    assert f"Evaluation of {world.agent_a1.name}" in row
    assert "94.3 %" in row and "/7" not in row, "the score as the evaluation page shows it"
    text = words(row)
    assert "Greeting: Yes" in text and "Need understood: 3 of 4" in text
    assert "Solution correct: Full" in text
    assert "Status: Draft → Submitted" in text and "{" not in text, "no JSON"


def test_a_dispute_shows_its_reasons_with_question_wording(client, world):
    card = card_for(world)
    evaluation = submitted(world, card)
    question = next(a.question_id for a in evaluation.current_revision.answers)
    wording = {q.id: q.text for s in card.current_version.sections for q in s.questions}
    evaluations.dispute(
        world.agent_a1,
        evaluation,
        reason="MK-OVERALL",
        question_reasons={question: "MK-QREASON"},
        expected_version=evaluation.version,
    )
    as_user(client, world.hr)
    html = client.get("/admin/audit?action=evaluation.dispute").get_data(as_text=True)
    row = row_html(html, _last_entry("evaluation.dispute"))
    text = words(row)
    assert f"Disputed questions: — → {wording[question]}: MK-QREASON" in text
    assert "Status: Submitted → Disputed" in text and "Reason: — → MK-OVERALL" in text


def test_people_and_teams_read_by_name(client, world):
    made = entry(
        world.hr,
        "person.edit",
        "person",
        world.agent_a1.id,
        {"team_id": world.team_a.id, "manager_id": world.sup_a.id, "is_active": True},
        {"team_id": world.team_b.id, "manager_id": world.sup_b.id, "is_active": False},
    )
    as_user(client, world.hr)
    row = row_html(client.get("/admin/audit").get_data(as_text=True), made.id)
    for name in (world.team_a.name, world.team_b.name, world.sup_a.name, world.sup_b.name):
        assert name in row
    text = words(row)
    assert f"Manager: {world.sup_a.name} → {world.sup_b.name}" in text
    assert f"Team: {world.team_a.name} → {world.team_b.name}" in text
    assert "Active: Yes → No" in text
    assert f'href="/org/people/{world.agent_a1.id}"' in row
    assert "team_id" not in row and "person #" not in row


def test_records_are_linked_only_when_the_viewer_may_open_them(app, world):
    card = card_for(world)
    evaluation = submitted(world, card, agent=world.agent_b1, evaluator=world.sup_b)
    rows = [
        audit.AuditEntry(
            id=1,
            action="evaluation.submit",
            record_type="evaluation",
            record_id=evaluation.id,
            before=None,
            after={"status": "submitted"},
        )
    ]
    with app.test_request_context():
        seen_by_hr = audit_display.present(rows, world.hr, lambda e, **kw: f"{e}:{kw}")
        seen_by_other = audit_display.present(rows, world.sup_a, lambda e, **kw: f"{e}:{kw}")
    assert seen_by_hr[0].record_url is not None
    assert seen_by_other[0].record_url is None, "out of reach: named, never linked"
    assert seen_by_other[0].record_name.startswith("Evaluation of")


def test_the_action_picker_lists_the_actions_and_picks_one_or_a_group(client, world):
    card = card_for(world)
    submitted(world, card)
    other = entry(
        world.hr, "person.edit", "person", world.agent_a1.id, {"name": "a"}, {"name": "z"}
    )

    as_user(client, world.hr)
    html = client.get("/admin/audit").get_data(as_text=True)
    picker = re.search(r'<select id="action" name="action">(.*?)</select>', html, re.S).group(1)
    assert picker.startswith('<option value="">Any action</option>')
    assert '<optgroup label="Evaluation">' in picker
    assert 'value="evaluation.">All: Evaluation</option>' in picker
    assert 'value="evaluation.submit">Evaluation submitted</option>' in picker
    assert 'value="person.edit">Person edited</option>' in picker
    picked = client.get("/admin/audit?action=evaluation.").get_data(as_text=True)
    assert other.id not in _ids(picked) and _last_entry("evaluation.submit") in _ids(picked)
    assert _last_entry("evaluation.start") in _ids(picked)
    one = client.get("/admin/audit?action=evaluation.submit").get_data(as_text=True)
    assert _last_entry("evaluation.start") not in _ids(one)
    assert 'selected value="evaluation.submit"' in one


def test_the_page_does_not_query_per_entry(app, client, world):
    card = card_for(world)
    as_user(client, world.hr)

    def some_of_everything(k: int) -> None:
        for i in range(k):
            agent = (world.agent_a1, world.agent_a2)[i % 2]
            evaluation = submitted(world, card, agent=agent)
            entry(
                world.hr,
                "person.edit",
                "person",
                agent.id,
                {"team_id": world.team_a.id},
                {"team_id": world.team_b.id, "manager_id": world.sup_b.id},
            )
            entry(world.qa, "scorecard.edit", "scorecard", card.id, {"name": "a"}, {"name": "b"})
            del evaluation

    some_of_everything(1)
    with count_queries(app) as few:
        assert client.get("/admin/audit").status_code == 200
    some_of_everything(4)
    with count_queries(app) as many:
        assert client.get("/admin/audit").status_code == 200
    assert len(many) == len(few)


def _ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-entry="(\d+)"', html)}


def _last_entry(action: str) -> int:
    from sqlalchemy import select

    return db.session.execute(
        select(audit.AuditEntry.id)
        .where(audit.AuditEntry.action == action)
        .order_by(audit.AuditEntry.id.desc())
        .limit(1)
    ).scalar_one()


def test_every_registered_type_names_unknown_ids_as_nothing_in_one_query(app, world):
    registered = sorted(audit_display._TYPES)
    assert {"person", "evaluation", "scorecard", "goal", "review", "coaching_session"} <= set(
        registered
    )
    for name in registered:
        record_type = audit_display.record_type(name)
        if record_type.describe is None:
            continue
        with app.test_request_context(), count_queries(app) as statements:
            assert dict(record_type.describe([2_000_000_000])) == {}, name
        assert len(statements) == 1, name


def test_goals_reviews_and_one_on_ones_read_by_name_with_links(client, world):
    from tests.coaching.helpers import setup_series
    from tests.goals.helpers import ready_review

    ready = ready_review(world)
    series = setup_series(world)[world.agent_a1.id]
    as_user(client, world.hr)
    html = client.get("/admin/audit").get_data(as_text=True)
    goal = ready.goals[0]
    assert f'<a href="/goals/{goal.id}">{goal.title} ({world.agent_a1.name})</a>' in html
    assert f'href="/goals/reviews/{ready.review.id}"' in html
    assert f"Review of {world.agent_a1.name}, {ready.cycle.name}" in html
    assert f'href="/coaching/series/{series.id}"' in html
    assert f"1:1s of {world.agent_a1.name} with {world.sup_a.name}" in html
    assert "Goal created" in html


def test_scorecards_grants_and_calibration_scores_read_in_words(client, world):
    card = card_for(world)
    version = card.current_version
    question = version.sections[0].questions[0]
    edit = entry(
        world.qa,
        "scorecard.edit",
        "scorecard",
        card.id,
        {"current_version_id": None, "market_ids": [], "is_archived": False},
        {"current_version_id": version.id, "market_ids": [world.hk.id], "is_archived": True},
    )
    grant = entry(
        world.hr,
        "grant.create",
        "staff_grant",
        2_000_000,
        None,
        {"person_id": world.qa.id, "role": "qa_analyst", "team_id": world.team_a.id},
    )
    score = entry(
        world.sup_a,
        "calibration.score",
        "calibration_score",
        2_000_001,
        None,
        {
            "score": "200/3",
            "answers": {str(question.id): "no"},
            "comments": {str(question.id): "Did not verify the caller"},
            "overall_comment": "Otherwise fine",
        },
    )
    as_user(client, world.hr)
    html = client.get("/admin/audit").get_data(as_text=True)
    text = words(row_html(html, edit.id))
    assert f"Current version: — → {card.name}, version {version.number}" in text
    assert f"Markets: — → {world.hk.name}" in text and "Archived: No → Yes" in text
    assert f'href="/qa/scorecards/{card.id}"' in row_html(html, edit.id)
    text = words(row_html(html, grant.id))
    assert "Staff grant given" in text and "Role: QA analyst" in text
    assert f"Person: {world.qa.name}" in text and f"Team: {world.team_a.name}" in text
    text = words(row_html(html, score.id))
    assert "Score: 66.7 %" in text and f"Answers: {question.text}: No" in text
    assert f"Comments: {question.text}: Did not verify the caller" in text
    assert "Overall comment: Otherwise fine" in text


def test_result_refreshes_do_not_read_the_logged_actions(app, client, world):
    entry(world.hr, "person.edit", "person", world.agent_a1.id, {"name": "a"}, {"name": "z"})
    as_user(client, world.hr)
    with count_queries(app) as page:
        assert client.get("/admin/audit").status_code == 200
    assert any("DISTINCT" in s.upper() for s in page), "the full page builds the picker"
    with count_queries(app) as refresh:
        response = client.get("/admin/audit?action=person.", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "person.edit" in response.get_data(as_text=True)
    assert not any("DISTINCT" in s.upper() for s in refresh)


def test_a_sampling_rule_is_linked_only_when_its_team_is_in_the_viewers_qa_scope(app, world):
    from portal.qa import sampling_service

    rule = sampling_service.create_rule(
        world.manager_hk,
        sampling_service.RuleFields(
            name="Team B weekly",
            root_person_id=world.sup_b.id,
            per_agent=3,
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
    rows = [
        audit.AuditEntry(
            id=1,
            action="sampling_rule.create",
            record_type="sampling_rule",
            record_id=rule.id,
            before=None,
            after={"name": rule.name},
        )
    ]

    def link_for(viewer):
        return audit_display.present(rows, viewer, lambda e, **kw: f"{e}:{kw}")[0].record_url

    with app.test_request_context():
        assert link_for(world.manager_hk) is not None
        assert link_for(world.hr) is not None
        # sup_a may manage sampling rules, but not this one: its page would answer 404.
        assert link_for(world.sup_a) is None
        assert link_for(world.agent_a1) is None
