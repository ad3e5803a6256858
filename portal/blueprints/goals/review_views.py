"""Review pages: the reviews I write (and my own), one review with the self and manager
assessments, the lifecycle steps, HR reopening, and a printable view."""

from __future__ import annotations

import re

from flask import Response, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from portal import policy
from portal.dashboards import kpi_figures, review_evidence
from portal.db import utcnow
from portal.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from portal.extensions import db
from portal.forms import apply_errors
from portal.goals import pdf, sharing
from portal.goals import reviews as service
from portal.goals.models import Author, ReviewReopening, ReviewState
from portal.goals.transitions import (
    BUTTON_STEPS,
    GATED_STEPS,
    MANAGER_EDITABLE,
    REOPEN_FROM,
    SELF_EDITABLE,
    STEP_LABELS,
    STEP_RULE,
    available_steps,
)
from portal.htmx import hx_redirect, render_view
from portal.params import parse_int
from portal.time_format import today_for

from .forms import AssessmentForm, ReopenForm, StepForm, VersionForm
from .sharing_forms import ShareOverrideForm
from .views import bp


@bp.get("/reviews")
@login_required
def review_list():
    return render_view(
        "goals/review_list.html",
        mine=service.my_reviews(current_user),
        written=service.reviews_i_write(current_user),
    )


def _subjects(review) -> list[tuple[str, str, str]]:
    """(subject, title, description) for each goal and competency of the review."""
    rows = [(service.goal_subject(g.id), g.title, g.metric) for g in review.goals]
    rows += [
        (service.competency_subject(c["key"]), c["name"], c.get("behaviours", ""))
        for c in review.cycle.competencies
    ]
    return rows


def _given(review) -> dict[str, service.Entry]:
    """The ratings and comments typed in the form, by subject."""
    given = {}
    for subject, _title, _text in _subjects(review):
        raw = request.form.get(f"rating-{subject}", "")
        given[subject] = service.Entry(parse_int(raw), request.form.get(f"comment-{subject}", ""))
    return given


def _assessment_form(review, author: str, formdata: bool = True) -> AssessmentForm:
    if formdata:
        form = AssessmentForm(prefix=author)
    else:
        comment = review.self_comment if author == Author.SELF else review.manager_comment
        form = AssessmentForm(
            prefix=author,
            formdata=None,
            data={
                "version": str(review.version),
                "overall_comment": comment,
                "proposed_rating": review.proposed_rating,
            },
        )
    form.proposed_rating.choices = [SelectChoice("", "—")] + [
        SelectChoice(item["value"], f"{item['value']} · {item['label']}")
        for item in review.cycle.scale
    ]
    return form


def evidence_of(review) -> review_evidence.Evidence:
    """The person's evidence over the cycle's period, as the signed-in person may see it."""
    return review_evidence.review_evidence(
        current_user,
        review,
        now=utcnow(),
        today=today_for(current_user),
        qa_minimum=current_app.config["QA_MIN_EVALUATIONS"],
    )


def overalls(review, sheet, typed: dict) -> dict:
    """The computed overall of each assessment as typed (else as saved), for the live panel."""
    result = {}
    for author, saved in (
        (Author.SELF, sheet.self_entries),
        (Author.MANAGER, sheet.manager_entries),
    ):
        given = typed.get(author) if typed.get(author) is not None else saved
        if given is not None:
            result[str(author)] = service.overall_of(review, given)
    return result


