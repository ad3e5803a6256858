"""Evaluation pages: score a contact (live score), edit a draft, the detail page with the
agent's acknowledge / dispute and the resolver's uphold / re-score, and past revisions."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal import keyset, policy
from portal.errors import Conflict, DomainError, InvalidTransition, NotFound, ValidationFailed
from portal.extensions import db
from portal.htmx import render_view
from portal.keyset import read_sort
from portal.qa import contacts, evaluation_queries, evaluations, scoring
from portal.qa.evaluation_maths import answer_field, comment_field
from portal.qa.evaluation_models import Evaluation, EvaluationStatus
from portal.qa.models import Contact, ScorecardVersion
from portal.qa.points_lost import points_lost
from portal.qa.score_panel import build_panel
from portal.time_format import fmt_datetime

from .views import bp

S = EvaluationStatus


@bp.app_template_filter("percent")
def _percent(value) -> str:
    """An exact score (Fraction, or its "p/q" text) rounded once, for display."""
    return scoring.format_score(value)


@bp.app_template_filter("score_points")
def _score_points(value) -> str:
    """Points of an overall percentage (a Fraction), rounded once, for display: "4.3"."""
    return scoring.format_percent(value)


@bp.app_template_filter("share")
def _share(part: int, whole: int) -> str:
    """`part` of `whole` as a percentage, rounded once, like `percent` (whole > 0)."""
    return f"{scoring.format_share(part, whole)} %"


@bp.context_processor
def _evaluation_helpers() -> dict:
    return {
        "answer_field": answer_field,
        "comment_field": comment_field,
        "status_labels": STATUS_LABELS,
        "answer_label": answer_label,
    }


def answer_label(question, stored: str | None) -> str:
    """A stored answer in words: Yes/No, N/A, "3 of 5", or the choice's label."""
    if stored is None:
        return _("Not answered")
    if stored == scoring.NA:
        return _("N/A")
    if question.answer_type == "yes_no":
        return _("Yes") if stored == "yes" else _("No")
    if question.answer_type == "scale":
        return _("%(value)s of %(max)s", value=stored, max=question.scale_max)
    for choice in question.choices:
        if choice.key == stored:
            return choice.label
    return stored


STATUS_LABELS = {
    S.DRAFT: _l("Draft"),
    S.SUBMITTED: _l("Submitted"),
    S.ACKNOWLEDGED: _l("Acknowledged"),
    S.DISPUTED: _l("Disputed"),
    S.RESOLVED: _l("Resolved"),
    "upheld": _l("Upheld"),
    "rescored": _l("Re-scored"),
}


def chosen_version(contact: Contact, candidates: list[ScorecardVersion]) -> ScorecardVersion | None:
    wanted = request.values.get("scorecard_version", type=int)
    for version in candidates:
        if version.id == wanted:
            return version
    return candidates[0] if candidates else None


def _form_page(
    *,
    version: ScorecardVersion,
    contact: Contact,
    values: dict,
    evaluation: Evaluation | None = None,
    candidates: list[ScorecardVersion] | None = None,
    errors: dict | None = None,
    message: str | None = None,
    mode: str = "evaluate",
    status: int = 200,
):
    provisional = evaluations.live_score(version, values)
    return render_view(
        "qa/evaluate.html",
        contact=contact,
        version=version,
        evaluation=evaluation,
        candidates=candidates or [],
        values=values,
        errors=errors or {},
        message=message,
        panel=build_panel(version, provisional),
        mode=mode,
        queue_args=queue_args(),
        status=status,
    )


@bp.get("/contacts/<int:contact_id>/evaluate")
@login_required
def evaluation_new(contact_id: int):
    contact = contacts.get_contact(current_user, contact_id)
    # The policy first: whoever may not evaluate the agent learns nothing about drafts.
    policy.require(current_user, "evaluation.evaluate", contact.person)
    existing = evaluations.evaluation_for_contact(contact.id)
    if existing is not None and existing.is_draft and existing.evaluator_id != current_user.id:
        return _started_by_colleague(existing)
    if existing is not None:
        _other_card_asked(existing)
        return redirect(_where(existing, **queue_args()), code=303)
    candidates = evaluations.scorecards_for_contact(contact)
    version = chosen_version(contact, candidates)
    if version is None:
        return render_view("qa/evaluate_none.html", contact=contact)
    return _form_page(version=version, contact=contact, values={}, candidates=candidates)


