"""Leniency aggregates from SQL: calibration differences and comparable-cell sums."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from portal import policy
from portal.extensions import db
from portal.org.models import Person
from portal.policy import Area
from portal.qa import leniency
from portal.qa.evaluation_models import Evaluation
from portal.qa.models import Contact
from portal.qa.programme_models import (
    CalibrationParticipant,
    CalibrationScore,
    CalibrationSession,
    CalibrationStatus,
)
from portal.qa.rollup_queries import COUNTED


def month_of(column: Any) -> Any:
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def calibration_rows(viewer: Person, since: datetime) -> list[tuple[int, str, int, Any]]:
    """Per evaluator and month of closing: n and Σ(own - reference) over closed sessions the
    viewer leads or joined (HR: all)."""
    reference = aliased(CalibrationScore)
    month = month_of(CalibrationSession.closed_at)
    stmt = (
        select(
            CalibrationScore.evaluator_id,
            month,
            func.count(),
            func.sum(CalibrationScore.score - reference.score),
        )
        .join(CalibrationSession, CalibrationSession.id == CalibrationScore.session_id)
        .join(
            reference,
            (reference.session_id == CalibrationScore.session_id)
            & (reference.contact_id == CalibrationScore.contact_id)
            & (reference.evaluator_id == CalibrationSession.lead_id),
        )
        .where(
            CalibrationSession.status == CalibrationStatus.CLOSED.value,
            CalibrationSession.closed_at >= since,
            CalibrationScore.evaluator_id != CalibrationSession.lead_id,
            CalibrationScore.score.is_not(None),
            reference.score.is_not(None),
        )
        .group_by(CalibrationScore.evaluator_id, month)
    )
    if not policy.is_hr(viewer):
        joined = select(CalibrationParticipant.session_id).where(
            CalibrationParticipant.evaluator_id == viewer.id
        )
        stmt = stmt.where(
            or_(CalibrationSession.lead_id == viewer.id, CalibrationSession.id.in_(joined))
        )
    return [(int(e), str(m), int(n), total) for e, m, n, total in db.session.execute(stmt)]


def cell_sums(viewer: Person, since: datetime) -> list[leniency.CellSum]:
    """Submitted evaluations of agents the viewer may see, summed per evaluator and cell."""
    month = month_of(Evaluation.submitted_at)
    stmt = (
        select(
            Evaluation.evaluator_id,
            Evaluation.scorecard_version_id,
            Contact.channel,
            month,
            func.count(),
            func.sum(Evaluation.score),
        )
        .join(Contact, Contact.id == Evaluation.contact_id)
        .where(
            Evaluation.status.in_(COUNTED),
            Evaluation.score.is_not(None),
            Evaluation.submitted_at >= since,
        )
        .group_by(Evaluation.evaluator_id, Evaluation.scorecard_version_id, Contact.channel, month)
    )
    stmt = policy.scoped(stmt, Evaluation, viewer, Area.QA)
    return [
        leniency.CellSum(int(e), str(m), (version, channel, str(m)), int(n), total)
        for e, version, channel, m, n, total in db.session.execute(stmt)
    ]


def names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(db.session.execute(select(Person.id, Person.name).where(Person.id.in_(ids))).all())
