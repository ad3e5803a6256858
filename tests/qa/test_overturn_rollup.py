"""The evaluator overturn roll-up answers exactly what the raw rows answer, for every viewer,
before and after evaluations change since the refresh, and is never used stale."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from portal.db import utcnow
from portal.extensions import db
from portal.kpis.rollup_models import RollupState
from portal.qa import evaluations, overturn_rollup
from portal.qa.evaluation_models import Evaluation
from portal.qa.evaluation_queries import overturns
from portal.qa.models import Contact
from tests.conftest import as_user, count_queries
from tests.qa.evaluation_helpers import (
    card_for,
    full_answers,
    overturn_counts,
    plain_overturn_counts,
    submitted,
)
from tests.qa.programme_helpers import answers_for, make_card, make_contact, make_evaluation

TODAY = datetime.now(UTC).date()


def _at(days_ago: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), time(hour, minute), tzinfo=UTC)


def _viewers(world):
    return [world.hr, world.qa, world.head, world.manager_hk, world.sup_a, world.sup_c]


def _lines(viewer):
    return [(line.evaluator_id, line.evaluator_name, line.rate) for line in overturns(viewer)]


def _raw(viewer, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(overturn_rollup, "usable_boundary", lambda: None)
        return _lines(viewer)


def _plain(viewer) -> Counter:
    return plain_overturn_counts(viewer)


def _found(lines) -> Counter:
    return overturn_counts((evaluator_id, rate) for evaluator_id, _name, rate in lines)


def _assert_equal_for_every_viewer(world, monkeypatch):
    for viewer in _viewers(world):
        rolled = _lines(viewer)
        assert rolled == _raw(viewer, monkeypatch), viewer.email
        assert _found(rolled) == _plain(viewer), viewer.email


def _settle() -> None:
    """Everything written so far was written an hour ago (before the coming refresh)."""
    db.session.execute(update(Evaluation).values(updated_at=utcnow() - timedelta(hours=1)))
    db.session.commit()


def _mark(evaluation, *, disputed=False, resolution=None):
    evaluation.disputed_at = evaluation.submitted_at if disputed or resolution else None
    evaluation.status = "resolved" if resolution else "disputed" if disputed else "submitted"
    evaluation.resolution = resolution


@pytest.fixture
def spread(world):
    """Evaluations by three evaluators of four agents, from 14 months ago to today, some
    disputed, resolved or re-scored, a draft and one without a submission moment."""
    card = make_card(world.qa)
    answers = answers_for(card, "yes", 4, "Full")
    agents = [world.agent_a1, world.agent_a2, world.agent_b1, world.agent_c1]
    evaluators = [world.sup_a, world.qa, world.sup_b, world.sup_c]
    moments = [_at(420), _at(100), _at(61), _at(40), _at(34, 23, 59), _at(20), _at(3)]
    moments += [_at(1, 23, 59), _at(0, 0, 0), _at(0, 0, 1)]
    made = []
    for index, moment in enumerate(moments * 2):
        agent = agents[index % len(agents)]
        evaluator = evaluators[(index * 3 + index // len(moments)) % len(evaluators)]
        contact = make_contact(agent, moment)
        evaluation = make_evaluation(card, contact, evaluator, answers, submitted_at=moment)
        outcome = index % 5
        _mark(
            evaluation,
            disputed=outcome >= 2,
            resolution={3: "upheld", 4: "rescored"}.get(outcome),
        )
        made.append(evaluation)
    draft = make_evaluation(
        card, make_contact(world.agent_a1, _at(50)), world.sup_a, answers, status="draft"
    )
    undated = make_evaluation(card, make_contact(world.agent_a2, _at(10)), world.qa, answers)
    db.session.flush()
    undated.submitted_at = None
    db.session.commit()
    _settle()
    return card, made, draft


def test_rollup_equals_raw_for_every_viewer(world, spread, monkeypatch):
    bounds, rows = overturn_rollup.refresh()
    assert rows > 0 and bounds > 35
    assert overturn_rollup.usable_boundary() == TODAY
    _assert_equal_for_every_viewer(world, monkeypatch)


def test_a_supervisor_counts_only_their_subtrees_agents(world, spread, monkeypatch):
    overturn_rollup.refresh()
    agents = {world.agent_a1.id, world.agent_a2.id}
    expected = Counter()
    for e in db.session.scalars(select(Evaluation).where(Evaluation.status != "draft")):
        if e.person_id in agents:
            expected[(e.evaluator_id, "n")] += 1
            expected[(e.evaluator_id, "d")] += e.disputed_at is not None
            expected[(e.evaluator_id, "r")] += e.resolution is not None
            expected[(e.evaluator_id, "k")] += e.resolution == "rescored"
    assert _found(_lines(world.sup_a)) == +expected
    assert +expected != _plain(world.head)  # the scope leaves out other teams' agents


@pytest.mark.parametrize(
    ("days_ago", "boundary"),
    [
        (20, lambda: TODAY - timedelta(days=20)),  # a day boundary: the recent weeks
        (61, lambda: (TODAY - timedelta(days=61)).replace(day=1)),  # the month's first
        (420, lambda: None),  # before the first boundary with rows: all raw
    ],
)
def test_evaluations_changed_after_the_refresh_are_read_raw(
    world, spread, monkeypatch, days_ago, boundary
):
    card, made, _draft = spread
    overturn_rollup.refresh()
    changed = next(e for e in made if e.submitted_at == _at(days_ago) and e.resolution is None)
    if changed.disputed_at is None:
        _mark(changed, disputed=True)
    else:
        _mark(changed, resolution="rescored")
    db.session.commit()
    assert overturn_rollup.usable_boundary() == boundary()
    _assert_equal_for_every_viewer(world, monkeypatch)


def test_disputes_resolutions_rescores_and_late_submissions_through_the_services(
    world, monkeypatch
):
    card = card_for(world)
    kept, changed, plain, acknowledged = (submitted(world, card) for _ in range(4))
    other = submitted(world, card, agent=world.agent_b1, evaluator=world.sup_b)
    for days_ago, evaluation in zip(
        (30, 12, 9, 5, 2), (kept, changed, plain, acknowledged, other), strict=True
    ):
        db.session.execute(
            update(Evaluation)
            .where(Evaluation.id == evaluation.id)
            .values(submitted_at=_at(days_ago))
        )
    db.session.commit()
    _settle()
    overturn_rollup.refresh()
    assert overturn_rollup.usable_boundary() == TODAY
    for evaluation in (kept, changed):
        db.session.refresh(evaluation)
        evaluations.dispute(
            world.agent_a1,
            evaluation,
            reason="x",
            question_reasons={},
            expected_version=evaluation.version,
        )
    evaluations.uphold(world.qa, kept, reason="ok", expected_version=kept.version)
    evaluations.rescore(
        world.qa, changed, full_answers(card), reason="typo", expected_version=changed.version
    )
    submitted(world, card, agent=world.agent_a2)  # today: after the boundary anyway
    assert overturn_rollup.usable_boundary() == TODAY - timedelta(days=30)
    _assert_equal_for_every_viewer(world, monkeypatch)
    rates = {line.evaluator_id: line.rate for line in overturns(world.qa)}
    mine = rates[world.sup_a.id]
    assert (mine.evaluations, mine.disputed, mine.resolved, mine.rescored) == (5, 2, 2, 1)
    # The next refresh (a while later) takes it all in again.
    _settle()
    overturn_rollup.refresh()
    assert overturn_rollup.usable_boundary() == TODAY
    _assert_equal_for_every_viewer(world, monkeypatch)


def test_no_rollup_before_the_first_refresh_and_a_late_old_submission(world, spread, monkeypatch):
    card, _made, _draft = spread
    assert db.session.get(RollupState, "overturns") is None
    assert overturn_rollup.usable_boundary() is None
    _assert_equal_for_every_viewer(world, monkeypatch)
    overturn_rollup.refresh()
    # Imported late: submitted three months ago, written now.
    late = make_evaluation(
        card,
        make_contact(world.agent_b1, _at(95)),
        world.sup_b,
        answers_for(card, "no", 0, "None"),
        submitted_at=_at(95),
    )
    db.session.commit()
    assert late.updated_at > db.session.get(RollupState, "overturns").refreshed_at
    assert overturn_rollup.usable_boundary() == _at(95).date().replace(day=1)
    _assert_equal_for_every_viewer(world, monkeypatch)


def test_changes_just_before_the_refresh_count_as_later_ones(world, spread):
    _card, made, _draft = spread
    made[2].updated_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    overturn_rollup.refresh()
    assert overturn_rollup.usable_boundary() < TODAY


def test_the_page_reads_the_rollup_in_a_fixed_number_of_statements(app, client, world, spread):
    card, _made, _draft = spread
    overturn_rollup.refresh()
    as_user(client, world.hr)
    client.get("/qa/evaluators")
    with count_queries(app) as first:
        before = client.get("/qa/evaluators").get_data(as_text=True)
    assert any("qa_overturn_rollup" in s for s in first)
    for days_ago in range(5, 60, 5):
        make_evaluation(
            card,
            make_contact(world.agent_c1, _at(days_ago)),
            world.sup_c,
            answers_for(card, "yes", 4, "Full"),
            submitted_at=_at(days_ago),
        )
    db.session.commit()
    with count_queries(app) as second:
        after = client.get("/qa/evaluators").get_data(as_text=True)
    assert len(second) == len(first) and before != after


def test_flask_rollups_refresh_builds_the_overturn_rollup(app, world, spread):
    result = app.test_cli_runner().invoke(args=["rollups", "refresh"])
    assert result.exit_code == 0, result.output
    assert "Overturn roll-up" in result.output
    state = db.session.get(RollupState, "overturns")
    assert state is not None and state.node_ids[-1] == TODAY.isoformat()


def test_boundaries_are_month_firsts_and_the_last_days():
    bounds = overturn_rollup.boundaries(date(2025, 11, 17), date(2026, 2, 10), days=3)
    assert bounds == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 2, 7),
        date(2026, 2, 8),
        date(2026, 2, 9),
        date(2026, 2, 10),
    ]
    assert overturn_rollup.boundaries(date(2026, 2, 3), date(2026, 2, 4), days=35) == [
        date(2026, 2, 1),
        date(2026, 2, 2),
        date(2026, 2, 3),
        date(2026, 2, 4),
    ]


# Mostly nothing happens after the refresh, so most examples read the roll-up.
CHANGE = st.sampled_from(["none"] * 12 + ["dispute", "uphold", "rescore", "acknowledge"])


def _specs(days_ago):
    return st.tuples(
        st.integers(0, 3),  # agent
        st.integers(0, 3),  # evaluator
        days_ago,  # -1: tomorrow
        st.integers(0, 23),  # hour
        st.sampled_from(["draft", "submitted", "disputed", "upheld", "rescored"]),
        CHANGE,  # what happens to it after the refresh
    )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    before=st.lists(_specs(st.integers(-1, 120)), max_size=25),
    after=st.lists(_specs(st.integers(-1, 3) | st.integers(-1, 120)), max_size=3),
    days=st.integers(0, 40),
)
def test_rollup_equals_raw_on_random_evaluations(world, monkeypatch, before, after, days):
    card = make_card(world.qa)
    answers = answers_for(card, "yes", 4, "Full")
    agents = [world.agent_a1, world.agent_a2, world.agent_b1, world.agent_c1]
    evaluators = [world.sup_a, world.qa, world.sup_b, world.sup_c]
    made = []

    def build(spec):
        agent, evaluator, days_ago, hour, state, change = spec
        moment = _at(days_ago, hour)
        evaluation = make_evaluation(
            card,
            make_contact(agents[agent], moment),
            evaluators[evaluator],
            answers,
            submitted_at=moment,
            status="draft" if state == "draft" else "submitted",
        )
        if state != "draft":
            _mark(
                evaluation,
                disputed=state != "submitted",
                resolution={"upheld": "upheld", "rescored": "rescored"}.get(state),
            )
        made.append((evaluation, change))

    try:
        for spec in before:
            build(spec)
        db.session.commit()
        _settle()
        overturn_rollup.refresh(days=days)
        for evaluation, change in made:
            if evaluation.status == "draft" or change == "none":
                continue
            if change == "acknowledge" and evaluation.status == "submitted":
                evaluation.status = "acknowledged"
            elif change == "dispute" and evaluation.disputed_at is None:
                _mark(evaluation, disputed=True)
            elif change in ("uphold", "rescore") and evaluation.resolution is None:
                _mark(evaluation, resolution="upheld" if change == "uphold" else "rescored")
        for spec in after:
            build(spec)
        db.session.commit()
        for viewer in (world.hr, world.qa, world.manager_hk, world.sup_a):
            rolled = _lines(viewer)
            assert rolled == _raw(viewer, monkeypatch), viewer.email
            assert _found(rolled) == _plain(viewer), viewer.email
    finally:
        ids = [evaluation.id for evaluation, _change in made]
        contacts = [evaluation.contact_id for evaluation, _change in made]
        db.session.rollback()
        _forget(ids, contacts)


def _forget(ids: list[int], contacts: list[int]) -> None:
    from portal.qa.evaluation_models import EvaluationAnswer, EvaluationRevision

    revisions = select(EvaluationRevision.id).where(EvaluationRevision.evaluation_id.in_(ids))
    db.session.execute(delete(EvaluationAnswer).where(EvaluationAnswer.revision_id.in_(revisions)))
    db.session.execute(delete(EvaluationRevision).where(EvaluationRevision.evaluation_id.in_(ids)))
    db.session.execute(delete(Evaluation).where(Evaluation.id.in_(ids)))
    db.session.execute(delete(Contact).where(Contact.id.in_(contacts)))
    db.session.commit()