@bp.post("/contacts/<int:contact_id>/evaluate")
@login_required
def evaluation_create(contact_id: int):
    contact = contacts.get_contact(current_user, contact_id)
    policy.require(current_user, "evaluation.evaluate", contact.person)
    candidates = evaluations.scorecards_for_contact(contact)
    version = chosen_version(contact, candidates)
    if version is None:
        raise InvalidTransition(_("No published scorecard applies to this contact."))
    values = request.form.to_dict()
    submit = _is_submit()
    try:
        evaluation, expected = evaluations.start_for_form(
            current_user, contact, version, request.form.get("version", type=int)
        )
        evaluations.save(current_user, evaluation, values, expected_version=expected, submit=submit)
    except evaluations.AlreadyEvaluated as done:
        db.session.rollback()
        flash(done.message, "info")
        return redirect(_where(done.evaluation), code=303)
    except DomainError as error:
        db.session.rollback()
        return _form_page(
            version=version,
            contact=contact,
            values=values,
            evaluation=getattr(error, "evaluation", None),
            candidates=candidates,
            errors=error.field_errors,
            message=error.message,
            status=error.status,
        )
    return _after_save(evaluation, submit)


def _is_submit() -> bool:
    return request.form.get("action") in ("submit", SUBMIT_AND_NEXT)


SUBMIT_AND_NEXT = "submit_next"


def _after_save(evaluation: Evaluation, submit: bool):
    """Where a saved form goes: "Submit and next" opens the first contact of the evaluator's
    queue (the queue page's order; the queue page itself once it is empty), anything else the
    evaluation (or the draft again)."""
    if submit and request.form.get("action") == SUBMIT_AND_NEXT:
        flash(
            _(
                "Evaluation of %(agent)s submitted: %(score)s.",
                agent=evaluation.agent.name,
                score=scoring.format_score(evaluation.score_exact),
            ),
            "success",
        )
        sort = queue_sort()
        following = evaluation_queries.queue_for(current_user, sort=sort, limit=1).rows
        if following:
            return redirect(
                url_for(
                    "qa.evaluation_new", contact_id=following[0].contact_id, **queue_args(sort)
                ),
                code=303,
            )
        return redirect(url_for("qa.evaluate_queue", **queue_args(sort)), code=303)
    flash(_("Evaluation submitted.") if submit else _("Draft saved."), "success")
    return redirect(_where(evaluation, **queue_args()), code=303)


def queue_sort() -> keyset.Sort:
    """The queue's order the evaluator chose (`sort`/`dir`, carried from the queue page through
    the evaluate page's links and form), so "Submit and next" follows it."""
    queries = evaluation_queries
    return read_sort(request.values, queries.QUEUE_SORT_KEYS, queries.QUEUE_SORT)


def queue_args(sort: keyset.Sort | None = None) -> dict[str, str]:
    return (sort or queue_sort()).args(evaluation_queries.QUEUE_SORT)


def _other_card_asked(draft: Evaluation) -> None:
    """The scorecard picker asked for another card than the viewer's draft is on: say that the
    draft must be discarded first (its answers belong to its card)."""
    wanted = request.args.get("scorecard_version", type=int)
    if draft.is_draft and wanted is not None and wanted != draft.scorecard_version_id:
        flash(
            _(
                "Your draft of this contact is on the scorecard %(name)s. To use another "
                "scorecard, discard the draft first.",
                name=draft.scorecard_version.scorecard.name,
            ),
            "info",
        )


def _started_by_colleague(draft: Evaluation):
    """A colleague's draft is theirs alone: say who started the contact, and go back to the
    queue (the queue lists it under "Being scored by colleagues")."""
    flash(
        _(
            "%(name)s started scoring this contact on %(when)s; it stays theirs until they "
            "submit it.",
            name=draft.evaluator.name,
            when=fmt_datetime(draft.created_at),
        ),
        "info",
    )
    return redirect(url_for("qa.evaluate_queue"), code=303)


