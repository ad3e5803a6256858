"""The market summary answers from the cache and is never stale: for every kind of write that
feeds it (a KPI value, a KPI target, a QA evaluation, a held review's decision, a person
joining), read, read again (a hit), write, read: built afresh and equal to the page with the
cache off. A second read computes nothing; the checks (404, 403) still run on a hit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.business import actions, reviews
from portal.extensions import db
from portal.kpis.models import KpiTarget
from tests import cache_checks as checks
from tests.business.helpers import WEEK, build_business_kpis, schedule
from tests.coaching.helpers import make_evaluation, scorecard_question_ids
from tests.conftest import as_user
from tests.factories import PersonFactory
from tests.kpis.kpi_world import add_value

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
ARGS = "?period=month&on=2026-11-03"


def read(client, url: str) -> str:
    return checks.read(client, url, checks.main_of)


def fresh(client, cache, url: str) -> str:
    return checks.fresh(client, cache, url, checks.main_of)


def write_then_read(client, cache, url: str, write) -> str:
    return checks.write_then_read(client, cache, url, write, view=checks.main_of)


@pytest.fixture
def kpis(world):
    return build_business_kpis(world)


def address(world) -> str:
    return f"/business/markets/{world.hk.id}/summary{ARGS}"


def test_a_new_kpi_value_shows_on_the_next_read(client, cache, world, kpis):
    as_user(client, world.sup_a)

    def write():
        add_value(world.agent_a1, kpis["csat"], date(2026, 11, 5), value="1.0", weight="100")
        db.session.commit()

    write_then_read(client, cache, address(world), write)


def test_a_changed_kpi_target_shows_on_the_next_read(client, cache, world, kpis):
    as_user(client, world.sup_a)

    def write():
        target = db.session.scalar(
            select(KpiTarget).where(
                KpiTarget.kpi_id == kpis["csat"].id, KpiTarget.team_id == world.team_a.id
            )
        )
        target.target = Decimal("4.1")
        db.session.commit()

    write_then_read(client, cache, address(world), write)


def test_a_new_evaluation_shows_on_the_next_read(client, cache, world, kpis):
    version_id, _questions = scorecard_question_ids(world)
    as_user(client, world.sup_a)

    def write():
        evaluation = make_evaluation(world, world.agent_a1, version_id, submitted_at=NOW)
        evaluation.contact.market_id = world.hk.id  # the summary counts the market's contacts
        db.session.commit()

    write_then_read(client, cache, address(world), write)


def test_a_held_reviews_decision_shows_on_the_next_read(client, cache, world, kpis):
    as_user(client, world.manager_hk)

    def write():
        review = schedule(world.manager_hk, world.manager_hk, kind="mbr", on=WEEK)
        actions.add_decision(
            world.manager_hk, review, "Hire two agents MK-DECISION", request_token=None, now=NOW
        )
        reviews.hold_review(
            world.manager_hk, review, expected_version=review.version, minimum=5, now=NOW
        )
        db.session.commit()

    assert "Hire two agents MK-DECISION" in write_then_read(client, cache, address(world), write)


def test_a_person_joining_shows_in_the_headcount_on_the_next_read(client, cache, world, kpis):
    as_user(client, world.sup_a)

    def write():
        PersonFactory(
            manager=world.sup_a, team=world.team_a, market=world.hk, hire_on=date(2026, 11, 10)
        )
        db.session.commit()

    write_then_read(client, cache, address(world), write)


def test_a_second_read_computes_nothing_and_the_checks_still_run(
    app, client, world, kpis, monkeypatch
):
    from portal.blueprints.business import summary_views

    calls = []
    real = summary_views.summary_figures

    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(summary_views, "summary_figures", counted)
    as_user(client, world.sup_a)
    first = read(client, address(world))
    assert "4.35" in first and "Monthly business summary: Hong Kong" in first
    assert read(client, address(world)) == first
    assert len(calls) == 1
    quarter = read(client, f"/business/markets/{world.hk.id}/summary?period=quarter&on=2026-11-03")
    assert "4.23" in quarter and len(calls) == 2  # another period: its own entry
    assert client.get(f"/business/markets/999999/summary{ARGS}").status_code == 404
    agent = as_user(app.test_client(), world.agent_a1)
    assert agent.get(address(world)).status_code == 403
