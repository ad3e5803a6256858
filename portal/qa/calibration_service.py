"""Calibration sessions: a lead picks contacts and a published scorecard version, invites
evaluators; everyone scores blind until the lead closes the session; then the results compare
each evaluator with the lead (the reference).

Blindness is enforced here: while a session is open, `own_scores` returns only the viewer's own
scorings and `results_for` refuses. Calibration scores are kept in calibration_* tables, never in
`evaluation`, so they can never count in an agent's results; agents are never members.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from portal import audit, policy
from portal.db import utcnow
from portal.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from portal.extensions import db
from portal.notify import service as notify_service
from portal.org.models import Person
from portal.params import parse_int
from portal.policy import Area
from portal.qa import calibration, calibration_grid, contacts, programme_choices, scoring
from portal.qa.evaluation_maths import answer_field, comment_field
from portal.qa.evaluations import COMMENT_MAX
from portal.qa.models import Contact, ScorecardQuestion, ScorecardSection, ScorecardVersion
from portal.qa.programme_models import (
    CalibrationAnswer,
    CalibrationContact,
    CalibrationParticipant,
    CalibrationScore,
    CalibrationSession,
    CalibrationStatus,
)

MAX_CONTACTS = 20
PICKER_PAGE = 15  # contacts per page of the picker

notify_service.register_kind(
    "calibration.invited",
    _l("%(actor)s invited you to score the calibration session “%(title)s”"),
    label=_l("I was invited to score a calibration session"),
)
notify_service.register_kind(
    "calibration.closed",
    _l("%(actor)s closed the calibration session “%(title)s”: see the results"),
    label=_l("A calibration session I scored was closed"),
)


def _session_url(session: CalibrationSession) -> str:
    return f"/qa/programme/calibration/{session.id}"


def sessions_for(viewer: Person) -> list[CalibrationSession]:
    """Sessions the viewer leads or was invited to (HR: every session), newest first."""
    policy.require(viewer, "calibration.list")
    stmt = select(CalibrationSession).options(
        joinedload(CalibrationSession.lead),
        selectinload(CalibrationSession.participants),
        selectinload(CalibrationSession.contacts),
    )
    if not policy.is_hr(viewer):
        stmt = stmt.where(_member_of(viewer))
    stmt = stmt.order_by(CalibrationSession.created_at.desc(), CalibrationSession.id.desc())
    return list(db.session.execute(stmt.limit(200)).unique().scalars())


def _member_of(viewer: Person):  # noqa: ANN202
    """Sessions the viewer leads or was invited to (a condition on CalibrationSession)."""
    invited = select(CalibrationParticipant.session_id).where(
        CalibrationParticipant.evaluator_id == viewer.id
    )
    return or_(CalibrationSession.lead_id == viewer.id, CalibrationSession.id.in_(invited))


def sessions_to_score(viewer: Person) -> list[tuple[int, str]]:
    """(id, title) of the open sessions of sessions_for in which the viewer scores (lead or
    invited: calibration.score) and has not yet scored every contact, newest first; one
    statement."""
    contacts = (
        select(func.count())
        .select_from(CalibrationContact)
        .where(CalibrationContact.session_id == CalibrationSession.id)
        .scalar_subquery()
    )
    scored = (
        select(func.count())
        .select_from(CalibrationScore)
        .where(
            CalibrationScore.session_id == CalibrationSession.id,
            CalibrationScore.evaluator_id == viewer.id,
        )
        .scalar_subquery()
    )
    stmt = (
        select(CalibrationSession.id, CalibrationSession.title)
        .where(
            CalibrationSession.status == CalibrationStatus.OPEN.value,
            _member_of(viewer),
            scored < contacts,
        )
        .order_by(CalibrationSession.created_at.desc(), CalibrationSession.id.desc())
    )
    return [(sid, title) for sid, title in db.session.execute(stmt.limit(200))]


def get_session(viewer: Person, session_id: int) -> CalibrationSession:
    """A session the viewer is a member of (lead, invited, HR); 404 otherwise."""
    session = db.session.get(CalibrationSession, session_id)
    if session is None or not policy.can(viewer, "calibration.view", session):
        raise NotFound()
    return session


def parse_contact_ids(values: list[str]) -> list[int]:
    """The picked contacts' ids, in the order picked, once each."""
    ids: list[int] = []
    for part in values:
        value = parse_int(part, minimum=1)
        if value is None:
            raise ValidationFailed(field_errors={"contacts": [_("Choose contacts from the list.")]})
        if value not in ids:
            ids.append(value)
    return ids


