"""Races answer 409 or the record already made, never 500 (issue 16, item 6).

Every versioned form and every double-submit token, taken from the authorization matrix's rows
and from the forms the pages render, is replayed by two sessions and with a true race slipped
in between the read and the write (see tests/race_rows.py); the mechanism itself
(portal.db.ConflictSession, create_once, usable_token; errors.py's StaleDataError handler) is
tested directly. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from portal.business import actions, reviews
from portal.business.models import BusinessDecision, BusinessReview
from portal.db import TOKEN_MAX, create_once, usable_token
from portal.errors import Conflict
from portal.extensions import db
from portal.goals.models import CheckIn, Goal, Review
from portal.training import kudos, programmes
from portal.training.models import Kudos, Nomination
from tests.business.helpers import schedule
from tests.conftest import as_user, post_form
from tests.goals.helpers import ready_review
from tests.goals.test_reviews import to_calibration
from tests.race_rows import (
    VERSION_FIELDS,
    acting_role,
    allowed_roles,
    concurrent_claim,
    concurrent_save,
    grown,
    lookups_miss,
    rendered_versioned_form,
    replay_for,
    row_counts,
    sends,
    token_models,
    versioned_models,
)
from tests.test_authorization_matrix import ROWS, _extras

# Every form that sends a version, by endpoint. The replays below must cover each one with a
# true race that answered 409; a new versioned form joins this list. (goals.calibration_change
# needs a review in calibration, which the matrix's world has not: its own test is below.)
VERSIONED_FORMS = {
    "business.action_done",
    "business.action_edit",
    "business.review_hold",
    "business.review_notes",
    "business.review_reopen",
    "coaching.meeting_status",
    "coaching.notes_save",
    "coaching.private_note_save",
    "coaching.series_edit",
    "coaching.session_edit",
    "conduct.action_acknowledge",
    "conduct.action_close",
    "conduct.action_issue",
    "goals.cycle_edit",
    "goals.goal_edit",
    "goals.review_step",
    "kpis.kpi_edit",
    "org.person_edit",
    "qa.choice_edit",
    "qa.choice_move",
    "qa.choice_remove",
    "qa.evaluation_acknowledge",
    "qa.evaluation_dispute",
    "qa.evaluation_edit",
    "qa.evaluation_rescore",
    "qa.evaluation_uphold",
    "qa.question_edit",
    "qa.question_move",
    "qa.question_remove",
    "qa.scorecard_archive",
    "qa.scorecard_edit",
    "qa.scorecard_publish",
    "qa.section_edit",
    "qa.section_move",
    "qa.section_remove",
    "qaprog.calibration_close",
    "qaprog.sampling_rule_edit",
    "training.course_archive",
    "training.course_edit",
}

# Forms with a double-submit token: each must make one record however often it is sent.
TOKEN_FORMS = {
    "business.action_add",
    "business.decision_add",
    "coaching.action_add",
    "coaching.session_new",
    "conduct.action_new",
    "goals.check_in_create",
    "goals.comment_create",
    "improvement.check_in_create",
    "improvement.plan_new",
    "recognition.kudos_give",
    "training.assignment_new",
}


def _hx() -> dict:
    return {"HX-Request": "true"}  # a new dict each time: post_form adds the session's token


def _endpoint(key: str) -> str:
    return key.split(" ")[0]


@pytest.fixture
def replay(app, world):
    return replay_for(app, world, _extras(world))


# ---- versioned forms ----------------------------------------------------------------------


def test_every_versioned_form_answers_409_to_a_true_race_and_to_a_second_session(app, replay):
    """Each row that sends a version, with the matrix's data or else the form as its page
    renders it (a text changed, so that saving writes): with another request's write slipped in
    just before ours, 409 (never 500); and from two sessions holding the same version, the first
    saves and the second gets 409."""
    covered: set[str] = set()
    problems: list[str] = []
    for key, row in ROWS.items():
        if row.method == "POST":
            raced = _race_versioned(replay, key, row, problems)
            if raced is not None:
                covered.add(_endpoint(key))
                _two_sessions(replay, key, row, *raced, problems)
    assert not problems, "\n".join(problems)
    assert covered >= VERSIONED_FORMS, sorted(VERSIONED_FORMS - covered)


def _race_versioned(replay, key, row, problems) -> tuple[str, dict] | None:
    """(role, data) of the first attempt whose write the race caught; None if none was."""
    attempts = []
    if sends(row, replay.world, VERSION_FIELDS) and acting_role(row):
        attempts.append((acting_role(row), lambda role: row.data(replay.world)))
    for role in allowed_roles(row):
        attempts.append(
            (role, lambda role: rendered_versioned_form(replay.client(role), row.url(replay.world)))
        )
    models = versioned_models()
    tried_form = False
    for role, data_for in attempts:
        if tried_form and role != attempts[0][0]:
            break  # one role's rendered form is enough
        with replay.savepoint():
            data = data_for(role)
            if data is None:
                continue
            tried_form = True
            client = replay.client(role)
            with concurrent_save(models) as saved, concurrent_claim() as claimed:
                answer = replay.post(client, role, row, data)
            if answer.status_code >= 500:
                problems.append(f"{key} as {role}, raced: {answer.status_code}")
            if saved or claimed:
                if answer.status_code != 409:
                    problems.append(f"{key} as {role}, raced: {answer.status_code}")
                return role, data
    return None


def _two_sessions(replay, key, row, role, data, problems) -> None:
    with replay.savepoint():
        first, second = replay.client(role), replay.client(role)
        answers = [replay.post(c, role, row, data).status_code for c in (first, second)]
        if answers[0] >= 400 or answers[1] != 409:
            problems.append(f"{key} as {role}, two sessions: {answers}")


def test_two_people_saving_the_same_review_notes_the_second_keeps_what_they_typed(
    client, app, world
):
    review = schedule(world.sup_a, world.sup_a)
    version = str(review.version)
    url = f"/business/reviews/{review.id}/notes"
    first = as_user(app.test_client(), world.sup_a)
    second = as_user(app.test_client(), world.manager_hk)
    assert (
        post_form(first, url, {"notes": "Hers", "version": version}, headers=_hx()).status_code
        == 200
    )
    answer = post_form(second, url, {"notes": "Typed by him", "version": version}, headers=_hx())
    assert answer.status_code == 409
    body = answer.get_data(as_text=True)
    assert "Typed by him" in body and "Hers" in body  # his text kept, hers shown beside it
    db.session.expire_all()
    assert db.session.get(BusinessReview, review.id).notes == "Hers"


def test_a_true_race_on_the_review_notes_keeps_what_was_typed(client, world):
    """The write that loses is found by audit.record's flush, before the commit: 409 too."""
    review = schedule(world.sup_a, world.sup_a)
    as_user(client, world.sup_a)
    with concurrent_save([BusinessReview]) as saved:
        answer = post_form(
            client,
            f"/business/reviews/{review.id}/notes",
            {"notes": "Mine, raced", "version": str(review.version)},
            headers={"HX-Request": "true"},
        )
    assert saved == ["BusinessReview"] and answer.status_code == 409
    body = answer.get_data(as_text=True)
    # The notes region again (the view's own form, not the generic conflict page), typed text in.
    assert body.lstrip().startswith('<div id="review-notes"') and "Mine, raced" in body
    db.session.expire_all()
    assert db.session.get(BusinessReview, review.id).notes == ""


