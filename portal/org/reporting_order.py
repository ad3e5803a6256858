"""Pure graph helpers for reporting lines given as "who reports to whom" mappings
(each item has at most one manager): find loops, and order managers before their reports."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def loops(manager_of: Mapping[K, K]) -> list[set[K]]:
    """Every loop in the mapping (A reports to B reports to ... reports to A)."""
    done: set[K] = set()
    found: list[set[K]] = []
    for start in manager_of:
        path: list[K] = []
        node: K | None = start
        while node is not None and node not in done and node not in path:
            path.append(node)
            node = manager_of.get(node)
        if node is not None and node in path:
            found.append(set(path[path.index(node) :]))
        done.update(path)
    return found


def managers_first(keys: Iterable[K], manager_of: Mapping[K, K]) -> list[K]:
    """The keys reordered so that a manager comes before everyone reporting to them; otherwise
    the given order is kept. The mapping must have no loops (see `loops`)."""
    wanted = list(keys)
    present = set(wanted)
    ordered: list[K] = []
    placed: set[K] = set()
    for key in wanted:
        # Walk up to the first manager already placed (or outside the keys), then place the
        # chain top-down; a loop, not recursion, so a long chain cannot hit the recursion limit.
        chain: list[K] = []
        node: K | None = key
        while node is not None and node in present and node not in placed:
            chain.append(node)
            placed.add(node)
            node = manager_of.get(node)
        ordered.extend(reversed(chain))
    return ordered
