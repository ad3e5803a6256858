"""Calibration: a team's ratings side by side with the distribution against the guideline
(warnings, never blocks), and a rating change that needs a reason."""

from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from portal import policy
from portal.errors import Conflict, InvalidTransition, ValidationFailed
from portal.goals import calibration as service
from portal.goals import goals as plans
from portal.goals import reviews
from portal.htmx import hx_redirect, render_view

from .forms import CalibrationForm
from .views import bp


def calibration_page(cycle_id, team_id, *, status=200, bound=None, message=""):
    cycles = plans.current_cycles()
    cycle = next((c for c in cycles if c.id == cycle_id), None) or (cycles[0] if cycles else None)
    result = service.calibration_for(current_user, cycle, team_id) if cycle else None
    forms = {}
    if result:
        for review in result.reviews:
            if review.state == "calibration" and policy.can(
                current_user, "review.calibrate", review
            ):
                form = (bound or {}).get(review.id) or CalibrationForm(
                    formdata=None,
                    prefix=f"r{review.id}",
                    data={"version": str(review.version), "rating": review.final_rating},
                )
                form.rating.choices = [
                    SelectChoice(item["value"], f"{item['value']} · {item['label']}")
                    for item in cycle.scale
                ]
                forms[review.id] = form
    return render_view(
        "goals/calibration.html",
        status=status,
        cycles=cycles,
        cycle=cycle,
        team_id=team_id,
        result=result,
        forms=forms,
        message=message,
    )


@bp.get("/calibration")
@login_required
def calibration():
    policy.require(current_user, "review_calibration.view")
    return calibration_page(request.args.get("cycle", type=int), request.args.get("team", type=int))


@bp.post("/calibration/<int:review_id>")
@login_required
def calibration_change(review_id: int):
    review = reviews.get_review(current_user, review_id)
    policy.require(current_user, "review.calibrate", review)
    team_id = request.args.get("team", type=int)
    form = CalibrationForm(prefix=f"r{review.id}")
    form.rating.choices = [
        SelectChoice(item["value"], item["label"]) for item in review.cycle.scale
    ]
    cycle_id = review.cycle_id
    if not form.validate_on_submit() or form.rating.data is None:
        if form.rating.data is None:
            form.rating.errors = list(form.rating.errors) + [_("Choose a rating.")]
        return calibration_page(cycle_id, team_id, status=422, bound={review_id: form})
    try:
        service.change_rating(
            review,
            current_user,
            new_rating=form.rating.data,
            reason=form.reason.data or "",
            expected_version=form.expected_version,
        )
    except ValidationFailed as error:
        for name, messages in error.field_errors.items():
            getattr(form, name).errors = list(messages)
        return calibration_page(cycle_id, team_id, status=422, bound={review_id: form})
    except (Conflict, InvalidTransition) as error:
        return calibration_page(cycle_id, team_id, status=409, message=error.message)
    return hx_redirect(url_for("goals.calibration", cycle=cycle_id, team=team_id))