def test_holding_a_review_in_a_true_race_is_a_409_and_nothing_is_frozen(client, world):
    review = schedule(world.sup_a, world.sup_a)
    as_user(client, world.sup_a)
    with concurrent_save([BusinessReview]):
        answer = post_form(
            client,
            f"/business/reviews/{review.id}/hold",
            {"version": str(review.version)},
            headers={"HX-Request": "true"},
        )
    assert answer.status_code == 409
    db.session.expire_all()
    held = db.session.get(BusinessReview, review.id)
    assert held.status == "scheduled" and held.snapshot is None


def test_changing_a_rating_in_calibration_races_to_409(app, world):
    ready = to_calibration(world)
    review = ready.review
    prefix = f"r{review.id}"
    url = f"/goals/calibration/{review.id}"
    data = {
        f"{prefix}-version": str(review.version),
        f"{prefix}-rating": "5",
        f"{prefix}-reason": "Top of the market",
    }
    first = as_user(app.test_client(), world.manager_hk)
    second = as_user(app.test_client(), world.hr)
    with concurrent_save([Review]) as saved:
        raced = post_form(first, url, data)
    assert saved == ["Review"] and raced.status_code == 409
    db.session.expire_all()
    data[f"{prefix}-version"] = str(db.session.get(Review, review.id).version)
    assert post_form(first, url, data).status_code == 303
    assert post_form(second, url, data).status_code == 409
    db.session.expire_all()
    assert db.session.get(Review, review.id).final_rating == 5


