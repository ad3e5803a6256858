"""The scorecard builder's actions over htmx: sections, questions and choices — add, edit,
move up or down, remove. Each answers with the builder region (see scorecard_views).

The three kinds of row differ only in their form, their fields and the builder service they
call, so one set of handlers serves all three; `ROWS` says what differs. The endpoints keep
their names (`qa.section_add`, `qa.question_move`, ...) and URL parameters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class RowKind:
    kind: str  # "section": the endpoint prefix and the form prefix
    plural: str  # "sections": the URL segment
    form: type
    fields: Callable[[Any], dict[str, Any]]  # the builder's keyword arguments from the form
    add: Callable[..., Any]
    edit: Callable[..., Any]
    move: Callable[..., Any]
    remove: Callable[..., Any]
    parent: RowKind | None = None  # where new rows are added (a question: to a section)

    @property
    def id_name(self) -> str:
        return f"{self.kind}_id"


SECTION = RowKind(
    "section",
    "sections",
    SectionForm,
    lambda form: {"title": form.title.data, "weight": form.weight.data},
    builder.add_section,
    builder.edit_section,
    builder.move_section,
    builder.remove_section,
)
QUESTION = RowKind(
    "question",
    "questions",
    QuestionForm,
    lambda form: {"fields": form.fields_value()},
    builder.add_question,
    builder.edit_question,
    builder.move_question,
    builder.remove_question,
    parent=SECTION,
)
CHOICE = RowKind(
    "choice",
    "choices",
    ChoiceForm,
    lambda form: {
        "label": form.label.data,
        "points": form.points.data,
        "is_failing": bool(form.is_failing.data),
    },
    builder.add_choice,
    builder.edit_choice,
    builder.move_choice,
    builder.remove_choice,
    parent=QUESTION,
)
ROWS = (SECTION, QUESTION, CHOICE)


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


def _add_view(row: RowKind):
    def view(scorecard_id: int, **parent: int):
        scorecard = scorecards.get_scorecard(current_user, scorecard_id)
        where = [str(i) for i in parent.values()]  # the parent row's id, if any
        key = "-".join([row.kind, "new", *where])
        form = row.form(prefix=key)
        return run_action(
            scorecard,
            form,
            key,
            lambda: row.add(
                scorecard,
                *parent.values(),
                current_user,
                expected_version=form.expected_version,
                **row.fields(form),
            ),
        )

    return view


def _edit_view(row: RowKind):
    def view(scorecard_id: int, **ids: int):
        row_id = ids[row.id_name]
        if request.method == "GET":
            return _editing_page(scorecard_id, row.kind, row_id)
        scorecard = scorecards.get_scorecard(current_user, scorecard_id)
        key = f"{row.kind}-{row_id}"
        form = row.form(prefix=key)
        return run_action(
            scorecard,
            form,
            key,
            lambda: row.edit(
                scorecard,
                row_id,
                current_user,
                expected_version=form.expected_version,
                **row.fields(form),
            ),
            editing=(row.kind, row_id),
        )

    return view


def _move_view(row: RowKind):
    def view(scorecard_id: int, **ids: int):
        scorecard = scorecards.get_scorecard(current_user, scorecard_id)
        form = VersionForm()
        return run_action(
            scorecard,
            form,
            None,
            lambda: row.move(
                scorecard,
                ids[row.id_name],
                current_user,
                expected_version=form.expected_version,
                step=_step(),
            ),
        )

    return view


def _remove_view(row: RowKind):
    def view(scorecard_id: int, **ids: int):
        scorecard = scorecards.get_scorecard(current_user, scorecard_id)
        form = VersionForm()
        return run_action(
            scorecard,
            form,
            None,
            lambda: row.remove(
                scorecard, ids[row.id_name], current_user, expected_version=form.expected_version
            ),
        )

    return view


def _register(row: RowKind) -> None:
    one = f"{PREFIX}/{row.plural}/<int:{row.id_name}>"
    if row.parent is None:
        add_rule = f"{PREFIX}/{row.plural}"
    else:
        add_rule = f"{PREFIX}/{row.parent.plural}/<int:{row.parent.id_name}>/{row.plural}"
    routes = [
        (add_rule, "add", _add_view, ["POST"]),
        (f"{one}/edit", "edit", _edit_view, ["GET", "POST"]),
        (f"{one}/move", "move", _move_view, ["POST"]),
        (f"{one}/remove", "remove", _remove_view, ["POST"]),
    ]
    for rule, action, make, methods in routes:
        bp.add_url_rule(rule, f"{row.kind}_{action}", login_required(make(row)), methods=methods)


for _row in ROWS:
    _register(_row)
