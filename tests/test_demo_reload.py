"""Demo loads that change the database: reloading gives the same demo; loading over existing
people is refused. Each test loads on its own (the read-only checks share one load in
test_demo.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.demo import load
from portal.extensions import db
from portal.goals.models import Goal
from portal.org.models import Market, Person
from portal.qa.models import Scorecard


@pytest.fixture
def demo() -> None:
    assert load.load_demo(if_empty=True) is True


def people() -> list[Person]:
    return list(db.session.execute(select(Person)).scalars())


def test_loading_over_existing_people_without_if_empty_is_refused(world):
    with pytest.raises(load.DemoDataPresent):
        load.load_demo(if_empty=False)
    assert db.session.execute(select(func.count(Market.id))).scalar_one() == 2


def test_the_demo_is_the_same_every_time_it_is_loaded(demo):
    first = [(p.name, p.email, p.employee_id, p.hire_on, p.is_active) for p in people()]
    db.session.execute(db.update(Person).values(manager_id=None))
    db.session.execute(db.update(Scorecard).values(current_version_id=None))
    db.session.execute(db.update(Goal).values(parent_id=None))
    for table in reversed(db.metadata.sorted_tables):
        if table.name != "audit_entry":
            db.session.execute(table.delete())
    db.session.expunge_all()
    assert load.load_demo(if_empty=True) is True
    again = [(p.name, p.email, p.employee_id, p.hire_on, p.is_active) for p in people()]
    # Compared as sets of rows: PostgreSQL returns reinserted rows in another physical order.
    assert sorted(again, key=str) == sorted(first, key=str)
