"""Pre-aggregated QA figures per org node and local day, refreshed by `flask rollups refresh`.

`QaRollupDaily`: one row per (node, time zone, local day, agent market, agent segment, contact
channel, contact market, contact segment) with the sums `qa.rollup_queries` computes over the
submitted evaluations of everyone at or below the node: count, count scored, sum and sum of
squares of scores, critical fails, and the count per score bin (the distribution).
`QaRollupQuestion`: per (node, time zone, local day, question) how often the question was
answered (not N/A) and failed on the evaluations' current revisions.
`QaRollupPeople`: per (time zone, local month, agent, evaluator) the same sums, for the QA
report's tables by agent, team and evaluator (`qa.rollup_people`).

Days are local days in a time zone (the viewers' periods are), so a node is rolled up once per
time zone of the people who may read it whole (the node, their managers, HR). The state
(`RollupState` named "qa") records the moment of the refresh and the (node, zone) pairs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, IdMixin
from portal.qa.rollups import BIN_COUNT

# Unconstrained NUMERIC on PostgreSQL: the sums (and sums of squares) of NUMERIC(11, 8) scores
# are kept exact, as the raw aggregates are.
EXACT_SUM = Numeric()
BIN_NAMES = tuple(f"bin_{index}" for index in range(BIN_COUNT))


class QaRollupDaily(IdMixin, Base):
    __tablename__ = "qa_rollup_daily"
    __table_args__ = (
        Index("ix_qa_rollup_daily_node_id_time_zone_day", "node_id", "time_zone", "day"),
    )
    node_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    time_zone: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    market_id: Mapped[int | None] = mapped_column(Integer)  # the agent's
    segment_id: Mapped[int | None] = mapped_column(Integer)  # the agent's
    channel: Mapped[str] = mapped_column(String(16))  # the contact's
    contact_market_id: Mapped[int | None] = mapped_column(Integer)
    contact_segment_id: Mapped[int | None] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer)
    n_scored: Mapped[int] = mapped_column(Integer)
    score_sum: Mapped[Decimal] = mapped_column(EXACT_SUM)
    score_squares: Mapped[Decimal] = mapped_column(EXACT_SUM)
    n_critical: Mapped[int] = mapped_column(Integer)
    bin_0: Mapped[int] = mapped_column(Integer)
    bin_1: Mapped[int] = mapped_column(Integer)
    bin_2: Mapped[int] = mapped_column(Integer)
    bin_3: Mapped[int] = mapped_column(Integer)
    bin_4: Mapped[int] = mapped_column(Integer)
    bin_5: Mapped[int] = mapped_column(Integer)
    bin_6: Mapped[int] = mapped_column(Integer)
    bin_7: Mapped[int] = mapped_column(Integer)
    bin_8: Mapped[int] = mapped_column(Integer)
    bin_9: Mapped[int] = mapped_column(Integer)


class QaRollupQuestion(IdMixin, Base):
    __tablename__ = "qa_rollup_question"
    __table_args__ = (
        Index("ix_qa_rollup_question_node_id_time_zone_day", "node_id", "time_zone", "day"),
    )
    node_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    time_zone: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    question_id: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)


class QaRollupPeople(IdMixin, Base):
    """Per time zone, local month, agent and evaluator: the sums the QA report's tables by
    agent, team and evaluator add up (no node: a read joins the agent's person row). A month's
    row holds its local days through the refresh's last day (the current month: so far)."""

    __tablename__ = "qa_rollup_people"
    __table_args__ = (Index("ix_qa_rollup_people_time_zone_month", "time_zone", "month"),)
    time_zone: Mapped[str] = mapped_column(String(64))
    month: Mapped[date] = mapped_column(Date)  # its first day
    person_id: Mapped[int] = mapped_column(Integer)  # the agent
    evaluator_id: Mapped[int] = mapped_column(Integer)
    n: Mapped[int] = mapped_column(Integer)
    n_scored: Mapped[int] = mapped_column(Integer)
    score_sum: Mapped[Decimal] = mapped_column(EXACT_SUM)
    score_squares: Mapped[Decimal] = mapped_column(EXACT_SUM)
    n_critical: Mapped[int] = mapped_column(Integer)


# The raw reads beside the roll-up: the days after its watermark (by submission time) and the
# evaluations changed since the refresh (by update time).
def _evaluation_indexes() -> None:
    from portal.qa.evaluation_models import Evaluation

    Index("ix_evaluation_submitted_at", Evaluation.submitted_at)
    Index("ix_evaluation_updated_at", Evaluation.updated_at)


_evaluation_indexes()
