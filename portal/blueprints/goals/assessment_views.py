"""The assessment form's live parts: the computed overall from the ratings as typed (nothing
saved), and the draft's autosave with the version check. Both answer a small fragment; the
explicit Save draft / Submit buttons stay in review_views."""

from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import policy
from portal.errors import Conflict, InvalidTransition, ValidationFailed
from portal.goals import reviews as service
from portal.goals.models import Author
from portal.htmx import render_view

from .review_views import _assessment_form, _given
from .views import bp

RULE = {Author.SELF: "review.self", Author.MANAGER: "review.manager"}


def _writable(review_id: int, author: str):
    """The review, when the signed-in person writes this author's assessment (404 out of
    reach, 403 for another reader)."""
    review = service.get_review(current_user, review_id)
    policy.require(current_user, RULE[Author(author)], review)
    return review


def _overall(review_id: int, author: str):
    review = _writable(review_id, author)
    computed = service.overall_of(review, _given(review))
    return render_view("goals/_live_overall.html", review=review, computed=computed)


@bp.post("/reviews/<int:review_id>/self/overall")
@login_required
def review_self_overall(review_id: int):
    """The self-assessment's computed overall from the typed ratings (nothing is saved)."""
    return _overall(review_id, Author.SELF)


@bp.post("/reviews/<int:review_id>/manager/overall")
@login_required
def review_manager_overall(review_id: int):
    """The manager assessment's computed overall from the typed ratings (nothing is saved)."""
    return _overall(review_id, Author.MANAGER)


def _state(author: str, status: int, *, saved_at=None, problem: str = "", version=None):
    html = render_template(
        "goals/_save_state.html",
        author=author,
        saved_at=saved_at,
        problem=problem,
        version=version,
    )
    return html, status


def _autosave(review_id: int, author: str):
    """Save the typed draft (never submits). A draft already holding what was typed answers
    "saved" without writing; a stale version answers 409 and the page keeps what was typed."""
    review = _writable(review_id, author)
    form = _assessment_form(review, author)
    given = _given(review)
    if not form.validate_on_submit():
        messages = [m for errors in form.errors.values() for m in errors]
        return _state(author, 422, problem=" ".join(str(m) for m in messages))
    comment = form.overall_comment.data or ""
    proposed = form.proposed_rating.data if author == Author.MANAGER else None
    if service.draft_unchanged(
        review, author, given=given, overall_comment=comment, proposed_rating=proposed
    ):
        return _state(author, 200, saved_at=review.updated_at)
    try:
        if author == Author.SELF:
            service.save_self(
                review,
                current_user,
                given=given,
                overall_comment=comment,
                submit=False,
                expected_version=form.expected_version,
            )
        else:
            service.save_manager(
                review,
                current_user,
                given=given,
                overall_comment=comment,
                proposed_rating=proposed,
                submit=False,
                expected_version=form.expected_version,
            )
    except ValidationFailed as error:
        messages = [m for errors in error.field_errors.values() for m in errors]
        return _state(author, 422, problem=" ".join(messages) or error.message)
    except Conflict:
        return _state(
            author,
            409,
            problem=_(
                "someone else changed this review since you opened it. What you typed is "
                "kept on this page: copy it, then reload to see their changes."
            ),
        )
    except InvalidTransition as error:
        return _state(author, 409, problem=error.message)
    return _state(author, 200, saved_at=review.updated_at, version=review.version)


@bp.post("/reviews/<int:review_id>/self/autosave")
@login_required
def review_self_autosave(review_id: int):
    return _autosave(review_id, Author.SELF)


@bp.post("/reviews/<int:review_id>/manager/autosave")
@login_required
def review_manager_autosave(review_id: int):
    return _autosave(review_id, Author.MANAGER)
