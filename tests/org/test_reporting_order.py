from hypothesis import given
from hypothesis import strategies as st

from portal.org import reporting_order


def test_loops_are_found_and_chains_are_not():
    manager_of = {1: 2, 2: 3, 3: 1, 4: 1, 5: 6, 7: 7}
    assert sorted(map(sorted, reporting_order.loops(manager_of))) == [[1, 2, 3], [7]]
    assert reporting_order.loops({1: 2, 2: 3}) == []


def test_a_long_chain_is_ordered_without_recursion():
    keys = list(range(5000))
    manager_of = {k: k + 1 for k in keys[:-1]}
    assert reporting_order.managers_first(keys, manager_of) == keys[::-1]


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=40))
def test_every_manager_comes_before_their_reports(parents):
    # Item i reports to parents[i] when that is a smaller index: a forest with no loops.
    keys = list(range(len(parents)))
    manager_of = {i: p for i, p in enumerate(parents) if p < i}
    shuffled = keys[::-1]
    order = reporting_order.managers_first(shuffled, manager_of)
    assert sorted(order) == keys
    position = {k: n for n, k in enumerate(order)}
    assert all(position[m] < position[k] for k, m in manager_of.items())
