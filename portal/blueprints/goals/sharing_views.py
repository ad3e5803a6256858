"""Closing calibration (HR: a cycle or one team of it) and HR's early share of one review."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user, login_required

from portal import policy
from portal.errors import Conflict, InvalidTransition, ValidationFailed
from portal.forms import apply_errors
from portal.goals import goals as plans
from portal.goals import reviews, sharing
from portal.htmx import hx_redirect, render_view

from .review_views import review_page
from .sharing_forms import CalibrationCloseForm, ShareOverrideForm
from .views import bp


def closing_page(cycle_id: int | None, *, status: int = 200, message: str = ""):
    cycles = [c for c in plans.current_cycles() if c.state == "in_progress"]
    cycle = next((c for c in cycles if c.id == cycle_id), None) or (cycles[0] if cycles else None)
    return render_view(
        "goals/calibration_closing.html",
        status=status,
        cycles=cycles,
        cycle=cycle,
        result=sharing.closing_for(current_user, cycle) if cycle else None,
        form=CalibrationCloseForm(formdata=None),
        message=message,
    )


@bp.get("/calibration/closing")
@login_required
def calibration_closing():
    policy.require(current_user, "calibration.close_reviews")
    return closing_page(request.args.get("cycle", type=int))


@bp.post("/calibration/closing")
@login_required
def calibration_close():
    policy.require(current_user, "calibration.close_reviews")
    form = CalibrationCloseForm()
    cycle_id = form.cycle.data if isinstance(form.cycle.data, int) else None
    if not form.validate_on_submit() or cycle_id is None:
        return closing_page(cycle_id, status=422, message=" ".join(form.form_errors))
    cycle = next((c for c in plans.current_cycles() if c.id == cycle_id), None)
    if cycle is None:
        return closing_page(None, status=422)
    try:
        sharing.close_calibration(cycle, current_user, team_id=form.team.data or None)
    except (InvalidTransition, ValidationFailed) as error:
        status = 422 if isinstance(error, ValidationFailed) else 409
        messages = [m for ms in getattr(error, "field_errors", {}).values() for m in ms]
        return closing_page(cycle_id, status=status, message=" ".join(messages) or error.message)
    return hx_redirect(url_for("goals.calibration_closing", cycle=cycle_id))


@bp.post("/reviews/<int:review_id>/share-early")
@login_required
def review_share_override(review_id: int):
    review = reviews.get_review(current_user, review_id)
    policy.require(current_user, "review.share_override", review)
    form = ShareOverrideForm()
    if not form.validate_on_submit():
        return review_page(review, status=422, bound={"override": form})
    try:
        sharing.open_sharing(
            review,
            current_user,
            reason=form.reason.data or "",
            expected_version=form.expected_version,
        )
    except ValidationFailed as error:
        apply_errors(form, error)
        return review_page(review, status=422, bound={"override": form})
    except (Conflict, InvalidTransition) as error:
        review = reviews.get_review(current_user, review_id)
        form.version.data = str(review.version)
        return review_page(review, status=409, bound={"override": form}, message=error.message)
    return hx_redirect(url_for("goals.review_detail", review_id=review_id))
