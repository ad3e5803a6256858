"""Business reviews: one per kind, node, market and period; the figures against the previous
period and target, hand-computed on the small world; frozen when held; who sees and runs them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEntry
from portal.business import reviews
from portal.business.models import BusinessReview
from portal.db import utcnow
from portal.errors import Forbidden, InvalidTransition
from portal.extensions import db
from tests.business.helpers import PREVIOUS_WEEK, WEEK, build_business_kpis, schedule
from tests.coaching.helpers import make_evaluation, scorecard_question_ids
from tests.conftest import as_user, post_form
from tests.kpis.kpi_world import add_value

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def kpis(world):
    return build_business_kpis(world)


def by_code(figures):
    return {line.code: line for line in figures.kpis}


def count_reviews() -> int:
    return db.session.scalar(select(func.count(BusinessReview.id)))


def test_a_review_covers_the_week_or_month_holding_the_day(world):
    wbr = schedule(world.sup_a, world.sup_a, on=date(2026, 11, 5))  # a Thursday
    mbr = schedule(world.sup_a, world.sup_a, kind="mbr", on=date(2026, 11, 5))
    assert (wbr.period_start, wbr.period_end) == (date(2026, 11, 2), date(2026, 11, 8))
    assert (mbr.period_start, mbr.period_end) == (date(2026, 11, 1), date(2026, 11, 30))
    assert "WBR" in wbr.title and world.sup_a.name in wbr.title


def test_the_same_kind_node_market_and_period_makes_one_review(world):
    first = schedule(world.sup_a, world.sup_a, on=date(2026, 11, 3))
    again, created = reviews.create_review(
        world.manager_hk, kind="wbr", node=world.sup_a, market_id=None, on=date(2026, 11, 6)
    )
    assert again.id == first.id and created is False
    other_market = schedule(world.sup_a, world.sup_a, on=date(2026, 11, 3), market_id=world.hk.id)
    assert other_market.id != first.id
    assert count_reviews() == 2


def test_a_double_submitted_form_creates_one_review(client, world):
    as_user(client, world.sup_a)
    data = {"kind": "wbr", "node_id": str(world.sup_a.id), "on": "2026-11-03"}
    first = post_form(client, "/business/reviews/new", data)
    second = post_form(client, "/business/reviews/new", data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert count_reviews() == 1


def test_a_bad_form_keeps_what_was_typed(client, world):
    as_user(client, world.sup_a)
    response = post_form(
        client,
        "/business/reviews/new",
        {"kind": "wbr", "node_id": str(world.sup_a.id), "title": "x" * 201},
    )
    assert response.status_code == 422
    assert "x" * 201 in response.get_data(as_text=True)


def test_figures_of_a_team_week_against_the_previous_week_and_the_team_target(world, kpis):
    review = schedule(world.sup_a, world.sup_a)
    figures = reviews.figures_for(world.sup_a, review, minimum=5, now=NOW)
    csat, aht = by_code(figures)["csat"], by_code(figures)["aht"]
    # Team A, two days: (4.8x10 + 4.2x30) x 2 / (40 x 2) = 174/40 = 4.35 over 4 rows;
    # previous week (4.0x10 + 4.0x30) / 40 = 4.00 over 2 rows; team A's own target 4.7.
    assert (csat.value, csat.n, csat.previous, csat.previous_n) == (
        Decimal("4.35"),
        4,
        Decimal("4"),
        2,
    )
    assert csat.target == Decimal("4.7") and csat.meets is False
    assert csat.attainment == Decimal("4.35") / Decimal("4.7")
    assert csat.change == Decimal("0.35") and csat.improved is True
    # Handle time, lower is better: (300 + 500) / 2 = 400 against 400 (HK); before 500.
    assert (aht.value, aht.previous, aht.target) == (Decimal(400), Decimal(500), Decimal(400))
    assert aht.meets is True and aht.attainment == 1 and aht.improved is True
    assert (figures.previous_start, figures.previous_end) == (PREVIOUS_WEEK, WEEK - timedelta(1))


def test_a_manager_node_spans_two_teams_so_the_market_target_applies(world, kpis):
    review = schedule(world.manager_hk, world.manager_hk)
    csat = by_code(reviews.figures_for(world.manager_hk, review, minimum=5, now=NOW))["csat"]
    # (48 + 126 + 15) x 2 / (45 x 2) = 189/45 = 4.2; teams A and B, one market: HK's 4.5.
    assert csat.value == Decimal("4.2") and csat.n == 6 and csat.target == Decimal("4.5")


def test_a_market_review_counts_only_that_market(world, kpis):
    review = schedule(world.hr, world.head, market_id=world.jp.id)
    figures = by_code(reviews.figures_for(world.hr, review, minimum=5, now=NOW))
    assert figures["csat"].value == Decimal(5) and figures["csat"].n == 2
    assert figures["csat"].target is None  # no JP target
    assert figures["aht"].value == Decimal(100)


def _evaluations(world, scores, day: date, critical: int = 0):
    version_id, _questions = scorecard_question_ids(world)
    at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=4)
    for index, score in enumerate(scores):
        ev = make_evaluation(
            world, world.agent_a1, version_id, submitted_at=at, critical=index < critical
        )
        ev.score = Decimal(score)
    db.session.commit()


def test_qa_average_carries_its_n_and_critical_fails_against_the_previous_week(world):
    _evaluations(world, [80, 90, 70, 100, 60], WEEK + timedelta(days=2), critical=1)
    _evaluations(world, [70, 70, 70, 70, 70, 70], PREVIOUS_WEEK + timedelta(days=2))
    review = schedule(world.sup_a, world.sup_a)
    qa = reviews.figures_for(world.sup_a, review, minimum=5, now=NOW).qa
    assert (qa.current.n, qa.current.n_scored, qa.current.mean, qa.current.n_critical) == (
        5,
        5,
        Decimal(80),
        1,
    )
    assert qa.previous.mean == Decimal(70) and qa.previous.n == 6
    assert qa.change == Decimal(10) and qa.improved is True


def test_below_the_minimum_the_qa_mean_is_not_shown(world):
    _evaluations(world, [80, 90], WEEK + timedelta(days=2))
    review = schedule(world.sup_a, world.sup_a)
    qa = reviews.figures_for(world.sup_a, review, minimum=5, now=NOW).qa
    assert qa.current.mean is None and qa.current.n_scored == 2 and qa.change is None


def test_holding_a_review_freezes_its_figures(client, world, kpis):
    review = schedule(world.sup_a, world.sup_a)
    live_before = by_code(reviews.figures_for(world.sup_a, review, minimum=5, now=NOW))
    reviews.hold_review(world.sup_a, review, expected_version=review.version, minimum=5, now=NOW)
    # New values for the reviewed week arrive after the meeting.
    add_value(world.agent_a1, kpis["aht"], WEEK + timedelta(days=4), value="1000")
    db.session.commit()
    frozen = reviews.figures_for(world.sup_a, review, minimum=5, now=utcnow())
    assert by_code(frozen)["aht"].value == live_before["aht"].value == Decimal(400)
    assert frozen.computed_at == NOW and review.snapshot_at == NOW
    other = schedule(world.sup_a, world.sup_a, market_id=world.hk.id)  # still scheduled: live
    live = by_code(reviews.figures_for(world.sup_a, other, minimum=5, now=NOW))
    assert live["aht"].value == Decimal(520)  # (300 + 500) x 2 + 1000 = 2600 over 5 rows
    as_user(client, world.sup_a)
    body = client.get(f"/business/reviews/{review.id}").get_data(as_text=True)
    assert "Frozen when the review was held" in body


def test_a_held_review_cannot_be_held_again(world):
    review = schedule(world.sup_a, world.sup_a)
    reviews.hold_review(world.sup_a, review, expected_version=review.version, minimum=5, now=NOW)
    with pytest.raises(InvalidTransition):
        reviews.hold_review(
            world.sup_a, review, expected_version=review.version, minimum=5, now=NOW
        )


def test_marking_held_from_a_stale_page_is_refused_with_a_clear_message(client, world):
    review = schedule(world.sup_a, world.sup_a)
    stale = review.version
    reviews.save_notes(world.manager_hk, review, "Manager was here", expected_version=stale)
    as_user(client, world.sup_a)
    response = post_form(
        client,
        f"/business/reviews/{review.id}/hold",
        {"version": str(stale)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert "Someone else changed this review" in response.get_data(as_text=True)


def test_two_people_saving_notes_from_the_same_version_the_second_is_told(client, world):
    review = schedule(world.sup_a, world.sup_a)
    version = review.version
    as_user(client, world.sup_a)
    url = f"/business/reviews/{review.id}/notes"
    hx = {"HX-Request": "true"}
    first = post_form(client, url, {"notes": "First words", "version": str(version)}, headers=hx)
    assert first.status_code == 200
    second = post_form(client, url, {"notes": "Second words", "version": str(version)}, headers=hx)
    body = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "Second words" in body and "First words" in body  # typing kept, saved text shown
    db.session.expire_all()
    assert db.session.get(BusinessReview, review.id).notes == "First words"


def test_a_supervisor_cannot_open_a_review_of_another_subtree(client, world):
    review = schedule(world.sup_a, world.sup_a)
    as_user(client, world.sup_b)
    assert client.get(f"/business/reviews/{review.id}").status_code == 404
    as_user(client, world.agent_a1)  # below the node, but the node is above them
    assert client.get(f"/business/reviews/{review.id}").status_code == 404
    as_user(client, world.manager_hk)
    assert client.get(f"/business/reviews/{review.id}").status_code == 200


def test_nobody_schedules_a_review_of_a_node_out_of_reach(client, world):
    as_user(client, world.sup_b)
    data = {"kind": "wbr", "node_id": str(world.sup_a.id), "on": "2026-11-03"}
    assert post_form(client, "/business/reviews/new", data).status_code == 404
    assert count_reviews() == 0
    with pytest.raises(Forbidden):
        reviews.create_review(world.agent_a1, kind="wbr", node=world.sup_a, market_id=None, on=WEEK)


def test_the_list_is_scoped_filtered_and_newest_period_first(client, world):
    for weeks in range(3):
        schedule(world.sup_a, world.sup_a, on=WEEK - timedelta(weeks=weeks))
    held = schedule(world.sup_a, world.sup_a, kind="mbr")
    reviews.hold_review(world.sup_a, held, expected_version=held.version, minimum=5, now=NOW)
    schedule(world.sup_b, world.sup_b, title="Team B review")
    page = reviews.review_page(world.sup_a, reviews.ReviewFilters(), limit=2)
    assert [r.period_start for r in page.rows] == [WEEK, date(2026, 11, 1)]
    rest = reviews.review_page(world.sup_a, reviews.ReviewFilters(), after=page.next_cursor)
    assert [r.period_start for r in rest.rows] == [
        WEEK - timedelta(weeks=1),
        WEEK - timedelta(weeks=2),
    ]
    assert rest.next_cursor is None
    held_only = reviews.review_page(world.sup_a, reviews.ReviewFilters(status="held"))
    assert [r.id for r in held_only.rows] == [held.id]
    assert len(reviews.review_page(world.sup_a, reviews.ReviewFilters(kind="wbr")).rows) == 3
    as_user(client, world.sup_a)
    assert "Team B review" not in client.get("/business/").get_data(as_text=True)
    assert "Team B review" in (
        as_user(client, world.manager_hk).get("/business/").get_data(as_text=True)
    )


def test_a_held_review_can_be_reopened_and_then_computes_live_until_held_again(client, world, kpis):
    review = schedule(world.sup_a, world.sup_a)
    reviews.hold_review(world.sup_a, review, expected_version=review.version, minimum=5, now=NOW)
    add_value(world.agent_a1, kpis["aht"], WEEK + timedelta(days=4), value="1000")
    db.session.commit()
    assert by_code(reviews.figures_for(world.sup_a, review, minimum=5, now=NOW))[
        "aht"
    ].value == Decimal(400)  # frozen
    as_user(client, world.sup_a)
    page = client.get(f"/business/reviews/{review.id}").get_data(as_text=True)
    assert "Reopen" in page and "hx-confirm" in page
    response = post_form(
        client,
        f"/business/reviews/{review.id}/reopen",
        {"version": str(review.version)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 204 and response.headers.get("HX-Redirect")
    db.session.expire_all()
    assert review.status == "scheduled" and review.snapshot is None and review.held_at is None
    live = by_code(reviews.figures_for(world.sup_a, review, minimum=5, now=NOW))
    assert live["aht"].value == Decimal(520)  # the late value now counts
    entry = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "business_review.reopen")
    ).one()
    assert entry.before["status"] == "held" and entry.before["held_at"]
    assert entry.after["status"] == "scheduled"
    # Reopening a scheduled review is refused with a message, not a 500.
    again = post_form(
        client,
        f"/business/reviews/{review.id}/reopen",
        {"version": str(review.version)},
        headers={"HX-Request": "true"},
    )
    assert again.status_code == 409
    assert "Only a held review can be reopened." in again.get_data(as_text=True)
    reviews.hold_review(world.sup_a, review, expected_version=review.version, minimum=5, now=NOW)
    assert review.status == "held" and review.snapshot is not None


def test_people_who_cannot_edit_a_review_cannot_reopen_it(client, world):
    review = schedule(world.sup_a, world.sup_a)
    reviews.hold_review(world.sup_a, review, expected_version=review.version, minimum=5, now=NOW)
    as_user(client, world.agent_a2)
    response = post_form(client, f"/business/reviews/{review.id}/reopen", {"version": "1"})
    assert response.status_code == 404
    db.session.expire_all()
    assert review.status == "held"