def pickable_contacts(
    lead: Person, filters: contacts.ContactFilters, *, after: str | None = None
) -> contacts.ContactPage:
    """One page of the contacts the lead may calibrate on: those the QA scope lets them see."""
    policy.require(lead, "calibration.create")
    return contacts.contacts_for(lead, filters, after=after, limit=PICKER_PAGE)


def picked_contacts(lead: Person, contact_ids: list[int]) -> list[contacts.ContactRow]:
    """The picked contacts the lead may see, in the order picked (others are left out)."""
    if not contact_ids:
        return []
    filters = contacts.ContactFilters(ids=tuple(contact_ids[: MAX_CONTACTS * 2]))
    rows = contacts.contacts_for(lead, filters, limit=MAX_CONTACTS * 2).rows
    by_id = {row.id: row for row in rows}
    return [by_id[i] for i in contact_ids if i in by_id]


def create_session(
    lead: Person,
    *,
    title: str,
    scorecard_version_id: int | None,
    contact_ids: list[int],
    evaluator_ids: list[int],
) -> CalibrationSession:
    policy.require(lead, "calibration.create")
    errors: dict[str, list[str]] = {}
    version = db.session.get(ScorecardVersion, scorecard_version_id or 0)
    if version is None or not version.is_published:
        errors["scorecard_version"] = [_("Choose a published scorecard version.")]
    if not contact_ids:
        errors["contacts"] = [_("Give at least one contact.")]
    elif len(contact_ids) > MAX_CONTACTS:
        errors["contacts"] = [_("At most %(n)d contacts per session.", n=MAX_CONTACTS)]
    else:
        visible = set(
            db.session.execute(
                policy.scoped(
                    select(Contact.id).where(Contact.id.in_(contact_ids)), Contact, lead, Area.QA
                )
            ).scalars()
        )
        if any(i not in visible for i in contact_ids):
            errors["contacts"] = [
                _("Choose contacts from the list: some of those chosen are not ones you can see.")
            ]
    allowed = {c.id for c in programme_choices.reviewers_for(lead)}
    if not evaluator_ids:
        errors["evaluators"] = [_("Invite at least one evaluator.")]
    elif any(e not in allowed for e in evaluator_ids):
        errors["evaluators"] = [_("Invite evaluators from the list.")]
    if errors:
        raise ValidationFailed(field_errors=errors)
    session = CalibrationSession(
        title=title,
        lead_id=lead.id,
        scorecard_version_id=version.id,  # type: ignore[union-attr]
    )
    session.contacts = [
        CalibrationContact(contact_id=c, position=i) for i, c in enumerate(contact_ids)
    ]
    session.participants = [
        CalibrationParticipant(evaluator_id=e) for e in sorted(set(evaluator_ids))
    ]
    db.session.add(session)
    db.session.flush()
    audit.record(
        lead, "calibration.create", "calibration_session", session.id, None, session.snapshot()
    )
    for participant in session.participants:
        notify_service.notify(
            participant.evaluator_id,
            lead,
            "calibration.invited",
            "calibration_session",
            session.id,
            _session_url(session),
            title=session.title,
        )
    db.session.commit()
    return session


def session_contact(session: CalibrationSession, contact_id: int) -> Contact:
    link = next((c for c in session.contacts if c.contact_id == contact_id), None)
    if link is None:
        raise NotFound()
    return link.contact


def own_scores(viewer: Person, session: CalibrationSession) -> dict[int, CalibrationScore]:
    """The viewer's own scorings in the session, by contact: all a scorer sees while open."""
    rows = db.session.execute(
        select(CalibrationScore).where(
            CalibrationScore.session_id == session.id,
            CalibrationScore.evaluator_id == viewer.id,
        )
    ).scalars()
    return {row.contact_id: row for row in rows}


