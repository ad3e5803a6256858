"""Completion of every phase by team, overdue items and who owes them."""

from __future__ import annotations

from datetime import date

import pytest

from portal.errors import Forbidden
from portal.goals.completion import completion_for, is_overdue, phase_done, who_owes
from portal.goals.models import PhaseKind, ReviewState
from tests.conftest import count_queries, login
from tests.goals.helpers import ready_review

P, S = PhaseKind, ReviewState


@pytest.mark.parametrize(
    "kind, state, done",
    [
        (P.GOAL_SETTING, S.DRAFT, False),
        (P.GOAL_SETTING, S.SELF_REVIEW, True),
        (P.SELF_ASSESSMENT, S.SELF_REVIEW, False),
        (P.SELF_ASSESSMENT, S.MANAGER_REVIEW, True),
        (P.MANAGER_ASSESSMENT, S.MANAGER_REVIEW, False),
        (P.MANAGER_ASSESSMENT, S.CALIBRATION, True),
        (P.CALIBRATION, S.CALIBRATION, False),
        (P.CALIBRATION, S.SHARED, True),
        (P.SIGN_OFF, S.SHARED, False),
        (P.SIGN_OFF, S.LOCKED, True),
    ],
)
def test_a_phase_is_done_from_its_state_on(kind, state, done):
    assert phase_done(kind, state, 2, 0) is done


def test_the_mid_cycle_check_in_needs_every_goal_checked_in():
    assert not phase_done(P.MID_CYCLE, S.LOCKED, 0, 0)
    assert not phase_done(P.MID_CYCLE, S.DRAFT, 3, 2)
    assert phase_done(P.MID_CYCLE, S.DRAFT, 3, 3)


def test_who_owes_and_overdue():
    assert who_owes(P.SELF_ASSESSMENT, S.SELF_REVIEW) == "employee"
    assert who_owes(P.SIGN_OFF, S.CALIBRATION) == "reviewer"
    assert who_owes(P.SIGN_OFF, S.SHARED) == "employee"
    assert is_overdue(False, date(2026, 7, 31), date(2026, 8, 1))
    assert not is_overdue(False, date(2026, 7, 31), date(2026, 7, 31))  # due today is not late
    assert not is_overdue(True, date(2026, 7, 31), date(2026, 12, 1))


def test_completion_by_team_names_who_owes_what(world):
    ready_review(world)  # A1: self-assessment open; every other review still a draft
    result = completion_for(world.manager_hk, _cycle(world), date(2026, 8, 15))
    teams = {t.team: t for t in result.teams}
    assert teams["Team A"].total == 3 and teams["Team A"].done[P.GOAL_SETTING] == 1
    late = {(o.phase, o.person, o.owes) for o in result.overdue}
    assert (P.GOAL_SETTING, world.agent_a2.name, world.sup_a.name) in late
    assert (P.MID_CYCLE, world.agent_a1.name, world.agent_a1.name) not in late  # due 30 Sep
    assert all(o.person != world.manager_hk.name for o in result.overdue)  # not their own


def _cycle(world):
    from sqlalchemy import select

    from portal.extensions import db
    from portal.goals.models import ReviewCycle

    return db.session.execute(select(ReviewCycle)).scalar_one()


def test_employees_have_no_completion_page(world):
    ready_review(world)
    with pytest.raises(Forbidden):
        completion_for(world.agent_a1, _cycle(world), date(2026, 8, 15))


def test_the_completion_page_query_count_does_not_grow(app, client, world):
    from portal.goals import goals as service
    from tests.goals.helpers import goal_fields, review_of

    ready_review(world)
    login(client, world.head)
    with count_queries(app) as few:
        assert client.get("/goals/completion").status_code == 200
    for person in (world.agent_a2, world.agent_b1, world.sup_b):
        service.create_goal(review_of(_cycle(world), person), world.manager_hk, goal_fields())
    with count_queries(app) as many:
        assert client.get("/goals/completion").status_code == 200
    assert len(many) == len(few)
