"""Confidence intervals for roll-ups: a mean with Student's t, a rate with Wilson's score.

Pure functions on plain numbers. Sums are exact (Fractions) so that the interval computed from SQL
aggregates (count, sum, sum of squares) equals the one computed from the rows themselves.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from statistics import NormalDist

Number = Fraction | Decimal | float | int

_CF_TINY = 1e-300
_CF_EPS = 1e-16
_CF_MAX_TERMS = 10_000


@dataclass(frozen=True)
class MeanCI:
    """A mean with its count, sample standard deviation and interval (None when n is too small)."""

    mean: float | None  # None when there are no values
    n: int
    low: float | None  # None when n < 2: one value says nothing about the spread
    high: float | None
    sd: float | None  # sample standard deviation (n - 1 in the denominator); None when n < 2

    @property
    def half_width(self) -> float | None:
        """Distance from the mean to either end of the interval."""
        if self.high is None or self.mean is None:
            return None
        return self.high - self.mean


def enough_data(n: int, minimum: int) -> bool:
    """Whether a figure rests on at least `minimum` observations (pages grey out the rest)."""
    return n >= minimum


def mean_ci(values: Sequence[Number], confidence: float = 0.95) -> MeanCI:
    """Mean of the values with a two-sided Student's t interval."""
    exact = [_exact(v) for v in values]
    return mean_ci_from_sums(
        len(exact), sum(exact, Fraction(0)), sum((v * v for v in exact), Fraction(0)), confidence
    )


def mean_ci_from_sums(n: int, sum_x: Number, sum_x2: Number, confidence: float = 0.95) -> MeanCI:
    """The same interval from SQL aggregates: count(x), sum(x), sum(x * x)."""
    _check_confidence(confidence)
    if n < 0:
        raise ValueError("n cannot be negative")
    if n == 0:
        return MeanCI(mean=None, n=0, low=None, high=None, sd=None)
    total, squares = _exact(sum_x), _exact(sum_x2)
    mean = total / n
    if n == 1:
        return MeanCI(mean=float(mean), n=1, low=None, high=None, sd=None)
    # Exact arithmetic: no cancellation; max() only guards inconsistent sums handed in.
    variance = max((squares - total * total / n) / (n - 1), Fraction(0))
    sd = math.sqrt(variance)
    half = t_quantile(1 - (1 - confidence) / 2, n - 1) * sd / math.sqrt(n)
    centre = float(mean)
    return MeanCI(mean=centre, n=n, low=centre - half, high=centre + half, sd=sd)


@functools.lru_cache(maxsize=64)
def _normal_quantile(p: float) -> float:
    return NormalDist().inv_cdf(p)


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """Wilson score interval for a rate such as the critical-fail rate; None when n is 0."""
    _check_confidence(confidence)
    if not 0 <= successes <= n:
        raise ValueError("successes must be between 0 and n")
    if n == 0:
        return None
    z = _normal_quantile(1 - (1 - confidence) / 2)
    p = successes / n
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z / (1 + z2n) * math.sqrt(p * (1 - p) / n + z2n / (4 * n))
    # At 0 and at n successes the bound is exactly 0 or 1; floating point would miss it by 1e-17.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


@functools.lru_cache(maxsize=4096)
def t_quantile(p: float, df: int) -> float:
    """Quantile of Student's t distribution with df degrees of freedom (0 < p < 1).

    Bisection on the tail probability, which comes from the regularized incomplete beta function
    (continued fraction); bisection is slow to converge but cannot diverge, and 200 halvings
    reach the limit of double precision. Cached: it costs milliseconds, and a page of roll-ups
    asks for the same few (p, df) again and again.
    """
    if not 0 < p < 1:
        raise ValueError("p must be between 0 and 1")
    if df < 1:
        raise ValueError("df must be at least 1")
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_quantile(1 - p, df)
    target = 1 - p
    low, high = 0.0, 1.0
    while _t_upper_tail(high, df) > target:
        low, high = high, high * 2
    for _ in range(200):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        if _t_upper_tail(middle, df) > target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _t_upper_tail(t: float, df: int) -> float:
    """P(T > t) for t >= 0: half of I_x(df/2, 1/2) with x = df / (df + t²)."""
    t2 = t * t
    x, one_minus_x = df / (df + t2), t2 / (df + t2)
    return _regularized_beta(x, one_minus_x, df / 2, 0.5) / 2


def _regularized_beta(x: float, one_minus_x: float, a: float, b: float) -> float:
    """I_x(a, b); 1 - x is passed separately so it keeps its precision when x is near 1."""
    if x <= 0:
        return 0.0
    if one_minus_x <= 0:
        return 1.0
    log_front = (
        math.lgamma(a + b)
        - math.lgamma(a)
        - math.lgamma(b)
        + a * math.log(x)
        + b * math.log(one_minus_x)
    )
    front = math.exp(log_front)
    # The continued fraction converges fast only below (a + 1) / (a + b + 2); use symmetry above.
    if x < (a + 1) / (a + b + 2):
        return front * _beta_continued_fraction(x, a, b) / a
    return 1 - front * _beta_continued_fraction(one_minus_x, b, a) / b


def _beta_continued_fraction(x: float, a: float, b: float) -> float:
    """Continued fraction for the incomplete beta function, by the modified Lentz method."""
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > _CF_TINY else _CF_TINY)
    result = d
    for m in range(1, _CF_MAX_TERMS):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > _CF_TINY else _CF_TINY)
            c = 1 + numerator / c
            c = c if abs(c) > _CF_TINY else _CF_TINY
            step = c * d
            result *= step
        if abs(step - 1) < _CF_EPS:
            return result
    raise ArithmeticError("incomplete beta continued fraction did not converge")


def _check_confidence(confidence: float) -> None:
    if not 0 < confidence < 1:
        raise ValueError("confidence must be between 0 and 1")


def _exact(value: Number) -> Fraction:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"not a finite number: {value!r}")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return Fraction(value)
