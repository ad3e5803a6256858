"""Scorecard services: building, publishing, versioning of a card in use, archive, conflicts."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy import select

from portal.audit import AuditEntry
from portal.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from portal.extensions import db
from portal.qa import scorecard_builder as builder
from portal.qa import scorecards, scoring
from portal.qa.models import Scorecard, ScorecardVersion
from portal.qa.scorecard_rules import QuestionFields
from portal.qa.scorecard_versions import live_version, lock_version


def yes_no(text: str, points: int = 5, **kw) -> QuestionFields:
    values = dict(
        text=text,
        guidance="",
        answer_type="yes_no",
        points=points,
        scale_max=None,
        na_allowed=False,
        critical_scope=None,
    )
    values.update(kw)
    return QuestionFields(**values)


def scale(text: str, maximum: int = 4, **kw) -> QuestionFields:
    return yes_no(text, points=None, answer_type="scale", scale_max=maximum, **kw)


def choice(text: str, **kw) -> QuestionFields:
    return yes_no(text, points=None, answer_type="choice", **kw)


def build_card(by, name: str = "Phone MK-CARD") -> Scorecard:
    """Opening (weight 20): greeting (yes/no 5), identity (yes/no 10, N/A, critical evaluation);
    Resolution (weight 80): need understood (scale 0-4), solution (choice full 10 / partial 5 /
    none 0 failing, critical section). Published."""
    card = scorecards.create_scorecard(
        by, name=name, description="", channels=["phone"], market_ids=[]
    )
    builder.add_section(card, by, expected_version=card.version, title="Opening", weight="20")
    opening = card.current_version.sections[0].id
    builder.add_question(
        card, opening, by, expected_version=card.version, fields=yes_no("Greeting")
    )
    builder.add_question(
        card,
        opening,
        by,
        expected_version=card.version,
        fields=yes_no("Identity verified", 10, na_allowed=True, critical_scope="evaluation"),
    )
    builder.add_section(card, by, expected_version=card.version, title="Resolution", weight="80")
    resolution = card.current_version.sections[1].id
    builder.add_question(
        card, resolution, by, expected_version=card.version, fields=scale("Need understood")
    )
    builder.add_question(
        card,
        resolution,
        by,
        expected_version=card.version,
        fields=choice("Solution correct", critical_scope="section"),
    )
    solution = card.current_version.sections[1].questions[1].id
    for label, points, failing in [("Full", 10, False), ("Partial", 5, False), ("None", 0, True)]:
        builder.add_choice(
            card,
            solution,
            by,
            expected_version=card.version,
            label=label,
            points=points,
            is_failing=failing,
        )
    scorecards.publish_scorecard(card, by, expected_version=card.version)
    return card


def frozen(version: ScorecardVersion) -> str:
    """Everything about a version as text, to compare before and after an edit byte for byte."""
    db.session.expire_all()
    return json.dumps(db.session.get(ScorecardVersion, version.id).snapshot(), sort_keys=True)


def test_a_built_and_published_card_scores_through_the_score_arithmetic(world):
    card = build_card(world.qa)
    version = card.current_version
    assert version.is_published and version.number == 1
    spec = version.spec()
    opening, resolution = version.sections
    greeting, identity = opening.questions
    need, solution = resolution.questions
    partial = solution.choices[1]
    answers = {greeting.id: "yes", identity.id: "na", need.id: 2, solution.id: partial.key}
    result = scoring.score(spec, answers)
    # Opening 5/5 = 100; Resolution (2 + 5) / (4 + 10) = 50; overall (20*100 + 80*50) / 100 = 60.
    assert result.sections[opening.id] == 100
    assert result.sections[resolution.id] == 50
    assert result.overall == Fraction(60)
    failing = {**answers, solution.id: solution.choices[2].key}
    assert scoring.score(spec, failing).critical_failures == (solution.id,)


def test_the_spec_carries_weights_points_and_critical_scopes_from_the_rows(world):
    card = build_card(world.qa)
    spec = card.current_version.spec()
    assert [s.weight for s in spec.sections] == [Decimal("20"), Decimal("80")]
    identity = spec.sections[0].questions[1]
    assert identity.points == 10 and identity.na_allowed
    assert identity.critical == scoring.CriticalScope.EVALUATION
    solution = spec.sections[1].questions[1]
    assert sorted(solution.choices.values()) == [0, 5, 10]
    assert len(solution.failing_choices) == 1


def test_editing_an_unused_version_changes_it_in_place_and_returns_it_to_draft(world):
    card = build_card(world.qa)
    question = card.current_version.sections[0].questions[0]
    builder.edit_question(
        card, question.id, world.qa, expected_version=card.version, fields=yes_no("Hello said")
    )
    assert [v.number for v in card.versions] == [1]
    assert card.current_version.sections[0].questions[0].text == "Hello said"
    assert not card.current_version.is_published
    assert live_version(card) is None


@pytest.mark.parametrize(
    "edit",
    ["reword", "weight", "add_question", "reorder", "remove_choice", "relabel_choice"],
)
def test_editing_a_version_in_use_makes_version_two_and_leaves_version_one_byte_identical(
    world, edit
):
    card = build_card(world.qa)
    v1 = card.current_version
    lock_version(v1)
    db.session.commit()
    before = frozen(v1)
    opening = v1.sections[0]
    solution = v1.sections[1].questions[1]
    by, expected = world.qa, card.version
    if edit == "reword":
        question = opening.questions[0]
        builder.edit_question(
            card, question.id, by, expected_version=expected, fields=yes_no("Greeting, warmly")
        )
    elif edit == "weight":
        builder.edit_section(
            card, opening.id, by, expected_version=expected, title="Opening", weight="30"
        )
    elif edit == "add_question":
        builder.add_question(card, opening.id, by, expected_version=expected, fields=yes_no("Name"))
    elif edit == "reorder":
        builder.move_section(card, opening.id, by, expected_version=expected, step=1)
    elif edit == "remove_choice":
        builder.remove_choice(card, solution.choices[1].id, by, expected_version=expected)
    else:
        builder.edit_choice(
            card,
            solution.choices[0].id,
            by,
            expected_version=expected,
            label="Fully",
            points=10,
            is_failing=False,
        )
    db.session.expire_all()
    card = db.session.get(Scorecard, card.id)
    assert [v.number for v in card.versions] == [1, 2]
    assert card.current_version.number == 2 and not card.current_version.is_published
    assert frozen(v1) == before
    # Evaluators keep using the published version 1 until version 2 is published.
    assert live_version(card).number == 1
    assert json.loads(frozen(card.current_version))["sections"] != json.loads(before)["sections"]


def test_a_second_edit_after_the_copy_changes_the_new_draft_not_a_third_version(world):
    card = build_card(world.qa)
    lock_version(card.current_version)
    db.session.commit()
    opening = card.current_version.sections[0]
    builder.edit_section(
        card, opening.id, world.qa, expected_version=card.version, title="Hello", weight="20"
    )
    new_opening = card.current_version.sections[0]
    builder.edit_section(
        card, new_opening.id, world.qa, expected_version=card.version, title="Hi", weight="20"
    )
    assert [v.number for v in card.versions] == [1, 2]
    assert card.current_version.sections[0].title == "Hi"


def test_a_row_of_an_older_version_cannot_be_edited_through_the_builder(world):
    card = build_card(world.qa)
    lock_version(card.current_version)
    db.session.commit()
    old_section = card.current_version.sections[0].id
    builder.edit_section(
        card, old_section, world.qa, expected_version=card.version, title="New", weight="20"
    )
    with pytest.raises(NotFound):
        builder.edit_section(
            card, old_section, world.qa, expected_version=card.version, title="X", weight="20"
        )


def test_only_a_published_version_can_be_locked(world):
    card = scorecards.create_scorecard(
        world.qa, name="Draft MK-D", description="", channels=[], market_ids=[]
    )
    with pytest.raises(InvalidTransition):
        lock_version(card.current_version)


def test_a_card_that_cannot_be_scored_is_not_published_and_says_why(world):
    card = scorecards.create_scorecard(
        world.qa, name="Empty MK-E", description="", channels=[], market_ids=[]
    )
    builder.add_section(card, world.qa, expected_version=card.version, title="Only", weight="1")
    section = card.current_version.sections[0].id
    builder.add_question(
        card, section, world.qa, expected_version=card.version, fields=choice("Pick one")
    )
    with pytest.raises(ValidationFailed) as raised:
        scorecards.publish_scorecard(card, world.qa, expected_version=card.version)
    assert any("Pick one" in p and "choice" in p for p in raised.value.field_errors["publish"])
    assert not card.current_version.is_published


def test_an_empty_card_cannot_be_published(world):
    card = scorecards.create_scorecard(
        world.qa, name="Nothing MK-N", description="", channels=[], market_ids=[]
    )
    with pytest.raises(ValidationFailed) as raised:
        scorecards.publish_scorecard(card, world.qa, expected_version=card.version)
    assert raised.value.field_errors["publish"] == ["Add at least one section."]


@pytest.mark.parametrize(
    ("weight", "field"),
    [("0", "weight"), ("-5", "weight"), ("abc", "weight"), ("1.234", "weight"), (None, "weight")],
)
def test_a_bad_weight_is_refused_at_its_field(world, weight, field):
    card = scorecards.create_scorecard(
        world.qa, name="W MK-W", description="", channels=[], market_ids=[]
    )
    with pytest.raises(ValidationFailed) as raised:
        builder.add_section(card, world.qa, expected_version=card.version, title="T", weight=weight)
    assert field in raised.value.field_errors
    assert card.current_version.sections == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        (yes_no("Q", points=0), "points"),
        (yes_no("Q", points=None), "points"),
        (scale("Q", maximum=0), "scale_max"),
        (yes_no(""), "text"),
        (yes_no("Q", answer_type="essay"), "answer_type"),
        (yes_no("Q", critical_scope="team"), "critical_scope"),
    ],
)
def test_a_bad_question_is_refused_at_its_field(world, fields, field):
    card = scorecards.create_scorecard(
        world.qa, name="Q MK-Q", description="", channels=[], market_ids=[]
    )
    builder.add_section(card, world.qa, expected_version=card.version, title="T", weight="1")
    section = card.current_version.sections[0].id
    with pytest.raises(ValidationFailed) as raised:
        builder.add_question(card, section, world.qa, expected_version=card.version, fields=fields)
    assert field in raised.value.field_errors


def test_a_stale_form_is_told_of_the_conflict_and_changes_nothing(world):
    card = build_card(world.qa)
    stale = card.version
    opening = card.current_version.sections[0]
    builder.edit_section(
        card, opening.id, world.qa, expected_version=stale, title="First", weight="20"
    )
    with pytest.raises(Conflict):
        builder.edit_section(
            card, opening.id, world.hr, expected_version=stale, title="Second", weight="20"
        )
    db.session.expire_all()
    assert db.session.get(Scorecard, card.id).current_version.sections[0].title == "First"


def test_locking_a_version_makes_an_open_builder_form_stale(world):
    card = build_card(world.qa)
    seen = card.version
    lock_version(card.current_version)
    db.session.commit()
    with pytest.raises(Conflict):
        builder.add_section(card, world.qa, expected_version=seen, title="Late", weight="1")


def test_an_archived_card_cannot_be_changed_until_unarchived(world):
    card = build_card(world.qa)
    scorecards.archive_scorecard(card, world.qa, expected_version=card.version)
    assert card.is_archived
    assert scorecards.scorecards_for(world.qa) == []
    assert scorecards.scorecards_for(world.qa, archived=True) == [card]
    with pytest.raises(InvalidTransition):
        builder.add_section(card, world.qa, expected_version=card.version, title="X", weight="1")
    scorecards.unarchive_scorecard(card, world.qa, expected_version=card.version)
    assert not card.is_archived and [v.number for v in card.versions] == [1]


def test_only_qa_analysts_and_hr_build_scorecards(world):
    with pytest.raises(Forbidden):
        scorecards.create_scorecard(
            world.sup_a, name="No MK-NO", description="", channels=[], market_ids=[]
        )
    card = build_card(world.hr, name="By HR")
    with pytest.raises(Forbidden):
        builder.add_section(
            card, world.manager_hk, expected_version=card.version, title="X", weight="1"
        )
    assert scorecards.get_scorecard(world.sup_a, card.id) is card
    with pytest.raises(Forbidden):
        scorecards.get_scorecard(world.agent_a1, card.id)
    with pytest.raises(Forbidden):
        scorecards.scorecards_for(world.trainer)


def test_two_scorecards_cannot_share_a_name(world):
    build_card(world.qa, name="Same MK-S")
    with pytest.raises(ValidationFailed) as raised:
        scorecards.create_scorecard(
            world.hr, name="same mk-s", description="", channels=[], market_ids=[]
        )
    assert "name" in raised.value.field_errors
    assert len(db.session.execute(select(Scorecard)).scalars().all()) == 1


def test_moving_and_removing_keep_positions_contiguous(world):
    card = build_card(world.qa)
    resolution = card.current_version.sections[1]
    builder.move_section(card, resolution.id, world.qa, expected_version=card.version, step=-1)
    assert [s.title for s in card.current_version.sections] == ["Resolution", "Opening"]
    assert [s.position for s in card.current_version.sections] == [1, 2]
    with pytest.raises(InvalidTransition):
        builder.move_section(card, resolution.id, world.qa, expected_version=card.version, step=-1)
    first = card.current_version.sections[0].questions[0]
    builder.remove_question(card, first.id, world.qa, expected_version=card.version)
    remaining = card.current_version.sections[0].questions
    assert [q.position for q in remaining] == [1] and remaining[0].text == "Solution correct"


def test_changing_a_choice_question_to_yes_no_drops_its_choices(world):
    card = build_card(world.qa)
    solution = card.current_version.sections[1].questions[1]
    builder.edit_question(
        card, solution.id, world.qa, expected_version=card.version, fields=yes_no("Solved", 3)
    )
    question = card.current_version.sections[1].questions[1]
    assert question.choices == [] and question.points == 3
    assert question.spec().type == scoring.QuestionType.YES_NO


def test_every_builder_change_is_audited(world):
    card = build_card(world.qa)
    actions = (
        db.session.execute(select(AuditEntry.action).where(AuditEntry.actor_id == world.qa.id))
        .scalars()
        .all()
    )
    assert actions.count("scorecard.choice_add") == 3
    assert {"scorecard.create", "scorecard.section_add", "scorecard.publish"} <= set(actions)
    lock_version(card.current_version)
    db.session.commit()
    opening = card.current_version.sections[0]
    builder.edit_section(
        card, opening.id, world.qa, expected_version=card.version, title="New", weight="20"
    )
    last = (
        db.session.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(2))
        .scalars()
        .all()
    )
    assert [e.action for e in last] == ["scorecard.section_edit", "scorecard.version_create"]
    assert (last[0].before, last[0].after) == ({"title": "Opening"}, {"title": "New"})
