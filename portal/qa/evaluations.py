"""The evaluation lifecycle: start, save a draft, submit, acknowledge, dispute, resolve.

draft -> submitted -> acknowledged
                   -> disputed -> resolved (upheld, or re-scored as a new revision)

Every step checks the policy, the state and the form's version (a stale form raises Conflict),
computes any score on the server from the stored scorecard version, audits the change,
notifies the other party and commits once.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import audit, policy
from portal.db import create_once, utcnow
from portal.errors import Conflict, DomainError, InvalidTransition, NotFound, ValidationFailed
from portal.extensions import db
from portal.notify.service import notify, register_kind
from portal.org.models import Person
from portal.qa import scoring
from portal.qa.evaluation_maths import (
    AnswerChange,
    answer_field,
    comment_field,
    diff_answers,
    parse_answers,
    stored_value,
    typed_value,  # noqa: F401  (re-exported for the pages)
)
from portal.qa.evaluation_models import (
    Evaluation,
    EvaluationAnswer,
    EvaluationRevision,
    EvaluationStatus,
    Resolution,
)
from portal.qa.models import Contact, Scorecard, ScorecardVersion, load_card
from portal.qa.scorecard_versions import live_version, lock_version
from portal.web import path_for

S = EvaluationStatus
COMMENT_MAX = 4000

register_kind(
    "evaluation.submitted",
    _l("%(actor)s scored your contact %(contact)s: %(score)s"),
    label=_l("One of my contacts was evaluated"),
)
register_kind(
    "evaluation.acknowledged",
    _l("%(actor)s acknowledged the evaluation of %(contact)s"),
    label=_l("An evaluation I wrote was acknowledged"),
)
register_kind(
    "evaluation.disputed",
    _l("%(actor)s disputed the evaluation of %(contact)s"),
    label=_l("An evaluation I wrote was disputed (to resolve)"),
    urgent=True,
)
register_kind(
    "evaluation.upheld",
    _l("%(actor)s upheld the evaluation of %(contact)s. Why the score stands: %(reason)s"),
    label=_l("My dispute was answered: the score was upheld"),
    without={"reason": _l("%(actor)s upheld the evaluation of %(contact)s")},
)
register_kind(
    "evaluation.rescored",
    _l(
        "%(actor)s re-scored the evaluation of %(contact)s: %(score)s. What changed and why: %(reason)s"  # noqa: E501
    ),
    label=_l("My dispute was answered: the contact was re-scored"),
    without={"reason": _l("%(actor)s re-scored the evaluation of %(contact)s: %(score)s")},
)

PROBLEM_MESSAGES = {
    scoring.AnswerProblem.MISSING: _l("Answer this question."),
    scoring.AnswerProblem.NA_NOT_ALLOWED: _l("N/A is not allowed for this question."),
    scoring.AnswerProblem.OUT_OF_RANGE: _l("Choose a value on the scale."),
    scoring.AnswerProblem.UNKNOWN_CHOICE: _l("Choose one of the answers offered."),
    scoring.AnswerProblem.WRONG_TYPE: _l("Choose one of the answers offered."),
    scoring.AnswerProblem.UNKNOWN_QUESTION: _l("This question is not on the scorecard."),
}


# ---- reading ------------------------------------------------------------------------------


def get_evaluation(viewer: Person, evaluation_id: int) -> Evaluation:
    """One evaluation the viewer may read (404 otherwise), with its revisions and answers."""
    stmt = (
        select(Evaluation)
        .where(Evaluation.id == evaluation_id)
        .options(
            selectinload(Evaluation.revisions).selectinload(EvaluationRevision.answers),
            load_card(Evaluation.scorecard_version),
        )
    )
    evaluation = db.session.execute(
        policy.scoped_evaluations(stmt, Evaluation, viewer)
    ).scalar_one_or_none()
    if evaluation is None:
        raise NotFound()
    return evaluation


def evaluation_for_contact(contact_id: int) -> Evaluation | None:
    stmt = select(Evaluation).where(Evaluation.contact_id == contact_id)
    return db.session.execute(stmt).scalar_one_or_none()


def visible_evaluation_for_contact(viewer: Person, contact_id: int) -> Evaluation | None:
    """The contact's evaluation if the viewer may read it (an agent: once submitted)."""
    stmt = select(Evaluation).where(Evaluation.contact_id == contact_id)
    return db.session.execute(
        policy.scoped_evaluations(stmt, Evaluation, viewer)
    ).scalar_one_or_none()


