"""Properties of the score arithmetic over random valid scorecards and answers."""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.qa.scoring import (
    NA,
    CardSpec,
    CriticalScope,
    QuestionSpec,
    QuestionType,
    ScoreResult,
    SectionSpec,
    format_percent,
    format_share,
    score,
    validate_card,
)

modest = settings(max_examples=200, deadline=None)

# Question ids are ints from a counter, as database ids will be; new ones start above this.
FRESH_ID = 10_000


# Strategies are built once and drawn from plain functions: building strategies inside each
# draw made generating the data the slow part of these tests.
KINDS = st.sampled_from(QuestionType)
SCOPES = st.none() | st.sampled_from(CriticalScope)
FLAGS = st.booleans()
YES_NO_POINTS = st.integers(1, 20)
SCALE_MAXES = st.integers(1, 10)
CHOICE_POINTS = st.lists(st.integers(0, 10), min_size=1, max_size=4)
FAILING_FLAGS = st.lists(FLAGS, min_size=4, max_size=4)
SIZES = st.integers(1, 4)
WEIGHTS = st.integers(1, 10)
UP_TO = {top: st.integers(0, top) for top in range(11)}


def draw_question(draw, qid, na_allowed=None) -> QuestionSpec:
    kind = draw(KINDS)
    common = {
        "na_allowed": draw(FLAGS) if na_allowed is None else na_allowed,
        "critical": draw(SCOPES),
    }
    if kind == QuestionType.YES_NO:
        return QuestionSpec(qid, kind, points=draw(YES_NO_POINTS), **common)
    if kind == QuestionType.SCALE:
        return QuestionSpec(qid, kind, max=draw(SCALE_MAXES), **common)
    points = draw(CHOICE_POINTS)
    points[0] = max(points[0], 1)  # a choice question is worth something
    names = "abcd"[: len(points)]
    failing = frozenset(n for n, fails in zip(names, draw(FAILING_FLAGS), strict=False) if fails)
    return QuestionSpec(
        qid, kind, choices=dict(zip(names, points, strict=True)), failing_choices=failing, **common
    )


def draw_answer(draw, question: QuestionSpec):
    if question.na_allowed and draw(FLAGS):
        return NA
    if question.type == QuestionType.YES_NO:
        return "yes" if draw(FLAGS) else "no"
    if question.type == QuestionType.SCALE:
        return draw(UP_TO[question.possible])
    return sorted(question.choices)[draw(UP_TO[len(question.choices) - 1])]


def draw_section(draw, sid, first_qid) -> SectionSpec:
    questions = tuple(draw_question(draw, first_qid + n) for n in range(draw(SIZES)))
    return SectionSpec(sid, draw(WEIGHTS), questions)


@st.composite
def scored_cards(draw) -> tuple[CardSpec, dict]:
    card = CardSpec(
        "random", tuple(draw_section(draw, f"s{n}", n * 10) for n in range(draw(SIZES)))
    )
    validate_card(card)
    answers = {q.id: draw_answer(draw, q) for q in card.questions()}
    return card, answers


def with_question(card: CardSpec, index: int, position: int, question: QuestionSpec) -> CardSpec:
    """The card with `question` inserted into section `index` at `position`."""
    target = card.sections[index % len(card.sections)]
    questions = list(target.questions)
    questions.insert(position % (len(questions) + 1), question)
    changed = SectionSpec(target.id, target.weight, tuple(questions))
    return CardSpec(card.id, tuple(changed if s is target else s for s in card.sections))


def ignoring_order(result: ScoreResult) -> tuple:
    details = {
        sid: (d.earned, d.possible, frozenset(d.na_questions), d.critical_failed)
        for sid, d in result.section_details.items()
    }
    return result.overall, result.sections, result.dropped, set(result.critical_failures), details


@modest
@given(scored_cards())
def test_overall_and_section_scores_are_percentages_between_0_and_100(scored):
    result = score(*scored)
    assert result.overall is None or 0 <= result.overall <= 100
    assert all(value is None or 0 <= value <= 100 for value in result.sections.values())
    assert (result.overall is None) == (result.dropped == frozenset(result.sections))


