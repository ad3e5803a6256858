"""QA roll-up arithmetic over SQL aggregates: pure functions on plain numbers.

The database hands over, per group, the count of evaluations, the count and sums of their scores
(sum and sum of squares) and the count of critical fails; everything shown is computed here:
the mean with its n and a 95 % Student's t interval, the critical-fail rate with its Wilson
interval, the score distribution, the trend by week and by month. Each evaluation counts once
(the average is the mean of evaluation scores, not of points). Rounding happens in templates.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from zoneinfo import ZoneInfo

from portal.qa.intervals import MeanCI, mean_ci_from_sums, wilson_interval

Number = Fraction | Decimal | float | int

# Score bins of the distribution: [0, 10), [10, 20), ... [90, 100].
BIN_WIDTH = 10
BIN_COUNT = 10


class PeriodKind(StrEnum):
    # The four full weeks before the week holding the anchor: the reports' default, because a
    # month to date holds too few evaluations in its first days to show any mean.
    LAST_4_WEEKS = "last4weeks"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Aggregate:
    """What SQL returns for one group of evaluations."""

    n_evaluations: int  # every submitted evaluation in the group
    n_scored: int  # those with a score (a card whose every section dropped out has none)
    sum_score: Number
    sum_score2: Number
    n_critical: int

    @staticmethod
    def empty() -> Aggregate:
        return Aggregate(0, 0, 0, 0, 0)

    def __add__(self, other: Aggregate) -> Aggregate:
        return Aggregate(
            self.n_evaluations + other.n_evaluations,
            self.n_scored + other.n_scored,
            Fraction(self.sum_score) + Fraction(other.sum_score),
            Fraction(self.sum_score2) + Fraction(other.sum_score2),
            self.n_critical + other.n_critical,
        )


@dataclass(frozen=True)
class Summary:
    """A group's figures: mean with n and interval, critical-fail rate with its interval."""

    n: int  # evaluations
    score: MeanCI  # over the scored ones (score.n)
    critical_rate: float | None
    critical_interval: tuple[float, float] | None
    n_critical: int
    enough: bool  # at least the configured minimum of scored evaluations

    @property
    def mean(self) -> float | None:
        """The mean only when there is enough data to show it."""
        return self.score.mean if self.enough else None


def summarise(aggregate: Aggregate, minimum: int, confidence: float = 0.95) -> Summary:
    """Figures for one group; `minimum` scored evaluations are needed to show a mean."""
    if minimum < 1:
        raise ValueError("minimum must be at least 1")
    score = mean_ci_from_sums(
        aggregate.n_scored, _exact(aggregate.sum_score), _exact(aggregate.sum_score2), confidence
    )
    n = aggregate.n_evaluations
    rate = aggregate.n_critical / n if n else None
    return Summary(
        n=n,
        score=score,
        critical_rate=rate,
        critical_interval=wilson_interval(aggregate.n_critical, n, confidence),
        n_critical=aggregate.n_critical,
        enough=aggregate.n_scored >= minimum,
    )


@dataclass(frozen=True)
class Bin:
    low: int
    high: int  # exclusive, except the last bin which holds 100
    count: int
    share: float