def scorecards_for_contact(contact: Contact) -> list[ScorecardVersion]:
    """The live versions of the scorecards that apply to the contact, the most specific first
    (a card naming the contact's channel and market before one naming either, before a card
    for every channel and market), then by name."""
    cards = db.session.execute(
        select(Scorecard)
        .where(Scorecard.is_archived.is_(False))
        .options(selectinload(Scorecard.channel_links), selectinload(Scorecard.markets))
        .order_by(Scorecard.name)
    ).scalars()
    ranked = []
    for card in cards:
        channels, markets = card.channels, {m.id for m in card.markets}
        if channels and contact.channel not in channels:
            continue
        if markets and contact.market_id not in markets:
            continue
        version = live_version(card)
        if version is not None:
            ranked.append((-(bool(channels) + bool(markets)), card.name, version))
    return [version for *_key, version in sorted(ranked, key=lambda r: (r[0], r[1]))]


def revision_answers(revision: EvaluationRevision) -> dict[Hashable, tuple[str, str]]:
    return {a.question_id: (a.value, a.comment) for a in revision.answers}


def question_order(evaluation: Evaluation) -> list[int]:
    return [q.id for s in evaluation.scorecard_version.sections for q in s.questions]


def diff_revisions(evaluation: Evaluation, number: int) -> list[AnswerChange]:
    """What revision `number` changed from the one before it (nothing for the first)."""
    by_number = {r.number: r for r in evaluation.revisions}
    if number not in by_number or number - 1 not in by_number:
        return []
    return diff_answers(
        revision_answers(by_number[number - 1]),
        revision_answers(by_number[number]),
        question_order(evaluation),
    )


def form_values(revision: EvaluationRevision) -> dict[str, str]:
    """A revision's answers and comments as the evaluation form's fields."""
    values = {"overall_comment": revision.overall_comment}
    for answer in revision.answers:
        values[answer_field(answer.question_id)] = answer.value
        values[comment_field(answer.question_id)] = answer.comment
    return values


def live_score(version: ScorecardVersion, form: Mapping[str, str]) -> scoring.Provisional:
    """The score so far of the answers in a form (for the live panel); unreadable answers
    are left out, as unanswered."""
    card = version.spec()
    answers, _problems = parse_answers(card, form)
    return scoring.provisional(card, answers)


# ---- the lifecycle ------------------------------------------------------------------------


def start(viewer: Person, contact: Contact, version: ScorecardVersion) -> Evaluation:
    """The contact's evaluation, created as a draft on `version` unless one exists (a double
    submit, or a colleague who started first, finds the same one). Flushes; caller commits."""
    policy.require(viewer, "evaluation.evaluate", contact.person)
    existing = evaluation_for_contact(contact.id)
    if existing is not None:
        return existing
    if version not in scorecards_for_contact(contact):
        raise ValidationFailed(
            field_errors={"scorecard": [_("Choose a scorecard that applies to this contact.")]}
        )
    lock_version(version)

    def make() -> Evaluation:
        made = Evaluation(
            contact_id=contact.id,
            person_id=contact.person_id,
            evaluator_id=viewer.id,
            scorecard_version_id=version.id,
            status=S.DRAFT,
        )
        made.revisions.append(EvaluationRevision(number=1, author_id=viewer.id))
        return made

    # Someone starting the same contact a moment ago: theirs is the one.
    evaluation, created = create_once(Evaluation, make, contact_id=contact.id)
    if not created:
        return evaluation
    audit.record(
        viewer, "evaluation.start", "evaluation", evaluation.id, None, evaluation.snapshot()
    )
    return evaluation


