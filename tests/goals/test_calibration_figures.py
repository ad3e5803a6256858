"""The calibration room's figures (pure): what-if moves, the preview's distribution and
warnings, the chart's data and the blind preview's numbers."""

from __future__ import annotations

import itertools
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from portal.goals import calibration_figures as shown
from portal.goals import rating

SCALE = [1, 2, 3, 4, 5]
GUIDELINE = {5: Fraction(15, 100), 4: Fraction(35, 100)}


def test_a_tried_rating_moves_only_a_known_review_to_another_rating_on_the_scale():
    finals = {10: 3, 11: 4, 12: None}
    tried = {10: 5, 11: 4, 12: 2, 99: 5, 10_000: 1}
    assert shown.what_if_moves(finals, tried, SCALE) == [
        shown.Move(10, 3, 5),  # a change
        shown.Move(12, None, 2),  # an unrated review gets a rating
    ]  # 11: the same rating; 99 and 10 000: not the viewer's reviews
    assert shown.what_if_moves(finals, {10: 6, 11: 0}, SCALE) == []  # off the scale


def test_ratings_after_the_moves_leave_unrated_reviews_out():
    finals = {1: 3, 2: None, 3: 5}
    assert sorted(shown.ratings_after(finals, [])) == [3, 5]
    assert sorted(shown.ratings_after(finals, [shown.Move(3, 5, 4)])) == [3, 4]
    assert sorted(shown.ratings_after(finals, [shown.Move(2, None, 1)])) == [1, 3, 5]


def test_the_preview_is_the_distribution_the_saved_ratings_would_give():
    finals = {1: 3, 2: 3, 3: 4, 4: 5}
    preview = shown.preview(finals, {1: 5}, SCALE, GUIDELINE)
    assert preview.distribution[5] == (2, Fraction(1, 2))
    assert preview.distribution[3] == (1, Fraction(1, 4))
    assert preview.total == 4
    assert preview.warnings == [
        rating.GuidelineWarning(5, Fraction(1, 2), Fraction(15, 100)),
    ]  # 4 at 25 % is under 35 %
    assert preview.moves == [shown.Move(1, 3, 5)]


def test_nothing_tried_previews_the_current_distribution():
    finals = {1: 3, 2: 4}
    preview = shown.preview(finals, {}, SCALE, GUIDELINE)
    assert preview.distribution == rating.rating_distribution([3, 4], SCALE)
    assert preview.moves == []


@given(
    st.dictionaries(st.integers(1, 30), st.one_of(st.none(), st.sampled_from(SCALE))),
    st.dictionaries(st.integers(1, 40), st.integers(-1, 7)),
)
def test_a_preview_equals_the_distribution_of_the_ratings_as_if_saved(finals, tried):
    preview = shown.preview(finals, tried, SCALE, GUIDELINE)
    saved = dict(finals)
    for review_id, value in tried.items():
        if review_id in saved and value in SCALE:
            saved[review_id] = value
    expected = rating.rating_distribution([v for v in saved.values() if v is not None], SCALE)
    assert preview.distribution == expected
    assert preview.total == sum(1 for v in saved.values() if v is not None)
    assert preview.warnings == rating.guideline_warnings(expected, GUIDELINE)


def test_the_chart_gives_shares_in_percent_rounded_once_and_the_guideline_where_it_speaks():
    dist = rating.rating_distribution([3, 3, 4], SCALE)
    what_if = rating.rating_distribution([3, 4, 5], SCALE)
    scale = [(v, f"L{v}") for v in SCALE]
    data = shown.chart_data(scale, dist, GUIDELINE, {"x": "Rating"}, what_if)
    assert data["labels"] == ["1", "2", "3", "4", "5"]  # short ticks; names in the tooltips
    assert data["names"] == ["1 · L1", "2 · L2", "3 · L3", "4 · L4", "5 · L5"]
    assert data["counts"] == [0, 0, 2, 1, 0]
    assert data["shares"] == [0.0, 0.0, 66.7, 33.3, 0.0]
    assert data["guideline"] == [None, None, None, 35.0, 15.0]
    assert data["whatIf"] == [0.0, 0.0, 33.3, 33.3, 33.3]
    assert data["text"] == {"x": "Rating"}
    assert "whatIf" not in shown.chart_data(scale, dist, GUIDELINE, {})


def test_blind_numbers_are_one_to_n_stable_and_follow_neither_names_nor_ids():
    ids = list(range(1, 21))
    numbers = shown.blind_numbers(ids, "cycle-1")
    assert sorted(numbers.values()) == ids
    assert shown.blind_numbers(reversed(ids), "cycle-1") == numbers  # the input order is irrelevant
    assert [numbers[i] for i in ids] != ids  # not the ids' order
    assert shown.blind_numbers(ids, "cycle-2") != numbers  # another cycle, another order
    # The same people keep their numbers whatever their ratings: the numbers depend on ids only.
    assert all(
        shown.blind_numbers(subset, "cycle-1") == shown.blind_numbers(list(subset), "cycle-1")
        for subset in itertools.combinations(ids[:5], 3)
    )