def score_bin(score: Number) -> int:
    """The distribution bin of a 0-100 score (100 falls into the last bin)."""
    value = Fraction(_exact(score))
    if value < 0 or value > 100:
        raise ValueError("a score is between 0 and 100")
    return min(int(value // BIN_WIDTH), BIN_COUNT - 1)


def distribution(counts: Mapping[int, int]) -> list[Bin]:
    """Every bin, empty ones included, with its share of the scored evaluations."""
    total = sum(counts.values())
    return [
        Bin(
            low=index * BIN_WIDTH,
            high=(index + 1) * BIN_WIDTH,
            count=counts.get(index, 0),
            share=counts.get(index, 0) / total if total else 0.0,
        )
        for index in range(BIN_COUNT)
    ]


@dataclass(frozen=True)
class QuestionFailures:
    question_id: int
    text: str
    answered: int  # evaluations that answered it (N/A not counted)
    failed: int
    scorecard: str = ""  # its scorecard's name: the same wording may be on two scorecards
    version: int = 0  # its scorecard version's number

    @property
    def label(self) -> str:
        """The wording with its scorecard: "Greeting · Voice"."""
        return f"{self.text} · {self.scorecard}" if self.scorecard else self.text

    @property
    def rate(self) -> float | None:
        return self.failed / self.answered if self.answered else None


def failed_most(rows: Iterable[QuestionFailures], limit: int = 10) -> list[QuestionFailures]:
    """Questions by failures, most first (ties: higher rate, then question id); never-failed out."""
    failing = [row for row in rows if row.failed]
    failing.sort(key=lambda r: (-r.failed, -(r.rate or 0), r.question_id))
    return failing[:limit]


def label_scorecards(rows: Sequence[QuestionFailures]) -> list[QuestionFailures]:
    """The rows with their scorecard names made distinct where two rows would read the same
    (the same wording in two versions of one scorecard): "Voice (v2)"."""
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        seen[(row.text, row.scorecard)] = seen.get((row.text, row.scorecard), 0) + 1
    return [
        replace(row, scorecard=f"{row.scorecard} (v{row.version})")
        if seen[(row.text, row.scorecard)] > 1
        else row
        for row in rows
    ]


# ---- periods -------------------------------------------------------------------------------


def week_start(day: date) -> date:
    """Monday of the ISO week holding `day`."""
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def last_full_weeks(today: date, weeks: int = 4) -> tuple[date, date]:
    """The `weeks` whole ISO weeks (Monday to Sunday) that ended before the week holding
    `today`, as inclusive first and last days: on Monday 7 Dec 2026, 9 Nov to 6 Dec."""
    end = week_start(today) - timedelta(days=1)
    return end - timedelta(days=7 * weeks - 1), end


def local_today(now: datetime, time_zone: str | None) -> date:
    """The calendar day `now` (an aware moment) falls on in `time_zone` (UTC when unknown)."""
    try:
        zone = ZoneInfo(time_zone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return now.astimezone(zone).date()


def period_range(kind: PeriodKind, anchor: date) -> tuple[date, date]:
    """The period of `kind` holding `anchor`, as inclusive first and last days (for the last
    four weeks: the four full Monday-to-Sunday weeks before the week holding `anchor`)."""
    if kind == PeriodKind.LAST_4_WEEKS:
        return last_full_weeks(anchor, 4)
    if kind == PeriodKind.WEEK:
        start = week_start(anchor)
        return start, start + timedelta(days=6)
    if kind == PeriodKind.MONTH:
        last = calendar.monthrange(anchor.year, anchor.month)[1]
        return month_start(anchor), anchor.replace(day=last)
    if kind == PeriodKind.QUARTER:
        first_month = 3 * ((anchor.month - 1) // 3) + 1
        last_month = first_month + 2
        last = calendar.monthrange(anchor.year, last_month)[1]
        return date(anchor.year, first_month, 1), date(anchor.year, last_month, last)
    raise ValueError("a custom period has no anchor: give its first and last days")


@dataclass(frozen=True)
class TrendPoint:
    start: date
    summary: Summary


def trend(
    daily: Mapping[date, Aggregate], bucket: PeriodKind, minimum: int, first: date, last: date
) -> list[TrendPoint]:
    """Weekly or monthly points from daily aggregates, every bucket of the range included."""
    if bucket not in (PeriodKind.WEEK, PeriodKind.MONTH):
        raise ValueError("a trend is by week or by month")
    key = week_start if bucket == PeriodKind.WEEK else month_start
    buckets: dict[date, Aggregate] = {}
    cursor = key(first)
    while cursor <= last:
        buckets[cursor] = Aggregate.empty()
        cursor = _next_bucket(cursor, bucket)
    for day, aggregate in daily.items():
        start = key(day)
        if start in buckets:
            buckets[start] = buckets[start] + aggregate
    return [TrendPoint(start, summarise(agg, minimum)) for start, agg in buckets.items()]


def _next_bucket(start: date, bucket: PeriodKind) -> date:
    if bucket == PeriodKind.WEEK:
        return start + timedelta(days=7)
    return date(start.year + (start.month == 12), start.month % 12 + 1, 1)


# ---- chart ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float | None  # the mean; None when there is not enough data
    y_top: float | None  # the interval's upper score (smaller y: SVG grows downwards)
    y_bottom: float | None  # the interval's lower score
    label: str


def chart_points(
    points: Sequence[TrendPoint], width: int, height: int, labels: Sequence[str]
) -> list[ChartPoint]:
    """SVG coordinates (score 0-100 upwards) of the trend points that have enough data."""
    if not points:
        return []
    step = width / max(len(points) - 1, 1)

    def y_of(value: float | None) -> float | None:
        return None if value is None else round(height - height * value / 100, 2)

    out = []
    for index, (point, label) in enumerate(zip(points, labels, strict=True)):
        s = point.summary
        mean = s.mean
        low = max(s.score.low, 0.0) if mean is not None and s.score.low is not None else None
        high = min(s.score.high, 100.0) if mean is not None and s.score.high is not None else None
        out.append(ChartPoint(round(index * step, 2), y_of(mean), y_of(high), y_of(low), label))
    return out


def _exact(value: Number) -> Fraction:
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(value)
