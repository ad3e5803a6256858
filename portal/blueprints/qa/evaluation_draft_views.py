"""The evaluate form's autosave: each change is saved as the evaluator's draft (theirs alone
until submitted) and answered with a one-line status that the page announces; and "Discard
draft", which gives the contact back to the queue."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import policy
from portal.db import utcnow
from portal.errors import Conflict, DomainError, InvalidTransition, ValidationFailed
from portal.extensions import db
from portal.qa import contacts, evaluations

from .evaluation_views import chosen_version, queue_args
from .views import bp


@bp.post("/contacts/<int:contact_id>/evaluate/draft")
@login_required
def evaluation_autosave(contact_id: int):
    """Save the evaluate form as a draft; the answer is the status line (200, or 409/422 with
    the reason it was not saved) carrying the draft's new version for the form."""
    contact = contacts.get_contact(current_user, contact_id)
    policy.require(current_user, "evaluation.evaluate", contact.person)
    version = chosen_version(contact, evaluations.scorecards_for_contact(contact))
    try:
        evaluation = evaluations.autosave(
            current_user,
            contact,
            version,
            request.form.to_dict(),
            expected_version=request.form.get("version", type=int),
        )
    except (ValidationFailed, Conflict, InvalidTransition, evaluations.AlreadyEvaluated) as error:
        db.session.rollback()
        return render_template("qa/_draft_status.html", problem=error.message), _status(error)
    return render_template("qa/_draft_status.html", evaluation=evaluation, saved_at=utcnow())


def _status(error: DomainError) -> int:
    # AlreadyEvaluated carries 303 for the pages' redirect; for the status line it is a conflict.
    return error.status if error.status in (409, 422) else 409


@bp.post("/evaluations/<int:evaluation_id>/discard")
@login_required
def evaluation_discard(evaluation_id: int):
    """The evaluator's own draft, thrown away (audited); the contact is back in the queue."""
    evaluation = evaluations.get_evaluation(current_user, evaluation_id)
    policy.require(current_user, "evaluation.evaluate", evaluation.agent)
    contact_id = evaluation.contact_id
    try:
        evaluations.discard(
            current_user, evaluation, expected_version=request.form.get("version", type=int) or -1
        )
    except (Conflict, InvalidTransition) as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(
            url_for("qa.evaluation_edit", evaluation_id=evaluation_id, **queue_args()), code=303
        )
    flash(_("Draft discarded. The contact is back in the queue."), "success")
    return redirect(url_for("qa.evaluation_new", contact_id=contact_id, **queue_args()), code=303)