def _where(evaluation: Evaluation, **args: str) -> str:
    if evaluation.is_draft and policy.can(current_user, "evaluation.evaluate", evaluation.agent):
        return url_for("qa.evaluation_edit", evaluation_id=evaluation.id, **args)
    return url_for("qa.evaluation_detail", evaluation_id=evaluation.id)


@bp.route("/evaluations/<int:evaluation_id>/edit", methods=["GET", "POST"])
@login_required
def evaluation_edit(evaluation_id: int):
    evaluation = evaluations.get_evaluation(current_user, evaluation_id)
    policy.require(current_user, "evaluation.evaluate", evaluation.agent)
    if not evaluation.is_draft:
        return redirect(url_for("qa.evaluation_detail", evaluation_id=evaluation.id), code=303)
    if request.method == "GET":
        values = evaluations.form_values(evaluation.current_revision)
        return _form_page(
            version=evaluation.scorecard_version,
            contact=evaluation.contact,
            values=values,
            evaluation=evaluation,
        )
    values = request.form.to_dict()
    submit = _is_submit()
    try:
        evaluations.save(
            current_user,
            evaluation,
            values,
            expected_version=request.form.get("version", type=int) or -1,
            submit=submit,
        )
    except DomainError as error:
        db.session.rollback()
        return _form_page(
            version=evaluation.scorecard_version,
            contact=evaluation.contact,
            values=values,
            evaluation=evaluations.get_evaluation(current_user, evaluation_id),
            errors=error.field_errors,
            message=error.message,
            status=error.status,
        )
    return _after_save(evaluation, submit)


@bp.post("/scorecard-versions/<int:version_id>/score")
@login_required
def evaluation_score(version_id: int):
    """The live score panel for the answers in the form (nothing is saved)."""
    policy.require(current_user, "evaluation.queue")
    version = db.session.get(ScorecardVersion, version_id)
    if version is None or not version.is_published:
        raise NotFound()
    provisional = evaluations.live_score(version, request.form.to_dict())
    return render_view(
        "qa/_score_panel.html", panel=build_panel(version, provisional), live=True, bar=True
    )


@bp.get("/evaluations/<int:evaluation_id>")
@login_required
def evaluation_detail(evaluation_id: int):
    evaluation = evaluations.get_evaluation(current_user, evaluation_id)
    return _detail(evaluation)


def _detail(
    evaluation: Evaluation,
    *,
    errors: dict | None = None,
    message: str | None = None,
    status: int = 200,
    values: dict | None = None,
):
    revision = evaluation.current_revision
    version = evaluation.scorecard_version
    answers = evaluations.revision_answers(revision)
    card = version.spec()
    typed = {
        q.id: evaluations.typed_value(q, answers[q.id][0])
        for q in card.questions()
        if q.id in answers
    }
    panel = build_panel(version, scoring.provisional(card, typed))
    return render_view(
        "qa/evaluation_detail.html",
        evaluation=evaluation,
        revision=revision,
        version=version,
        answers=answers,
        losses=points_lost(card, typed),
        panel=panel,
        errors=errors or {},
        message=message,
        values=values or {},
        status=status,
    )


def _expected() -> int:
    return request.form.get("version", type=int) or -1


def _lifecycle(evaluation_id: int, step, flash_text: str):
    evaluation = evaluations.get_evaluation(current_user, evaluation_id)
    try:
        step(evaluation)
    except (ValidationFailed, Conflict, InvalidTransition) as error:
        db.session.rollback()
        evaluation = evaluations.get_evaluation(current_user, evaluation_id)
        return _detail(
            evaluation,
            errors=error.field_errors,
            message=error.message,
            status=error.status,
            values=request.form.to_dict(),
        )
    flash(flash_text, "success")
    return redirect(url_for("qa.evaluation_detail", evaluation_id=evaluation_id), code=303)


@bp.post("/evaluations/<int:evaluation_id>/acknowledge")
@login_required
def evaluation_acknowledge(evaluation_id: int):
    return _lifecycle(
        evaluation_id,
        lambda e: evaluations.acknowledge(current_user, e, expected_version=_expected()),
        _("You acknowledged this evaluation."),
    )


