"""The scorecard builder's actions over htmx: sections, questions and choices — add, edit,
move up or down, remove. Each answers with the builder region (see scorecard_views)."""

from __future__ import annotations

from flask import request
from flask_login import current_user, login_required

from portal import policy
from portal.errors import NotFound
from portal.qa import scorecard_builder as builder
from portal.qa import scorecards
from portal.qa.scorecard_versions import current_rows

from .forms import ChoiceForm, QuestionForm, SectionForm, VersionForm
from .scorecard_views import builder_page, run_action
from .views import bp

PREFIX = "/scorecards/<int:scorecard_id>"


def _step() -> int:
    return -1 if request.form.get("direction") == "up" else 1


def _editing_page(scorecard_id: int, kind: str, row_id: int):
    """The builder with one row's edit form open (GET: the "Edit" link)."""
    policy.require(current_user, "scorecard.edit")
    scorecard = scorecards.get_scorecard(current_user, scorecard_id)
    rows = current_rows(scorecard)
    if (
        row_id
        not in {"section": rows.sections, "question": rows.questions, "choice": rows.choices}[kind]
    ):
        raise NotFound()
    return builder_page(scorecard, editing=(kind, row_id))


# ---- sections -------------------------------------------------------------------------------


@bp.post(f"{PREFIX}/sections")
@login_required
def section_add(scorecard_id: int):
    scorecard = scorecards.get_scorecard(current_user, scorecard_id)
    form = SectionForm(prefix="section-new")
    return run_action(
        scorecard,
        form,
        "section-new",
        lambda: builder.add_section(
            scorecard,
            current_user,
            expected_version=form.expected_version,
            title=form.title.data,
            weight=form.weight.data,
        ),
    )


@bp.route(f"{PREFIX}/sections/<int:section_id>/edit", methods=["GET", "POST"])
@login_required
def section_edit(scorecard_id: int, section_id: int):
    if request.method == "GET":
        return _editing_page(scorecard_id, "section", section_id)
    scorecard = scorecards.get_scorecard(current_user, scorecard_id)
    key = f"section-{section_id}"
    form = SectionForm(prefix=key)
    return run_action(
        scorecard,
        form,
        key,
        lambda: builder.edit_section(
            scorecard,
            section_id,
            current_user,
            expected_version=form.expected_version,
            title=form.title.data,
            weight=form.weight.data,
        ),
        editing=("section", section_id),
    )


@bp.post(f"{PREFIX}/sections/<int:section_id>/move")
@login_required
def section_move(scorecard_id: int, section_id: int):
    scorecard = scorecards.get_scorecard(current_user, scorecard_id)
    form = VersionForm()
    return run_action(
        scorecard,
        form,
        None,
        lambda: builder.move_section(
            scorecard,
            section_id,
            current_user,
            expected_version=form.expected_version,
            step=_step(),
        ),
    )


@bp.post(f"{PREFIX}/sections/<int:section_id>/remove")
@login_required
def section_remove(scorecard_id: int, section_id: int):
    scorecard = scorecards.get_scorecard(current_user, scorecard_id)
    form = VersionForm()
    return run_action(
        scorecard,
        form,
        None,
        lambda: builder.remove_section(
            scorecard, section_id, current_user, expected_version=form.expected_version
        ),
    )


# ---- questions ------------------------------------------------------------------------------


@bp.post(f"{PREFIX}/sections/<int:section_id>/questions")
@login_required
def question_add(scorecard_id: int, section_id: int):
    scorecard = scorecards.get_scorecard(current_user, scorecard_id)
    key = f"question-new-{section_id}"
    form = QuestionForm(prefix=key)
    return run_action(
        scorecard,
        form,
        key,
        lambda: builder.add_question(
            scorecard,
            section_id,
            current_user,
            expected_version=form.expected_version,
            fields=form.fields_value(),
        ),
    )


@bp.route(f"{PREFIX}/questions/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
def question_edit(scorecard_id: int, question_id: int):
    if request.method == "GET":
        return _editing_page(scorecard_id, "question", question_id)
    scorecard = scorecards.get_scorecard(current_user, scorecard_id)
    key = f"question-{question_id}"
    form = QuestionForm(prefix=key)
    return run_action(
        scorecard,
        form,
        key,
        lambda: builder.edit_question(
            scorecard,
            question_id,
            current_user,
            expected_version=form.expected_version,
            fields=form.fields_value(),
        ),
        editing=("question", question_id),
    )


@bp.post(f"{PREFIX}/questions/<int:question_id>/move")
@login_required
def question_move(scorecard_id: int, question_id: int):
    scorecard = scorecards.get_scorecard(current_user, scorecard_id)
    form = VersionForm()
    return run_action(
        scorecard,
        form,
        None,
        lambda: builder.move_question(
            scorecard,
            question_id,
            current_user,
            expected_version=form.expected_version,
            step=_step(),
        ),
    )


@bp.post(f"{PREFIX}/questions/<int:question_id>/remove")
@login_required
def question_remove(scorecard_id: int, question_id: int):
    scorecard = scorecards.get_scorecard(current_user, scorecard_id)
    form = VersionForm()
    return run_action(
        scorecard,
        form,
        None,
        lambda: builder.remove_question(
            scorecard, question_id, current_user, expected_version=form.expected_version
        ),
    )


# ---- choices --------------------------------------------------------------------------------


@bp.post(f"{PREFIX}/questions/<int:question_id>/choices")
@login_required
def choice_add(scorecard_id: int, question_id: int):
    scorecard = scorecards.get_scorecard(current_user, scorecard_id)
    key = f"choice-new-{question_id}"
    form = ChoiceForm(prefix=key)
    return run_action(
        scorecard,
        form,
        key,
        lambda: builder.add_choice(
            scorecard,
            question_id,
            current_user,
            expected_version=form.expected_version,
            label=form.label.data,
            points=form.points.data,
            is_failing=bool(form.is_failing.data),
        ),
    )


@bp.route(f"{PREFIX}/choices/<int:choice_id>/edit", methods=["GET", "POST"])
@login_required
def choice_edit(scorecard_id: int, choice_id: int):
    if request.method == "GET":
        return _editing_page(scorecard_id, "choice", choice_id)
    scorecard = scorecards.get_scorecard(current_user, scorecard_id)
    key = f"choice-{choice_id}"
    form = ChoiceForm(prefix=key)
    return run_action(
        scorecard,
        form,
        key,
        lambda: builder.edit_choice(
            scorecard,
            choice_id,
            current_user,
            expected_version=form.expected_version,
            label=form.label.data,
            points=form.points.data,
            is_failing=bool(form.is_failing.data),
        ),
        editing=("choice", choice_id),
    )


@bp.post(f"{PREFIX}/choices/<int:choice_id>/move")
@login_required
def choice_move(scorecard_id: int, choice_id: int):
    scorecard = scorecards.get_scorecard(current_user, scorecard_id)
    form = VersionForm()
    return run_action(
        scorecard,
        form,
        None,
        lambda: builder.move_choice(
            scorecard,
            choice_id,
            current_user,
            expected_version=form.expected_version,
            step=_step(),
        ),
    )


@bp.post(f"{PREFIX}/choices/<int:choice_id>/remove")
@login_required
def choice_remove(scorecard_id: int, choice_id: int):
    scorecard = scorecards.get_scorecard(current_user, scorecard_id)
    form = VersionForm()
    return run_action(
        scorecard,
        form,
        None,
        lambda: builder.remove_choice(
            scorecard, choice_id, current_user, expected_version=form.expected_version
        ),
    )
