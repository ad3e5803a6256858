"""The team training matrix answers from the cache and is never stale: for every kind of write
that feeds it (an assignment, a completion reported, a person joining the team, a due day passing),
read, read again (a hit), write, read: built afresh and equal to the page with the cache off.
A second read computes nothing; the export has its own entry and is still audited."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.audit import AuditEntry
from portal.extensions import db
from portal.training import assignments
from tests import cache_checks as checks
from tests.conftest import as_user
from tests.factories import PersonFactory
from tests.training import helpers

TEAM = "/training/team"
# Noon in Hong Kong on the course's due day: due, not yet overdue.
DUE_DAY = date(2026, 3, 16)
NOON = datetime(2026, 3, 16, 4, 0, tzinfo=UTC)


def read(client, address: str = TEAM) -> str:
    return checks.read(client, address, checks.main_of)


def fresh(client, cache, address: str = TEAM) -> str:
    return checks.fresh(client, cache, address, checks.main_of)


def write_then_read(client, cache, write, address: str = TEAM) -> str:
    return checks.write_then_read(client, cache, address, write, view=checks.main_of)


@pytest.fixture
def clock(monkeypatch):
    """The page's and the keys' clock held still (moved by appending a moment)."""
    moments = [NOON]
    monkeypatch.setattr("portal.cache.utcnow", lambda: moments[-1])
    monkeypatch.setattr("portal.blueprints.training.assign_views.utcnow", lambda: moments[-1])
    return moments


@pytest.fixture
def course(world, clock):
    found = helpers.course(world.hr, title="Compliance MK-COMPLIANCE")
    helpers.assign(world.hr, found, due_on=DUE_DAY, person_id=world.agent_a1.id)
    return found


def test_a_new_assignment_shows_on_the_next_read(client, cache, world, course):
    as_user(client, world.sup_a)

    def write():
        other = helpers.course(world.hr, title="Security MK-SECURITY")
        helpers.assign(world.hr, other, due_on=DUE_DAY, team_id=world.team_a.id)

    assert "Security MK-SECURITY" in write_then_read(client, cache, write)


def test_a_reported_completion_shows_on_the_next_read(client, cache, world, course):
    as_user(client, world.sup_a)

    def write():
        assignments.report_completion(world.agent_a1, course, DUE_DAY)
        db.session.commit()

    write_then_read(client, cache, write)


def test_a_person_joining_the_team_shows_on_the_next_read(client, cache, world, course):
    as_user(client, world.sup_a)

    def write():
        PersonFactory(
            name="Newcomer MK-NEW", manager=world.sup_a, team=world.team_a, market=world.hk
        )
        db.session.commit()

    assert "Newcomer MK-NEW" in write_then_read(client, cache, write)


def test_a_due_day_passing_turns_the_course_overdue_without_a_write(
    client, cache, world, course, clock
):
    as_user(client, world.sup_a)
    first = read(client)
    assert read(client) == first
    clock.append(NOON + timedelta(days=1))
    misses = cache.misses
    after = read(client)
    assert cache.misses == misses + 1
    assert after == fresh(client, cache) and after != first
    assert "Nothing overdue on this page." in first and "Nothing overdue" not in after


def test_a_second_read_computes_nothing_and_the_export_is_still_audited(
    client, world, course, monkeypatch
):
    from portal.blueprints.training import assign_views

    calls = []
    real = assign_views.team_figures

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(assign_views, "team_figures", counted)
    as_user(client, world.sup_a)
    first = read(client)
    assert read(client) == first
    assert len(calls) == 1
    audited = (
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "training.export")
    )
    before = db.session.scalar(audited)
    for _ in range(2):
        text = client.get(f"{TEAM}/export.csv").get_data(as_text=True)
        assert "Compliance MK-COMPLIANCE" in text
    assert len(calls) == 2  # the export's own entry, then a hit
    assert db.session.scalar(audited) == before + 2


def test_the_matrix_is_still_forbidden_to_an_agent_after_it_was_cached(app, world, course):
    assert "MK-COMPLIANCE" in read(as_user(app.test_client(), world.sup_a))
    assert as_user(app.test_client(), world.agent_a2).get(TEAM).status_code == 403
