import random
from decimal import Decimal

import krippendorff  # GPL, test-time cross-check only: never imported by portal/
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.qa.agreement import (
    AlphaResult,
    AlphaVerdict,
    Level,
    NotComputable,
    alpha_result,
    bootstrap_alpha,
    deviation_from_reference,
    interpret_alpha,
    krippendorff_alpha,
    percent_agreement,
    reliability_matrix,
    value_prevalence,
)

_ = None
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 coders × 12 units.
PUBLISHED = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3],
    [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _],
]


def package_alpha(data, level):
    matrix = np.array([[np.nan if v is None else v for v in row] for row in data], dtype=float)
    return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement=str(level)))


@pytest.mark.parametrize(
    ("level", "expected"),
    [(Level.NOMINAL, 0.743), (Level.ORDINAL, 0.815), (Level.INTERVAL, 0.849)],
)
def test_published_example_reproduces_krippendorffs_values(level, expected):
    assert round(krippendorff_alpha(PUBLISHED, level), 3) == expected


@pytest.mark.parametrize("level", list(Level))
def test_published_example_agrees_with_the_krippendorff_package(level):
    assert krippendorff_alpha(PUBLISHED, level) == pytest.approx(
        package_alpha(PUBLISHED, level), abs=1e-9
    )


def test_published_example_at_ratio_level():
    assert round(krippendorff_alpha(PUBLISHED, Level.RATIO), 3) == 0.797


def test_published_example_counts_only_pairable_values():
    # unit 12 has a single value, so 11 units and 40 of the 41 values are pairable
    result = alpha_result(PUBLISHED, Level.NOMINAL)
    assert (result.n_units, result.n_pairable, result.reason) == (11, 40, None)


def test_ordinal_labels_follow_the_given_order():
    labels = {1: "very low", 2: "low", 3: "mid", 4: "high", 5: "very high"}
    data = [[None if v is None else labels[v] for v in row] for row in PUBLISHED]
    order = list(labels.values())
    by_label = krippendorff_alpha(data, Level.ORDINAL, order=order)
    assert by_label == pytest.approx(krippendorff_alpha(PUBLISHED, Level.ORDINAL), abs=1e-15)
    # sorted alphabetically the labels are in the wrong order and alpha changes
    assert krippendorff_alpha(data, Level.ORDINAL) != pytest.approx(by_label, abs=1e-3)


def random_matrix(rng: random.Random, level: Level) -> list[list]:
    coders, units = rng.randint(2, 6), rng.randint(1, 15)
    if level in (Level.INTERVAL, Level.RATIO):
        domain = [rng.randint(0, 20) / 2 for _ in range(rng.randint(1, 6))]
    else:
        domain = list(range(rng.randint(1, 6)))
    missing = rng.choice([0.0, 0.2, 0.5])
    return [
        [None if rng.random() < missing else rng.choice(domain) for _ in range(units)]
        for _ in range(coders)
    ]


@pytest.mark.parametrize("level", list(Level))
def test_random_matrices_with_missing_values_agree_with_the_krippendorff_package(level):
    rng = random.Random(f"alpha-{level}")
    compared = 0
    for _ in range(300):
        data = random_matrix(rng, level)
        result = alpha_result(data, level)
        if result.alpha is None:
            # the package raises or divides 0 by 0 here; check our reason instead
            pairable = value_prevalence(data)
            assert result.reason is (
                NotComputable.NO_PAIRABLE_VALUES if not pairable else NotComputable.NO_VARIATION
            )
            continue
        assert result.alpha == pytest.approx(package_alpha(data, level), abs=1e-9), data
        compared += 1
    assert compared >= 200


def test_hand_computed_matrix():
    data = [
        [1, 1, 2],
        [1, 2, None],
        [1, 2, None],
    ]
    # pairs within units: unit 1 three agreeing, unit 2 one of three; unit 3 has no pair
    assert percent_agreement(data) == pytest.approx(4 / 6)
    assert value_prevalence(data) == pytest.approx({1: 4 / 6, 2: 2 / 6})
    assert list(value_prevalence(data)) == [1, 2]
    # o(1,2) = o(2,1) = 1, n1 = 4, n2 = 2, n = 6: alpha = 1 - 5 * 2 / (2 * 4 * 2) = 3/8
    assert krippendorff_alpha(data, Level.NOMINAL) == 0.375


def test_a_rare_answer_gives_low_alpha_despite_high_agreement():
    # 20 questions, two evaluators, every answer "yes" but one "no" on one question
    evaluator_a = ["yes"] * 20
    evaluator_b = ["yes"] * 19 + ["no"]
    data = [evaluator_a, evaluator_b]
    assert percent_agreement(data) == 0.95
    assert value_prevalence(data) == {"yes": 0.975, "no": 0.025}
    alpha = krippendorff_alpha(data, Level.NOMINAL)
    assert alpha == pytest.approx(0.0, abs=1e-12)
    assert interpret_alpha(alpha) is AlphaVerdict.UNRELIABLE
    # a second disagreement on the rare answer makes alpha negative, agreement still 90%
    evaluator_b[0] = "no"
    assert percent_agreement(data) == 0.9
    assert krippendorff_alpha(data, Level.NOMINAL) < 0