class AlreadyEvaluated(DomainError):
    """The contact's evaluation was submitted already (a second click on "Submit")."""

    status = 303

    def __init__(self, evaluation: Evaluation):
        super().__init__(_("This contact has already been evaluated."))
        self.evaluation = evaluation


class StartedByOther(Conflict):
    """Someone else's draft of this contact exists: theirs is the one to continue."""

    def __init__(self, evaluation: Evaluation):
        super().__init__(
            _(
                "%(name)s started evaluating this contact while you were. Your answers are "
                "kept below; the contact stays theirs until they submit it.",
                name=evaluation.evaluator.name,
            )
        )
        self.evaluation = evaluation


def start_new(viewer: Person, contact: Contact, version: ScorecardVersion) -> Evaluation:
    """The draft a "new evaluation" form saves into: a new one, or the viewer's own draft of
    this contact (the same form sent twice makes one evaluation). Raises AlreadyEvaluated
    when it was submitted already and StartedByOther for a colleague's draft."""
    existing = evaluation_for_contact(contact.id)
    if existing is None:
        existing = start(viewer, contact, version)  # or a colleague's, who won a race
    if not existing.is_draft:
        raise AlreadyEvaluated(existing)
    if existing.evaluator_id != viewer.id:
        raise StartedByOther(existing)
    return existing


def save(
    viewer: Person,
    evaluation: Evaluation,
    form: Mapping[str, str],
    *,
    expected_version: int,
    submit: bool,
    audited: bool = True,
) -> None:
    """Save the draft's answers; with `submit`, every question must be answered, the score is
    computed and the agent told. Raises ValidationFailed naming each question's problem.
    `audited=False` (the autosave) leaves no audit entry: a draft is private and never counts;
    its start, an explicit "Save draft", the submit and a discard are audited."""
    policy.require(viewer, "evaluation.evaluate", evaluation.agent)
    _check(evaluation, expected_version, S.DRAFT)
    revision = evaluation.current_revision
    result = _write_answers(evaluation, revision, form, complete=submit)
    before = evaluation.snapshot()
    if submit:
        now = utcnow()
        _set_result(evaluation, revision, result)
        revision.submitted_at = now
        evaluation.status = S.SUBMITTED
        evaluation.submitted_at = now
        evaluation.evaluator_id = viewer.id
        _tell(evaluation.agent, viewer, evaluation, "evaluation.submitted")
    if submit or audited:
        audit.record(
            viewer,
            "evaluation.submit" if submit else "evaluation.save_draft",
            "evaluation",
            evaluation.id,
            before,
            {**evaluation.snapshot(), "answers": len(revision.answers)},
        )
    _commit(evaluation)


def autosave(
    viewer: Person,
    contact: Contact,
    version: ScorecardVersion | None,
    form: Mapping[str, str],
    *,
    expected_version: int | None,
) -> Evaluation:
    """Save the form as the viewer's draft of the contact, started on `version` when there is
    none yet (the first change of a new form). `expected_version` is the form's, None for a new
    form. Raises what `start_new` and `save` raise; a draft never counts in any score, and an
    autosave is not audited (the draft's start is)."""
    if version is None and evaluation_for_contact(contact.id) is None:
        raise InvalidTransition(_("No published scorecard applies to this contact."))
    evaluation, expected = start_for_form(viewer, contact, version, expected_version)  # type: ignore[arg-type]
    save(viewer, evaluation, form, expected_version=expected, submit=False, audited=False)
    return evaluation


