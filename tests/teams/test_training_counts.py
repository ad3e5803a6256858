"""The training panel's SQL counts equal status.standing applied to training_items, on random
assignments (person and group audiences), completions, assessments and attempts."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from portal.dashboards import team_training
from portal.extensions import db
from portal.kpis.periods import custom_period
from portal.kpis.queries import ViewFilters, population
from portal.policy import Area
from portal.training.assignments import training_items
from portal.training.models import (
    AssessmentAttempt,
    AssessmentQuestion,
    Assignment,
    Completion,
    Course,
)

PERIOD = custom_period(date(2026, 10, 1), date(2026, 10, 31))
TODAY = date(2026, 10, 16)


def _random_training(world, rng: random.Random) -> None:
    people = [world.agent_a1, world.agent_a2, world.agent_b1, world.agent_c1, world.sup_a]
    for n in range(6):
        course = Course(title=f"C{n}", kind="elearning", created_by_id=world.hr.id)
        db.session.add(course)
        db.session.flush()
        assessed = rng.random() < 0.5
        if assessed:
            db.session.add(AssessmentQuestion(course_id=course.id, text="Q"))
        if rng.random() < 0.3:  # a group assignment: everyone of team A
            db.session.add(
                Assignment(
                    course_id=course.id,
                    team_id=world.team_a.id,
                    due_on=date(2026, 10, rng.randint(1, 31)),
                    token=f"g{n}-{rng.random()}",
                )
            )
        for person in people:
            if rng.random() < 0.4:
                continue
            db.session.add(
                Assignment(
                    course_id=course.id,
                    person_id=person.id,
                    due_on=date(2026, 9, 20) + timedelta(days=rng.randint(0, 50)),
                    token=f"p{n}-{person.id}-{rng.random()}",
                )
            )
            if rng.random() < 0.5:
                db.session.add(
                    Completion(
                        person_id=person.id,
                        course_id=course.id,
                        completed_on=date(2026, 10, 5),
                        source="self_reported",
                    )
                )
            if assessed and rng.random() < 0.6:
                db.session.add(
                    AssessmentAttempt(
                        person_id=person.id,
                        course_id=course.id,
                        number=1,
                        pass_mark=50,
                        is_passed=rng.random() < 0.5,
                    )
                )
    db.session.commit()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_counts_equal_the_standing_rule(world, seed):
    _random_training(world, random.Random(seed))
    people = population(world.head, world.manager_hk, ViewFilters(), Area.TRAINING)
    result = team_training.team_training(world.head, world.manager_hk, PERIOD, ViewFilters(), TODAY)
    items = training_items(people, TODAY, due_between=(PERIOD.start, PERIOD.end))
    assert result.figures == team_training.figures_of(items)
    assert result.figures.counts.total > 0
    by_child = {c.person.id: c.figures for c in result.children}
    for child in (world.sup_a, world.sup_b):
        mine = [i for i in items if i.person_id in _subtree_ids(world, child)]
        assert by_child[child.id] == team_training.figures_of(mine)


def _subtree_ids(world, child) -> set[int]:
    everyone = [world.sup_a, world.sup_b, world.agent_a1, world.agent_a2, world.agent_b1]
    return {p.id for p in everyone if p.path.startswith(child.path)}


@pytest.mark.parametrize("seed", [4, 5])
def test_assignment_list_counts_equal_the_standing_rule(world, seed):
    """The assignments page's completed / due / overdue per assignment, counted by the
    database, equal count_statuses of training_items per assignment."""
    from sqlalchemy import select

    from portal.policy import visible_person_ids
    from portal.training.assignments import status_counts_by_assignment
    from portal.training.status import count_statuses

    _random_training(world, random.Random(seed))
    ids = list(db.session.scalars(select(Assignment.id)))
    for viewer in (world.hr, world.sup_a):
        people = visible_person_ids(viewer, Area.TRAINING)
        items = training_items(people, TODAY, per_assignment=ids)
        expected = {
            aid: count_statuses(i.standing.status for i in items if i.assignment_id == aid)
            for aid in ids
        }
        assert status_counts_by_assignment(people, TODAY, ids) == expected
    assert any(c.total for c in expected.values())