def test_perfect_agreement_with_variation_is_one():
    data = [["yes", "no", "na"], ["yes", "no", "na"], ["yes", None, "na"]]
    assert krippendorff_alpha(data, Level.NOMINAL) == 1.0
    assert percent_agreement(data) == 1.0


def test_alpha_without_variation_is_not_computable():
    data = [["yes"] * 5, ["yes"] * 5]
    assert alpha_result(data, Level.NOMINAL) == AlphaResult(
        None, Level.NOMINAL, 5, 10, NotComputable.NO_VARIATION
    )
    assert percent_agreement(data) == 1.0
    assert interpret_alpha(krippendorff_alpha(data, Level.NOMINAL)) is AlphaVerdict.NOT_COMPUTABLE


@pytest.mark.parametrize(
    "data",
    [[], [[1, 2, 3]], [[1, None], [None, 2]], [[None, None], [None, None]]],
)
def test_alpha_without_pairable_values_is_not_computable(data):
    result = alpha_result(data, Level.INTERVAL)
    assert result == AlphaResult(None, Level.INTERVAL, 0, 0, NotComputable.NO_PAIRABLE_VALUES)
    assert percent_agreement(data) is None
    assert value_prevalence(data) == {}
    assert bootstrap_alpha(data, Level.INTERVAL, n=10) is None


@pytest.mark.parametrize(
    ("data", "level"),
    [
        ([[1, 2], [1]], Level.NOMINAL),  # ragged
        ([[1.0, float("nan")], [1.0, 2.0]], Level.INTERVAL),  # NaN instead of None
        ([["a", "b"], ["a", "c"]], Level.INTERVAL),  # not numbers
        ([[1, -2], [1, 3]], Level.RATIO),  # negative ratio values
        ([[1, "b"], [1, "c"]], Level.ORDINAL),  # values that cannot be sorted
    ],
)
def test_unusable_data_is_rejected(data, level):
    with pytest.raises(ValueError):
        krippendorff_alpha(data, level)


def test_ordinal_order_must_contain_every_value():
    with pytest.raises(ValueError):
        krippendorff_alpha([["low", "high"], ["low", "mid"]], Level.ORDINAL, order=["low", "high"])


def test_decimal_points_are_measured_exactly():
    as_decimals = [
        [Decimal("0.5"), Decimal("1.5"), Decimal("2")],
        [Decimal("1"), Decimal("1.5"), 2],
    ]
    as_floats = [[0.5, 1.5, 2.0], [1.0, 1.5, 2.0]]
    assert krippendorff_alpha(as_decimals, Level.INTERVAL) == krippendorff_alpha(
        as_floats, Level.INTERVAL
    )


matrices = (
    st.integers(2, 5)
    .flatmap(
        lambda coders: st.lists(
            st.lists(st.one_of(st.none(), st.integers(0, 4)), min_size=coders, max_size=coders),
            min_size=1,
            max_size=10,
        )
    )
    .map(lambda units: [list(coder) for coder in zip(*units, strict=True)])
)


@given(matrices, st.sampled_from(list(Level)), st.randoms(use_true_random=False))
def test_alpha_does_not_depend_on_the_order_of_coders_or_units(data, level, rng):
    coders = list(data)
    rng.shuffle(coders)
    columns = list(zip(*coders, strict=True))
    rng.shuffle(columns)
    shuffled = [list(coder) for coder in zip(*columns, strict=True)]
    original = krippendorff_alpha(data, level)
    again = krippendorff_alpha(shuffled, level)
    if original is None:
        assert again is None
    else:
        assert again == pytest.approx(original, abs=1e-12)
        assert original <= 1.0


def test_bootstrap_is_reproducible_with_the_same_seed():
    first = bootstrap_alpha(PUBLISHED, Level.INTERVAL, n=300, seed=7)
    assert first == bootstrap_alpha(PUBLISHED, Level.INTERVAL, n=300, seed=7)
    assert first != bootstrap_alpha(PUBLISHED, Level.INTERVAL, n=300, seed=8)


def test_bootstrap_interval_surrounds_alpha_and_widens_with_confidence():
    alpha = krippendorff_alpha(PUBLISHED, Level.INTERVAL)
    low, high = bootstrap_alpha(PUBLISHED, Level.INTERVAL, n=500, seed=1)
    assert low < alpha < high <= 1.0
    narrow = bootstrap_alpha(PUBLISHED, Level.INTERVAL, n=500, seed=1, confidence=0.8)
    assert low < narrow[0] < narrow[1] < high


def test_bootstrap_without_variation_is_none():
    assert bootstrap_alpha([["yes"] * 4, ["yes"] * 4], Level.NOMINAL, n=20) is None


@pytest.mark.parametrize(("n", "confidence"), [(0, 0.95), (10, 1.0), (10, 0.0)])
def test_bootstrap_rejects_impossible_arguments(n, confidence):
    with pytest.raises(ValueError):
        bootstrap_alpha(PUBLISHED, Level.NOMINAL, n=n, confidence=confidence)


