"""The calibration page a room can run: chart and table against the guideline, filters in the
URL, one rating changed in place with a reason and a confirmation, the evidence on demand, the
blind preview (no names), the what-if preview (nothing stored), the log, and query counts that
do not grow with the rows."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import func, select

from portal import audit
from portal.extensions import db
from portal.goals import calibration, cycles
from portal.goals import goals as service
from portal.goals.models import CalibrationChange, Review
from portal.notify.models import Notification
from portal.qa.evaluation_models import Evaluation
from tests.conftest import as_user, count_queries, post_form
from tests.factories import PersonFactory
from tests.goals.calibration_helpers import calibration_cycle, to_calibration
from tests.goals.helpers import goal_fields, review_of
from tests.qa.programme_helpers import make_card, make_contact

HX = {"HX-Request": "true"}


@pytest.fixture
def cycle(world):
    """A1, A2 (Team A, reviewer sup_a) and B1 (Team B, reviewer sup_b) in calibration, all
    proposed 3; manager_hk calibrates them."""
    return calibration_cycle(world)


def page(client, url, **kw) -> str:
    response = client.get(url, **kw)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def chart_of(body: str, key: str = "now") -> dict:
    found = re.search(rf'id="chart-{key}"[^>]*data-calibration-chart="([^"]*)"', body)
    assert found, f"no chart {key}"
    return json.loads(unescape(found.group(1)))


def change(client, review, rating, reason, *, version=None, headers=None, query=""):
    prefix = f"r{review.id}"
    data = {
        f"{prefix}-version": str(version if version is not None else review.version),
        f"{prefix}-rating": str(rating),
        f"{prefix}-reason": reason,
    }
    # post_form adds the CSRF header to the dict it is given: give it a copy.
    return post_form(
        client, f"/goals/calibration/{review.id}{query}", data, headers={**(headers or {})}
    )


def changes_count() -> int:
    return db.session.scalar(select(func.count()).select_from(CalibrationChange))


# ---- the distribution ----------------------------------------------------------------------


def test_the_distribution_is_a_chart_against_the_guideline_and_a_table(client, world, cycle):
    as_user(client, world.manager_hk)
    body = page(client, f"/goals/calibration?cycle={cycle.id}")
    chart = chart_of(body)
    assert chart["counts"] == [0, 0, 3, 0, 0] and chart["shares"] == [0, 0, 100.0, 0, 0]
    assert chart["guideline"] == [None, None, None, 35.0, 15.0]
    assert chart["text"]["x"] == "Rating" and chart["text"]["y"] == "Share (%)"
    # The chart is named by visible text, and the same figures are in a table.
    assert 'aria-labelledby="chart-now-caption"' in body
    assert "Ratings distribution (n = 3)" in body
    assert '<th scope="row">3 · Meets expectations</th><td>3</td><td>100 %</td>' in body
    assert "vendor/chart.umd.min.js" in body and "js/calibration.js" in body


def test_there_is_no_form_on_every_row_only_a_change_button(client, world, cycle):
    as_user(client, world.manager_hk)
    body = page(client, f"/goals/calibration?cycle={cycle.id}")
    table = body.split('class="table calibration-table"')[1].split("</table>")[0]
    assert "<form" not in table and "<textarea" not in table
    assert len(re.findall(r'hx-get="/goals/calibration/\d+/edit', table)) == 3
    # Each button says whose rating it changes, in text (not in an aria-label).
    assert '<span class="visually-hidden"> · A1 MK-A1</span>' in table


# ---- filters ----------------------------------------------------------------------------------


def test_filters_by_team_reviewer_and_position_narrow_rows_and_distribution(client, world, cycle):
    as_user(client, world.manager_hk)
    body = page(client, f"/goals/calibration?cycle={cycle.id}&team={world.team_b.id}")
    assert "B1 MK-B1" in body and "A1 MK-A1" not in body
    assert chart_of(body)["counts"] == [0, 0, 1, 0, 0]
    # The other filters offer what the whole calibration holds, and the URLs keep the filter.
    assert f'<option value="{world.team_a.id}" >Team A</option>' in body
    assert f"team={world.team_b.id}" in body.split("calibration-table")[1]
    body = page(client, f"/goals/calibration?cycle={cycle.id}&reviewer={world.sup_a.id}")
    assert "A1 MK-A1" in body and "A2 MK-A2" in body and "B1 MK-B1" not in body
    agent = world.agent_a1.position_id
    body = page(client, f"/goals/calibration?cycle={cycle.id}&position={agent}")
    assert "Ratings side by side · n = 3" in body
    body = page(client, f"/goals/calibration?cycle={cycle.id}&position={world.sup_a.position_id}")
    assert "No review has reached calibration yet." in body


def test_the_filter_form_swaps_the_board_and_pushes_the_url(client, world, cycle):
    as_user(client, world.manager_hk)
    body = page(client, f"/goals/calibration?cycle={cycle.id}&team={world.team_a.id}", headers=HX)
    assert body.lstrip().startswith('<section id="calibration-board"')
    assert "<html" not in body and 'hx-push-url="true"' in body


# ---- one change in place ---------------------------------------------------------------------


def test_change_swaps_in_an_edit_row_for_that_one_person_and_cancel_returns_it(
    client, world, cycle
):
    review = review_of(cycle, world.agent_a1)
    as_user(client, world.manager_hk)
    edit = page(client, f"/goals/calibration/{review.id}/edit?rating=4", headers=HX)
    assert edit.lstrip().startswith(f'<tr id="calibration-row-{review.id}"')
    assert edit.count("<form") == 1 and "A2 MK-A2" not in edit
    assert '<option selected value="4">' in edit  # the rating tried in the what-if
    assert f'<label for="r{review.id}-reason">Reason' in edit and "data-cancel" in edit
    row = page(client, f"/goals/calibration/{review.id}/row", headers=HX)
    assert row.lstrip().startswith(f'<tr id="calibration-row-{review.id}">')
    assert "<form" not in row and "data-return-focus" in row
    # In the what-if preview, the row comes back with the rating tried for it still chosen.
    row = page(client, f"/goals/calibration/{review.id}/row?whatif=1&w{review.id}=5", headers=HX)
    assert '<option value="5" selected>' in row
    # Without htmx, the same links lead to the page with that row open.
    response = client.get(f"/goals/calibration/{review.id}/edit")
    assert response.status_code == 303 and f"edit={review.id}" in response.location
    body = page(client, response.location)
    assert body.count('class="calibration-edit"') == 1


def test_saving_updates_the_row_and_the_distribution_with_a_confirmation(
    client, world, cycle, no_email
):
    review = review_of(cycle, world.agent_a1)
    as_user(client, world.manager_hk)
    response = change(client, review, 4, "Carried the team", headers=HX)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Rating of A1 MK-A1 changed from 3 to 4." in body
    assert 'id="calibration-status"' in body and 'hx-swap-oob="true"' in body
    assert chart_of(body)["counts"] == [0, 0, 2, 1, 0]
    assert "4 · Exceeds expectations" in body and "data-return-focus" in body
    assert json.loads(response.headers["HX-Trigger"]) == {
        "rating-calibrated": {"review": review.id}
    }
    # The one way a rating changes: kept with its reason, audited, the reviewer told.
    db.session.expire_all()
    assert db.session.get(Review, review.id).final_rating == 4
    kept = db.session.execute(select(CalibrationChange)).scalar_one()
    assert (kept.before_rating, kept.after_rating, kept.reason) == (3, 4, "Carried the team")
    assert (
        db.session.scalar(select(func.count()).where(audit.AuditEntry.action == "review.calibrate"))
        == 1
    )
    told = db.session.execute(
        select(Notification.person_id).where(Notification.kind == "review.rating_calibrated")
    ).scalars()
    assert list(told) == [world.sup_a.id]


def test_without_htmx_a_change_redirects_to_the_page_with_the_confirmation(client, world, cycle):
    review = review_of(cycle, world.agent_a1)
    as_user(client, world.manager_hk)
    response = change(client, review, 2, "Missed the goal", query=f"?team={world.team_a.id}")
    assert response.status_code == 303 and f"team={world.team_a.id}" in response.location
    body = page(client, response.location)
    assert "Rating of A1 MK-A1 changed from 3 to 2." in body


def test_a_change_without_a_reason_keeps_the_edit_row_and_what_was_typed(client, world, cycle):
    review = review_of(cycle, world.agent_a1)
    as_user(client, world.manager_hk)
    response = change(client, review, 5, "", headers=HX)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in body and "data-edit-row" in body
    assert '<option selected value="5">' in body
    assert changes_count() == 0


def test_a_stale_change_is_refused_and_keeps_the_reason_typed(client, world, cycle):
    review = review_of(cycle, world.agent_a1)
    as_user(client, world.manager_hk)
    stale = review.version
    calibration.change_rating(
        review, world.hr, new_rating=2, reason="HR first", expected_version=review.version
    )
    response = change(client, review, 5, "Typed during the meeting", version=stale, headers=HX)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Typed during the meeting" in body and 'role="alert"' in body
    db.session.expire_all()
    fresh = db.session.get(Review, review.id)
    assert f'value="{fresh.version}"' in body  # saving again now works on what is there now
    assert fresh.final_rating == 2 and changes_count() == 1


def test_the_reviewer_is_offered_no_change_and_cannot_open_one(client, world, cycle):
    review = review_of(cycle, world.agent_a1)
    as_user(client, world.sup_a)
    body = page(client, f"/goals/calibration?cycle={cycle.id}")
    assert "A1 MK-A1" not in body
    assert client.get(f"/goals/calibration/{review.id}/edit", headers=HX).status_code == 404


# ---- evidence ---------------------------------------------------------------------------------


def test_the_evidence_is_loaded_on_demand_with_the_reviews_own_figures(
    client, app, world, card_for_evidence, monkeypatch
):
    cycle, review = card_for_evidence
    as_user(client, world.manager_hk)
    body = page(client, f"/goals/calibration?cycle={cycle.id}")
    assert "Goal achievement" not in body  # not until asked
    assert f'hx-get="/goals/calibration/{review.id}/evidence"' in body
    assert 'hx-trigger="toggle once"' in body
    evidence = page(client, f"/goals/calibration/{review.id}/evidence", headers=HX)
    assert "Goal achievement" in evidence and "50 %" in evidence  # 18 h of 24 → 12 h
    assert "goals with a check-in carry 100 of 100 weight" in evidence
    assert "Suggested rating</dt><dd>2 · Partially meets expectations" in evidence
    assert 'Self-ratings (mean)</dt><dd>4 <span class="hint">n = 4' in evidence
    assert "QA average in the cycle" in evidence
    # The review page's own QA figure: two evaluations are below the minimum of five...
    assert "Not enough data (2 evaluations; at least 5 needed)" in evidence
    # ...and with a minimum of two, 70 and 90 give 80 and a wide interval kept within 0–100.
    monkeypatch.setitem(app.config, "QA_MIN_EVALUATIONS", 2)
    evidence = page(client, f"/goals/calibration/{review.id}/evidence", headers=HX)
    assert '<strong class="evidence-figure">80</strong>' in evidence
    assert "over 2 evaluations" in evidence and "95 % interval 0–100" in evidence
    assert "Response MK-A1" in evidence
    # Without htmx, a page of its own.
    full = page(client, f"/goals/calibration/{review.id}/evidence")
    assert "<h1>Evidence · A1 MK-A1</h1>" in full


@pytest.fixture
def card_for_evidence(world):

    cycle = calibration_cycle(world, people=[])
    review = review_of(cycle, world.agent_a1)
    goal = service.create_goal(review, world.sup_a, goal_fields("Response MK-A1", weight=100))
    service.add_check_in(
        goal, world.agent_a1, value=Decimal("18"), confidence="on_track", comment="", token="e1"
    )

    to_calibration(review, world.sup_a)

    # Two submitted QA evaluations in the cycle's period (70 and 90) and one draft (ignored).

    card = make_card(world.qa)
    for index, (score, status) in enumerate([(70, "submitted"), (90, "submitted"), (10, "draft")]):
        contact = make_contact(world.agent_a1, datetime(2026, 9, 1 + index, tzinfo=UTC))
        db.session.add(
            Evaluation(
                contact_id=contact.id,
                person_id=world.agent_a1.id,
                evaluator_id=world.qa.id,
                scorecard_version_id=card.version.id,
                status=status,
                score=Decimal(score),
                submitted_at=None if status == "draft" else datetime(2026, 9, 2, tzinfo=UTC),
            )
        )
    db.session.commit()
    return cycle, review


# ---- blind preview ---------------------------------------------------------------------------


def test_the_blind_preview_hides_names_teams_and_reviewers_and_keeps_the_figures(
    client, world, card_for_evidence
):
    cycle, review = card_for_evidence
    for person in (world.agent_a2, world.agent_b1):
        other = review_of(cycle, person)
        to_calibration(other, other.reviewer)
    calibration.change_rating(
        review,
        world.hr,
        new_rating=4,
        reason="Asked by MK-A1's peers",
        expected_version=review.version,
    )
    as_user(client, world.manager_hk)
    body = page(client, f"/goals/calibration?cycle={cycle.id}&blind=1")
    # After the filters (which list the teams and reviewers to choose from).
    board = body.split('id="calibration-filters"')[1].split("</form>", 1)[1]
    for marker in ("MK-A1", "MK-A2", "MK-B1", "MK-SUPA", "MK-SUPB", "Team A", "Team B"):
        assert marker not in board, marker
    assert all(f"Person {n}" in board for n in (1, 2, 3))
    assert chart_of(body)["counts"] == [0, 0, 2, 1, 0]  # the ratings stay
    assert "The log is hidden in the blind preview" in board
    # The evidence in the blind preview: figures without goal titles (they may name people).
    evidence = page(client, f"/goals/calibration/{review.id}/evidence?blind=1", headers=HX)
    assert "MK-A1" not in evidence and "Goal 1" in evidence and "50 %" in evidence
    # A change made blind confirms with the number, not the name; the number does not move.
    number = re.search(
        rf'id="calibration-row-{review.id}">\s*<th scope="row">\s*(Person \d)', board
    )
    response = change(client, review, 3, "Same results as peers", headers=HX, query="?blind=1")
    confirmation = response.get_data(as_text=True)
    assert f"Rating of {number.group(1)} changed from 4 to 3." in confirmation
    assert "MK-A1" not in confirmation.split('id="calibration-board"')[1]


# ---- what-if -----------------------------------------------------------------------------------


def test_the_what_if_preview_shows_the_distribution_and_warnings_and_stores_nothing(
    client, world, cycle
):
    a1, a2 = review_of(cycle, world.agent_a1), review_of(cycle, world.agent_a2)
    versions = (a1.version, a2.version)
    audit_before = db.session.scalar(
        select(func.count()).where(audit.AuditEntry.action.like("review.%"))
    )
    as_user(client, world.manager_hk)
    url = f"/goals/calibration/what-if?cycle={cycle.id}&whatif=1&w{a1.id}=5&w{a2.id}=4"
    body = page(client, url, headers=HX)
    assert body.lstrip().startswith('<section class="card" id="calibration-what-if"')
    assert chart_of(body, "what-if")["whatIf"] == [0, 0, 33.3, 33.3, 33.3]
    assert "33 % rated 5, above the guideline's 15 %" in body
    assert "A1 MK-A1: 3 · Meets expectations → 5 · Outstanding" in body
    assert (
        f'hx-get="/goals/calibration/{a1.id}/edit?rating=5' in body
    )  # then save it, with a reason
    db.session.expire_all()
    assert (
        db.session.get(Review, a1.id).final_rating,
        db.session.get(Review, a2.id).final_rating,
    ) == (3, 3)
    assert (
        db.session.get(Review, a1.id).version,
        db.session.get(Review, a2.id).version,
    ) == versions
    assert changes_count() == 0
    assert (
        db.session.scalar(select(func.count()).where(audit.AuditEntry.action.like("review.%")))
        == audit_before
    )
    # The whole page shows the same preview (no JavaScript), with the what-if column.
    full = page(client, url)
    assert f'name="w{a1.id}"' in full and "A1 MK-A1: 3 · Meets expectations → 5" in full


def test_a_what_if_ignores_reviews_outside_ones_calibration_and_off_the_scale(client, world, cycle):
    a1 = review_of(cycle, world.agent_a1)
    other = calibration_cycle(
        world, people=[world.agent_c1], name="JP cycle", root=world.manager_jp
    )
    c1 = review_of(other, world.agent_c1)  # manager_jp's, not manager_hk's
    as_user(client, world.manager_hk)
    body = page(
        client,
        f"/goals/calibration/what-if?cycle={cycle.id}&w{c1.id}=5&w{a1.id}=9&wx=1&w{a1.id}0=2",
        headers=HX,
    )
    assert "No what-if rating chosen yet." in body and "MK-C1" not in body


def test_saving_with_a_what_if_open_keeps_the_other_tried_ratings(client, world, cycle):
    a1, a2 = review_of(cycle, world.agent_a1), review_of(cycle, world.agent_a2)
    as_user(client, world.manager_hk)
    prefix = f"r{a1.id}"
    response = post_form(
        client,
        f"/goals/calibration/{a1.id}?whatif=1",
        {
            f"{prefix}-version": str(a1.version),
            f"{prefix}-rating": "5",
            f"{prefix}-reason": "Top of the market",
            f"w{a1.id}": "5",
            f"w{a2.id}": "4",
        },
        headers={**HX},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A2 MK-A2: 3 · Meets expectations → 4" in body  # still tried
    assert "A1 MK-A1: 3 · Meets expectations → 5" not in body  # saved, no longer a what-if


# ---- the log ----------------------------------------------------------------------------------


def test_the_log_lists_changes_newest_first_filtered_and_keyset_paged(app, client, world, cycle):
    a1, a2, b1 = (review_of(cycle, p) for p in (world.agent_a1, world.agent_a2, world.agent_b1))
    for review, by, value in [
        (a1, world.manager_hk, 4),
        (b1, world.hr, 2),
        (a2, world.manager_hk, 5),
    ]:
        calibration.change_rating(
            review, by, new_rating=value, reason=f"reason {value}", expected_version=review.version
        )
    as_user(client, world.manager_hk)
    body = page(client, f"/goals/calibration/log?cycle={cycle.id}", headers=HX)
    assert body.index("reason 5") < body.index("reason 2") < body.index("reason 4")
    assert "3 → 5</td>" in body and "Mgrhk MK-MGRHK" in body
    body = page(client, f"/goals/calibration/log?cycle={cycle.id}&by={world.hr.id}", headers=HX)
    assert "reason 2" in body and "reason 4" not in body
    body = page(
        client, f"/goals/calibration/log?cycle={cycle.id}&team={world.team_a.id}", headers=HX
    )
    assert "reason 2" not in body and "reason 4" in body
    app.config["PAGE_SIZE"] = 2
    try:
        first = page(client, f"/goals/calibration/log?cycle={cycle.id}", headers=HX)
        assert "reason 4" not in first and 'rel="next"' in first
        after = re.search(r'href="([^"]*after=\d+[^"]*)"', first).group(1)
        second = page(client, unescape(after), headers=HX)
        assert "reason 4" in second and "reason 5" not in second and "Newest changes" in second
    finally:
        app.config["PAGE_SIZE"] = 25
    assert client.get(f"/goals/calibration/log?cycle={cycle.id}&after=x").status_code == 400


# ---- query counts ---------------------------------------------------------------------------


def _statements(app, client, url) -> int:
    client.get(url)  # warm the session and the caches of the first request
    with count_queries(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_the_pages_query_counts_do_not_grow_with_the_rows(app, client, world, no_panel_cache):
    cycle = calibration_cycle(world, people=[world.agent_a1])
    a1 = review_of(cycle, world.agent_a1)
    calibration.change_rating(a1, world.hr, new_rating=4, reason="one", expected_version=a1.version)
    as_user(client, world.manager_hk)
    urls = [
        f"/goals/calibration?cycle={cycle.id}",
        f"/goals/calibration?cycle={cycle.id}&blind=1&whatif=1",
        f"/goals/calibration/what-if?cycle={cycle.id}&w{a1.id}=5",
        f"/goals/calibration/log?cycle={cycle.id}",
    ]
    small = [_statements(app, client, url) for url in urls]

    for index in range(4):
        person = PersonFactory(
            name=f"Extra {index}", manager=world.sup_b, team=world.team_b, market=world.hk
        )

        cycles.enrol(cycle, world.hr, cycles.Eligibility(person.id, None, ()))
        review = review_of(cycle, person)
        to_calibration(review, world.sup_b)
        calibration.change_rating(
            review, world.hr, new_rating=2, reason="more", expected_version=review.version
        )
    big = [_statements(app, client, url) for url in urls]
    assert big == small
