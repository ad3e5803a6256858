"""The scorecard pages: list, new, the builder over htmx (fragments, 422 at the field, 409 on a
stale form), older versions, archive, and who may use them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.qa.models import Scorecard
from portal.qa.scorecard_versions import lock_version
from tests.conftest import as_user, post_form
from tests.qa.test_scorecards import build_card


def hx() -> dict:
    """A fresh header dict each time (post_form adds the CSRF token to the dict it is given)."""
    return {"HX-Request": "true"}


def fresh(card_id: int) -> Scorecard:
    db.session.expire_all()
    return db.session.get(Scorecard, card_id)


def test_a_qa_analyst_creates_a_scorecard_and_lands_in_its_builder(client, world):
    as_user(client, world.qa)
    assert client.get("/qa/scorecards/new").status_code == 200
    response = post_form(
        client,
        "/qa/scorecards/new",
        {"name": "Chat MK-CHAT", "channels": ["chat", "email"], "markets": [str(world.hk.id)]},
    )
    assert response.status_code == 303
    card = db.session.execute(select(Scorecard)).scalar_one()
    assert response.headers["Location"].endswith(f"/qa/scorecards/{card.id}")
    assert card.channels == ["chat", "email"] and [m.code for m in card.markets] == ["HK"]
    page = client.get(f"/qa/scorecards/{card.id}").get_data(as_text=True)
    assert "Chat MK-CHAT" in page and "Draft" in page


def test_a_double_submitted_new_scorecard_form_creates_one_scorecard(client, world):
    as_user(client, world.qa)
    data = {"name": "Twice MK-TWICE"}
    assert post_form(client, "/qa/scorecards/new", data).status_code == 303
    again = post_form(client, "/qa/scorecards/new", data)
    assert again.status_code == 422
    assert "A scorecard with this name exists." in again.get_data(as_text=True)
    assert len(db.session.execute(select(Scorecard)).scalars().all()) == 1


def test_adding_a_section_over_htmx_answers_the_builder_region(client, world):
    card = build_card(world.qa)
    as_user(client, world.qa)
    response = post_form(
        client,
        f"/qa/scorecards/{card.id}/sections",
        {
            "section-new-title": "Closing MK-CLOSE",
            "section-new-weight": "10",
            "section-new-version": card.version,
        },
        headers=hx(),
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="scorecard-builder"')
    assert "Closing MK-CLOSE" in body and "scorecard-changed" in response.headers["HX-Trigger"]
    assert [s.title for s in fresh(card.id).current_version.sections][-1] == "Closing MK-CLOSE"


def test_a_bad_weight_answers_422_with_the_message_at_the_field_and_the_typed_title(client, world):
    card = build_card(world.qa)
    as_user(client, world.qa)
    response = post_form(
        client,
        f"/qa/scorecards/{card.id}/sections",
        {
            "section-new-title": "Typed MK-TYPED",
            "section-new-weight": "0",
            "section-new-version": card.version,
        },
        headers=hx(),
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="section-new-weight-err"' in body
    assert 'value="Typed MK-TYPED"' in body
    assert len(fresh(card.id).current_version.sections) == 2


def test_a_yes_no_question_without_points_is_refused_at_the_points_field(client, world):
    card = build_card(world.qa)
    section = card.current_version.sections[0]
    as_user(client, world.qa)
    key = f"question-new-{section.id}"
    response = post_form(
        client,
        f"/qa/scorecards/{card.id}/sections/{section.id}/questions",
        {
            f"{key}-text": "Thanked MK-THANKS",
            f"{key}-answer_type": "yes_no",
            f"{key}-version": card.version,
        },
        headers=hx(),
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert f'id="{key}-points-err"' in body and "Thanked MK-THANKS" in body


def test_a_stale_form_answers_409_keeps_what_was_typed_and_changes_nothing(client, world):
    card = build_card(world.qa)
    stale = card.version
    section = card.current_version.sections[0]
    as_user(client, world.qa)
    url = f"/qa/scorecards/{card.id}/sections/{section.id}/edit"
    key = f"section-{section.id}"
    first = post_form(
        client,
        url,
        {f"{key}-title": "First", f"{key}-weight": "20", f"{key}-version": stale},
        headers=hx(),
    )
    assert first.status_code == 200
    second = post_form(
        client,
        url,
        {f"{key}-title": "Second MK-LOST", f"{key}-weight": "20", f"{key}-version": stale},
        headers=hx(),
    )
    assert second.status_code == 409
    body = second.get_data(as_text=True)
    assert "Someone else changed this record" in body and 'value="Second MK-LOST"' in body
    assert fresh(card.id).current_version.sections[0].title == "First"


def test_the_edit_link_opens_the_form_in_the_builder(client, world):
    card = build_card(world.qa)
    question = card.current_version.sections[0].questions[0]
    as_user(client, world.qa)
    response = client.get(f"/qa/scorecards/{card.id}/questions/{question.id}/edit", headers=hx())
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and f'name="question-{question.id}-text"' in body
    assert client.get(f"/qa/scorecards/{card.id}/questions/999999/edit").status_code == 404


def test_rewording_a_question_of_a_card_in_use_makes_a_new_version_and_keeps_the_old_viewable(
    client, world
):
    card = build_card(world.qa)
    lock_version(card.current_version)
    db.session.commit()
    question = card.current_version.sections[0].questions[0]
    as_user(client, world.qa)
    key = f"question-{question.id}"
    response = post_form(
        client,
        f"/qa/scorecards/{card.id}/questions/{question.id}/edit",
        {
            f"{key}-text": "Greeted warmly MK-V2",
            f"{key}-answer_type": "yes_no",
            f"{key}-points": "5",
            f"{key}-version": card.version,
        },
    )
    assert response.status_code == 303  # without htmx: back to the builder
    card = fresh(card.id)
    assert [v.number for v in card.versions] == [1, 2]
    old = client.get(f"/qa/scorecards/{card.id}/versions/1").get_data(as_text=True)
    new = client.get(f"/qa/scorecards/{card.id}/versions/2").get_data(as_text=True)
    assert "Greeting" in old and "MK-V2" not in old
    assert "MK-V2" in new
    assert client.get(f"/qa/scorecards/{card.id}/versions/3").status_code == 404


def test_moving_a_section_down_with_the_button(client, world):
    card = build_card(world.qa)
    opening = card.current_version.sections[0]
    as_user(client, world.qa)
    response = post_form(
        client,
        f"/qa/scorecards/{card.id}/sections/{opening.id}/move",
        {"direction": "down", "version": card.version},
        headers=hx(),
    )
    assert response.status_code == 200
    assert [s.title for s in fresh(card.id).current_version.sections] == ["Resolution", "Opening"]


def test_publishing_an_unscorable_version_lists_what_is_missing(client, world):
    card = build_card(world.qa)
    section = card.current_version.sections[1]
    as_user(client, world.qa)
    key = f"question-new-{section.id}"
    post_form(
        client,
        f"/qa/scorecards/{card.id}/sections/{section.id}/questions",
        {
            f"{key}-text": "Pick MK-PICK",
            f"{key}-answer_type": "choice",
            f"{key}-version": card.version,
        },
        headers=hx(),
    )
    card = fresh(card.id)
    response = post_form(
        client, f"/qa/scorecards/{card.id}/publish", {"version": card.version}, headers=hx()
    )
    assert response.status_code == 422
    assert re.search(
        r"Pick MK-PICK.{0,20} needs at least one choice", response.get_data(as_text=True)
    )
    assert not fresh(card.id).current_version.is_published


def test_archiving_moves_a_scorecard_to_the_archived_list(client, world):
    card = build_card(world.qa, name="Old MK-OLD")
    as_user(client, world.qa)
    response = post_form(client, f"/qa/scorecards/{card.id}/archive", {"version": card.version})
    assert response.status_code == 303
    assert "MK-OLD" not in client.get("/qa/scorecards").get_data(as_text=True)
    assert "MK-OLD" in client.get("/qa/scorecards?archived=1").get_data(as_text=True)
    page = client.get(f"/qa/scorecards/{card.id}").get_data(as_text=True)
    assert "Unarchive" in page and "Add a section" not in page


@pytest.mark.parametrize(
    ("viewer", "list_status", "builder_controls"),
    [
        ("qa", 200, True),
        ("hr", 200, True),
        ("sup_a", 200, False),
        ("manager_hk", 200, False),
        ("agent_a1", 403, False),
        ("trainer", 403, False),
    ],
)
def test_who_sees_scorecards_and_who_builds_them(
    client, world, viewer, list_status, builder_controls
):
    card = build_card(world.qa)
    as_user(client, getattr(world, viewer))
    assert client.get("/qa/scorecards").status_code == list_status
    detail = client.get(f"/qa/scorecards/{card.id}")
    assert detail.status_code == list_status
    assert ("Add a section" in detail.get_data(as_text=True)) is builder_controls
    post = post_form(
        client,
        f"/qa/scorecards/{card.id}/sections",
        {"section-new-title": "X", "section-new-weight": "1", "section-new-version": card.version},
    )
    assert post.status_code == (303 if builder_controls else 403)
