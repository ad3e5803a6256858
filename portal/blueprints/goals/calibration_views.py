"""Calibration: the reviews a room calibrates, filtered (team, reviewer, position; kept in the
URL), their distribution as a chart and a table against the guideline, one person's rating
changed in place (a row swaps into an edit row; the board and a confirmation come back), the
evidence behind a rating loaded on demand, a blind preview without names, a what-if preview
that stores nothing, and the log of changes."""

from __future__ import annotations

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from portal import policy
from portal.dashboards import review_evidence
from portal.errors import Conflict, InvalidTransition, ValidationFailed
from portal.goals import calibration as service
from portal.goals import calibration_figures as shown
from portal.goals import goals as plans
from portal.goals import reviews
from portal.htmx import hx_trigger, is_fragment_request, render_view
from portal.params import cursor_id, parse_int

from . import calibration_cache as remembered
from .forms import CalibrationForm
from .views import bp

BOARD = "goals/_calibration_board.html"


def _filters(args=None) -> service.CalibrationFilters:
    args = request.args if args is None else args
    return service.CalibrationFilters(
        team_id=args.get("team", type=int),
        reviewer_id=args.get("reviewer", type=int),
        position_id=args.get("position", type=int),
        blind=args.get("blind") == "1",
    )


def _what_if_on() -> bool:
    return request.args.get("whatif") == "1"


def _tried(values) -> dict[int, int]:
    """The what-if ratings chosen in the table: w<review id>=<rating>; anything else ignored."""
    tried: dict[int, int] = {}
    for name, value in values.items():
        if name.startswith("w"):
            review_id, rating = parse_int(name[1:]), parse_int(value)
            if review_id is not None and rating is not None:
                tried[review_id] = rating
    return tried


def _cycle(cycle_id):
    cycles = plans.current_cycles()
    cycle = next((c for c in cycles if c.id == cycle_id), None) or (cycles[0] if cycles else None)
    return cycles, cycle


def person_label(board: service.Calibration | None, review) -> str:
    """The person's name, or "Person n" in the blind preview."""
    if board is not None and board.numbers:
        return _("Person %(n)s", n=board.numbers.get(review.id, "?"))
    return review.person.display_name


def edit_form(review, formdata=None, rating=None, cycle=None) -> CalibrationForm:
    """The rating's edit form; `cycle` for a remembered row (calibration_cache.BoardRow)."""
    form = CalibrationForm(
        formdata=formdata,
        prefix=f"r{review.id}",
        data={"version": str(review.version), "rating": rating or review.final_rating},
    )
    form.rating.choices = [
        SelectChoice(item["value"], f"{item['value']} · {item['label']}")
        for item in (cycle or review.cycle).scale
    ]
    return form


def _chart(cycle, board, preview=None) -> dict:
    scale = [(value, cycle.scale_label(value)) for value in cycle.scale_values]
    labels = {
        "x": _("Rating"),
        "y": _("Share (%(unit)s)", unit="%"),
        "now": _("Now"),
        "whatIf": _("What-if"),
        "guideline": _("Guideline: at most"),
    }
    return shown.chart_data(
        scale,
        board.distribution,
        board.guideline,
        labels,
        preview.distribution if preview is not None else None,
    )


def _context(
    cycle_id, filters, *, edit=None, tried=None, focus_id=None, message="", with_log=True
) -> dict:
    """Everything the page and its board fragment show (a single row needs no log)."""
    cycles, cycle = _cycle(cycle_id)
    ctx: dict = {
        "cycles": cycles,
        "cycle": cycle,
        "filters": filters,
        "args": filters.as_args(),
        "link_args": filters.as_args() | ({"whatif": 1} if _what_if_on() or tried else {}),
        "what_if_on": _what_if_on() or bool(tried),
        "edit": edit or {},
        "focus_id": focus_id,
        "message": message,
        "board": None,
        "preview": None,
        "log": None,
        "calibrators": [],
        "person_label": person_label,
        "tried": tried or {},
    }
    if cycle is None:
        return ctx
    if tried:
        board, preview = service.what_if(current_user, cycle, filters, tried)
        ctx["preview"] = preview
        ctx["can_calibrate"] = service.changeable_ids(board.reviews)
    else:
        # Remembered as plain rows (calibration_cache): no ORM object, no HTML.
        board, ctx["can_calibrate"] = remembered.board(cycle, filters)
    # The board holds only reviews the viewer calibrates (policy.scoped_calibrated_reviews).
    ctx["board"] = board
    ctx["chart"] = _chart(cycle, board, ctx["preview"])
    if with_log and not filters.blind:
        ctx["log"], ctx["calibrators"] = remembered.log(
            cycle, filters, limit=current_app.config["PAGE_SIZE"]
        )
    return ctx


@bp.get("/calibration")
@login_required
def calibration():
    policy.require(current_user, "review_calibration.view")
    filters = _filters()
    ctx = _context(request.args.get("cycle", type=int), filters, tried=_tried(request.args))
    edit_id = request.args.get("edit", type=int)
    if edit_id and ctx["board"] and edit_id in ctx["can_calibrate"]:
        review = next(r for r in ctx["board"].reviews if r.id == edit_id)
        ctx["edit"] = {edit_id: edit_form(review, cycle=ctx["cycle"])}
    return render_view("goals/calibration.html", BOARD, **ctx)