def test_two_check_ins_on_one_goal_at_once_the_second_is_told_and_keeps_its_comment(client, world):
    """Different tokens, so both are new check-ins; both move the goal's latest value, so the
    one that loses the race on the goal's version gets 409 with its form, and is not saved."""
    goal = ready_review(world).goals[0]
    as_user(client, world.agent_a1)
    data = {"value": "18", "confidence": "on_track", "comment": "Typed in the race", "token": "t2"}
    with concurrent_save([Goal]) as saved:
        answer = post_form(client, f"/goals/{goal.id}/check-ins", data)
    assert saved == ["Goal"] and answer.status_code == 409
    assert "Typed in the race" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(CheckIn)) == 0


# ---- the session: a stale write is a Conflict wherever it is flushed ------------------------


def _stale_notes(world):
    review = schedule(world.sup_a, world.sup_a)
    review.notes = "Lost in the race"
    return review


@pytest.mark.parametrize("where", ["flush", "autoflush", "commit"])
def test_a_stale_write_is_a_conflict_and_the_session_stays_usable(world, where):
    review = _stale_notes(world)
    with concurrent_save([BusinessReview]), pytest.raises(Conflict):
        if where == "flush":
            db.session.flush()
        elif where == "autoflush":
            db.session.scalar(select(func.count()).select_from(BusinessReview))
        else:
            db.session.commit()
    # Rolled back: the next statement works (on PostgreSQL too) and nothing was written.
    assert db.session.get(BusinessReview, review.id).notes == ""
    assert db.session.scalar(select(func.count()).select_from(BusinessReview)) == 1


def test_a_stale_data_error_raised_anywhere_else_is_the_conflict_page_with_the_text(app):
    with app.test_request_context(
        "/business/reviews/1/notes", method="POST", data={"notes": "Kept words", "version": "3"}
    ):
        answer = app.make_response(app.handle_user_exception(StaleDataError("stale")))
    body = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "Kept words" in body and "What you typed" in body


# ---- double-submit tokens -------------------------------------------------------------------


# Data for the token forms whose matrix row sends none that succeeds: (role, data).
TOKEN_DATA = {
    "recognition.kudos_give POST": (
        "peer_agent",
        lambda w: {"recipient": "W-A1", "value": "Teamwork", "message": "Thanks MK-A1"},
    ),
    "training.assignment_new POST": (
        "trainer",
        lambda w: {"team": str(w.team_c.id), "due_on": "2030-12-01"},
    ),
}


def token_rows(world) -> dict[str, tuple[str, dict]]:
    """Every token form: (role, data with a token)."""
    rows = {}
    for key, row in ROWS.items():
        if row.method != "POST" or _endpoint(key) not in TOKEN_FORMS:
            continue
        role, data_for = TOKEN_DATA.get(key) or (acting_role(row), row.data)
        rows[key] = (role, {**data_for(world), "token": "race-token"})
    return rows


def test_every_token_form_makes_one_record_from_two_sessions_and_in_a_true_race(
    replay, monkeypatch
):
    """Two sessions send the same form (same token): both are answered (the second with the
    record the first made) and exactly one row exists. Then the true race: the second's lookup
    misses the first's row (not yet committed), its insert collides, and the savepoint brings
    back the first's record: still one row, never 500."""
    models, made_in, problems = token_models(), set(), []
    rows = token_rows(replay.world)
    assert {_endpoint(k) for k in rows} == TOKEN_FORMS
    for key, (role, data) in rows.items():
        row = ROWS[key]
        for race in (False, True):
            with replay.savepoint():
                first, second = replay.client(role), replay.client(role)
                before = row_counts(models)
                answers = [replay.post(first, role, row, data).status_code]
                with lookups_miss(monkeypatch) if race else nullcontext([1]) as misses:
                    answers.append(replay.post(second, role, row, data).status_code)
                made = grown(before, row_counts(models))
                if any(s >= 400 for s in answers) or sorted(made.values()) != [1]:
                    problems.append(f"{key} as {role}, race={race}: {answers}, rows {made}")
                if race and not misses:
                    problems.append(f"{key}: the race path was not taken")
                made_in |= set(made)
    assert not problems, "\n".join(problems)
    # Every model with a token column was made by one of the forms.
    assert made_in >= {m.__name__ for m in models}, made_in


