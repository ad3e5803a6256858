"""Fair, reproducible QA sampling: N contacts per agent per week, stratified by channel.

Pure: candidates in, picks out. For each agent the channels get their share of N by the largest
remainder method (in proportion to the agent's volume in each channel that week), after any
per-channel minimums; within a channel the contacts are drawn at random by a generator seeded
from the run's seed and the agent's id, so the same inputs always give the same sample and
adding an agent never changes another agent's picks. An agent with fewer candidates than N gets
all of them and is reported as short, never skipped silently.
"""

from __future__ import annotations

import hashlib
import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any


@dataclass(frozen=True)
class Candidate:
    contact_id: int
    agent_id: int
    channel: str


@dataclass(frozen=True)
class Pick:
    contact_id: int
    agent_id: int
    channel: str
    reason: dict[str, Any]


@dataclass(frozen=True)
class Shortfall:
    agent_id: int
    wanted: int
    available: int


@dataclass
class Sample:
    picks: list[Pick] = field(default_factory=list)
    short: list[Shortfall] = field(default_factory=list)
    # Per agent: {channel: (available, allocated)}
    allocations: dict[int, dict[str, tuple[int, int]]] = field(default_factory=dict)


def default_seed(rule_id: int, week_start_iso: str) -> int:
    """The seed a rule uses for a week when none is given: stable, different per rule and week."""
    digest = hashlib.sha256(f"qa-sampling:{rule_id}:{week_start_iso}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def allocate(
    available: Mapping[str, int], n: int, minimums: Mapping[str, int] | None = None
) -> dict[str, int]:
    """How many contacts to take from each channel: min(n, total) in all, never more than a
    channel has. Minimums come first (largest channels first when they exceed n); the rest
    goes in proportion to what each channel still has, by the largest remainder method
    (ties: the channel with more contacts, then by name)."""
    if n < 0:
        raise ValueError("n cannot be negative")
    channels = sorted(c for c, count in available.items() if count > 0)
    take = {c: 0 for c in channels}
    budget = min(n, sum(available[c] for c in channels))
    for channel in sorted(channels, key=lambda c: (-available[c], c)):
        wanted = min((minimums or {}).get(channel, 0), available[channel], budget)
        take[channel] += wanted
        budget -= wanted
    if budget == 0:
        return take
    left = {c: available[c] - take[c] for c in channels}
    total_left = sum(left.values())
    quotas = {c: Fraction(budget * left[c], total_left) for c in channels}
    floors = {c: int(quotas[c]) for c in channels}
    remaining = budget - sum(floors.values())
    order = sorted(channels, key=lambda c: (-(quotas[c] - floors[c]), -left[c], c))
    for channel in order[:remaining]:
        floors[channel] += 1
    for channel in channels:
        take[channel] += floors[channel]
    return take


def draw(
    candidates: Sequence[Candidate],
    n: int,
    seed: int,
    minimums: Mapping[str, int] | None = None,
) -> Sample:
    """The sample for one week: up to n candidates per agent, stratified by channel."""
    by_agent: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for candidate in candidates:
        by_agent[candidate.agent_id][candidate.channel].append(candidate.contact_id)
    sample = Sample()
    for agent_id in sorted(by_agent):
        channels = by_agent[agent_id]
        available = {c: len(ids) for c, ids in channels.items()}
        total = sum(available.values())
        plan = allocate(available, n, minimums)
        sample.allocations[agent_id] = {c: (available[c], plan.get(c, 0)) for c in available}
        if total < n:
            sample.short.append(Shortfall(agent_id, n, total))
        rng = random.Random(f"{seed}:{agent_id}")
        for channel in sorted(plan):
            pool = sorted(set(channels[channel]))
            chosen = rng.sample(pool, plan[channel]) if plan[channel] else []
            for rank, contact_id in enumerate(chosen, 1):
                reason = {
                    "channel": channel,
                    "channel_contacts": len(pool),
                    "agent_contacts": total,
                    "channel_picks": plan[channel],
                    "per_agent": n,
                    "draw": rank,
                    "minimum": (minimums or {}).get(channel, 0),
                    "seed": seed,
                    "all_taken": total <= n,
                }
                sample.picks.append(Pick(contact_id, agent_id, channel, reason))
    return sample


def round_robin(picks: Sequence[Pick], pools: Mapping[int, Sequence[int]]) -> dict[int, int | None]:
    """Evaluator per picked contact: in turn over each agent's pool of evaluators (by id), so
    work spreads evenly; None when an agent's pool is empty."""
    turn: dict[tuple[int, ...], int] = defaultdict(int)
    out: dict[int, int | None] = {}
    for pick in sorted(picks, key=lambda p: (p.agent_id, p.contact_id)):
        pool = tuple(sorted(set(pools.get(pick.agent_id, ()))))
        if not pool:
            out[pick.contact_id] = None
            continue
        out[pick.contact_id] = pool[turn[pool] % len(pool)]
        turn[pool] += 1
    return out
