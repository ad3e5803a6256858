"""How demo agents answer a scorecard: a skill per agent (most good, a few weak), improving
over the weeks, and answers drawn from it. The evaluations are then scored by the real scoring
code (`portal.qa.scoring`); nothing here writes a score.

Tuned so that the demo's evaluations average in the low-to-mid 80s with 5-10 % critical fails,
which is what a working contact centre's QA looks like (README, "The demo").
"""

from __future__ import annotations

import random

from portal.qa import scoring

WEAK_SHARE = 0.12  # of agents, clearly below the rest
NA_SHARE = 0.08  # of answers to questions that allow N/A


def agent_skill(rng: random.Random) -> float:
    """An agent's skill, 0-1: most agents good (about 0.9), about one in eight weak (about 0.7)."""
    if rng.random() < WEAK_SHARE:
        return min(0.8, max(0.55, rng.gauss(0.7, 0.05)))
    return min(0.98, max(0.75, rng.gauss(0.85, 0.05)))


def skill_on(skill: float, progress: float) -> float:
    """The skill `progress` (0 at the start of the period, 1 at its end) of the way through the
    period: every agent closes 40 % of their gap to 0.95, so weak agents improve most."""
    return skill + 0.4 * max(0.0, 0.95 - skill) * min(1.0, max(0.0, progress))


def critical_fail_chance(skill: float) -> float:
    """The chance of failing one critical question: about 2 % (good agent) to 5 % (weak one)."""
    return 0.006 + 0.26 * (1 - skill) ** 1.3


def answer(rng: random.Random, question: scoring.QuestionSpec, skill: float):
    """One answer to `question` by an agent of this skill."""
    if question.na_allowed and rng.random() < NA_SHARE:
        return scoring.NA
    if question.critical is not None and rng.random() < critical_fail_chance(skill):
        if question.type == scoring.QuestionType.YES_NO:
            return "no"
        if question.type == scoring.QuestionType.SCALE:
            return 0
        return sorted(question.failing_choices)[0]
    if question.type == scoring.QuestionType.YES_NO:
        if question.critical is not None:
            return "yes"
        return "yes" if rng.random() < skill else "no"
    if question.type == scoring.QuestionType.SCALE:
        top = question.max or 0
        low = 1 if question.critical is not None else 0
        return max(low, min(top, round(top * rng.gauss(skill - 0.02, 0.15))))
    passing = sorted(
        (k for k in question.choices if k not in question.failing_choices),
        key=lambda k: -question.choices[k],
    )
    return passing[0] if rng.random() < skill else passing[min(1, len(passing) - 1)]


def answers(rng: random.Random, card: scoring.CardSpec, skill: float) -> dict:
    """Every question of the card answered."""
    return {q.id: answer(rng, q, skill) for q in card.questions()}
