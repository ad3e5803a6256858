"""Business reviews (WBR/MBR): the list, scheduling one, its page with live or frozen figures,
meeting notes, and marking it held. Decisions and action items are in item_views.py; market
summaries in summary_views.py."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from portal import policy
from portal.blueprints.teams.period_args import today_for
from portal.business import actions, reviews
from portal.business.models import BusinessReview, ReviewKind, ReviewStatus
from portal.db import utcnow
from portal.errors import Conflict, DomainError, ValidationFailed
from portal.extensions import db
from portal.htmx import hx_redirect, is_fragment_request, render_view
from portal.org.models import Market, Person
from portal.params import parse_int
from portal.qa.scoring import format_score

from .forms import (
    SHORT_KIND,
    STATUS_LABELS,
    ActionItemForm,
    DecisionForm,
    EmptyForm,
    ReviewHoldForm,
    ReviewNewForm,
    ReviewNotesForm,
    new_token,
)

bp = Blueprint("business", __name__, url_prefix="/business")


@bp.app_template_filter("business_score")
def _business_score(value) -> str:
    return format_score(value)


@bp.app_context_processor
def _labels() -> dict:
    return {"review_kind_labels": SHORT_KIND, "review_status_labels": STATUS_LABELS}


def show_errors(form, failure: ValidationFailed) -> None:
    for name, messages in failure.field_errors.items():
        field = getattr(form, name, None)
        if field is not None:
            field.errors = list(field.errors or []) + list(messages)


def markets() -> list[Market]:
    return list(db.session.scalars(select(Market).order_by(Market.code)))


def _int_arg(name: str) -> int | None:
    return parse_int(request.args.get(name), minimum=1)


@bp.get("/")
@login_required
def review_list():
    kind = request.args.get("kind")
    status = request.args.get("status")
    filters = reviews.ReviewFilters(
        kind=kind if kind in set(ReviewKind) else None,
        status=status if status in set(ReviewStatus) else None,
        market_id=_int_arg("market"),
    )
    page = reviews.review_page(current_user, filters, after=request.args.get("after"))
    return render_view(
        "business/review_list.html",
        page=page,
        filters=filters,
        args=filters.as_args(),
        markets=markets(),
        can_create=policy.can(current_user, "business.create", current_user)
        and (policy.has_reports(current_user) or policy.is_hr(current_user)),
    )


def _new_form(form: ReviewNewForm | None = None) -> ReviewNewForm:
    form = form or ReviewNewForm(formdata=None, on=today_for(current_user))
    form.node_id.choices = [SelectChoice(p.id, p.name) for p in reviews.node_choices(current_user)]
    form.market_id.choices = [SelectChoice("", "—")] + [
        SelectChoice(m.id, f"{m.code} · {m.name}") for m in markets()
    ]
    return form


@bp.route("/reviews/new", methods=["GET", "POST"])
@login_required
def review_new():
    if request.method == "GET":
        form = _new_form()
        node_arg = _int_arg("node")
        if node_arg:
            form.node_id.data = node_arg
        return render_view("business/review_new.html", form=form)
    form = _new_form(ReviewNewForm())
    # Any person the viewer may see in the KPI area is a node; the scoped load below decides.
    form.node_id.validate_choice = False
    if form.validate_on_submit():
        node = policy.get_visible_or_404(Person, form.node_id.data, current_user, policy.Area.KPIS)
        try:
            review, _created = reviews.create_review(
                current_user,
                kind=form.kind.data,
                node=node,
                market_id=form.market_id.data,
                on=form.on.data,
                title=form.title.data,
            )
        except ValidationFailed as failure:
            show_errors(form, failure)
        else:
            return hx_redirect(url_for("business.review_detail", review_id=review.id))
    return render_view("business/review_new.html", status=422, form=form)


# ---- the review page ----------------------------------------------------------------------


def action_form(review: BusinessReview, form: ActionItemForm | None = None) -> ActionItemForm:
    form = form or ActionItemForm(formdata=None, token=new_token(), owner_id=review.person_id)
    form.owner_id.choices = owner_options(review)
    return form


def owner_options(review: BusinessReview) -> list[SelectChoice]:
    cache = g.setdefault("business_owner_options", {})
    if review.id not in cache:
        cache[review.id] = [
            SelectChoice(p.id, p.name) for p in actions.owner_choices(current_user, review)
        ]
    return cache[review.id]


def status_ctx(review: BusinessReview, error: str | None = None) -> dict:
    return {
        "review": review,
        "hold_form": ReviewHoldForm(formdata=None, version=review.version),
        "status_error": error,
        "can_edit": policy.can(current_user, "business.edit", review),
    }


def notes_ctx(review: BusinessReview, form: ReviewNotesForm | None = None, **extra) -> dict:
    return {
        "review": review,
        "notes_form": form
        or ReviewNotesForm(formdata=None, notes=review.notes, version=review.version),
        "can_edit": policy.can(current_user, "business.edit", review),
        **extra,
    }


def decisions_ctx(review: BusinessReview, form: DecisionForm | None = None) -> dict:
    return {
        "review": review,
        "decisions": actions.decisions_for(review),
        "decision_form": form or DecisionForm(formdata=None, token=new_token()),
        "empty_form": EmptyForm(formdata=None),
        "can_edit": policy.can(current_user, "business.edit", review),
    }


def actions_ctx(
    review: BusinessReview, form: ActionItemForm | None = None, error: str | None = None
) -> dict:
    can_edit = policy.can(current_user, "business.edit", review)
    return {
        "review": review,
        "items": actions.action_items_for(review),
        "carried": actions.carried_over(review),
        "action_form": action_form(review, form) if can_edit else None,
        "owners": owner_options(review) if can_edit else [],
        "empty_form": EmptyForm(formdata=None),
        "today": today_for(current_user),
        "can_edit": can_edit,
        "action_error": error,
    }


def page(review: BusinessReview, /, status: int = 200, **overrides):
    minimum = current_app.config["QA_MIN_EVALUATIONS"]
    ctx: dict = {
        **status_ctx(review),
        **notes_ctx(review),
        **decisions_ctx(review),
        **actions_ctx(review),
        "figures": reviews.figures_for(current_user, review, minimum=minimum, now=utcnow()),
        "minimum": minimum,
    }
    ctx.update(overrides)
    return render_view("business/review_detail.html", status=status, **ctx)


def region(review: BusinessReview, template: str, /, status: int = 200, **ctx):
    """The region for htmx; otherwise back to the review (303), or the whole page with the
    error (status >= 400) so what was typed is kept."""
    if is_fragment_request():
        return make_response(render_template(template, **ctx), status)
    if status >= 400:
        return page(review, status=status, **ctx)
    return redirect(url_for("business.review_detail", review_id=review.id), code=303)


@bp.get("/reviews/<int:review_id>")
@login_required
def review_detail(review_id: int):
    return page(reviews.get_review(current_user, review_id))


@bp.post("/reviews/<int:review_id>/notes")
@login_required
def review_notes(review_id: int):
    review = reviews.get_review(current_user, review_id)
    policy.require(current_user, "business.edit", review)
    form = ReviewNotesForm()
    if form.validate_on_submit():
        try:
            reviews.save_notes(
                current_user, review, form.notes.data or "", expected_version=form.version.data
            )
        except Conflict as conflict:
            db.session.expire_all()
            review = reviews.get_review(current_user, review_id)
            return region(
                review,
                "business/_notes.html",
                status=409,
                **notes_ctx(review, form, notes_error=conflict.message, current_notes=review.notes),
            )
        except ValidationFailed as failure:
            show_errors(form, failure)
        else:
            return region(review, "business/_notes.html", **notes_ctx(review, saved=True))
    return region(review, "business/_notes.html", status=422, **notes_ctx(review, form))


def _status_change(review_id: int, change) -> object:
    """Hold or reopen (change(review, expected_version)); the status region again on error."""
    review = reviews.get_review(current_user, review_id)
    policy.require(current_user, "business.edit", review)
    form = ReviewHoldForm()
    error: DomainError | None = None
    if form.validate_on_submit():
        try:
            change(review, form.version.data)
        except DomainError as failure:
            error = failure
        else:
            return hx_redirect(url_for("business.review_detail", review_id=review.id))
    db.session.expire_all()
    review = reviews.get_review(current_user, review_id)
    status = error.status if error is not None else 422
    message = error.message if error is not None else None
    return region(review, "business/_status.html", status=status, **status_ctx(review, message))


@bp.post("/reviews/<int:review_id>/hold")
@login_required
def review_hold(review_id: int):
    return _status_change(
        review_id,
        lambda review, version: reviews.hold_review(
            current_user,
            review,
            expected_version=version,
            minimum=current_app.config["QA_MIN_EVALUATIONS"],
            now=utcnow(),
        ),
    )


@bp.post("/reviews/<int:review_id>/reopen")
@login_required
def review_reopen(review_id: int):
    return _status_change(
        review_id,
        lambda review, version: reviews.reopen_review(
            current_user, review, expected_version=version, now=utcnow()
        ),
    )


@bp.get("/actions")
@login_required
def my_actions():
    return render_view(
        "business/my_actions.html",
        rows=actions.my_action_items(current_user),
        today=today_for(current_user),
        empty_form=EmptyForm(formdata=None),
    )


from portal.business import talking_points  # noqa: E402, F401  (registers the 1:1 provider)

from . import item_views, summary_views  # noqa: E402, F401  (routes on the same bp)
