"""The QA report's tables by agent, team and evaluator from the monthly roll-up equal the raw
rows': hand-built and random data, whole and partial months, changes after the refresh."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from portal.db import utcnow
from portal.extensions import db
from portal.qa import rollup_daily, rollup_people, rollup_queries, rollups
from portal.qa.evaluation_models import Evaluation
from portal.qa.rollup_daily import QaPlan
from portal.qa.rollup_daily_models import QaRollupPeople
from portal.qa.rollup_queries import RollupFilters
from portal.qa.rollups import PeriodKind
from tests.qa.programme_helpers import answers_for, make_card, make_contact, make_evaluation
from tests.qa.test_rollup_daily import _norm, _report, _set_zones, _without_plan

ZONES = ["UTC", "Asia/Kolkata", "America/Bogota"]
DST_ZONE = "America/New_York"
STATUSES = ["submitted", "acknowledged", "disputed", "resolved", "draft"]


def _plan(start: date, through: date | None, refreshed: date | None) -> QaPlan:
    return QaPlan(1, "UTC", through, frozenset({1}), refreshed)


@pytest.mark.parametrize(
    ("start", "end", "through", "refreshed", "expected"),
    [
        # A past month, whole.
        (date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 22), None, None),
        (date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 22), date(2026, 11, 22), (1, 31)),
        # The current month: its row ends on the refresh's last day.
        (date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 22), date(2026, 11, 22), (1, 22)),
        # An evaluation of Nov 11 changed since: the month's row holds stale days.
        (date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 10), date(2026, 11, 22), None),
        # From mid-October: November only; a week inside a month: nothing.
        (date(2026, 10, 15), date(2026, 11, 30), date(2026, 11, 22), date(2026, 11, 22), (1, 22)),
        (date(2026, 11, 16), date(2026, 11, 22), date(2026, 11, 22), date(2026, 11, 22), None),
        (date(2026, 10, 5), date(2026, 10, 20), date(2026, 11, 22), date(2026, 11, 22), None),
        # A period ending inside a month that is whole in the roll-up: that month is raw.
        (date(2026, 9, 1), date(2026, 10, 20), date(2026, 11, 22), date(2026, 11, 22), (1, 30)),
        # A quarter with a change on Oct 15: September only.
        (date(2026, 9, 1), date(2026, 11, 30), date(2026, 10, 14), date(2026, 11, 22), (1, 30)),
        # Across the year; nothing refreshed yet.
        (date(2026, 12, 1), date(2027, 1, 31), date(2027, 1, 10), date(2027, 1, 10), (1, 10)),
        (date(2026, 10, 1), date(2026, 10, 31), None, None, None),
    ],
)
def test_covered_days_are_whole_rows_within_the_rolled_days(
    start, end, through, refreshed, expected
):
    span = rollup_people.covered_days(_plan(start, through, refreshed), start, end)
    if expected is None:
        assert span is None
        return
    assert span[0].day == expected[0] and span[1].day == expected[1]
    assert start <= span[0] <= span[1] <= min(end, through)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def _today() -> date:
    return utcnow().date()


def _people(world):
    """(agent, evaluator): agents, a supervisor evaluated by a manager, and a QA analyst with
    no team (the team table's group without a team)."""
    return [
        (world.agent_a1, world.sup_a),
        (world.agent_a1, world.qa),
        (world.agent_a2, world.sup_a),
        (world.agent_b1, world.sup_b),
        (world.agent_b1, world.head),
        (world.agent_c1, world.sup_c),
        (world.sup_a, world.manager_hk),
        (world.qa, world.head),
    ]


def _answer_sets(card):
    return [
        answers_for(card, "yes", 4, "Full"),
        answers_for(card, "yes", 2, "Partly"),
        answers_for(card, "no", 4, "Full"),
        answers_for(card, "yes", 0, "None"),
        answers_for(card, "no", 3, "None"),
    ]


def _evaluate(card, agent, evaluator, moment, answers, channel="phone", status="submitted"):
    contact = make_contact(agent, moment, channel=channel)
    return make_evaluation(card, contact, evaluator, answers, submitted_at=moment, status=status)


@pytest.fixture
def recent(world):
    """Evaluations over the last ~75 days up to tomorrow, near midnight in every zone tested."""
    card = make_card(world.qa)
    sets = _answer_sets(card)
    people = _people(world)
    index = 0
    for offset in range(-75, 2, 2):
        day = _today() + timedelta(days=offset)
        for hour, minute in [(0, 20), (4, 30), (11, 0), (19, 10), (23, 40)]:
            agent, evaluator = people[index % len(people)]
            _evaluate(
                card,
                agent,
                evaluator,
                _at(day, hour, minute),
                sets[index % len(sets)],
                channel=("phone", "email", "chat")[index % 3],
                status=STATUSES[index % len(STATUSES)],
            )
            index += 1
    db.session.commit()
    return card


def _periods(zone: str) -> list[tuple[date, date]]:
    today = datetime.now(ZoneInfo(zone)).date()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    result = [
        rollups.period_range(PeriodKind.MONTH, today),
        rollups.period_range(PeriodKind.MONTH, last_month),
        rollups.period_range(PeriodKind.QUARTER, today),
        rollups.period_range(PeriodKind.WEEK, today - timedelta(days=9)),
        (last_month + timedelta(days=9), today + timedelta(days=3)),
        (last_month - timedelta(days=20), today - timedelta(days=2)),
    ]
    return result


def _report_filters(world) -> list[dict]:
    return [{}, {"node_id": world.manager_hk.id}, {"channel": "email"}]


def _assert_rollup_equals_raw(world, monkeypatch, zone, *, expect_month=True):
    used = 0
    for extra in _report_filters(world):
        for start, end in _periods(zone):
            filters = RollupFilters(start_on=start, end_on=end, time_zone=zone, **extra)
            plan = rollup_queries.report_plan(world.head, filters)
            assert plan is not None
            if not extra.get("channel") and rollup_people.covered_days(plan, start, end):
                used += 1
            rolled = rollup_queries.rollup_for(world.head, filters, 1)
            raw = _without_plan(
                monkeypatch,
                lambda: rollup_queries.rollup_for(world.head, filters, 1),  # noqa: B023
            )
            assert _report(rolled) == _report(raw), (zone, extra, start, end)
            assert rolled.groups["agent"], (zone, extra, start)
            people_rolled = rollup_people.people_groups(world.head, filters, plan)
            people_raw = rollup_people.people_groups(world.head, filters, None)
            assert _norm(people_rolled) == _norm(people_raw), (zone, extra, start, end)
    if expect_month:
        assert used >= 2, zone  # at least last month and the quarter, for both nodes


def test_people_tables_from_rollup_equal_raw_in_every_zone(world, recent, monkeypatch):
    dialect = db.session.get_bind().dialect.name
    for zone in ZONES + ([DST_ZONE] if dialect == "postgresql" else []):
        _set_zones(world, zone)
        rollup_daily.refresh(min_subtree=2)
        assert db.session.query(QaRollupPeople).filter_by(time_zone=zone).count() > 0
        _assert_rollup_equals_raw(world, monkeypatch, zone)


def test_changes_after_the_refresh_are_read_raw_until_the_next(world, recent, monkeypatch):
    zone = "Asia/Kolkata"
    _set_zones(world, zone)
    rollup_daily.refresh(min_subtree=2)
    today = datetime.now(ZoneInfo(zone)).date()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    period = RollupFilters(start_on=last_month, end_on=today + timedelta(days=5), time_zone=zone)
    plan = rollup_queries.report_plan(world.head, period)
    assert rollup_people.covered_days(plan, period.start_on, period.end_on)[0] == last_month
    # A late evaluation of last month's 5th, a re-scored one and a draft submitted.
    _evaluate(
        recent,
        world.agent_c1,
        world.sup_c,
        _at(last_month + timedelta(days=4), 9),
        answers_for(recent, "no", 1, "None"),
    )
    changed = db.session.scalars(
        db.select(Evaluation).where(Evaluation.status == "acknowledged").limit(1)
    ).one()
    changed.score = Decimal("12.5")
    changed.critical_failed = not changed.critical_failed
    draft = db.session.scalars(
        db.select(Evaluation).where(Evaluation.status == "draft").limit(1)
    ).one()
    draft.status = "submitted"
    db.session.commit()
    plan = rollup_queries.report_plan(world.head, period)
    assert plan.through_on < plan.refreshed_through
    _assert_rollup_equals_raw(world, monkeypatch, zone, expect_month=False)
    # An incremental refresh takes them in: the roll-up serves again.
    rollup_daily.refresh(_today())
    plan = rollup_queries.report_plan(world.head, period)
    assert plan.through_on == plan.refreshed_through
    assert rollup_people.covered_days(plan, period.start_on, period.end_on)[0] == last_month
    _assert_rollup_equals_raw(world, monkeypatch, zone)


def test_random_data_and_periods_rollup_equals_raw(world, monkeypatch):
    card = make_card(world.qa)
    sets = _answer_sets(card)
    people = _people(world)
    rng = random.Random(20261123)
    dialect = db.session.get_bind().dialect.name
    zones = ZONES + ([DST_ZONE] if dialect == "postgresql" else [])
    today = _today()
    for _ in range(160):
        agent, evaluator = rng.choice(people)
        moment = _at(today - timedelta(days=rng.randint(-2, 100)), rng.randint(0, 23))
        _evaluate(
            card,
            agent,
            evaluator,
            moment + timedelta(minutes=rng.randint(0, 59)),
            rng.choice(sets),
            channel=rng.choice(["phone", "email", "chat"]),
            status=rng.choice(STATUSES),
        )
    db.session.commit()
    for round_ in range(3):
        zone = rng.choice(zones)
        _set_zones(world, zone)
        rollup_daily.refresh(min_subtree=2)
        if round_:
            # Changes after the refresh: re-scored evaluations and new ones on random days.
            for evaluation in db.session.scalars(
                db.select(Evaluation).where(Evaluation.status != "draft").limit(3)
            ):
                evaluation.score = Decimal(rng.randint(0, 10000)) / 100
                evaluation.critical_failed = rng.random() < 0.5
            agent, evaluator = rng.choice(people)
            moment = _at(today - timedelta(days=rng.randint(0, 60)), rng.randint(0, 23))
            _evaluate(card, agent, evaluator, moment, rng.choice(sets))
            db.session.commit()
        local_today = datetime.now(ZoneInfo(zone)).date()
        for _ in range(8):
            start = local_today - timedelta(days=rng.randint(0, 110))
            end = min(start + timedelta(days=rng.randint(0, 90)), local_today + timedelta(days=3))
            node = rng.choice([None, world.manager_hk.id, world.sup_a.id])
            filters = RollupFilters(start_on=start, end_on=end, time_zone=zone, node_id=node)
            plan = rollup_queries.report_plan(world.head, filters)
            assert plan is not None
            rolled = rollup_people.people_groups(world.head, filters, plan)
            raw = rollup_people.people_groups(world.head, filters, None)
            assert _norm(rolled) == _norm(raw), (zone, start, end, node)
            report = rollup_queries.rollup_for(world.head, filters, 1)
            again = _without_plan(
                monkeypatch,
                lambda: rollup_queries.rollup_for(world.head, filters, 1),  # noqa: B023
            )
            assert _report(report) == _report(again), (zone, start, end, node)


def test_the_organisation_select_renders_as_wtforms_does(app):
    from wtforms import widgets

    from portal.blueprints.qaprog.forms import ReportFilterForm
    from portal.qa.contacts import Choice

    with app.test_request_context("/qa/programme/reports?node=2"):
        form = ReportFilterForm()
        people = [Choice(1, "Ann <Lee>"), Choice(2, 'Bo "B" & Co'), Choice(3, "Cy")]
        form.fill_choices(people, [], [], [])
        form.node.process_formdata(["2"])
        fast = str(form.node(id="node"))
        assert fast == str(widgets.Select()(form.node, id="node"))
        assert '<option selected value="2">Bo &#34;B&#34; &amp; Co</option>' in fast


def test_every_group_links_to_its_evaluations(app, client, world, recent):
    import re
    from html import unescape

    from tests.conftest import as_user

    rollup_daily.refresh(min_subtree=2)
    as_user(client, world.head)
    page = client.get("/qa/programme/reports?period=quarter").get_data(as_text=True)
    links = [
        (unescape(href), int(n))
        for href, n in re.findall(r'href="([^"]*reports/evaluations\?by=[^"]*)">(\d+)</a>', page)
    ]
    assert {re.search(r"by=(\w+)", href).group(1) for href, _n in links} == {
        "agent",
        "team",
        "evaluator",
        "market",
        "segment",
        "channel",
    }
    for href, n in links:
        assert "&key=" in href and "period=quarter" in href
        drill = client.get(href)
        assert drill.status_code == 200, href
        assert drill.get_data(as_text=True).count("/qa/contacts/") >= min(n, 1), href
