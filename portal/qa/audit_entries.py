"""How the QA records' audit entries read (portal/audit_display.py): evaluations, scorecards,
calibration sessions and scores, contacts, sampling rules, and the questions answers name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from portal import policy
from portal.audit_display import (
    Field,
    Line,
    answer_text,
    names_from,
    register,
    register_actions,
    visible_in_scope,
)
from portal.extensions import db
from portal.org.models import Person
from portal.policy import Area
from portal.qa import scoring
from portal.qa.evaluation_models import Evaluation, EvaluationAnswer, EvaluationRevision
from portal.qa.models import (
    Contact,
    QuestionChoice,
    Scorecard,
    ScorecardQuestion,
    ScorecardSection,
    ScorecardVersion,
)
from portal.qa.programme_models import (
    CalibrationParticipant,
    CalibrationScore,
    CalibrationSession,
    CalibrationStatus,
    SamplingRule,
)
from portal.qa.sampling_service import visible_rule_ids

EVALUATION_STATUS = {
    "draft": _l("Draft"),
    "submitted": _l("Submitted"),
    "acknowledged": _l("Acknowledged"),
    "disputed": _l("Disputed"),
    "resolved": _l("Resolved"),
}
RESOLUTION = {"upheld": _l("Upheld"), "rescored": _l("Re-scored")}
CALIBRATION_STATUS = {"open": _l("Open"), "closed": _l("Closed")}


@dataclass(frozen=True)
class QuestionWording:
    """A question as an answer to it reads: its wording, and its answers in words."""

    text: str
    answer_type: str
    scale_max: int | None = None
    choices: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.text

    def answer(self, stored: Any) -> str:
        """Yes/No, N/A, "3 of 5" or the choice's label, as the evaluation page shows them."""
        value = str(stored)
        if value == scoring.NA:
            return _("N/A")
        if self.answer_type == "yes_no":
            return _("Yes") if value == "yes" else _("No")
        if self.answer_type == "scale":
            return _("%(value)s of %(max)s", value=value, max=self.scale_max)
        return self.choices.get(value, value)


def question_wordings(ids: Sequence[int]) -> dict[int, QuestionWording]:
    """The questions with their choices, in one query."""
    rows = db.session.execute(
        select(
            ScorecardQuestion.id,
            ScorecardQuestion.text,
            ScorecardQuestion.answer_type,
            ScorecardQuestion.scale_max,
            QuestionChoice.id,
            QuestionChoice.label,
        )
        .outerjoin(QuestionChoice, QuestionChoice.question_id == ScorecardQuestion.id)
        .where(ScorecardQuestion.id.in_(ids))
    ).all()
    found: dict[int, QuestionWording] = {}
    for qid, text, answer_type, scale_max, choice_id, choice_label in rows:
        wording = found.setdefault(qid, QuestionWording(text, answer_type, scale_max))
        if choice_id is not None:
            wording.choices[str(choice_id)] = choice_label
    return found


_evaluation_names = names_from(
    select(Evaluation.id, Person.name, Contact.external_id)
    .join(Person, Person.id == Evaluation.person_id)
    .join(Contact, Contact.id == Evaluation.contact_id),
    Evaluation,
    lambda agent, contact: _(
        "Evaluation of %(agent)s (contact %(contact)s)", agent=agent, contact=contact
    ),
)


def _visible_evaluations(viewer: Person, ids: Sequence[int]) -> list[int]:
    stmt = select(Evaluation.id).where(Evaluation.id.in_(ids))
    return list(db.session.execute(policy.scoped_evaluations(stmt, Evaluation, viewer)).scalars())