def _row(review, *, editing: bool, rating=None):
    """One row of the table (or its edit row) for an htmx swap; the whole page otherwise."""
    filters = _filters()
    if not is_fragment_request():
        args = filters.as_args() | ({"edit": review.id} if editing else {})
        return redirect(url_for("goals.calibration", cycle=review.cycle_id, **args), code=303)
    ctx = _context(
        review.cycle_id,
        filters,
        tried=_tried(request.args),  # the what-if ratings tried so far stay selected
        focus_id=None if editing else review.id,
        with_log=False,
    )
    if editing:
        policy.require(current_user, "review.calibrate", review)
        if review.id not in ctx["can_calibrate"]:
            raise InvalidTransition(_("Ratings change at calibration only, until it closes."))
        ctx["edit"] = {review.id: edit_form(review, rating=rating)}
    ctx["r"] = review
    return render_template("goals/_calibration_row.html", **ctx)


@bp.get("/calibration/<int:review_id>/row")
@login_required
def calibration_row(review_id: int):
    return _row(service.get_calibrated(current_user, review_id), editing=False)


@bp.get("/calibration/<int:review_id>/edit")
@login_required
def calibration_edit(review_id: int):
    review = service.get_calibrated(current_user, review_id)
    rating = request.args.get("rating", type=int)
    if rating not in review.cycle.scale_values:
        rating = None
    return _row(review, editing=True, rating=rating)


@bp.get("/calibration/<int:review_id>/evidence")
@login_required
def calibration_evidence(review_id: int):
    review = service.get_calibrated(current_user, review_id)
    return render_view(
        "goals/calibration_evidence.html",
        "goals/_calibration_evidence.html",
        ev=service.evidence(current_user, review),
        # The same QA figure as the review page (dashboards/, which features never import).
        qa=review_evidence.qa_evidence(
            current_user, review, current_app.config["QA_MIN_EVALUATIONS"]
        ),
        filters=_filters(),
        args=_filters().as_args(),
    )


@bp.get("/calibration/what-if")
@login_required
def calibration_what_if():
    """The distribution if the chosen ratings were saved. Nothing is stored."""
    policy.require(current_user, "review_calibration.view")
    filters = _filters()
    ctx = _context(request.args.get("cycle", type=int), filters, tried=_tried(request.args))
    ctx["what_if_on"] = True
    ctx["link_args"] = filters.as_args() | {"whatif": 1}
    return render_view("goals/calibration.html", "goals/_calibration_what_if.html", **ctx)


@bp.get("/calibration/log")
@login_required
def calibration_log():
    """The calibration changes of the cycle, newest first, keyset-paged; filtered like the
    board and by who made the change."""
    policy.require(current_user, "review_calibration.view")
    filters = _filters()
    cycles, cycle = _cycle(request.args.get("cycle", type=int))
    by_id = request.args.get("by", type=int)
    log, calibrators = None, []
    if cycle is not None and not filters.blind:
        log, calibrators = remembered.log(
            cycle,
            filters,
            by_id=by_id,
            after=cursor_id(request.args.get("after")),
            limit=current_app.config["PAGE_SIZE"],
        )
    elif cycle is not None:
        calibrators = service.calibrators(current_user, cycle)
    return render_view(
        "goals/calibration_log.html",
        "goals/_calibration_log.html",
        cycles=cycles,
        cycle=cycle,
        filters=filters,
        args=filters.as_args(),
        log=log,
        by_id=by_id,
        calibrators=calibrators,
    )


@bp.post("/calibration/<int:review_id>")
@login_required
def calibration_change(review_id: int):
    review = reviews.get_review(current_user, review_id)
    policy.require(current_user, "review.calibrate", review)
    filters = _filters()
    cycle_id = review.cycle_id
    tried = _tried(request.form)
    form = edit_form(review, formdata=request.form)

    def again(status: int, message: str = ""):
        ctx = _context(cycle_id, filters, edit={review_id: form}, tried=tried, message=message)
        return render_view("goals/calibration.html", BOARD, status=status, **ctx)

    if not form.validate_on_submit() or form.rating.data is None:
        if form.rating.data is None:
            form.rating.errors = list(form.rating.errors) + [_("Choose a rating.")]
        return again(422)
    before = review.final_rating
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
        return again(422)
    except (Conflict, InvalidTransition) as error:
        fresh = reviews.get_review(current_user, review_id)
        form.version.data = str(fresh.version)  # the typed rating and reason stay
        return again(409, error.message)
    ctx = _context(cycle_id, filters, tried=tried, focus_id=review_id)
    confirmation = _(
        "Rating of %(person)s changed from %(before)s to %(after)s.",
        person=person_label(ctx["board"], review),
        before=before if before is not None else "—",
        after=review.final_rating,
    )
    if not is_fragment_request():
        flash(confirmation, "success")
        args = filters.as_args() | ({"whatif": 1} if _what_if_on() else {})
        return redirect(url_for("goals.calibration", cycle=cycle_id, **args), code=303)
    ctx["confirmation"] = confirmation
    response = make_response(render_template(BOARD, **ctx))
    return hx_trigger(response, "rating-calibrated", {"review": review_id})