def start_for_form(
    viewer: Person, contact: Contact, version: ScorecardVersion, posted_version: int | None
) -> tuple[Evaluation, int]:
    """The draft a new-evaluation form saves into and the version to check it against: the
    version the form carries (evaluate.js copies it from the first autosave), else the draft's
    own only when this request created it. A form without a version finding a draft that was
    already there (saved meanwhile in another window) gets the version -1: a Conflict, and
    nothing is overwritten."""
    existed = evaluation_for_contact(contact.id) is not None
    evaluation = start_new(viewer, contact, version)
    if posted_version is not None:
        return evaluation, posted_version
    return evaluation, -1 if existed else evaluation.version


def discard(viewer: Person, evaluation: Evaluation, *, expected_version: int) -> None:
    """The evaluator throws their own draft away (audited): the contact goes back to the queue
    and can be scored again, on any scorecard that applies."""
    policy.require(viewer, "evaluation.evaluate", evaluation.agent)
    if evaluation.evaluator_id != viewer.id:
        raise NotFound()
    _check(evaluation, expected_version, S.DRAFT)
    audit.record(
        viewer, "evaluation.discard", "evaluation", evaluation.id, evaluation.snapshot(), None
    )
    db.session.delete(evaluation)
    db.session.commit()


def acknowledge(viewer: Person, evaluation: Evaluation, *, expected_version: int) -> None:
    policy.require(viewer, "evaluation.respond", evaluation)
    _check(evaluation, expected_version, S.SUBMITTED)
    before = evaluation.snapshot()
    evaluation.status = S.ACKNOWLEDGED
    evaluation.acknowledged_at = utcnow()
    audit.record(
        viewer, "evaluation.acknowledge", "evaluation", evaluation.id, before, evaluation.snapshot()
    )
    _tell(evaluation.evaluator, viewer, evaluation, "evaluation.acknowledged")
    _commit(evaluation)


def dispute(
    viewer: Person,
    evaluation: Evaluation,
    *,
    reason: str,
    question_reasons: Mapping[int, str],
    expected_version: int,
) -> None:
    """The agent disputes a submitted evaluation, overall and/or on named questions."""
    policy.require(viewer, "evaluation.respond", evaluation)
    _check(evaluation, expected_version, S.SUBMITTED)
    reason = reason.strip()
    known = {a.question_id for a in evaluation.current_revision.answers}
    reasons = {str(q): r.strip() for q, r in question_reasons.items() if r.strip() and q in known}
    errors: dict[str, list[str]] = {}
    if not reason and not reasons:
        errors["reason"] = [_("Say why you dispute this evaluation, overall or on a question.")]
    for field, text in [("reason", reason), *((f"d-{q}", r) for q, r in reasons.items())]:
        if len(text) > COMMENT_MAX:
            errors[field] = [_("Keep this under %(n)d characters.", n=COMMENT_MAX)]
    if errors:
        raise ValidationFailed(field_errors=errors)
    before = evaluation.snapshot()
    evaluation.status = S.DISPUTED
    evaluation.disputed_at = utcnow()
    evaluation.dispute_reason = reason or None
    evaluation.dispute_questions = reasons
    audit.record(
        viewer,
        "evaluation.dispute",
        "evaluation",
        evaluation.id,
        before,
        {**evaluation.snapshot(), "reason": reason, "questions": reasons},
    )
    _tell(evaluation.evaluator, viewer, evaluation, "evaluation.disputed")
    _commit(evaluation)


def uphold(viewer: Person, evaluation: Evaluation, *, reason: str, expected_version: int) -> None:
    """Resolve a dispute by keeping the score, saying why."""
    policy.require(viewer, "evaluation.resolve", evaluation)
    _check(evaluation, expected_version, S.DISPUTED)
    reason = _required_reason(reason)
    before = evaluation.snapshot()
    _resolve(evaluation, viewer, Resolution.UPHELD, reason)
    audit.record(
        viewer,
        "evaluation.uphold",
        "evaluation",
        evaluation.id,
        before,
        {**evaluation.snapshot(), "reason": reason},
    )
    _tell(evaluation.agent, viewer, evaluation, "evaluation.upheld", reason=_gist(reason))
    _commit(evaluation)


