"""Agreement between evaluators scoring the same contacts: Krippendorff's alpha and its companions.

Reliability data is a matrix of coders (evaluators) × units (questions of the calibrated contacts),
with None where a coder gave no value. Alpha follows Krippendorff (2011), "Computing Krippendorff's
Alpha-Reliability": only pairable values count (values in units that at least two coders coded); a
coincidence matrix o[c, k] sums, over those units, the ordered pairs of values c and k each divided
by the unit's number of values minus one; then

    alpha = 1 - (n - 1) * Σ o[c, k] δ²(c, k) / Σ n_c n_k δ²(c, k)

with n_c the number of pairable values c and n their total. Sums are exact (Fractions); the
result is a float. Alpha is undefined when there is nothing to pair or when all pairable values
are the same (expected disagreement 0): `alpha_result` then says why and `krippendorff_alpha`
returns None (not 1, as some tools do: agreement on a single answer says nothing about reliability).
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

Data = Sequence[Sequence[Hashable | None]]


class Level(StrEnum):
    """Level of measurement: which difference function compares two values."""

    NOMINAL = "nominal"
    ORDINAL = "ordinal"
    INTERVAL = "interval"
    RATIO = "ratio"


class NotComputable(StrEnum):
    NO_PAIRABLE_VALUES = "no_pairable_values"  # no unit has values from two coders
    NO_VARIATION = "no_variation"  # every pairable value is the same one


class AlphaVerdict(StrEnum):
    """Krippendorff's guidance: rely on ≥ .800, draw tentative conclusions from ≥ .667."""

    RELIABLE = "reliable"
    TENTATIVE = "tentative"
    UNRELIABLE = "unreliable"
    NOT_COMPUTABLE = "not_computable"


@dataclass(frozen=True)
class AlphaResult:
    alpha: float | None
    level: Level
    n_units: int  # units with at least two values: the only ones that count
    n_pairable: int  # values in those units
    reason: NotComputable | None = None  # why alpha is None


@dataclass(frozen=True)
class _Unit:
    """One pairable unit: how often each value occurs in it."""

    counts: Counter[Hashable]


def krippendorff_alpha(
    data: Data, level: Level, *, order: Sequence[Hashable] | None = None
) -> float | None:
    """Krippendorff's alpha for coders × units data; None when it is not computable.

    `order` ranks the values for the ordinal level (default: the values sorted).
    """
    return alpha_result(data, level, order=order).alpha


def alpha_result(
    data: Data, level: Level, *, order: Sequence[Hashable] | None = None
) -> AlphaResult:
    """Alpha with the counts it rests on, and the reason when it is not computable."""
    units = _pairable_units(data)
    n_pairable = sum(sum(unit.counts.values()) for unit in units)
    if not units:
        return AlphaResult(None, level, 0, 0, NotComputable.NO_PAIRABLE_VALUES)
    alpha = _alpha(units, [1] * len(units), level, order)
    reason = NotComputable.NO_VARIATION if alpha is None else None
    return AlphaResult(alpha, level, len(units), n_pairable, reason)