def _evaluation_answers(
    entries: Sequence[tuple[int, int, str, Any]],
) -> Mapping[int, list[Line]]:
    """The answers of the revision a submit or re-score recorded (frozen once submitted), in
    words: one query for the page."""
    wanted = set()
    for entry_id, record_id, action, after in entries:
        if action not in ("evaluation.submit", "evaluation.rescore") or not isinstance(after, dict):
            continue
        # The log keeps changed keys only: a submit leaves the revision unchanged, and only a
        # draft (always revision 1; re-scores add revisions after it) is ever submitted.
        number = after.get("revision", 1 if action == "evaluation.submit" else None)
        if isinstance(number, int):
            wanted.add((entry_id, record_id, number))
    if not wanted:
        return {}
    pairs = {(record_id, number) for _entry, record_id, number in wanted}
    rows = db.session.execute(
        select(
            EvaluationRevision.evaluation_id,
            EvaluationRevision.number,
            EvaluationAnswer.question_id,
            EvaluationAnswer.value,
        )
        .join(EvaluationAnswer, EvaluationAnswer.revision_id == EvaluationRevision.id)
        .join(ScorecardQuestion, ScorecardQuestion.id == EvaluationAnswer.question_id)
        .join(ScorecardSection, ScorecardSection.id == ScorecardQuestion.section_id)
        .where(
            or_(
                *(
                    and_(EvaluationRevision.evaluation_id == e, EvaluationRevision.number == n)
                    for e, n in pairs
                )
            )
        )
        .order_by(ScorecardSection.position, ScorecardQuestion.position)
    ).all()
    answers: dict[tuple[int, int], list[tuple[int, str]]] = {}
    for evaluation_id, number, question_id, value in rows:
        answers.setdefault((evaluation_id, number), []).append((question_id, value))
    wordings = question_wordings(sorted({q for pairs_ in answers.values() for q, _v in pairs_}))
    lines: dict[int, list[Line]] = {}
    for entry_id, record_id, number in wanted:
        for question_id, value in answers.get((record_id, number), []):
            question = wordings.get(question_id)
            label = str(question) if question else _("Question #%(id)s", id=question_id)
            section = _("Answers (revision %(n)d)", n=number)
            lines.setdefault(entry_id, []).append(
                Line(label, None, answer_text(question, value), section=section)
            )
    return lines


def _scorecard_names(ids: Sequence[int]) -> dict[int, str]:
    rows = db.session.execute(select(Scorecard.id, Scorecard.name).where(Scorecard.id.in_(ids)))
    return dict(rows.tuples().all())