def review_page(review, *, status=200, bound=None, typed=None, message="", fragment_of=None):
    """The review as the viewer may see it, with the forms and steps open to them. With
    `fragment_of` (an author), an htmx request gets that author's form alone."""
    bound = bound or {}
    typed = typed or {}
    sheet = service.sheet(current_user, review)
    open_cycle = review.cycle.state == "in_progress"
    can_self = (
        open_cycle
        and review.state in SELF_EDITABLE
        and policy.can(current_user, "review.self", review)
    )
    can_manager = (
        open_cycle
        and review.state in MANAGER_EDITABLE
        and policy.can(current_user, "review.manager", review)
    )
    steps = [
        step
        for step in available_steps(review.state)
        if step in BUTTON_STEPS and open_cycle and policy.can(current_user, STEP_RULE[step], review)
    ]
    # Sharing waits for calibration to close: the button is offered only through the gate,
    # and those who see calibration are told why and until when.
    gate = None
    sees_calibration = policy.can(current_user, "review.see_calibration", review)
    if review.state == ReviewState.CALIBRATION and (sees_calibration or "share" in steps):
        gate = sharing.gate_for(review)
        if not gate.is_open:
            steps = [step for step in steps if step not in GATED_STEPS]
    can_override = (
        open_cycle
        and gate is not None
        and not gate.is_open
        and policy.can(current_user, "review.share_override", review)
    )
    can_reopen = (
        open_cycle
        and review.state in REOPEN_FROM
        and policy.can(current_user, "review.reopen", review)
    )
    changes = service.calibration_changes(current_user, review)
    closes = sharing.history_for(current_user, review)
    reopenings = []
    if policy.can(current_user, "review.reopen", review) or review.reviewer_id == current_user.id:
        reopenings = list(
            db.session.execute(
                select(ReviewReopening)
                .where(ReviewReopening.review_id == review.id)
                .order_by(ReviewReopening.id)
            ).scalars()
        )
    version = {"version": str(review.version)}
    self_form = bound.get("self") or (_assessment_form(review, "self", False) if can_self else None)
    manager_form = bound.get("manager") or (
        _assessment_form(review, "manager", False) if can_manager else None
    )
    fragment = None
    extra = {}
    if fragment_of is not None:
        fragment = "goals/_assessment_form.html"
        extra = {
            "author": str(fragment_of),
            "form": self_form if fragment_of == Author.SELF else manager_form,
            "entries": sheet.self_entries if fragment_of == Author.SELF else sheet.manager_entries,
        }
    return render_view(
        "goals/review_detail.html",
        fragment,
        status=status,
        review=review,
        sheet=sheet,
        subjects=_subjects(review),
        goals={service.goal_subject(g.id): g for g in review.goals},
        self_form=self_form,
        manager_form=manager_form,
        typed=typed,
        evidence=evidence_of(review),
        overalls=overalls(review, sheet, typed),
        kpi_shown=kpi_figures.shown,
        steps=steps,
        step_labels=STEP_LABELS,
        step_form=bound.get("step") or StepForm(formdata=None, data=version),
        reopen_form=bound.get("reopen")
        or (ReopenForm(formdata=None, data=version) if can_reopen else None),
        changes=changes,
        closes=closes,
        gate=gate,
        gate_message=sharing.gate_message(gate) if gate and not gate.is_open else "",
        override_form=bound.get("override")
        or (ShareOverrideForm(formdata=None, data=version) if can_override else None),
        reopenings=reopenings,
        is_employee=review.person_id == current_user.id,
        message=message,
        ReviewState=ReviewState,
        **extra,
    )


@bp.get("/reviews/<int:review_id>")
@login_required
def review_detail(review_id: int):
    return review_page(service.get_review(current_user, review_id))


@bp.get("/reviews/<int:review_id>/print")
@login_required
def review_print(review_id: int):
    review = service.get_review(current_user, review_id)
    return render_view(
        "goals/review_print.html",
        review=review,
        sheet=service.sheet(current_user, review),
        subjects=_subjects(review),
    )