def percent_agreement(data: Data) -> float | None:
    """Share of agreeing pairs among all pairs of coders within each unit; None without pairs.

    Each pair counts once, so a unit coded by more coders weighs more here than in alpha.
    """
    agreeing = total = 0
    for unit in _pairable_units(data):
        m = sum(unit.counts.values())
        total += m * (m - 1) // 2
        agreeing += sum(count * (count - 1) // 2 for count in unit.counts.values())
    return agreeing / total if total else None


def value_prevalence(data: Data) -> dict[Hashable, float]:
    """Share of each value among the pairable values, most common first.

    Shown beside alpha: when one answer is rare, alpha is low even though raw agreement is high.
    """
    totals: Counter[Hashable] = Counter()
    for unit in _pairable_units(data):
        totals.update(unit.counts)
    n = sum(totals.values())
    return {value: count / n for value, count in totals.most_common()}


def bootstrap_alpha(
    data: Data,
    level: Level,
    n: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
    *,
    order: Sequence[Hashable] | None = None,
) -> tuple[float, float] | None:
    """Percentile interval for alpha from resampling the pairable units with replacement.

    Reproducible for a given seed. Resamples in which alpha is undefined (all values the same) are
    left out; None when alpha itself, or every resample, is undefined.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")
    units = _pairable_units(data)
    prepared = _Prepared(units, level, order) if units else None
    if prepared is None or prepared.alpha([1] * len(units)) is None:
        return None
    rng = random.Random(seed)
    size = len(units)
    bits = size.bit_length()
    draw = rng.getrandbits
    kind_of = prepared.kind_of
    n_kinds = len(prepared.kinds)
    estimates = []
    for _ in range(n):
        per_kind = [0] * n_kinds
        for _ in units:
            # rng.randrange(size) inlined (same draws, same sequence): rejection sampling
            pick = draw(bits)
            while pick >= size:
                pick = draw(bits)
            per_kind[kind_of[pick]] += 1
        estimate = prepared.alpha_of_kinds(per_kind)
        if estimate is not None:
            estimates.append(estimate)
    if not estimates:
        return None
    estimates.sort()
    tail = (1 - confidence) / 2
    return _percentile(estimates, tail), _percentile(estimates, 1 - tail)


def interpret_alpha(alpha: float | None) -> AlphaVerdict:
    """Reliable from 0.800, tentative from 0.667, unreliable below; not computable for None."""
    if alpha is None:
        return AlphaVerdict.NOT_COMPUTABLE
    if alpha >= 0.8:
        return AlphaVerdict.RELIABLE
    if alpha >= 0.667:
        return AlphaVerdict.TENTATIVE
    return AlphaVerdict.UNRELIABLE


@dataclass(frozen=True)
class EvaluatorDeviation:
    """How one evaluator's scoring of a calibration contact differs from the reference."""

    evaluator: Hashable
    score_difference: Decimal | None  # evaluator's overall minus the reference's: > 0 is lenient
    matches: dict[Hashable, bool]  # per question both answered: same answer as the reference?
    unanswered: tuple[Hashable, ...]  # questions the reference answered and this evaluator did not

    @property
    def match_rate(self) -> float | None:
        """Share of the questions both answered on which the evaluator matched the reference."""
        if not self.matches:
            return None
        return sum(self.matches.values()) / len(self.matches)


@dataclass(frozen=True)
class QuestionAgreement:
    """How many evaluators gave the reference's answer to one question."""

    question: Hashable
    reference: Hashable
    n_answered: int
    n_matching: int

    @property
    def rate(self) -> float | None:
        return self.n_matching / self.n_answered if self.n_answered else None


@dataclass(frozen=True)
class ReferenceDeviation:
    evaluators: tuple[EvaluatorDeviation, ...]  # in the order of `scores`
    questions: tuple[QuestionAgreement, ...]  # in the order of `reference`


def deviation_from_reference(
    reference: Mapping[Hashable, Hashable | None],
    scores: Mapping[Hashable, Mapping[Hashable, Hashable | None]],
    *,
    reference_score: Decimal | None = None,
    evaluator_scores: Mapping[Hashable, Decimal | None] | None = None,
) -> ReferenceDeviation:
    """Compare each evaluator's answers (and overall score) with the reference's (the QA lead's).

    Questions the reference left unanswered are not compared; an evaluator's missing answer is
    listed as unanswered rather than counted as a mismatch.
    """
    questions = [q for q, answer in reference.items() if answer is not None]
    overall = evaluator_scores or {}
    evaluators = []
    for evaluator, answers in scores.items():
        matches = {q: answers[q] == reference[q] for q in questions if answers.get(q) is not None}
        own_score = overall.get(evaluator)
        difference = (
            None if own_score is None or reference_score is None else own_score - reference_score
        )
        unanswered = tuple(q for q in questions if q not in matches)
        evaluators.append(EvaluatorDeviation(evaluator, difference, matches, unanswered))
    per_question = tuple(
        QuestionAgreement(
            question=q,
            reference=reference[q],
            n_answered=sum(q in e.matches for e in evaluators),
            n_matching=sum(e.matches.get(q, False) for e in evaluators),
        )
        for q in questions
    )
    return ReferenceDeviation(tuple(evaluators), per_question)


def reliability_matrix(
    scores: Mapping[Hashable, Mapping[Hashable, Hashable | None]], units: Sequence[Hashable]
) -> list[list[Hashable | None]]:
    """Coders × units data for alpha from each evaluator's answers (None where unanswered)."""
    return [[answers.get(unit) for unit in units] for answers in scores.values()]


def _pairable_units(data: Data) -> list[_Unit]:
    rows = [list(row) for row in data]
    if any(len(row) != len(rows[0]) for row in rows):
        raise ValueError("every coder needs one entry per unit (None where missing)")
    units = []
    for column in zip(*rows, strict=True):
        values = [value for value in column if value is not None]
        if any(value != value for value in values):
            raise ValueError("NaN is not a value: use None for a missing value")
        if len(values) >= 2:
            units.append(_Unit(Counter(values)))
    return units


def _unit_coincidences(
    counts: Counter[Hashable], m: int
) -> dict[tuple[Hashable, Hashable], Fraction]:
    """Ordered pairs of different values within one unit, each pair weighing 1 / (m - 1)."""
    return {
        (c, k): Fraction(n_c * n_k, m - 1)
        for c, n_c in counts.items()
        for k, n_k in counts.items()
        if c != k
    }


def _alpha(
    units: Sequence[_Unit],
    weights: Sequence[int],
    level: Level,
    order: Sequence[Hashable] | None,
) -> float | None:
    """Alpha over the units, each counted `weight` times; None when expected disagreement is 0."""
    return _Prepared(units, level, order).alpha(weights)


class _Prepared:
    """Alpha of weighted units in whole numbers: the same rational number as the textbook sums
    (`_textbook_alpha`), hence the same float, at a fraction of the cost.

    Units with the same counts of values contribute alike, so a resample's weights are first
    added up per kind of unit (a session has hundreds of units but a few dozen kinds). Every
    unit's coincidences weigh 1 / (m - 1); scaling them by L, the least common multiple of the
    units' (m - 1), makes them whole. Nominal and interval differences do not depend on the
    totals, so each kind's observed disagreement is computed once:
      nominal  Σ_{c≠k} n_c n_k = m² − Σ n_c²
      interval Σ_{c,k} n_c n_k (a_c − a_k)² = 2 (m Σ n_c a_c² − (Σ n_c a_c)²), a = value × q,
               q the common denominator of the values.
    Ordinal differences depend on the totals: observed coincidences are summed per pair of
    values, then weighed by 4 δ², which is whole. Ratio keeps the textbook sums.
    """

    def __init__(self, units: Sequence[_Unit], level: Level, order: Sequence[Hashable] | None):
        self.units = units
        self.level = level
        self.order = order
        index: dict[frozenset, int] = {}
        self.kind_of = [index.setdefault(frozenset(u.counts.items()), len(index)) for u in units]
        kinds = [Counter(dict(key)) for key in index]
        self.kinds = kinds
        self.kind_units = [_Unit(kind) for kind in kinds]
        self.sizes = [sum(kind.values()) for kind in kinds]
        self.scale = math.lcm(*(m - 1 for m in self.sizes)) if kinds else 1
        self.shares = [self.scale // (m - 1) for m in self.sizes]
        self.per_kind: list[int] = []
        if level is Level.NOMINAL:
            for kind, m, share in zip(kinds, self.sizes, self.shares, strict=True):
                squares = sum(count * count for count in kind.values())
                self.per_kind.append((m * m - squares) * share)
        elif level is Level.INTERVAL:
            numbers = {v: _number(v, level) for kind in kinds for v in kind}
            q = math.lcm(*(f.denominator for f in numbers.values())) if numbers else 1
            whole = {v: int(f * q) for v, f in numbers.items()}
            self.sums: list[tuple[int, int]] = []  # Σ n a, Σ n a²
            for kind, m, share in zip(kinds, self.sizes, self.shares, strict=True):
                s1 = sum(n * whole[v] for v, n in kind.items())
                s2 = sum(n * whole[v] ** 2 for v, n in kind.items())
                self.sums.append((s1, s2))
                self.per_kind.append(2 * (m * s2 - s1 * s1) * share)
        elif level is Level.ORDINAL:
            values = {v for kind in kinds for v in kind}
            if order is None:
                try:
                    self.order = sorted(values)  # type: ignore[type-var]
                except TypeError:
                    message = "ordinal values must be comparable, or given an order"
                    raise ValueError(message) from None
            elif any(value not in order for value in values):
                raise ValueError("a value is missing from the ordinal order")
            self.pairs = [
                [
                    ((c, k), share * n_c * n_k)
                    for c, n_c in kind.items()
                    for k, n_k in kind.items()
                    if c != k
                ]
                for kind, share in zip(kinds, self.shares, strict=True)
            ]

    def alpha(self, weights: Sequence[int]) -> float | None:
        """Alpha with each unit counted `weights[i]` times."""
        per_kind = [0] * len(self.kinds)
        for kind, weight in zip(self.kind_of, weights, strict=True):
            per_kind[kind] += weight
        return self.alpha_of_kinds(per_kind)

    def alpha_of_kinds(self, per_kind: Sequence[int]) -> float | None:
        """Alpha with each kind of unit counted `per_kind[j]` times."""
        if self.level is Level.RATIO:
            return _textbook_alpha(self.kind_units, per_kind, self.level, self.order)
        if self.level is Level.ORDINAL:
            return self._ordinal(per_kind)
        observed = sum(w * d for w, d in zip(per_kind, self.per_kind, strict=True) if w)
        n = sum(w * m for w, m in zip(per_kind, self.sizes, strict=True))
        if self.level is Level.NOMINAL:
            totals: Counter[Hashable] = Counter()
            for kind, weight in zip(self.kinds, per_kind, strict=True):
                if weight:
                    for value, count in kind.items():
                        totals[value] += weight * count
            expected = n * n - sum(t * t for t in totals.values())
        else:
            s1 = sum(w * a for w, (a, _b) in zip(per_kind, self.sums, strict=True))
            s2 = sum(w * b for w, (_a, b) in zip(per_kind, self.sums, strict=True))
            expected = 2 * (n * s2 - s1 * s1)
        return self._ratio(n, observed, expected)

    def _ordinal(self, per_kind: Sequence[int]) -> float | None:
        totals: Counter[Hashable] = Counter()
        pairs: Counter[tuple[Hashable, Hashable]] = Counter()
        for kind, kind_pairs, weight in zip(self.kinds, self.pairs, per_kind, strict=True):
            if not weight:
                continue
            for value, count in kind.items():
                totals[value] += weight * count
            for pair, share in kind_pairs:
                pairs[pair] += weight * share
        present = [value for value in self.order if totals.get(value)]  # type: ignore[union-attr]
        cumulative = {}
        running = 0
        for value in present:
            cumulative[value] = running  # pairable values ranked before this one
            running += totals[value]

        def delta4(c: Hashable, k: Hashable) -> int:  # 4 δ²(c, k), a whole number
            if c == k:
                return 0
            low, high = sorted((c, k), key=cumulative.__getitem__)
            between = cumulative[high] + totals[high] - cumulative[low]
            return (2 * between - totals[c] - totals[k]) ** 2

        expected = sum(
            totals[c] * totals[k] * delta4(c, k) for c in present for k in present if c != k
        )
        observed = sum(share * delta4(c, k) for (c, k), share in pairs.items())
        return self._ratio(running, observed, expected)

    def _ratio(self, n: int, observed: int, expected: int) -> float | None:
        if expected == 0:
            return None
        return float(1 - Fraction((n - 1) * observed, self.scale * expected))


def _textbook_alpha(
    units: Sequence[_Unit],
    weights: Sequence[int],
    level: Level,
    order: Sequence[Hashable] | None,
) -> float | None:
    """Alpha from the coincidence matrix as Krippendorff writes it (exact Fractions)."""
    totals: Counter[Hashable] = Counter()
    observed: dict[tuple[Hashable, Hashable], Fraction] = {}
    for unit, weight in zip(units, weights, strict=True):
        if weight:
            for value, count in unit.counts.items():
                totals[value] += weight * count
            for pair, share in _unit_coincidences(unit.counts, sum(unit.counts.values())).items():
                observed[pair] = observed.get(pair, Fraction(0)) + weight * share
    delta = _difference_function(level, totals, order)
    values = list(totals)
    expected = sum(
        (totals[c] * totals[k] * delta(c, k) for c in values for k in values if c != k),
        Fraction(0),
    )
    if expected == 0:
        return None
    disagreement = sum((share * delta(c, k) for (c, k), share in observed.items()), Fraction(0))
    n = sum(totals.values())
    return float(1 - (n - 1) * disagreement / expected)


def _difference_function(
    level: Level, totals: Counter[Hashable], order: Sequence[Hashable] | None
) -> Callable[[Hashable, Hashable], Fraction]:
    """δ²(c, k) for the level: the squared difference between two different values."""
    if level is Level.NOMINAL:
        return lambda c, k: Fraction(1)
    if level is Level.ORDINAL:
        return _ordinal_difference(totals, order)
    numbers = {value: _number(value, level) for value in totals}
    if level is Level.INTERVAL:
        return lambda c, k: (numbers[c] - numbers[k]) ** 2
    if any(number < 0 for number in numbers.values()):
        raise ValueError("ratio values cannot be negative")

    def ratio(c: Hashable, k: Hashable) -> Fraction:
        a, b = numbers[c], numbers[k]
        return ((a - b) / (a + b)) ** 2 if a + b else Fraction(0)

    return ratio


def _ordinal_difference(
    totals: Counter[Hashable], order: Sequence[Hashable] | None
) -> Callable[[Hashable, Hashable], Fraction]:
    """Ranks apart, measured in pairable values: (Σ n_g from c to k − (n_c + n_k) / 2)²."""
    if order is None:
        try:
            order = sorted(totals)  # type: ignore[type-var]
        except TypeError:
            raise ValueError("ordinal values must be comparable, or given an order") from None
    elif any(value not in order for value in totals):
        raise ValueError("a value is missing from the ordinal order")
    rank = {value: position for position, value in enumerate(order)}
    cumulative = [0]
    for value in order:
        cumulative.append(cumulative[-1] + totals.get(value, 0))

    def ordinal(c: Hashable, k: Hashable) -> Fraction:
        low, high = sorted((rank[c], rank[k]))
        between = cumulative[high + 1] - cumulative[low]
        return (between - Fraction(totals[c] + totals[k], 2)) ** 2

    return ordinal


def _number(value: Hashable, level: Level) -> Fraction:
    if isinstance(value, int | float | Fraction | Decimal):
        try:
            return Fraction(value)
        except (ValueError, OverflowError):
            pass
    raise ValueError(f"{level} alpha needs finite numbers, not {value!r}")


def _percentile(ordered: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (the usual 'type 7' percentile)."""
    position = q * (len(ordered) - 1)
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (position - below)