def progress(session: CalibrationSession) -> dict[int, int]:
    """How many people have scored each contact (counts only: no one's answers)."""
    rows = db.session.execute(
        select(CalibrationScore.contact_id, func.count())
        .where(CalibrationScore.session_id == session.id)
        .group_by(CalibrationScore.contact_id)
    ).all()
    return {contact_id: int(n) for contact_id, n in rows}


@dataclass(frozen=True)
class AnswerError:
    question_id: int
    message: str


def parse_answers(
    spec: scoring.CardSpec, raw: dict[int, str]
) -> tuple[dict[int, scoring.AnswerValue], list[AnswerError]]:
    """Form values to answers the score function reads; an error per unusable answer."""
    answers: dict[int, scoring.AnswerValue] = {}
    errors = []
    for question in spec.questions():
        value = (raw.get(question.id) or "").strip()
        if not value:
            errors.append(AnswerError(question.id, _("Answer this question.")))
            continue
        if value == scoring.NA:
            answers[question.id] = scoring.NA
        elif question.type == scoring.QuestionType.SCALE:
            try:
                answers[question.id] = int(value)
            except ValueError:
                errors.append(AnswerError(question.id, _("Choose a value on the scale.")))
        else:
            answers[question.id] = value
    if not errors:
        try:
            scoring.score(spec, answers)
        except scoring.InvalidAnswer as problem:
            errors.append(AnswerError(int(problem.question_id), _("This answer is not allowed.")))
    return answers, errors


@dataclass(frozen=True)
class Comments:
    """A scoring's comments as typed: per question id, and overall."""

    per_question: dict[int, str]
    overall: str = ""


def comments_from_form(spec: scoring.CardSpec, form: dict[str, str]) -> Comments:
    """The evaluation form's comment fields (comment_field(q), overall_comment) as typed."""
    return Comments(
        per_question={q.id: form.get(comment_field(q.id)) or "" for q in spec.questions()},
        overall=form.get("overall_comment") or "",
    )


def comment_errors(comments: Comments) -> dict[str, list[str]]:
    """A message per comment field over the evaluation form's limit (trimmed text counts)."""
    too_long = [_("Keep this under %(n)d characters.", n=COMMENT_MAX)]
    errors = {
        comment_field(qid): list(too_long)
        for qid, text in comments.per_question.items()
        if len(text.strip()) > COMMENT_MAX
    }
    if len(comments.overall.strip()) > COMMENT_MAX:
        errors["overall_comment"] = list(too_long)
    return errors


def form_values(record: CalibrationScore) -> dict[str, str]:
    """A stored scoring as the evaluation form's fields: answers and comments, pre-filled."""
    values = {"overall_comment": record.overall_comment or ""}
    for answer in record.answers:
        values[answer_field(answer.question_id)] = answer.value
        if answer.comment:
            values[comment_field(answer.question_id)] = answer.comment
    return values


def _stored(text: str | None) -> str | None:
    """Trimmed; an empty comment is no comment."""
    return (text or "").strip() or None


def submit_score(
    by: Person,
    session: CalibrationSession,
    contact_id: int,
    answers: dict,
    comments: Comments | None = None,
) -> CalibrationScore:
    """Score (or score again) one contact blind; the score is computed here, never trusted.
    Comments are trimmed, empty ones dropped; one over the limit raises ValidationFailed."""
    if not policy.can(by, "calibration.score", session):
        if not session.is_open:
            raise InvalidTransition(_("This session is closed."))
        policy.require(by, "calibration.score", session)
    session_contact(session, contact_id)
    comments = comments or Comments({})
    errors = comment_errors(comments)
    if errors:
        raise ValidationFailed(field_errors=errors)
    result = scoring.score(session.scorecard_version.spec(), answers)
    overall = result.overall
    record = db.session.execute(
        select(CalibrationScore).where(
            CalibrationScore.session_id == session.id,
            CalibrationScore.contact_id == contact_id,
            CalibrationScore.evaluator_id == by.id,
        )
    ).scalar_one_or_none()
    before = _score_snapshot(record) if record else None
    if record is None:
        record = CalibrationScore(session_id=session.id, contact_id=contact_id, evaluator_id=by.id)
        db.session.add(record)
    record.score = None if overall is None else _decimal(overall)
    record.score_exact = None if overall is None else f"{overall.numerator}/{overall.denominator}"
    record.critical_failed = bool(result.critical_failures)
    record.overall_comment = _stored(comments.overall)
    record.submitted_at = utcnow()
    record.answers = [
        CalibrationAnswer(
            question_id=q, value=str(v), comment=_stored(comments.per_question.get(q))
        )
        for q, v in answers.items()
    ]
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("You scored this contact in another window; reload.")) from None
    audit.record(
        by, "calibration.score", "calibration_score", record.id, before, _score_snapshot(record)
    )
    db.session.commit()
    return record


