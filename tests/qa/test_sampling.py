"""Sampling: allocation and draws (pure, with properties) and weekly runs against the database."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.audit import AuditEntry
from portal.errors import Conflict, ValidationFailed
from portal.extensions import db
from portal.qa import sampling
from portal.qa import sampling_service as service
from portal.qa.programme_models import SamplingAssignment
from portal.qa.sampling import Candidate
from tests.qa.programme_helpers import answers_for, make_card, make_contact, make_evaluation

CHANNELS = ("phone", "email", "chat", "voicemail")

# ---- allocation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "available, n, minimums, expected",
    [
        ({"phone": 9, "email": 3}, 4, None, {"phone": 3, "email": 1}),
        ({"phone": 5, "email": 5}, 3, None, {"email": 2, "phone": 1}),  # tie: by name
        ({"phone": 2, "email": 1}, 5, None, {"phone": 2, "email": 1}),  # too few: all
        ({"phone": 10, "email": 1}, 4, {"email": 1}, {"phone": 3, "email": 1}),
        ({"phone": 10, "email": 2}, 2, {"email": 2, "phone": 2}, {"phone": 2, "email": 0}),
        ({"phone": 0, "email": 4}, 2, {"phone": 1}, {"email": 2}),
    ],
)
def test_allocation_by_hand(available, n, minimums, expected):
    assert sampling.allocate(available, n, minimums) == expected


channel_counts = st.dictionaries(st.sampled_from(CHANNELS), st.integers(0, 30), min_size=1)


@given(channel_counts, st.integers(0, 20))
def test_allocation_takes_min_of_n_and_volume_and_never_more_than_a_channel_has(available, n):
    plan = sampling.allocate(available, n)
    assert sum(plan.values()) == min(n, sum(available.values()))
    assert all(plan[c] <= available[c] for c in plan)


@given(channel_counts, st.integers(1, 20))
def test_proportional_allocation_is_within_one_of_each_channels_share(available, n):
    total = sum(available.values())
    plan = sampling.allocate(available, n)
    if total == 0:
        assert sum(plan.values()) == 0
        return
    taken = min(n, total)
    for channel, count in available.items():
        quota = Fraction(taken * count, total)
        assert abs(plan.get(channel, 0) - quota) < 1


@given(
    channel_counts,
    st.integers(1, 20),
    st.dictionaries(st.sampled_from(CHANNELS), st.integers(0, 5)),
)
def test_minimums_are_met_when_the_budget_and_the_volume_allow(available, n, minimums):
    plan = sampling.allocate(available, n, minimums)
    if sum(min(m, available.get(c, 0)) for c, m in minimums.items()) <= n:
        for channel, minimum in minimums.items():
            assert plan.get(channel, 0) >= min(minimum, available.get(channel, 0))


# ---- draws -----------------------------------------------------------------------------------

candidate_lists = st.lists(
    st.tuples(st.integers(1, 6), st.sampled_from(CHANNELS)), min_size=0, max_size=80
).map(lambda rows: [Candidate(i + 1, agent, channel) for i, (agent, channel) in enumerate(rows)])


@settings(max_examples=60)
@given(candidate_lists, st.integers(1, 8), st.integers(0, 2**31 - 1))
def test_every_agent_gets_min_of_n_and_their_contacts_and_short_agents_are_listed(cands, n, seed):
    sample = sampling.draw(cands, n, seed)
    volume = Counter(c.agent_id for c in cands)
    picked = Counter(p.agent_id for p in sample.picks)
    for agent, count in volume.items():
        assert picked[agent] == min(n, count)
    assert {s.agent_id for s in sample.short} == {a for a, count in volume.items() if count < n}


@settings(max_examples=60)
@given(candidate_lists, st.integers(1, 8), st.integers(0, 2**31 - 1))
def test_picks_are_distinct_candidates_stratified_by_channel(cands, n, seed):
    sample = sampling.draw(cands, n, seed)
    by_id = {c.contact_id: c for c in cands}
    assert len({p.contact_id for p in sample.picks}) == len(sample.picks)
    for pick in sample.picks:
        assert by_id[pick.contact_id].agent_id == pick.agent_id
        assert by_id[pick.contact_id].channel == pick.channel
    for agent, allocation in sample.allocations.items():
        per_channel = Counter(p.channel for p in sample.picks if p.agent_id == agent)
        assert dict(per_channel) == {c: m for c, (_, m) in allocation.items() if m}
        expected = sampling.allocate({c: k for c, (k, _) in allocation.items()}, n)
        assert {c: m for c, (_, m) in allocation.items()} == {
            c: expected.get(c, 0) for c in allocation
        }


@settings(max_examples=40)
@given(candidate_lists, st.integers(1, 8), st.integers(0, 2**31 - 1))
def test_the_same_inputs_and_seed_give_the_same_sample_in_any_input_order(cands, n, seed):
    first = sampling.draw(cands, n, seed)
    again = sampling.draw(list(reversed(cands)), n, seed)
    assert [p.contact_id for p in first.picks] == [p.contact_id for p in again.picks]


def test_another_agents_contacts_do_not_change_an_agents_sample():
    alone = [Candidate(i, 1, "phone") for i in range(1, 30)]
    crowded = alone + [Candidate(100 + i, 2, "email") for i in range(20)]
    pick = lambda cs: [p.contact_id for p in sampling.draw(cs, 4, 7).picks if p.agent_id == 1]  # noqa: E731
    assert pick(alone) == pick(crowded)


def test_different_seeds_usually_differ():
    cands = [Candidate(i, 1, "phone") for i in range(1, 200)]
    assert sampling.draw(cands, 5, 1).picks != sampling.draw(cands, 5, 2).picks


def test_round_robin_spreads_picks_over_each_agents_evaluators():
    picks = [sampling.Pick(i, 1 + i % 2, "phone", {}) for i in range(1, 9)]
    chosen = sampling.round_robin(picks, {1: [10, 11], 2: [11, 10]})
    assert Counter(chosen.values()) == {10: 4, 11: 4}
    assert sampling.round_robin(picks, {})[1] is None


def test_default_seed_is_stable_and_differs_per_week():
    assert sampling.default_seed(1, "2026-11-23") == sampling.default_seed(1, "2026-11-23")
    assert sampling.default_seed(1, "2026-11-23") != sampling.default_seed(1, "2026-11-30")


# ---- runs ------------------------------------------------------------------------------------

WEEK = date(2026, 11, 16)  # a Monday


def _rule(world, **kw):
    fields = dict(
        name="Weekly HK",
        root_person_id=world.manager_hk.id,
        per_agent=3,
        stratify="proportional",
        channel_minimums={},
        market_id=None,
        segment_id=None,
        direction=None,
        min_duration_seconds=None,
        assign_to="supervisor",
        due_days=7,
    )
    fields.update(kw)
    return service.create_rule(world.manager_hk, service.RuleFields(**fields))


@pytest.fixture
def week_contacts(world):
    start = datetime(2026, 11, 16, 2, tzinfo=UTC)  # 10:00 Monday in Hong Kong
    made = {}
    for agent, channels in (
        (world.agent_a1, ["phone"] * 6 + ["email"] * 3),
        (world.agent_a2, ["phone", "chat"]),
        (world.agent_b1, ["email"] * 4),
    ):
        made[agent.id] = [
            make_contact(agent, start + timedelta(hours=3 * i), channel, duration_seconds=60 * i)
            for i, channel in enumerate(channels)
        ]
    # Outside the week: never sampled.
    make_contact(world.agent_a1, start - timedelta(days=1))
    db.session.commit()
    return made


def test_a_run_samples_each_agent_and_lists_agents_short_of_contacts(app, world, week_contacts):
    rule = _rule(world)
    run = service.run_rule(
        world.manager_hk, rule, week_on=WEEK + timedelta(days=3), seed=11, today=WEEK
    )
    assert run.week_start_on == WEEK and run.seed == 11
    picks = db.session.execute(select(SamplingAssignment)).scalars().all()
    per_agent = Counter(p.person_id for p in picks)
    assert per_agent == {world.agent_a1.id: 3, world.agent_a2.id: 2, world.agent_b1.id: 3}
    assert Counter(p.channel for p in picks if p.person_id == world.agent_a1.id) == {
        "phone": 2,
        "email": 1,
    }
    assert run.short_agents == [{"person_id": world.agent_a2.id, "wanted": 3, "available": 2}]
    supervisors = {p.person_id: p.evaluator_id for p in picks}
    assert supervisors[world.agent_a1.id] == world.sup_a.id
    assert supervisors[world.agent_b1.id] == world.sup_b.id
    assert all(p.due_on == WEEK + timedelta(days=7) for p in picks)


def test_a_week_is_run_once_per_rule(app, world, week_contacts):
    rule = _rule(world)
    service.run_rule(world.manager_hk, rule, week_on=WEEK, seed=1, today=WEEK)
    with pytest.raises(Conflict):
        service.run_rule(
            world.manager_hk, rule, week_on=WEEK + timedelta(days=1), seed=1, today=WEEK
        )


def test_reviewed_or_already_queued_contacts_are_never_picked(app, world, week_contacts):
    card = make_card(world.qa)
    reviewed = week_contacts[world.agent_b1.id][:2]
    for contact in reviewed:
        make_evaluation(card, contact, world.sup_b, answers_for(card, "yes", 4, "Full"))
    first = _rule(world)
    service.run_rule(world.manager_hk, first, week_on=WEEK, seed=5, today=WEEK)
    second = _rule(world, name="Second rule")
    service.run_rule(world.manager_hk, second, week_on=WEEK, seed=5, today=WEEK)
    picks = db.session.execute(select(SamplingAssignment)).scalars().all()
    ids = [p.contact_id for p in picks]
    assert len(ids) == len(set(ids))
    assert not {c.id for c in reviewed} & set(ids)
    assert Counter(p.person_id for p in picks)[world.agent_b1.id] == 2


def test_the_same_seed_reproduces_the_sample(app, world, week_contacts):
    rule = _rule(world)
    run = service.run_rule(world.manager_hk, rule, week_on=WEEK, seed=99, today=WEEK)
    before = sorted(a.contact_id for a in service.run_assignments(world.hr, run))
    for assignment in service.run_assignments(world.hr, run):
        db.session.delete(assignment)
    db.session.delete(run)
    db.session.commit()
    again = service.run_rule(world.manager_hk, rule, week_on=WEEK, seed=99, today=WEEK)
    assert sorted(a.contact_id for a in service.run_assignments(world.hr, again)) == before


def test_filters_and_round_robin_assignment(app, world, week_contacts):
    rule = _rule(world, min_duration_seconds=120, assign_to="qa_round_robin", per_agent=10)
    service.run_rule(world.manager_hk, rule, week_on=WEEK, seed=3, today=WEEK)
    picks = db.session.execute(select(SamplingAssignment)).scalars().all()
    assert all(p.contact.duration_seconds >= 120 for p in picks)
    # The QA analyst is granted team A only: team B's picks have nobody.
    for p in picks:
        expected = world.qa.id if p.person_id in (world.agent_a1.id, world.agent_a2.id) else None
        assert p.evaluator_id == expected


def test_assigned_contacts_is_the_evaluators_open_queue(app, world, week_contacts):
    rule = _rule(world)
    service.run_rule(world.manager_hk, rule, week_on=WEEK, seed=2, today=WEEK)
    queue = service.assigned_contacts(world.sup_a)
    assert len(queue) == 5 and all(a.evaluator_id == world.sup_a.id for a in queue)
    card = make_card(world.qa)
    make_evaluation(card, queue[0].contact, world.sup_a, answers_for(card, "yes", 4, "Full"))
    assert len(service.assigned_contacts(world.sup_a)) == 4


def test_a_supervisor_samples_only_their_subtree(app, world, week_contacts):
    rule = service.create_rule(
        world.sup_a,
        service.RuleFields(
            name="Team A",
            root_person_id=world.sup_a.id,
            per_agent=2,
            stratify="proportional",
            channel_minimums={},
            market_id=None,
            segment_id=None,
            direction=None,
            min_duration_seconds=None,
            assign_to="supervisor",
            due_days=3,
        ),
    )
    service.run_rule(world.sup_a, rule, week_on=WEEK, seed=4, today=WEEK)
    agents = {p.person_id for p in db.session.execute(select(SamplingAssignment)).scalars()}
    assert agents == {world.agent_a1.id, world.agent_a2.id}


def test_each_evaluator_is_notified_once_per_run(app, world, week_contacts):
    from portal.notify.models import Notification

    service.run_rule(world.manager_hk, _rule(world), week_on=WEEK, seed=2, today=WEEK)
    notes = db.session.execute(select(Notification)).scalars().all()
    assert sorted((n.person_id, n.params["count"]) for n in notes) == sorted(
        [(world.sup_a.id, "5"), (world.sup_b.id, "3")]
    )


def test_editing_a_rule_changes_later_runs_and_keeps_earlier_ones(app, world, week_contacts):
    rule = _rule(world)
    first = service.run_rule(world.manager_hk, rule, week_on=WEEK, seed=1, today=WEEK)
    same = {k: v for k, v in rule.snapshot().items() if k != "is_active"}
    fields = service.RuleFields(**{**same, "per_agent": 1})
    service.update_rule(world.manager_hk, rule, fields, expected_version=rule.version)
    assert rule.per_agent == 1
    assert first.rule_snapshot["per_agent"] == 3  # the run keeps the rule as it ran
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "sampling_rule.edit")
    ).scalar_one()
    assert entry.before["per_agent"] == 3 and entry.after["per_agent"] == 1


def test_a_stale_rule_edit_and_a_taken_name_are_refused(app, world, week_contacts):
    rule = _rule(world)
    other = _rule(world, name="Other")
    stale = rule.version
    same = {k: v for k, v in rule.snapshot().items() if k != "is_active"}
    service.update_rule(world.manager_hk, rule, service.RuleFields(**same), expected_version=stale)
    with pytest.raises(Conflict):
        service.update_rule(
            world.manager_hk,
            rule,
            service.RuleFields(**{**same, "per_agent": 9}),
            expected_version=stale - 1,
        )
    with pytest.raises(ValidationFailed) as taken:
        service.update_rule(
            world.manager_hk,
            other,
            service.RuleFields(**{**same, "name": "Weekly HK"}),
            expected_version=other.version,
        )
    assert "name" in taken.value.field_errors


def test_a_paused_rule_cannot_run_until_resumed(app, world, week_contacts):
    rule = _rule(world)
    service.set_active(world.manager_hk, rule, False, expected_version=rule.version)
    with pytest.raises(Conflict):
        service.run_rule(world.manager_hk, rule, week_on=WEEK, seed=1, today=WEEK)
    service.set_active(world.manager_hk, rule, True, expected_version=rule.version)
    run = service.run_rule(world.manager_hk, rule, week_on=WEEK, seed=1, today=WEEK)
    assert run.picked_count > 0
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.action.like("sampling_rule.%"))
    ).all()
    assert sorted(actions) == [
        "sampling_rule.activate",
        "sampling_rule.create",
        "sampling_rule.deactivate",
    ]
