"""Scorecard pages: the list, a new scorecard, the builder page, publishing, archiving, and a
read-only view of any version. The builder's own actions are in builder_views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from portal import policy
from portal.errors import Conflict, InvalidTransition, ValidationFailed
from portal.extensions import db
from portal.forms import apply_errors
from portal.htmx import hx_trigger, is_fragment_request, render_view
from portal.keyset import Sort, read_sort
from portal.org.models import Market
from portal.qa import scorecards
from portal.qa.models import AnswerType, Scorecard
from portal.qa.scorecard_versions import live_version

from .forms import (
    ChoiceForm,
    QuestionForm,
    ScorecardForm,
    ScorecardNewForm,
    SectionForm,
    VersionForm,
)
from .views import bp

BUILDER_PAGE = "qa/scorecard_detail.html"
BUILDER_FRAGMENT = "qa/_scorecard_builder.html"


def _markets() -> list[Market]:
    return list(db.session.execute(select(Market).order_by(Market.code)).scalars())


SCORECARD_SORTS = ("name", "changed")
BY_NAME = Sort("name", "asc")


@bp.get("/scorecards")
@login_required
def scorecard_list():
    archived = request.args.get("archived") == "1"
    sort = read_sort(request.args, SCORECARD_SORTS, BY_NAME)
    rows = scorecards.scorecards_for(current_user, archived=archived, sort=sort)
    return render_view(
        "qa/scorecard_list.html",
        rows=rows,
        archived=archived,
        sort=sort,
        args={"archived": "1"} if archived else {},
    )


@bp.route("/scorecards/new", methods=["GET", "POST"])
@login_required
def scorecard_new():
    policy.require(current_user, "scorecard.edit")
    form = ScorecardNewForm()
    form.fill_choices(_markets())
    if form.validate_on_submit():
        try:
            scorecard = scorecards.create_scorecard(
                current_user,
                name=form.name.data,
                description=form.description.data or "",
                channels=form.channels.data or [],
                market_ids=form.markets.data or [],
            )
        except ValidationFailed as error:
            apply_errors(form, error)
        else:
            return redirect(url_for("qa.scorecard_detail", scorecard_id=scorecard.id), code=303)
    status = 422 if request.method == "POST" else 200
    return render_view("qa/scorecard_new.html", form=form, status=status)


@bp.get("/scorecards/<int:scorecard_id>")
@login_required
def scorecard_detail(scorecard_id: int):
    scorecard = scorecards.get_scorecard(current_user, scorecard_id)
    return builder_page(scorecard)


@bp.post("/scorecards/<int:scorecard_id>/edit")
@login_required
def scorecard_edit(scorecard_id: int):
    scorecard = scorecards.get_scorecard(current_user, scorecard_id)
    form = ScorecardForm(prefix="card")
    form.fill_choices(_markets())
    return run_action(
        scorecard,
        form,
        "card",
        lambda: scorecards.edit_scorecard(
            scorecard,
            current_user,
            expected_version=form.expected_version,
            name=form.name.data,
            description=form.description.data or "",
            channels=form.channels.data or [],
            market_ids=form.markets.data or [],
        ),
    )


@bp.post("/scorecards/<int:scorecard_id>/publish")
@login_required
def scorecard_publish(scorecard_id: int):
    scorecard = scorecards.get_scorecard(current_user, scorecard_id)
    form = VersionForm()
    return run_action(
        scorecard,
        form,
        None,
        lambda: scorecards.publish_scorecard(
            scorecard, current_user, expected_version=form.expected_version
        ),
    )


@bp.post("/scorecards/<int:scorecard_id>/archive")
@login_required
def scorecard_archive(scorecard_id: int):
    scorecard = scorecards.get_scorecard(current_user, scorecard_id)
    form = VersionForm()
    return run_action(
        scorecard,
        form,
        None,
        lambda: scorecards.archive_scorecard(
            scorecard, current_user, expected_version=form.expected_version
        ),
    )


@bp.post("/scorecards/<int:scorecard_id>/unarchive")
@login_required
def scorecard_unarchive(scorecard_id: int):
    scorecard = scorecards.get_scorecard(current_user, scorecard_id)
    form = VersionForm()
    return run_action(
        scorecard,
        form,
        None,
        lambda: scorecards.unarchive_scorecard(
            scorecard, current_user, expected_version=form.expected_version
        ),
    )


@bp.get("/scorecards/<int:scorecard_id>/versions/<int:number>")
@login_required
def scorecard_version_detail(scorecard_id: int, number: int):
    version = scorecards.get_version(current_user, scorecard_id, number)
    return render_view(
        "qa/scorecard_version_detail.html",
        scorecard=version.scorecard,
        version=version,
        live=live_version(version.scorecard),
    )


# ---- the builder region, shared with builder_views ------------------------------------------


def run_action(
    scorecard: Scorecard,
    form: Any,
    key: str | None,
    action: Callable[[], None],
    editing: tuple[str, int] | None = None,
):
    """Validate the form, run one service, and answer with the builder: updated (200, or a
    redirect without htmx), or with the form kept as typed and its errors (422, 409)."""
    policy.require(current_user, "scorecard.edit")
    bound = {key: form} if key else {}
    if not form.validate_on_submit():
        return builder_page(scorecard, status=422, bound=bound, editing=editing)
    try:
        action()
    except ValidationFailed as error:
        if key is None:
            problems = error.field_errors.get("publish") or [error.message]
            return builder_page(scorecard, status=422, problems=problems)
        apply_errors(form, error)
        return builder_page(scorecard, status=422, bound=bound, editing=editing)
    except (Conflict, InvalidTransition) as error:
        # The page now shows the scorecard as it is; what was typed stays in the form, which
        # carries the new version, so sending it again is a deliberate second step.
        form.version.data = str(scorecard.version)
        return builder_page(
            scorecard, status=409, bound=bound, editing=editing, message=error.message
        )
    if is_fragment_request():
        return hx_trigger(builder_page(scorecard), "scorecard-changed")
    return redirect(url_for("qa.scorecard_detail", scorecard_id=scorecard.id), code=303)


def builder_page(
    scorecard: Scorecard,
    *,
    status: int = 200,
    bound: dict[str, Any] | None = None,
    editing: tuple[str, int] | None = None,
    problems: list[str] | None = None,
    message: str | None = None,
):
    """The builder page, or only its region for htmx."""
    bound = bound or {}
    version = scorecard.current_version
    assert version is not None

    def fresh(form_class: type, key: str, **data: Any) -> Any:
        if key in bound:
            return bound[key]
        return form_class(
            formdata=None, prefix=key, data={"version": str(scorecard.version), **data}
        )

    forms: dict[str, Any] = {
        "card": fresh(
            ScorecardForm,
            "card",
            name=scorecard.name,
            description=scorecard.description,
            channels=scorecard.channels,
            markets=[m.id for m in scorecard.markets],
        ),
        "section-new": fresh(SectionForm, "section-new"),
    }
    forms["card"].fill_choices(_markets())
    for section in version.sections:
        forms[f"question-new-{section.id}"] = fresh(
            QuestionForm, f"question-new-{section.id}", answer_type=AnswerType.YES_NO.value
        )
        for question in section.questions:
            if question.answer_type == AnswerType.CHOICE:
                forms[f"choice-new-{question.id}"] = fresh(
                    ChoiceForm, f"choice-new-{question.id}", points=0
                )
    editing_key = None
    if editing:
        editing_key = f"{editing[0]}-{editing[1]}"
        forms[editing_key] = bound.get(editing_key) or _edit_form(
            fresh, version, editing[0], editing[1]
        )
    return render_view(
        BUILDER_PAGE,
        BUILDER_FRAGMENT,
        status=status,
        scorecard=scorecard,
        version=version,
        live=live_version(scorecard),
        forms=forms,
        editing=editing_key,
        problems=problems or [],
        message=message,
        can_edit=policy.can(current_user, "scorecard.edit") and not scorecard.is_archived,
    )


def _edit_form(fresh: Callable[..., Any], version, kind: str, row_id: int) -> Any:
    key = f"{kind}-{row_id}"
    for section in version.sections:
        if kind == "section" and section.id == row_id:
            return fresh(SectionForm, key, title=section.title, weight=section.weight)
        for question in section.questions:
            if kind == "question" and question.id == row_id:
                return fresh(
                    QuestionForm,
                    key,
                    text=question.text,
                    guidance=question.guidance,
                    answer_type=question.answer_type,
                    points=question.points,
                    scale_max=question.scale_max,
                    na_allowed=question.na_allowed,
                    critical_scope=question.critical_scope or "",
                )
            for choice in question.choices:
                if kind == "choice" and choice.id == row_id:
                    return fresh(
                        ChoiceForm,
                        key,
                        label=choice.label,
                        points=choice.points,
                        is_failing=choice.is_failing,
                    )
    return None