def _score_snapshot(record: CalibrationScore) -> dict:
    snapshot = {
        "score": record.score_exact,
        "answers": {str(a.question_id): a.value for a in record.answers},
    }
    comments = {str(a.question_id): a.comment for a in record.answers if a.comment}
    if comments:
        snapshot["comments"] = comments
    if record.overall_comment:
        snapshot["overall_comment"] = record.overall_comment
    return snapshot


def _decimal(value) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("1e-8"))


def close_session(by: Person, session: CalibrationSession, *, expected_version: int) -> None:
    """Close scoring; the lead must have scored every contact (the reference)."""
    policy.require(by, "calibration.close", session)
    if str(session.version) != str(expected_version):
        raise Conflict()
    if not session.is_open:
        raise InvalidTransition(_("This session is already closed."))
    lead_scored = set(own_scores(by, session))
    if any(c.contact_id not in lead_scored for c in session.contacts):
        raise Conflict(_("Score every contact yourself first: your scoring is the reference."))
    before = session.snapshot()
    session.status = CalibrationStatus.CLOSED
    session.closed_at = utcnow()
    audit.record(
        by, "calibration.close", "calibration_session", session.id, before, session.snapshot()
    )
    for participant in session.participants:
        notify_service.notify(
            participant.evaluator_id,
            by,
            "calibration.closed",
            "calibration_session",
            session.id,
            _session_url(session) + "/results",
            title=session.title,
        )
    db.session.commit()


def results_for(viewer: Person, session: CalibrationSession) -> calibration.CalibrationResult:
    """The results of a closed session (blind until then: InvalidTransition)."""
    questions, contact_ids, scorings, _comments = _inputs(session, _questions(session))
    return _computed(questions, contact_ids, session.lead_id, scorings, session.id)


@dataclass(frozen=True)
class ResultsView:
    result: calibration.CalibrationResult
    grid: calibration_grid.Grid
    contacts: dict[int, Contact]  # the session's contacts, by id
    choice_labels: dict[str, str]  # stored choice ids to their labels
    n_with_reference: int  # contacts the lead scored: what the figures rest on
    too_few: bool  # too few of them to estimate alpha's interval


def results_view(viewer: Person, session: CalibrationSession) -> ResultsView:
    """Everything the results page shows, in a fixed number of queries."""
    cards = _questions(session)
    questions, contact_ids, scorings, comments = _inputs(session, cards)
    result = _computed(questions, contact_ids, session.lead_id, scorings, session.id)
    n_with_reference = len(contact_ids) - len(result.missing_reference)
    return ResultsView(
        result=result,
        grid=calibration_grid.build_grid(
            questions, contact_ids, session.lead_id, scorings, comments
        ),
        contacts=session_contacts(session),
        choice_labels={str(c.id): c.label for q in cards for c in q.choices},
        n_with_reference=n_with_reference,
        too_few=calibration_grid.too_few_to_estimate(n_with_reference),
    )


_RESULTS: OrderedDict[tuple, calibration.CalibrationResult] = OrderedDict()
_RESULTS_KEPT = 64
_RESULTS_LOCK = threading.Lock()  # request threads share the cache: read, evict, reorder under it