def _version_names(ids: Sequence[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(ScorecardVersion.id, Scorecard.name, ScorecardVersion.number)
        .join(Scorecard, Scorecard.id == ScorecardVersion.scorecard_id)
        .where(ScorecardVersion.id.in_(ids))
    ).all()
    return {vid: _("%(name)s, version %(n)d", name=name, n=n) for vid, name, n in rows}


def _visible_scorecards(viewer: Person, ids: Sequence[int]) -> list[int]:
    return list(ids) if policy.can(viewer, "scorecard.view") else []


def _contact_names(ids: Sequence[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(Contact.id, Contact.source, Contact.external_id).where(Contact.id.in_(ids))
    ).all()
    return {cid: f"{source} · {external}" for cid, source, external in rows}


def _session_names(ids: Sequence[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(CalibrationSession.id, CalibrationSession.title).where(
            CalibrationSession.id.in_(ids)
        )
    )
    return dict(rows.tuples().all())


def _visible_sessions(viewer: Person, ids: Sequence[int]) -> list[int]:
    """The lead, the invited evaluators and HR (policy's "calibration.view"), in one query."""
    stmt = select(CalibrationSession.id).where(CalibrationSession.id.in_(ids))
    if not policy.is_hr(viewer):
        invited = select(CalibrationParticipant.session_id).where(
            CalibrationParticipant.evaluator_id == viewer.id
        )
        stmt = stmt.where(
            or_(CalibrationSession.lead_id == viewer.id, CalibrationSession.id.in_(invited))
        )
    return list(db.session.execute(stmt).scalars())


def _calibration_score_names(ids: Sequence[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(CalibrationScore.id, Person.name, CalibrationSession.title)
        .join(Person, Person.id == CalibrationScore.evaluator_id)
        .join(CalibrationSession, CalibrationSession.id == CalibrationScore.session_id)
        .where(CalibrationScore.id.in_(ids))
    ).all()
    return {
        sid: _("%(who)s's score in “%(session)s”", who=who, session=title)
        for sid, who, title in rows
    }


def _scores_in_open_sessions(viewer: Person, ids: Sequence[int]) -> list[int]:
    """Scores of sessions still open, except the viewer's own: calibration is blind until the
    lead closes the session, the audit log included (one query)."""
    stmt = (
        select(CalibrationScore.id)
        .join(CalibrationSession, CalibrationSession.id == CalibrationScore.session_id)
        .where(
            CalibrationScore.id.in_(ids),
            CalibrationSession.status == CalibrationStatus.OPEN,
            CalibrationScore.evaluator_id != viewer.id,
        )
    )
    return list(db.session.execute(stmt).scalars())


def _rule_names(ids: Sequence[int]) -> dict[int, str]:
    rows = db.session.execute(
        select(SamplingRule.id, SamplingRule.name).where(SamplingRule.id.in_(ids))
    )
    return dict(rows.tuples().all())


register(
    "question",
    label=_l("Question"),
    describe=question_wordings,
)
register(
    "evaluation",
    label=_l("Evaluation"),
    describe=_evaluation_names,
    link=("qa.evaluation_detail", "evaluation_id"),
    visible=_visible_evaluations,
    fields={
        "status": Field(_l("Status"), kind="enum", labels=EVALUATION_STATUS),
        "score": Field(_l("Score"), format=scoring.format_score),
        "critical_failed": Field(_l("Critical fail")),
        "resolution": Field(_l("Resolution"), kind="enum", labels=RESOLUTION),
        "revision": Field(_l("Revision")),
        "answers": Field(_l("Questions answered")),
        "reason": Field(_l("Reason")),
        "questions": Field(_l("Disputed questions"), kind="per_question"),
    },
    actions={
        "evaluation.start": _l("Evaluation started"),
        "evaluation.save_draft": _l("Evaluation draft saved"),
        "evaluation.discard": _l("Evaluation draft discarded"),
        "evaluation.submit": _l("Evaluation submitted"),
        "evaluation.acknowledge": _l("Evaluation acknowledged"),
        "evaluation.dispute": _l("Evaluation disputed"),
        "evaluation.uphold": _l("Dispute resolved: score upheld"),
        "evaluation.rescore": _l("Dispute resolved: re-scored"),
    },
    details=_evaluation_answers,
)
register(
    "scorecard",
    label=_l("Scorecard"),
    describe=_scorecard_names,
    link=("qa.scorecard_detail", "scorecard_id"),
    visible=_visible_scorecards,
    fields={
        "name": Field(_l("Name")),
        "description": Field(_l("Description")),
        "is_archived": Field(_l("Archived")),
        "channels": Field(_l("Channels")),
        "market_ids": Field(_l("Markets"), kind="ref", ref="market"),
        "current_version_id": Field(_l("Current version"), kind="ref", ref="scorecard_version"),
    },
    actions={
        "scorecard.create": _l("Scorecard created"),
        "scorecard.edit": _l("Scorecard edited"),
        "scorecard.publish": _l("Scorecard version published"),
        "scorecard.version_create": _l("Scorecard version drafted"),
    },
)
register("scorecard_version", label=_l("Scorecard version"), describe=_version_names)
register(
    "contact",
    label=_l("Contact"),
    describe=_contact_names,
    link=("qa.contact_detail", "contact_id"),
    visible=visible_in_scope(Contact, Area.QA),
)
register(
    "calibration_session",
    label=_l("Calibration session"),
    describe=_session_names,
    link=("qaprog.calibration_detail", "session_id"),
    visible=_visible_sessions,
    fields={
        "title": Field(_l("Title")),
        "status": Field(_l("Status"), kind="enum", labels=CALIBRATION_STATUS),
        "scorecard_version_id": Field(_l("Scorecard"), kind="ref", ref="scorecard_version"),
        "contact_ids": Field(_l("Contacts"), kind="ref", ref="contact"),
        "evaluator_ids": Field(_l("Evaluators"), kind="ref", ref="person"),
    },
)
register_actions(
    {
        "calibration.create": _l("Calibration session created"),
        "calibration.close": _l("Calibration session closed"),
        "calibration.score": _l("Calibration contact scored"),
    },
    group=("calibration", _l("Calibration")),
)
register(
    "calibration_score",
    label=_l("Calibration score"),
    describe=_calibration_score_names,
    hidden=_scores_in_open_sessions,
    hidden_note=_l("Hidden until the session is closed"),
    fields={
        "score": Field(_l("Score"), format=scoring.format_score),
        "answers": Field(_l("Answers"), kind="answers"),
        "comments": Field(_l("Comments"), kind="per_question"),
        "overall_comment": Field(_l("Overall comment")),
    },
)
register(
    "sampling_rule",
    label=_l("Sampling rule"),
    describe=_rule_names,
    link=("qaprog.sampling_rule_detail", "rule_id"),
    visible=visible_rule_ids,  # the rule page's own check
    fields={
        "name": Field(_l("Name")),
        "root_person_id": Field(_l("Team"), kind="ref", ref="person"),
        "market_id": Field(_l("Market"), kind="ref", ref="market"),
        "is_active": Field(_l("Active")),
    },
)
register_actions(
    {"qa_report.export": _l("QA report exported")}, group=("qa_report", _l("QA reports"))
)
