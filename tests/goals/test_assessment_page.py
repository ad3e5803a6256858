"""The assessment page: the evidence beside each rating, the live computed overall (computed from
the typed ratings, nothing saved), the autosaved draft with its version check, the explicit
save answering its form alone to htmx, and a fixed number of statements."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from itertools import count

import pytest
from sqlalchemy import func, select

from portal import audit
from portal.extensions import db
from portal.goals import goals as goal_service
from portal.goals import reviews
from portal.goals.models import Author, ReviewRating
from tests.conftest import count_queries, login, post_form
from tests.goals.helpers import all_ratings, goal_fields, ready_review
from tests.goals.test_reviews import submit_self
from tests.teams import panel_world as pw


def hx() -> dict:
    return {"HX-Request": "true"}


_tokens = count(1)


def subjects(review) -> list[str]:
    return [reviews.goal_subject(g.id) for g in review.goals] + [
        reviews.competency_subject(c["key"]) for c in review.cycle.competencies
    ]


def typed(review, author: str, ratings: dict | None = None, rating="3", **extra) -> dict:
    """The form as the browser sends it: every subject rated `rating` unless given."""
    data = {f"{author}-version": str(review.version), f"{author}-overall_comment": ""}
    for subject in subjects(review):
        data[f"rating-{subject}"] = (ratings or {}).get(subject, rating)
        data[f"comment-{subject}"] = ""
    data.update(extra)
    return data


def at_manager_review(world):
    ready = ready_review(world)
    submit_self(ready.review, world.agent_a1, rating=4, comment="SELF-SAYS")
    return ready


def audits(action: str) -> int:
    return db.session.execute(
        select(func.count()).select_from(audit.AuditEntry).where(audit.AuditEntry.action == action)
    ).scalar_one()


def check_in(goal, by, value):
    goal_service.add_check_in(
        goal,
        by,
        value=Decimal(value),
        confidence="at_risk",
        comment="CHECKIN-NOTE",
        token=f"page-{next(_tokens)}",
    )


# ---- the page ---------------------------------------------------------------------------------


def test_the_manager_sees_the_evidence_and_the_self_rating_beside_each_rating(client, world):
    ready = ready_review(world)
    check_in(ready.goals[0], world.agent_a1, "18")
    pw.build_qa(world)
    submit_self(ready.review, world.agent_a1, rating=4, comment="SELF-SAYS")
    login(client, world.sup_a)
    body = client.get(f"/goals/reviews/{ready.review.id}").get_data(as_text=True)
    assert 'id="review-evidence"' in body and "QA average" in body
    assert "Not enough data (3 evaluations; at least 5 needed)" in body  # A1 in the cycle
    assert "1:1s held" in body and "Training done" in body and "KPIs against target" in body
    assert "CHECKIN-NOTE" in body and "At risk" in body  # the check-in beside the goal
    assert "SELF-SAYS" in body and "4 · Exceeds" in body  # the self-rating beside the form
    assert 'id="manager-assessment"' in body and 'id="manager-overall"' in body
    assert 'hx-trigger="change from:closest form delay:700ms"' in body
    assert body.count("{# suggested-rating #}") == 0  # template comments never reach the page
    assert "Suggested from goal achievement" in body


def test_the_employee_writes_the_self_assessment_with_the_evidence_and_no_manager_column(
    client, world
):
    ready = ready_review(world)
    check_in(ready.goals[0], world.agent_a1, "18")
    login(client, world.agent_a1)
    body = client.get(f"/goals/reviews/{ready.review.id}").get_data(as_text=True)
    assert 'id="self-assessment"' in body and 'id="self-overall"' in body
    assert "CHECKIN-NOTE" in body and 'id="review-evidence"' in body
    assert "Self-assessment:" not in body  # the employee's own rating is the form itself
    assert "Suggested from goal achievement" not in body


def test_a_reader_sees_the_ratings_side_by_side_without_a_form(client, world):
    ready = at_manager_review(world)
    login(client, world.manager_hk)
    body = client.get(f"/goals/reviews/{ready.review.id}").get_data(as_text=True)
    assert "<form" not in body.split('id="review-evidence"')[1].split("Next step")[0]
    assert "SELF-SAYS" in body and "Not shown yet" in body


# ---- the live overall -------------------------------------------------------------------------


def test_the_live_overall_follows_the_typed_ratings_and_saves_nothing(client, world):
    ready = at_manager_review(world)
    review = ready.review
    first, second = review.goals
    login(client, world.sup_a)
    version = review.version
    ratings = {reviews.goal_subject(first.id): "5", reviews.goal_subject(second.id): ""}
    response = post_form(
        client,
        f"/goals/reviews/{review.id}/manager/overall",
        typed(review, "manager", ratings, rating="3"),
        headers=hx(),
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    # goals part 5 (only the rated goal), competencies 3: (70 × 5 + 30 × 3) / 100 = 4.40
    assert "<output>4.4</output>" in body
    assert "goals part 5 over 1 goals, competencies part 3 over 3 competencies" in body
    assert "<html" not in body
    db.session.expire_all()
    assert review.version == version
    assert not db.session.execute(
        select(ReviewRating).where(
            ReviewRating.review_id == review.id, ReviewRating.author == Author.MANAGER
        )
    ).all()


def test_the_live_overall_of_the_self_assessment(client, world):
    ready = ready_review(world)
    login(client, world.agent_a1)
    response = post_form(
        client,
        f"/goals/reviews/{ready.review.id}/self/overall",
        typed(ready.review, "self", rating="2"),
        headers=hx(),
    )
    assert "<output>2</output>" in response.get_data(as_text=True)
    # Nothing typed yet: no overall.
    response = post_form(
        client,
        f"/goals/reviews/{ready.review.id}/self/overall",
        typed(ready.review, "self", rating=""),
        headers=hx(),
    )
    assert "<output>—</output>" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("person", "author", "status"),
    [
        ("manager_hk", "manager", 403),  # reads the review, does not write it
        ("agent_a1", "manager", 403),
        ("sup_a", "self", 403),
        ("agent_a2", "self", 404),
        ("qa", "manager", 404),
    ],
)
def test_only_the_writer_gets_the_live_overall(app, world, person, author, status):
    ready = at_manager_review(world)
    client = app.test_client()
    login(client, getattr(world, person))
    response = post_form(
        client,
        f"/goals/reviews/{ready.review.id}/{author}/overall",
        typed(ready.review, author),
        headers=hx(),
    )
    assert response.status_code == status


# ---- autosave ---------------------------------------------------------------------------------


def test_the_managers_draft_saves_itself_and_hands_back_the_new_version(client, world):
    ready = at_manager_review(world)
    review = ready.review
    login(client, world.sup_a)
    before = review.version
    data = typed(review, "manager", rating="3", **{"manager-proposed_rating": "3"})
    data[f"comment-{subjects(review)[0]}"] = "AUTOSAVED-NOTE"
    response = post_form(client, f"/goals/reviews/{review.id}/manager/autosave", data, headers=hx())
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Draft saved at" in body
    db.session.expire_all()
    assert review.version > before and review.proposed_rating == 3
    saved_version = review.version
    assert review.state == "manager_review"  # a draft: never submitted by autosave
    assert f'id="manager-version" name="manager-version" value="{review.version}"' in body
    assert 'hx-swap-oob="true"' in body
    saved = reviews.entries(review, Author.MANAGER)
    assert saved[subjects(review)[0]] == reviews.Entry(3, "AUTOSAVED-NOTE")
    assert audits("review.manager_save") == 1
    # The same again (the page's next change event with nothing new): nothing written.
    data["manager-version"] = str(review.version)
    response = post_form(client, f"/goals/reviews/{review.id}/manager/autosave", data, headers=hx())
    assert response.status_code == 200 and "Draft saved at" in response.get_data(as_text=True)
    db.session.expire_all()
    assert review.version == saved_version and audits("review.manager_save") == 1


def test_an_autosave_on_a_stale_version_says_not_saved_and_changes_nothing(client, world):
    ready = at_manager_review(world)
    review = ready.review
    login(client, world.sup_a)
    stale = typed(review, "manager", rating="2")
    # Meanwhile the same draft is saved from another tab.
    reviews.save_manager(
        review,
        world.sup_a,
        given=all_ratings(review, 4, "OTHER-TAB"),
        overall_comment="",
        proposed_rating=None,
        submit=False,
        expected_version=review.version,
    )
    version = review.version
    response = post_form(
        client, f"/goals/reviews/{review.id}/manager/autosave", stale, headers=hx()
    )
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Not saved:" in body and "someone else changed this review" in body
    assert "hx-swap-oob" not in body  # the page keeps its version: the next save conflicts too
    db.session.expire_all()
    assert review.version == version
    assert reviews.entries(review, Author.MANAGER)[subjects(review)[0]].comment == "OTHER-TAB"


def test_an_autosave_after_the_submit_with_what_was_submitted_is_not_a_conflict(client, world):
    ready = at_manager_review(world)
    review = ready.review
    login(client, world.sup_a)
    data = typed(review, "manager", rating="3", **{"manager-proposed_rating": "3"})
    submitted = dict(data, submit="1")
    assert post_form(client, f"/goals/reviews/{review.id}/manager", submitted).status_code == 303
    # A change event's autosave that left just after the Submit, with the page's old version.
    response = post_form(client, f"/goals/reviews/{review.id}/manager/autosave", data, headers=hx())
    assert response.status_code == 200 and "Draft saved at" in response.get_data(as_text=True)
    # Anything else typed then is refused: the assessment is no longer open.
    data[f"rating-{subjects(review)[0]}"] = "5"
    response = post_form(client, f"/goals/reviews/{review.id}/manager/autosave", data, headers=hx())
    assert response.status_code == 409
    assert "Not saved:" in response.get_data(as_text=True)


def test_the_employees_draft_saves_itself(client, world):
    ready = ready_review(world)
    review = ready.review
    login(client, world.agent_a1)
    data = typed(review, "self", rating="", **{"self-overall_comment": "Halfway there"})
    response = post_form(client, f"/goals/reviews/{review.id}/self/autosave", data, headers=hx())
    assert response.status_code == 200
    db.session.expire_all()
    assert review.self_comment == "Halfway there" and review.state == "self_review"
    assert audits("review.self_save") == 1


def test_an_off_scale_rating_is_not_saved_and_says_why(client, world):
    ready = ready_review(world)
    login(client, world.agent_a1)
    data = typed(ready.review, "self", rating="9")
    response = post_form(
        client, f"/goals/reviews/{ready.review.id}/self/autosave", data, headers=hx()
    )
    assert response.status_code == 422
    assert "Not saved:" in response.get_data(as_text=True)
    assert "Choose a rating on the cycle" in response.get_data(as_text=True)


# ---- the explicit save answers its form alone to htmx --------------------------------------


def test_a_conflicting_save_answers_the_form_with_what_was_typed(client, world):
    ready = at_manager_review(world)
    review = ready.review
    login(client, world.sup_a)
    data = typed(review, "manager", rating="2", submit="0")
    data[f"comment-{subjects(review)[0]}"] = "KEEP-ME-TYPED"
    reviews.save_manager(
        review,
        world.sup_a,
        given=all_ratings(review, 4),
        overall_comment="",
        proposed_rating=None,
        submit=False,
        expected_version=review.version,
    )
    response = post_form(client, f"/goals/reviews/{review.id}/manager", data, headers=hx())
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith("<form") and 'id="manager-assessment"' in body
    assert "KEEP-ME-TYPED" in body and "Someone else changed this record" in body
    db.session.expire_all()
    assert f'name="manager-version" type="hidden" value="{review.version}"' in body


def test_submitting_with_a_rating_missing_marks_the_field(client, world):
    ready = at_manager_review(world)
    review = ready.review
    login(client, world.sup_a)
    missing = subjects(review)[-1]
    data = typed(review, "manager", {missing: ""}, submit="1", **{"manager-proposed_rating": "3"})
    response = post_form(client, f"/goals/reviews/{review.id}/manager", data, headers=hx())
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Give a rating before submitting." in body
    field = re.search(rf'<select id="[^"]+" name="rating-{re.escape(missing)}"[^>]*>', body)
    assert field and 'aria-invalid="true"' in field.group(0)


# ---- statements -------------------------------------------------------------------------------


def test_the_page_takes_the_same_statements_however_many_goals_and_check_ins(app, world):
    ready = ready_review(world, state_to="draft")
    review = ready.review
    client = app.test_client()
    login(client, world.sup_a)
    pw.build_qa(world)
    url = f"/goals/reviews/{review.id}"
    client.get(url)
    with count_queries(app) as before:
        assert client.get(url).status_code == 200
    goal_service.edit_goal(
        ready.goals[0],
        world.sup_a,
        goal_fields(weight=30),
        expected_version=ready.goals[0].version,
    )
    for n in range(3):
        goal = goal_service.create_goal(review, world.sup_a, goal_fields(f"More {n}", weight=10))
        check_in(goal, world.sup_a, "20")
        check_in(goal, world.sup_a, "19")
    card = pw.make_card(world.qa)
    full = pw.answers_for(card, "yes", 4, "Full")
    for day in range(1, 10):
        pw.evaluate(card, world.agent_a1, world.sup_a, date(2026, 8, day), full)
    db.session.commit()
    with count_queries(app) as after:
        body = client.get(url).get_data(as_text=True)
    assert "More 2" in body and "over 12 evaluations" in body
    assert len(after) == len(before)


# ---- the demo ---------------------------------------------------------------------------------


def test_the_demos_reviewers_see_evidence_beside_their_assessments(app):
    from portal.demo import load
    from portal.goals.models import Review, ReviewCycle
    from portal.org.models import Person

    assert load.load_demo(if_empty=True, today=date(2026, 11, 23)) is True
    reviewer = db.session.execute(
        select(Person).where(Person.email == load.login_email("supervisor.hk"))
    ).scalar_one()
    review = db.session.execute(
        select(Review)
        .join(ReviewCycle, ReviewCycle.id == Review.cycle_id)
        .where(
            ReviewCycle.name == "2026 H2",
            Review.reviewer_id == reviewer.id,
            Review.state == "manager_review",
        )
        .limit(1)
    ).scalar_one()
    client = app.test_client()
    login(client, reviewer, password=load.DEMO_PASSWORD)
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    body = client.get(f"/goals/reviews/{review.id}").get_data(as_text=True)
    assert 'id="manager-assessment"' in body and 'id="review-evidence"' in body
    assert "over " in body and " evaluations" in body  # the demo's QA for the person
    assert "1:1s held" in body and "KPIs against target" in body