@bp.route("/evaluations/<int:evaluation_id>/dispute", methods=["GET", "POST"])
@login_required
def evaluation_dispute(evaluation_id: int):
    evaluation = evaluations.get_evaluation(current_user, evaluation_id)
    policy.require(current_user, "evaluation.respond", evaluation)
    if request.method == "GET":
        if evaluation.status != S.SUBMITTED:
            return redirect(url_for("qa.evaluation_detail", evaluation_id=evaluation.id), code=303)
        return _dispute_page(evaluation, {}, {}, None, 200)
    values = request.form.to_dict()
    reasons = {
        q.id: values.get(f"d-{q.id}", "")
        for s in evaluation.scorecard_version.sections
        for q in s.questions
    }
    try:
        evaluations.dispute(
            current_user,
            evaluation,
            reason=values.get("reason", ""),
            question_reasons=reasons,
            expected_version=_expected(),
        )
    except DomainError as error:
        db.session.rollback()
        evaluation = evaluations.get_evaluation(current_user, evaluation_id)
        return _dispute_page(evaluation, values, error.field_errors, error.message, error.status)
    flash(_("Your dispute was sent. You will be told when it is resolved."), "success")
    return redirect(url_for("qa.evaluation_detail", evaluation_id=evaluation_id), code=303)


def _dispute_page(evaluation, values, errors, message, status):
    return render_view(
        "qa/evaluation_dispute.html",
        evaluation=evaluation,
        answers=evaluations.revision_answers(evaluation.current_revision),
        values=values,
        errors=errors,
        message=message,
        status=status,
    )


@bp.post("/evaluations/<int:evaluation_id>/uphold")
@login_required
def evaluation_uphold(evaluation_id: int):
    return _lifecycle(
        evaluation_id,
        lambda e: evaluations.uphold(
            current_user, e, reason=request.form.get("reason", ""), expected_version=_expected()
        ),
        _("The evaluation was upheld; the agent has been told."),
    )


@bp.route("/evaluations/<int:evaluation_id>/rescore", methods=["GET", "POST"])
@login_required
def evaluation_rescore(evaluation_id: int):
    evaluation = evaluations.get_evaluation(current_user, evaluation_id)
    policy.require(current_user, "evaluation.resolve", evaluation)
    if request.method == "GET":
        if evaluation.status != S.DISPUTED:
            return redirect(url_for("qa.evaluation_detail", evaluation_id=evaluation.id), code=303)
        values = evaluations.form_values(evaluation.current_revision)
        return _form_page(
            version=evaluation.scorecard_version,
            contact=evaluation.contact,
            values=values,
            evaluation=evaluation,
            mode="rescore",
        )
    # A re-score sent after someone else resolved the dispute is refused by the service (409)
    # and the form comes back with what was typed.
    values = request.form.to_dict()
    try:
        evaluations.rescore(
            current_user,
            evaluation,
            values,
            reason=values.get("reason", ""),
            expected_version=_expected(),
        )
    except DomainError as error:
        db.session.rollback()
        return _form_page(
            version=evaluation.scorecard_version,
            contact=evaluation.contact,
            values=values,
            evaluation=evaluations.get_evaluation(current_user, evaluation_id),
            errors=error.field_errors,
            message=error.message,
            mode="rescore",
            status=error.status,
        )
    flash(_("Re-scored. The new score replaces the agent's result."), "success")
    return redirect(url_for("qa.evaluation_detail", evaluation_id=evaluation_id), code=303)


@bp.get("/evaluations/<int:evaluation_id>/revisions/<int:number>")
@login_required
def evaluation_revision(evaluation_id: int, number: int):
    evaluation = evaluations.get_evaluation(current_user, evaluation_id)
    by_number = {r.number: r for r in evaluation.revisions}
    revision = by_number.get(number)
    if revision is None:
        raise NotFound()
    previous = by_number.get(number - 1)
    changes = evaluations.diff_revisions(evaluation, number)
    questions = {q.id: q for s in evaluation.scorecard_version.sections for q in s.questions}
    return render_view(
        "qa/evaluation_revision.html",
        evaluation=evaluation,
        revision=revision,
        previous=previous,
        changes=changes,
        questions=questions,
        answers=evaluations.revision_answers(revision),
    )