def rescore(
    viewer: Person,
    evaluation: Evaluation,
    form: Mapping[str, str],
    *,
    reason: str,
    expected_version: int,
) -> EvaluationRevision:
    """Resolve a dispute with a new revision of the answers; its score replaces the agent's
    result at once. Every earlier revision is kept."""
    policy.require(viewer, "evaluation.resolve", evaluation)
    _check(evaluation, expected_version, S.DISPUTED)
    reason_error = None
    try:
        reason = _required_reason(reason)
    except ValidationFailed as error:
        reason_error = error
    revision = EvaluationRevision(
        number=evaluation.revision_number + 1, author_id=viewer.id, reason=reason.strip()
    )
    try:
        result = _write_answers(evaluation, revision, form, complete=True)
    except ValidationFailed as error:
        if reason_error:
            error.field_errors.update(reason_error.field_errors)
        raise
    if reason_error:
        raise reason_error
    before = evaluation.snapshot()
    evaluation.revisions.append(revision)
    revision.submitted_at = utcnow()
    evaluation.revision_number = revision.number
    _set_result(evaluation, revision, result)
    _resolve(evaluation, viewer, Resolution.RESCORED, reason)
    audit.record(
        viewer,
        "evaluation.rescore",
        "evaluation",
        evaluation.id,
        before,
        {**evaluation.snapshot(), "reason": reason},
    )
    _tell(evaluation.agent, viewer, evaluation, "evaluation.rescored", reason=_gist(reason))
    _commit(evaluation)
    return revision


# ---- inside -------------------------------------------------------------------------------


def _check(evaluation: Evaluation, expected_version: int, state: EvaluationStatus) -> None:
    if evaluation.version != expected_version:
        raise Conflict()
    if evaluation.status != state:
        raise InvalidTransition(_already(evaluation))


def _already(evaluation: Evaluation) -> str:
    messages = {
        S.DRAFT: _("This evaluation is still a draft."),
        S.SUBMITTED: _("This evaluation has already been submitted."),
        S.ACKNOWLEDGED: _("This evaluation has already been acknowledged."),
        S.DISPUTED: _("This evaluation is disputed and waits for a resolution."),
        S.RESOLVED: _("This dispute has already been resolved."),
    }
    return messages[S(evaluation.status)]


def _required_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(field_errors={"reason": [_("Give the reason for your decision.")]})
    if len(reason) > COMMENT_MAX:
        raise ValidationFailed(
            field_errors={"reason": [_("Keep this under %(n)d characters.", n=COMMENT_MAX)]}
        )
    return reason


def _write_answers(
    evaluation: Evaluation,
    revision: EvaluationRevision,
    form: Mapping[str, str],
    *,
    complete: bool,
) -> scoring.ScoreResult | None:
    """Replace the revision's answers with the form's. With `complete`, every question must be
    answered and the score is returned. Raises ValidationFailed with a message per field."""
    card = evaluation.scorecard_version.spec()
    answers, problems = parse_answers(card, form)
    errors: dict[str, list[str]] = {
        answer_field(qid): [str(PROBLEM_MESSAGES[problem])] for qid, problem in problems.items()
    }
    if complete:
        for question in card.questions():
            if question.id not in answers and question.id not in problems:
                errors[answer_field(question.id)] = [
                    str(PROBLEM_MESSAGES[scoring.AnswerProblem.MISSING])
                ]
    comments = {q.id: (form.get(comment_field(q.id)) or "").strip() for q in card.questions()}
    overall = (form.get("overall_comment") or "").strip()
    for qid, text in comments.items():
        if len(text) > COMMENT_MAX:
            errors[comment_field(qid)] = [_("Keep this under %(n)d characters.", n=COMMENT_MAX)]
    if len(overall) > COMMENT_MAX:
        errors["overall_comment"] = [_("Keep this under %(n)d characters.", n=COMMENT_MAX)]
    if errors:
        message = ngettext_unanswered(len(errors)) if complete else None
        raise ValidationFailed(message, field_errors=errors)
    rows = answer_rows(card, answers, comments)
    if revision.id is not None and revision.answers:
        revision.answers.clear()
        db.session.flush()  # the old rows go before the new ones (same primary keys)
    revision.answers.extend(rows)
    revision.overall_comment = overall
    return scoring.score(card, answers) if complete else None