@bp.get("/reviews/<int:review_id>/review.pdf")
@login_required
def review_pdf(review_id: int):
    """A PDF of a review once it is shared (finished enough to be printed and kept)."""
    review = service.get_review(current_user, review_id)
    if not review.is_shared:
        raise InvalidTransition(_("The PDF is available once the review is shared."))
    html = render_template(
        "goals/review_pdf.html",
        review=review,
        sheet=service.sheet(current_user, review),
        subjects=_subjects(review),
        pdf_fonts=pdf.font_stack(
            get_locale(), review.person.market.code if review.person.market else None
        ),
    )
    response = Response(pdf.html_to_pdf(html), mimetype="application/pdf")
    name = re.sub(
        r"[^A-Za-z0-9._-]", "-", f"review-{review.cycle.name}-{review.person.employee_id}"
    )
    name += ".pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _save(review_id: int, author: str):
    review = service.get_review(current_user, review_id)
    policy.require(
        current_user, "review.self" if author == Author.SELF else "review.manager", review
    )
    form = _assessment_form(review, author)
    given = _given(review)
    submit = request.form.get("submit") == "1"
    if not form.validate_on_submit():
        return review_page(
            review, status=422, bound={author: form}, typed={author: given}, fragment_of=author
        )
    try:
        if author == Author.SELF:
            service.save_self(
                review,
                current_user,
                given=given,
                overall_comment=form.overall_comment.data or "",
                submit=submit,
                expected_version=form.expected_version,
            )
        else:
            service.save_manager(
                review,
                current_user,
                given=given,
                overall_comment=form.overall_comment.data or "",
                proposed_rating=form.proposed_rating.data,
                submit=submit,
                expected_version=form.expected_version,
            )
    except ValidationFailed as error:
        review = service.get_review(current_user, review_id)
        apply_errors(form, error)
        return review_page(
            review,
            status=422,
            bound={author: form},
            typed={author: given, "errors": error.field_errors},
            fragment_of=author,
        )
    except (Conflict, InvalidTransition) as error:
        review = service.get_review(current_user, review_id)
        form.version.data = str(review.version)
        return review_page(
            review,
            status=409,
            bound={author: form},
            typed={author: given},
            message=error.message,
            fragment_of=author,
        )
    return hx_redirect(url_for("goals.review_detail", review_id=review_id))


@bp.post("/reviews/<int:review_id>/self")
@login_required
def review_self_save(review_id: int):
    return _save(review_id, Author.SELF)


@bp.post("/reviews/<int:review_id>/manager")
@login_required
def review_manager_save(review_id: int):
    return _save(review_id, Author.MANAGER)


@bp.post("/reviews/<int:review_id>/steps/<step>")
@login_required
def review_step(review_id: int, step: str):
    review = service.get_review(current_user, review_id)
    if step not in BUTTON_STEPS:
        raise NotFound()
    policy.require(current_user, STEP_RULE[step], review)
    form = StepForm()
    if not form.validate_on_submit():
        return review_page(review, status=422, bound={"step": form})
    try:
        service.take_step(
            review,
            current_user,
            step,
            expected_version=form.expected_version,
            comment=form.comment.data or "",
        )
    except (Conflict, InvalidTransition, ValidationFailed) as error:
        review = service.get_review(current_user, review_id)
        status = 422 if isinstance(error, ValidationFailed) else 409
        return review_page(review, status=status, message=error.message)
    return hx_redirect(url_for("goals.review_detail", review_id=review_id))


@bp.post("/reviews/<int:review_id>/reopen")
@login_required
def review_reopen(review_id: int):
    review = service.get_review(current_user, review_id)
    policy.require(current_user, "review.reopen", review)
    form = ReopenForm()
    if not form.validate_on_submit():
        return review_page(review, status=422, bound={"reopen": form})
    try:
        service.reopen(
            review,
            current_user,
            to=form.to.data,
            reason=form.reason.data or "",
            expected_version=form.expected_version,
        )
    except ValidationFailed as error:
        apply_errors(form, error)
        return review_page(review, status=422, bound={"reopen": form})
    except (Conflict, InvalidTransition) as error:
        review = service.get_review(current_user, review_id)
        form.version.data = str(review.version)
        return review_page(review, status=409, bound={"reopen": form}, message=error.message)
    return hx_redirect(url_for("goals.review_detail", review_id=review_id))


__all__ = ["VersionForm"]
