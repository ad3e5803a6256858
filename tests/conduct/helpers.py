"""Shared set-up for the corrective action tests: an evaluation of A1's, and a draft by sup_a."""

from __future__ import annotations

from datetime import date, timedelta

from portal.conduct import actions
from portal.conduct.models import CorrectiveAction
from portal.db import utcnow
from tests.coaching.helpers import make_evaluation, scorecard_question_ids

HELD = date(2026, 3, 2)


def a1_evaluation(world, *, status: str = "submitted"):
    version_id, _questions = scorecard_question_ids(world)
    return make_evaluation(
        world, world.agent_a1, version_id, submitted_at=utcnow() - timedelta(days=2), status=status
    )


def draft(
    *,
    kind: str = "written_warning",
    held_on: date | None = HELD,
    facts: str = "Late three times in March MK-A1",
    expectations: str = "On time every day",
    follow_ups=(HELD + timedelta(days=14),),
    links=None,
) -> actions.Draft:
    return actions.Draft(
        kind=kind,
        held_on=held_on,
        facts=facts,
        expectations=expectations,
        follow_ups=list(follow_ups),
        links=links or {},
    )


def write(world, author=None, person=None, **kw) -> CorrectiveAction:
    return actions.create_action(author or world.sup_a, person or world.agent_a1, draft(**kw))


def issued(world, author=None, person=None, *, today: date = HELD, **kw) -> CorrectiveAction:
    action = write(world, author, person, **kw)
    actions.issue_action(
        author or world.sup_a, action, expected_version=action.version, today=today
    )
    return action