def test_a_token_longer_than_its_column_never_reaches_the_database(replay):
    models, problems = token_models(), []
    for key, (role, data) in token_rows(replay.world).items():
        row = ROWS[key]
        for bad in ("x" * (TOKEN_MAX + 1), "a\x00b", "x" * 100_000):
            with replay.savepoint():
                data = {**data, "token": bad}
                answer = replay.post(replay.client(role), role, row, data)
                if answer.status_code >= 500:
                    problems.append(f"{key} with a {len(bad)}-character token: 500")
                for model in models:
                    column = getattr(model, "token", None) or model.request_token
                    longest = db.session.scalar(select(func.max(func.length(column))))
                    assert longest is None or longest <= TOKEN_MAX, (key, model.__name__)
    assert not problems, "\n".join(problems)


def test_usable_token_accepts_what_the_forms_make_and_nothing_else():
    assert usable_token("AbC-_9" * 10) == "AbC-_9" * 10
    assert usable_token("x" * TOKEN_MAX) == "x" * TOKEN_MAX
    for bad in ("x" * (TOKEN_MAX + 1), "", "a b", "a\x00b", "é", None, 5):
        assert usable_token(bad) is None


def test_create_once_recovers_from_the_unique_violation_in_a_savepoint(world, monkeypatch):
    review = schedule(world.sup_a, world.sup_a)
    first = actions.add_decision(
        world.sup_a, review, "Open Saturdays", request_token="tok", now=review.created_at
    )
    with lookups_miss(monkeypatch) as misses:
        again, created = create_once(
            BusinessDecision,
            lambda: BusinessDecision(
                review_id=review.id,
                person_id=review.person_id,
                body="Open Saturdays",
                recorded_by_id=world.sup_a.id,
                request_token="tok",
            ),
            review_id=review.id,
            request_token="tok",
        )
    assert misses and not created and again.id == first.id
    # The session is usable after the refused insert, and one decision exists.
    count = select(func.count()).select_from(BusinessDecision)
    assert db.session.scalar(count) == 1
    db.session.commit()


def test_someone_elses_token_is_a_conflict_not_their_record(world):
    given = kudos.give_kudos(
        world.agent_b1, world.agent_a1.id, "Teamwork", "Thanks", False, "shared-token", url="/"
    )
    with pytest.raises(Conflict):
        kudos.give_kudos(
            world.agent_a2, world.agent_a1.id, "Teamwork", "Mine", False, "shared-token", url="/"
        )
    assert db.session.scalars(select(Kudos)).all() == [given]


def test_a_review_and_a_nomination_sent_twice_in_a_race_are_made_once(world, monkeypatch):
    """Natural keys (one review per kind, node, market and period; one nomination per
    nominator, person and period) go through create_once as well."""
    first = schedule(world.sup_a, world.sup_a)
    with lookups_miss(monkeypatch) as misses:
        again, created = reviews.create_review(
            world.sup_a, kind="wbr", node=world.sup_a, market_id=None, on=date(2026, 11, 3)
        )
    assert misses and not created and again.id == first.id
    assert db.session.scalar(select(func.count()).select_from(BusinessReview)) == 1

    programme = programmes.create_programme(
        world.manager_hk, name="Stars", cadence="monthly", team_id=world.team_a.id,
        market_id=None, winners_per_period=1,
    )  # fmt: skip
    today = date(2026, 11, 3)
    nominated = programmes.nominate(world.sup_a, programme, world.agent_a1, "Great", today)
    with lookups_miss(monkeypatch) as misses:
        again = programmes.nominate(world.sup_a, programme, world.agent_a1, "Great", today)
    assert misses and again.id == nominated.id
    assert db.session.scalar(select(func.count()).select_from(Nomination)) == 1