@pytest.mark.parametrize(
    ("alpha", "verdict"),
    [
        (1.0, AlphaVerdict.RELIABLE),
        (0.8, AlphaVerdict.RELIABLE),
        (0.7999999, AlphaVerdict.TENTATIVE),
        (0.667, AlphaVerdict.TENTATIVE),
        (0.6669999, AlphaVerdict.UNRELIABLE),
        (0.0, AlphaVerdict.UNRELIABLE),
        (-0.4, AlphaVerdict.UNRELIABLE),
        (None, AlphaVerdict.NOT_COMPUTABLE),
    ],
)
def test_interpretation_thresholds(alpha, verdict):
    assert interpret_alpha(alpha) is verdict


def test_deviation_from_reference_per_evaluator_and_per_question():
    reference = {"greeting": "yes", "verify": "no", "empathy": "yes", "closing": None}
    scores = {
        "ann": {"greeting": "yes", "verify": "no", "empathy": "yes", "closing": "yes"},
        "bob": {"greeting": "yes", "verify": "yes", "empathy": None},
        "cid": {"greeting": "no", "verify": "yes", "empathy": "yes"},
    }
    result = deviation_from_reference(
        reference,
        scores,
        reference_score=Decimal("80.00"),
        evaluator_scores={"ann": Decimal("80.00"), "bob": Decimal("92.50"), "cid": None},
    )
    ann, bob, cid = result.evaluators
    assert (ann.evaluator, ann.score_difference, ann.match_rate) == ("ann", Decimal("0.00"), 1.0)
    assert bob.score_difference == Decimal("12.50")  # more lenient than the reference
    assert bob.matches == {"greeting": True, "verify": False}
    assert bob.unanswered == ("empathy",)
    assert bob.match_rate == 0.5
    assert cid.score_difference is None
    assert cid.match_rate == pytest.approx(1 / 3)
    # the reference left "closing" unanswered, so it is not compared
    assert [(q.question, q.reference, q.n_answered, q.n_matching) for q in result.questions] == [
        ("greeting", "yes", 3, 2),
        ("verify", "no", 3, 1),
        ("empathy", "yes", 2, 2),
    ]
    assert [q.rate for q in result.questions] == pytest.approx([2 / 3, 1 / 3, 1.0])


def test_deviation_without_common_answers_has_no_rates():
    result = deviation_from_reference({"greeting": "yes"}, {"ann": {}})
    assert result.evaluators[0].match_rate is None
    assert result.evaluators[0].score_difference is None
    assert result.questions[0].rate is None


def test_reliability_matrix_turns_answers_into_coders_by_units():
    scores = {"ann": {"q1": "yes", "q2": "no"}, "bob": {"q2": "no", "q3": "yes"}}
    assert reliability_matrix(scores, ["q1", "q2", "q3"]) == [
        ["yes", "no", None],
        [None, "no", "yes"],
    ]


@pytest.mark.parametrize("level", [Level.NOMINAL, Level.ORDINAL, Level.INTERVAL, Level.RATIO])
@pytest.mark.parametrize("seed", range(6))
def test_the_whole_number_alpha_equals_the_textbook_sums_exactly(level, seed):
    """The fast path (`_Prepared`, used by the bootstrap) gives the very same float as the
    coincidence-matrix sums, for random data and random resampling weights."""
    import random
    from decimal import Decimal

    from portal.qa import agreement

    rng = random.Random(seed)
    values = (
        [Decimal("81.25"), Decimal("100"), Decimal("0"), Decimal("62.5"), Decimal("87.75")]
        if level in (Level.INTERVAL, Level.RATIO)
        else [0, 1, 2, 3, 4]
    )
    data = [
        [rng.choice([*values, None]) for _unit in range(25)] for _coder in range(rng.randint(2, 5))
    ]
    units = agreement._pairable_units(data)
    prepared = agreement._Prepared(units, level, None)
    for _ in range(20):
        weights = [rng.choice([0, 0, 1, 1, 2, 3]) for _unit in units]
        assert prepared.alpha(weights) == agreement._textbook_alpha(units, weights, level, None)
    assert prepared.alpha([1] * len(units)) == agreement._textbook_alpha(
        units, [1] * len(units), level, None
    )


def test_the_bootstrap_draws_the_same_resamples_as_randrange():
    """The inlined draw in bootstrap_alpha repeats random.randrange's sequence for a seed."""
    import random

    from portal.qa import agreement

    units = agreement._pairable_units(PUBLISHED)
    rng = random.Random(3)
    estimates = []
    for _ in range(50):
        weights = [0] * len(units)
        for _unit in units:
            weights[rng.randrange(len(units))] += 1
        estimate = agreement._textbook_alpha(units, weights, Level.INTERVAL, None)
        if estimate is not None:
            estimates.append(estimate)
    estimates.sort()
    expected = (agreement._percentile(estimates, 0.025), agreement._percentile(estimates, 0.975))
    assert bootstrap_alpha(PUBLISHED, Level.INTERVAL, n=50, seed=3) == expected