def ngettext_unanswered(count: int) -> str:
    return ngettext(
        "%(num)d question needs your attention before you submit.",
        "%(num)d questions need your attention before you submit.",
        count,
    )


def answer_rows(
    card: scoring.CardSpec,
    answers: Mapping[Hashable, scoring.AnswerValue],
    comments: Mapping[Hashable, str] | None = None,
) -> list[EvaluationAnswer]:
    """The stored answers of a revision, each with its question's outcome (earned, possible,
    failed) for per-question roll-ups. The demo builds its evaluations with this too."""
    specs = {q.id: q for q in card.questions()}
    rows = []
    for qid, value in answers.items():
        earned, possible, failed = scoring.outcome(specs[qid], value)
        rows.append(
            EvaluationAnswer(
                question_id=qid,
                value=stored_value(value),
                comment=(comments or {}).get(qid, ""),
                earned=earned,
                possible=possible,
                failed=failed,
            )
        )
    return rows


def result_fields(result: scoring.ScoreResult) -> dict:
    """A score as stored on a revision and on its evaluation: 8-place decimal for SQL, the
    exact fraction for display, and whether a critical question failed."""
    exact = result.overall
    return {
        "score": _to_decimal(exact) if exact is not None else None,
        "score_exact": f"{exact.numerator}/{exact.denominator}" if exact is not None else None,
        "critical_failed": bool(result.critical_failures),
    }


def _set_result(
    evaluation: Evaluation, revision: EvaluationRevision, result: scoring.ScoreResult | None
) -> None:
    assert result is not None
    for record in (revision, evaluation):
        for name, value in result_fields(result).items():
            setattr(record, name, value)


def _to_decimal(value: Fraction) -> Decimal:
    """The exact score to the stored column's 8 places (for SQL roll-ups only; pages show the
    exact fraction, rounded once)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.00000001"), rounding=ROUND_HALF_EVEN
    )


def _resolve(evaluation: Evaluation, by: Person, resolution: Resolution, reason: str) -> None:
    evaluation.status = S.RESOLVED
    evaluation.resolution = resolution
    evaluation.resolution_reason = reason
    evaluation.resolved_at = utcnow()
    evaluation.resolved_by_id = by.id


# A resolution's reason travels in the notification (and its e-mail) up to this length.
GIST_MAX = 300


def _gist(reason: str) -> str:
    """The reason as a notification carries it: on one line, cut at a word past GIST_MAX."""
    text = " ".join(reason.split())
    if len(text) <= GIST_MAX:
        return text
    return text[:GIST_MAX].rsplit(" ", 1)[0] + "…"


def _tell(
    recipient: Person, actor: Person, evaluation: Evaluation, kind: str, **params: str
) -> None:
    notify(
        recipient,
        actor,
        kind,
        "evaluation",
        evaluation.id,
        path_for("qa.evaluation_detail", evaluation_id=evaluation.id),
        contact=f"{evaluation.contact.source} {evaluation.contact.external_id}",
        score=scoring.format_score(evaluation.score_exact),
        **params,
    )


def _commit(evaluation: Evaluation) -> None:
    evaluation.updated_at = utcnow()  # bumps the version column: other open forms go stale
    db.session.commit()  # a stale version: Conflict (db.ConflictSession)