def _computed(
    questions: list[calibration.QuestionInfo],
    contact_ids: list[int],
    lead_id: int,
    scorings: list[calibration.Scoring],
    seed: int,
) -> calibration.CalibrationResult:
    """calibration.compute, remembered per process by its inputs: a closed session's scorings
    never change, and everyone opening the results in a meeting gets the figures computed once
    (the bootstrap intervals are the costly part). Keyed by content, never by id alone."""
    key = (
        tuple(questions),
        tuple(contact_ids),
        lead_id,
        tuple(
            (s.contact_id, s.evaluator_id, s.score, tuple(sorted(s.answers.items())))
            for s in sorted(scorings, key=lambda s: (s.contact_id, s.evaluator_id))
        ),
        seed,
    )
    with _RESULTS_LOCK:
        result = _RESULTS.get(key)
        if result is not None:
            _RESULTS.move_to_end(key)
            return result
    # Computed outside the lock: two threads may both compute the same figures once; same result.
    result = calibration.compute(questions, contact_ids, lead_id, scorings, seed=seed)
    with _RESULTS_LOCK:
        _RESULTS[key] = result
        while len(_RESULTS) > _RESULTS_KEPT:
            _RESULTS.popitem(last=False)
    return result


def _inputs(
    session: CalibrationSession, cards: list[ScorecardQuestion]
) -> tuple[
    list[calibration.QuestionInfo],
    list[int],
    list[calibration.Scoring],
    list[calibration_grid.ScoringComments],
]:
    """The closed session's scorings and their comments (blind while open: InvalidTransition)."""
    if session.is_open:
        raise InvalidTransition(_("Results appear when the lead closes the session."))
    rows = (
        db.session.execute(
            select(CalibrationScore)
            .where(CalibrationScore.session_id == session.id)
            .options(selectinload(CalibrationScore.answers))
        )
        .scalars()
        .all()
    )
    scorings = [
        calibration.Scoring(
            contact_id=row.contact_id,
            evaluator_id=row.evaluator_id,
            score=row.score,
            answers={a.question_id: a.value for a in row.answers},
        )
        for row in rows
    ]
    comments = [
        calibration_grid.ScoringComments(
            contact_id=row.contact_id,
            evaluator_id=row.evaluator_id,
            per_question={a.question_id: a.comment for a in row.answers if a.comment},
            overall=row.overall_comment,
        )
        for row in rows
    ]
    questions = [calibration.QuestionInfo(q.id, q.text, q.answer_type, q.scale_max) for q in cards]
    return questions, [c.contact_id for c in session.contacts], scorings, comments


def _questions(session: CalibrationSession) -> list[ScorecardQuestion]:
    """The session's scorecard questions in order, choices loaded (a fixed number of queries)."""
    sections = db.session.execute(
        select(ScorecardSection)
        .where(ScorecardSection.version_id == session.scorecard_version_id)
        .options(selectinload(ScorecardSection.questions).selectinload(ScorecardQuestion.choices))
        .order_by(ScorecardSection.position, ScorecardSection.id)
    ).scalars()
    return [q for section in sections for q in section.questions]


def session_contacts(session: CalibrationSession) -> dict[int, Contact]:
    """The session's contacts by id, in one query (their agents: agent_names, scoped)."""
    ids = [c.contact_id for c in session.contacts]
    rows = db.session.execute(select(Contact).where(Contact.id.in_(ids))).scalars()
    return {c.id: c for c in rows}


def agent_names(viewer: Person, contacts: Iterable[Contact]) -> dict[int, str]:
    """The agents' names of the contacts, by contact id, for those whose agent is in the
    viewer's QA scope (policy.scoped, one query): an invited scorer from another team scores
    blind to who the agent is, as on the scoring page."""
    ids = [c.id for c in contacts]
    if not ids:
        return {}
    stmt = (
        select(Contact.id, Person.name)
        .join(Person, Person.id == Contact.person_id)
        .where(Contact.id.in_(ids))
    )
    return dict(db.session.execute(policy.scoped(stmt, Contact, viewer, Area.QA)).tuples().all())


def people_names(ids: list[int]) -> dict[int, str]:
    """Names of a session's members (already known to every member)."""
    if not ids:
        return {}
    rows = db.session.execute(select(Person.id, Person.name).where(Person.id.in_(ids)))
    return {i: name for i, name in rows}