@modest
@given(scored_cards())
def test_overall_lies_between_the_lowest_and_highest_section_without_evaluation_fails(scored):
    card, answers = scored
    result = score(card, answers)
    scope = {q.id: q.critical for q in card.questions()}
    scored_sections = [value for value in result.sections.values() if value is not None]
    if result.overall is None:
        return
    if any(scope[qid] == CriticalScope.EVALUATION for qid in result.critical_failures):
        assert result.overall == 0
    else:
        assert min(scored_sections) <= result.overall <= max(scored_sections)


@modest
@given(scored_cards(), st.data())
def test_the_score_does_not_depend_on_section_or_question_order(scored, data):
    card, answers = scored
    order = data.draw(st.permutations(card.sections))
    shuffled = CardSpec(
        card.id,
        tuple(
            SectionSpec(s.id, s.weight, tuple(data.draw(st.permutations(s.questions))))
            for s in order
        ),
    )
    result = score(shuffled, answers)
    assert ignoring_order(result) == ignoring_order(score(card, answers))
    failed = set(result.critical_failures)
    assert result.critical_failures == tuple(q.id for q in shuffled.questions() if q.id in failed)


@modest
@given(scored_cards(), st.integers(0, 3), st.integers(0, 4))
def test_a_failed_evaluation_scope_critical_question_gives_overall_0(scored, index, position):
    card, answers = scored
    gate = QuestionSpec(FRESH_ID, QuestionType.YES_NO, points=1, critical=CriticalScope.EVALUATION)
    result = score(with_question(card, index, position, gate), answers | {FRESH_ID: "no"})
    assert result.overall == 0
    assert FRESH_ID in result.critical_failures


@modest
@given(scored_cards(), st.integers(0, 3), st.integers(0, 4), st.data())
def test_an_na_answer_to_a_new_question_changes_nothing(scored, index, position, data):
    card, answers = scored
    extra = draw_question(data.draw, FRESH_ID, na_allowed=True)
    before = score(card, answers)
    after = score(with_question(card, index, position, extra), answers | {FRESH_ID: NA})
    assert (after.overall, after.sections, after.dropped, after.critical_failures) == (
        before.overall,
        before.sections,
        before.dropped,
        before.critical_failures,
    )
    for sid, detail in after.section_details.items():
        assert (detail.earned, detail.possible) == (
            before.section_details[sid].earned,
            before.section_details[sid].possible,
        )


@modest
@given(scored_cards(), st.integers(1, 1000) | st.fractions(min_value=Fraction(1, 1000)))
def test_scaling_every_weight_by_the_same_factor_changes_nothing(scored, factor):
    card, answers = scored
    scaled = CardSpec(
        card.id,
        tuple(SectionSpec(s.id, s.weight * factor, s.questions) for s in card.sections),
    )
    assert score(scaled, answers) == score(card, answers)


@modest
@given(scored_cards(), st.integers(0, 4), st.integers(1, 1000), st.data())
def test_a_dropped_section_never_affects_the_overall(scored, position, weight, data):
    card, answers = scored
    size = data.draw(st.integers(1, 3))
    questions = tuple(draw_question(data.draw, FRESH_ID + n, na_allowed=True) for n in range(size))
    all_na = SectionSpec("all-na", weight, questions)
    placed = list(card.sections)
    placed.insert(position % (len(placed) + 1), all_na)
    widened = CardSpec(card.id, tuple(placed))

    result = score(widened, answers | {q.id: NA for q in questions})
    before = score(card, answers)
    assert result.overall == before.overall
    assert "all-na" in result.dropped
    assert result.sections == before.sections | {"all-na": None}


@modest
@given(st.decimals(min_value=0, max_value=100, places=4), st.integers(0, 3))
def test_format_percent_matches_decimal_round_half_up(value, places):
    expected = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    assert format_percent(value, places) == f"{expected:f}"


@modest
@given(
    st.decimals(min_value=-100, max_value=100, places=4)
    | st.fractions(min_value=-100, max_value=100),
    st.integers(0, 3),
)
def test_format_percent_of_negative_values_and_fractions_rounds_half_away_from_zero(value, places):
    exact = Fraction(value)
    rounded = int(abs(exact) * 10**places + Fraction(1, 2))
    expected = Fraction(-rounded if exact < 0 else rounded, 10**places)
    assert Fraction(format_percent(value, places)) == expected


@modest
@given(st.integers(0, 10**6), st.integers(1, 10**6), st.integers(0, 3))
def test_format_share_is_the_percentage_format_percent_shows(part, whole, places):
    assert format_share(part, whole, places) == format_percent(Fraction(100 * part, whole), places)
