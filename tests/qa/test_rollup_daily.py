"""The daily QA roll-up answers exactly what the raw rows answer, and is never used stale."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from portal.dashboards import team_qa
from portal.extensions import db
from portal.kpis.periods import custom_period
from portal.kpis.queries import ViewFilters
from portal.kpis.rollup_models import RollupState
from portal.qa import rollup_daily, rollup_queries
from portal.qa.rollup_queries import RollupFilters
from tests.conftest import as_user, count_queries
from tests.qa.programme_helpers import answers_for, make_card, make_contact, make_evaluation

# Whole-hour, half-hour and negative offsets. A zone with DST only on PostgreSQL: SQLite's raw
# reads themselves shift local days by today's offset (see rollup_queries.local_day).
ZONES = ["Asia/Hong_Kong", "UTC", "Asia/Kolkata", "America/Bogota"]
DST_ZONE = "America/New_York"
PERIODS = [
    (date(2026, 10, 1), date(2026, 10, 31)),
    (date(2026, 10, 6), date(2026, 10, 7)),
    (date(2026, 9, 20), date(2026, 10, 12)),
    (date(2026, 10, 14), date(2026, 10, 14)),
]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def _evaluate(card, agent, evaluator, moment, answers, channel="phone", status="submitted"):
    contact = make_contact(agent, moment, channel=channel)
    return make_evaluation(card, contact, evaluator, answers, submitted_at=moment, status=status)


@pytest.fixture
def qa(world):
    """Evaluations spread over the hours around midnight in every zone under test."""
    card = make_card(world.qa)
    sets = [
        answers_for(card, "yes", 4, "Full"),
        answers_for(card, "yes", 2, "Partly"),
        answers_for(card, "no", 4, "Full"),
        answers_for(card, "yes", 0, "None"),
    ]
    agents = [world.agent_a1, world.agent_a2, world.agent_b1, world.agent_c1]
    evaluators = {
        world.agent_a1.id: world.sup_a,
        world.agent_a2.id: world.sup_a,
        world.agent_b1.id: world.sup_b,
        world.agent_c1.id: world.sup_c,
    }
    channels = ["phone", "email", "chat"]
    index = 0
    for offset in range(0, 60, 3):
        day = date(2026, 9, 15) + timedelta(days=offset)
        for hour, minute in [(0, 10), (4, 0), (15, 45), (16, 20), (18, 30), (23, 50)]:
            agent = agents[index % len(agents)]
            _evaluate(
                card,
                agent,
                evaluators[agent.id],
                _at(day, hour, minute),
                sets[index % len(sets)],
                channel=channels[index % len(channels)],
                status="draft" if index % 11 == 5 else "submitted",
            )
            index += 1
    db.session.commit()
    return card


def _set_zones(world, zone):
    for person in (world.head, world.manager_hk, world.hr):
        person.time_zone = zone
    db.session.commit()


def _norm(value):
    """Figures compared at 9 decimals (SQLite sums scores as floats, in another order)."""
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, Decimal | Fraction):
        return round(float(value), 9)
    if isinstance(value, list | tuple):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {name: _norm(getattr(value, name)) for name in value.__dataclass_fields__}
    return value


def _panel(result):
    return _norm(
        [
            result.current,
            result.previous,
            result.weekly,
            result.questions,
            [(row.person.id, row.summary) for row in result.children],
        ]
    )


def _without_plan(monkeypatch, call):
    with monkeypatch.context() as patch:
        patch.setattr(rollup_daily, "plan_for", lambda *a, **k: None)
        return call()


def _view_filters(world):
    return [
        ViewFilters(),
        ViewFilters(market_id=world.team_a.market_id),
        ViewFilters(segment_id=world.agent_a1.segment_id),
        ViewFilters(channel="email"),
    ]


def test_team_panel_from_rollup_equals_raw_for_nodes_filters_periods_and_zones(
    world, qa, monkeypatch
):
    seen = 0
    dialect = db.session.get_bind().dialect.name
    for zone in ZONES + ([DST_ZONE] if dialect == "postgresql" else []):
        _set_zones(world, zone)
        rollup_daily.refresh(min_subtree=2)
        for node in (world.head, world.manager_hk, world.sup_a):
            for filters in _view_filters(world):
                for start, end in PERIODS:
                    period = custom_period(start, end)
                    plan = rollup_queries.node_plan(
                        world.head,
                        node,
                        team_qa.rollup_filters(world.head, node, start, end, filters),
                    )
                    assert plan is not None and plan.through_on >= date(2026, 11, 13), zone
                    rolled = team_qa.team_qa(world.head, node, period, filters, 1)
                    raw = _without_plan(
                        monkeypatch,
                        lambda: team_qa.team_qa(world.head, node, period, filters, 1),  # noqa: B023
                    )
                    assert _panel(rolled) == _panel(raw), (zone, node.name, filters, start)
                    seen += rolled.current.n
    assert seen > 0


def _report_filters(world):
    return [
        {},
        {"market_id": world.team_a.market_id},
        {"segment_id": world.agent_a1.segment_id},
        {"channel": "phone"},
        {"node_id": world.manager_hk.id},
    ]


def _report(report):
    return _norm(
        [
            report.overall,
            report.bins,
            report.questions,
            report.weekly,
            report.monthly,
            {k: [(g.key, g.label, g.summary) for g in rows] for k, rows in report.groups.items()},
        ]
    )


def test_qa_report_from_rollup_equals_raw(world, qa, monkeypatch):
    for zone in ("Asia/Hong_Kong", "Asia/Kolkata"):
        _set_zones(world, zone)
        rollup_daily.refresh(min_subtree=2)
        for extra in _report_filters(world):
            for start, end in PERIODS:
                filters = RollupFilters(start_on=start, end_on=end, time_zone=zone, **extra)
                assert rollup_queries.report_plan(world.head, filters) is not None
                rolled = rollup_queries.rollup_for(world.head, filters, 1)
                raw = _without_plan(
                    monkeypatch,
                    lambda: rollup_queries.rollup_for(world.head, filters, 1),  # noqa: B023
                )
                assert _report(rolled) == _report(raw), (zone, extra, start)


def test_not_used_when_not_exact(world, qa):
    hk = "Asia/Hong_Kong"
    rollup_daily.refresh(min_subtree=2)
    month = RollupFilters(start_on=date(2026, 10, 1), end_on=date(2026, 10, 31), time_zone=hk)
    assert rollup_queries.report_plan(world.head, month) is not None
    # A zone nobody who reads the node whole lives in.
    assert rollup_queries.node_plan(world.head, world.head, _zone(month, "Europe/Paris")) is None
    # A QA analyst sees team A through a grant (more than their own subtree): raw.
    assert rollup_queries.report_plan(world.qa, month) is None
    # HR without a node sees everyone (no single node); with a node, the roll-up.
    assert rollup_queries.report_plan(world.hr, month) is None
    assert rollup_queries.node_plan(world.hr, world.manager_hk, month) is not None
    # A node above the viewer, a scorecard filter, a drill-down group.
    assert rollup_queries.node_plan(world.sup_a, world.manager_hk, month) is None
    scorecard = RollupFilters(
        start_on=month.start_on, end_on=month.end_on, time_zone=hk, scorecard_id=qa.scorecard.id
    )
    assert rollup_queries.report_plan(world.head, scorecard) is None
    group = RollupFilters(
        start_on=month.start_on, end_on=month.end_on, time_zone=hk, group=("agent", 1)
    )
    assert rollup_queries.report_plan(world.head, group) is None
    # A node too small to be rolled up.
    rollup_daily.refresh(min_subtree=5)
    assert rollup_queries.node_plan(world.head, world.sup_a, month) is None
    assert rollup_queries.node_plan(world.head, world.manager_hk, month) is not None
    # Any person changed since the refresh: raw until the next one.
    world.agent_b1.segment_id = world.agent_a2.segment_id
    db.session.commit()
    assert rollup_queries.node_plan(world.head, world.head, month) is None


def _zone(filters, zone):
    return RollupFilters(start_on=filters.start_on, end_on=filters.end_on, time_zone=zone)


def test_no_rollup_before_the_first_refresh(world, qa):
    month = RollupFilters(
        start_on=date(2026, 10, 1), end_on=date(2026, 10, 31), time_zone="Asia/Hong_Kong"
    )
    assert db.session.get(RollupState, "qa") is None
    assert rollup_queries.report_plan(world.head, month) is None


def test_evaluations_changed_after_the_refresh_are_read_raw(world, qa, monkeypatch):
    rollup_daily.refresh(min_subtree=2)
    late = _evaluate(
        qa,
        world.agent_a1,
        world.sup_a,
        _at(date(2026, 10, 9), 5),
        answers_for(qa, "yes", 4, "Full"),
    )
    db.session.commit()
    assert late.updated_at > db.session.get(RollupState, "qa").refreshed_at
    period = custom_period(date(2026, 10, 1), date(2026, 10, 31))
    filters = ViewFilters()
    this = team_qa.rollup_filters(world.head, world.head, period.start, period.end, filters)
    plan = rollup_queries.node_plan(world.head, world.head, this)
    assert plan is not None and plan.through_on == date(2026, 10, 8)
    rolled = team_qa.team_qa(world.head, world.head, period, filters, 1)
    raw = _without_plan(
        monkeypatch, lambda: team_qa.team_qa(world.head, world.head, period, filters, 1)
    )
    assert _panel(rolled) == _panel(raw)
    # An incremental refresh from a later day still takes the changed day in.
    rollup_daily.refresh(date(2026, 11, 20))
    plan = rollup_queries.node_plan(world.head, world.head, this)
    assert plan is not None and plan.through_on > date(2026, 11, 13)
    again = team_qa.team_qa(world.head, world.head, period, filters, 1)
    assert _panel(again) == _panel(raw)


def test_team_view_and_report_query_counts_stay_flat_with_the_rollup(
    app, client, world, qa, no_panel_cache
):
    rollup_daily.refresh(min_subtree=2)
    urls = [
        f"/teams/{world.head.id}?period=custom&start=2026-10-01&end=2026-10-31",
        "/qa/programme/reports?period=custom&start_on=2026-10-01&end_on=2026-10-31",
    ]
    as_user(client, world.head)
    first = []
    for url in urls:
        client.get(url)
        with count_queries(app) as counted:
            assert client.get(url).status_code == 200
        first.append(len(counted))
    answers = answers_for(qa, "yes", 2, "Partly")
    for offset in range(10):
        _evaluate(qa, world.agent_b1, world.sup_b, _at(date(2026, 10, 2 + offset), 3), answers)
    db.session.commit()
    rollup_daily.refresh(min_subtree=2)
    for url, before in zip(urls, first, strict=True):
        with count_queries(app) as counted:
            assert client.get(url).status_code == 200
        assert len(counted) == before, url


def test_report_page_keeps_the_first_groups_and_counts_them_all(world, qa, monkeypatch, app):
    rollup_daily.refresh(min_subtree=2)
    filters = RollupFilters(
        start_on=date(2026, 10, 1), end_on=date(2026, 10, 31), time_zone="Asia/Hong_Kong"
    )
    full = rollup_queries.rollup_for(world.head, filters, 1)
    for report in (
        rollup_queries.rollup_for(world.head, filters, 1, group_limit=2),
        _without_plan(
            monkeypatch, lambda: rollup_queries.rollup_for(world.head, filters, 1, group_limit=2)
        ),
    ):
        for dimension, rows in full.groups.items():
            assert report.group_counts[dimension] == len(rows)
            assert _norm(report.groups[dimension]) == _norm(rows[:2])
    assert full.group_counts["agent"] == 4


def test_report_page_says_how_many_groups_it_leaves_out(app, client, world, qa):
    app.config["QA_REPORT_GROUP_ROWS"] = 2
    as_user(client, world.head)
    page = client.get("/qa/programme/reports?period=custom&start_on=2026-10-01&end_on=2026-10-31")
    assert page.status_code == 200
    assert "Showing the first 2 of 4 groups." in page.get_data(as_text=True)


def test_flask_rollups_refresh_builds_the_qa_rollup(app, world, qa):
    app.config["KPI_ROLLUP_MIN_SUBTREE"] = 2
    result = app.test_cli_runner().invoke(args=["rollups", "refresh"])
    assert result.exit_code == 0, result.output
    assert "QA roll-up:" in result.output
    state = db.session.get(RollupState, "qa")
    assert state is not None and [world.head.id, "Asia/Hong_Kong"] in state.node_ids


def test_summary_for_a_node_from_rollup_equals_raw(world, qa):
    """The business reviews' and market summaries' QA line reads the roll-up for its node."""
    _set_zones(world, "Asia/Hong_Kong")
    rollup_daily.refresh(min_subtree=2)
    for node in (world.head, world.manager_hk):
        for market_id in (None, world.hk.id):
            for start, end in PERIODS:
                filters = RollupFilters(
                    start_on=start,
                    end_on=end,
                    node_id=node.id,
                    market_id=market_id,
                    time_zone="Asia/Hong_Kong",
                )
                assert rollup_queries.node_plan(world.head, node, filters) is not None
                rolled = rollup_queries.summary_for(world.head, filters, 1, node)
                raw = rollup_queries.summary_for(world.head, filters, 1)
                assert rolled == raw, (node.name, market_id, start)
