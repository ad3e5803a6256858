"""Decisions and action items of a business review, each answering its region over htmx."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_login import current_user, login_required

from portal import policy
from portal.business import actions, reviews
from portal.business.models import BusinessReview
from portal.db import utcnow
from portal.errors import Conflict, ValidationFailed
from portal.extensions import db
from portal.htmx import hx_trigger, is_fragment_request
from portal.params import parse_int

from .forms import ActionDoneForm, ActionItemForm, DecisionForm, EmptyForm
from .views import actions_ctx, bp, decisions_ctx, owner_options, region, show_errors


def _decisions(review: BusinessReview, status: int = 200, form: DecisionForm | None = None):
    return region(review, "business/_decisions.html", status=status, **decisions_ctx(review, form))


def _actions(
    review: BusinessReview,
    status: int = 200,
    form: ActionItemForm | None = None,
    error: str | None = None,
):
    return region(
        review, "business/_actions.html", status=status, **actions_ctx(review, form, error)
    )


@bp.post("/reviews/<int:review_id>/decisions")
@login_required
def decision_add(review_id: int):
    review = reviews.get_review(current_user, review_id)
    policy.require(current_user, "business.edit", review)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            actions.add_decision(
                current_user, review, form.body.data, request_token=form.token.data, now=utcnow()
            )
        except ValidationFailed as failure:
            show_errors(form, failure)
        else:
            return _decisions(review)
    return _decisions(review, 422, form)


@bp.post("/decisions/<int:decision_id>/edit")
@login_required
def decision_edit(decision_id: int):
    decision = actions.get_decision(current_user, decision_id)
    review = db.session.get(BusinessReview, decision.review_id)
    policy.require(current_user, "business.edit", review)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            actions.edit_decision(current_user, decision, form.body.data)
        except ValidationFailed as failure:
            show_errors(form, failure)
            return _decisions(review, 422, form)
        return _decisions(review)
    return _decisions(review, 422, form)


@bp.post("/decisions/<int:decision_id>/delete")
@login_required
def decision_delete(decision_id: int):
    decision = actions.get_decision(current_user, decision_id)
    review = db.session.get(BusinessReview, decision.review_id)
    policy.require(current_user, "business.edit", review)
    if not EmptyForm().validate_on_submit():
        abort(400)
    actions.delete_decision(current_user, decision)
    return _decisions(review)


@bp.post("/reviews/<int:review_id>/actions")
@login_required
def action_add(review_id: int):
    review = reviews.get_review(current_user, review_id)
    policy.require(current_user, "business.edit", review)
    form = ActionItemForm()
    form.owner_id.choices = owner_options(review)
    form.owner_id.validate_choice = False  # any visible person; the service checks
    if form.validate_on_submit():
        try:
            actions.add_action_item(
                current_user,
                review,
                body=form.body.data,
                owner_id=form.owner_id.data,
                due_on=form.due_on.data,
                request_token=form.token.data,
            )
        except ValidationFailed as failure:
            show_errors(form, failure)
        else:
            return hx_trigger(_actions(review), "business-action-added")
    return _actions(review, 422, form)


@bp.post("/actions/<int:item_id>/edit")
@login_required
def action_edit(item_id: int):
    item = actions.get_action_item(current_user, item_id)
    review = reviews.get_review(current_user, item.review_id)
    policy.require(current_user, "business.edit", review)
    form = ActionItemForm()
    form.owner_id.choices = owner_options(review)
    form.owner_id.validate_choice = False
    if form.validate_on_submit():
        try:
            actions.edit_action_item(
                current_user,
                item,
                body=form.body.data,
                owner_id=form.owner_id.data,
                due_on=form.due_on.data,
                expected_version=form.version.data,
            )
        except Conflict as conflict:
            db.session.expire_all()
            return _actions(
                reviews.get_review(current_user, review.id), 409, error=conflict.message
            )
        except ValidationFailed as failure:
            messages = [m for ms in failure.field_errors.values() for m in ms]
            return _actions(review, 422, error=" ".join(messages))
        return _actions(review)
    return _actions(review, 422)


@bp.post("/actions/<int:item_id>/done")
@login_required
def action_done(item_id: int):
    item = actions.get_action_item(current_user, item_id)
    policy.require(current_user, "business_action.complete", item)
    form = ActionDoneForm()
    if not form.validate_on_submit():
        abort(400)
    # The page the item was ticked on: its own review, or the next one (carried over).
    review_id = parse_int(request.form.get("on_review"), item.review_id)
    done = form.done.data != "0"
    from_mine = request.form.get("from") == "mine"
    try:
        actions.set_action_done(
            current_user, item, done, expected_version=form.version.data, now=utcnow()
        )
    except Conflict as conflict:
        db.session.expire_all()
        if from_mine or not policy.can(current_user, "business.edit", item.review):
            raise
        return _actions(reviews.get_review(current_user, review_id), 409, error=conflict.message)
    if from_mine or not is_fragment_request():
        if from_mine:
            return redirect(url_for("business.my_actions"), code=303)
        return redirect(url_for("business.review_detail", review_id=review_id), code=303)
    return _actions(reviews.get_review(current_user, review_id))


@bp.post("/actions/<int:item_id>/delete")
@login_required
def action_delete(item_id: int):
    item = actions.get_action_item(current_user, item_id)
    review = reviews.get_review(current_user, item.review_id)
    policy.require(current_user, "business.edit", review)
    if not EmptyForm().validate_on_submit():
        abort(400)
    actions.delete_action_item(current_user, item)
    return _actions(review)
