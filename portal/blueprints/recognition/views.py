"""Recognition: the kudos feed (received, given, the reporting line's, the team's public
kudos) and the form to give kudos."""

from __future__ import annotations

from flask import Blueprint, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from portal.blueprints.training.forms import KudosForm, choices
from portal.errors import InvalidTransition, NotFound
from portal.extensions import db
from portal.htmx import hx_redirect, render_view
from portal.org.models import Person
from portal.params import cursor_id
from portal.training import assignments, kudos

bp = Blueprint("recognition", __name__, url_prefix="/recognition")

PAGE_SIZE = 25


def _form() -> KudosForm:
    form = KudosForm()
    form.value.choices = choices((v, v) for v in kudos.VALUES)
    return form


def _feed(form: KudosForm, status: int = 200):
    before = cursor_id(request.args.get("before"))
    rows = kudos.kudos_feed(current_user, before_id=before, limit=PAGE_SIZE + 1)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return render_view(
        "recognition/kudos_list.html",
        form=form,
        rows=rows,
        next_before=rows[-1].id if more and rows else None,
        status=status,
    )


@bp.get("/")
@login_required
def kudos_list():
    form = _form()
    form.token.data = assignments.new_token()
    form.recipient.data = request.args.get("to", "")
    return _feed(form)


@bp.post("/kudos")
@login_required
def kudos_give():
    form = _form()
    if not form.validate_on_submit():
        return _feed(form, 422)
    text = (form.recipient.data or "").strip()
    recipient = db.session.execute(
        select(Person).where(or_(Person.employee_id == text, Person.email == text.lower()))
    ).scalar_one_or_none()
    try:
        if recipient is None:
            raise NotFound()
        kudos.give_kudos(
            current_user,
            recipient.id,
            form.value.data,
            form.message.data or "",
            bool(form.is_public.data),
            form.token.data or assignments.new_token(),
            url=url_for("recognition.kudos_list"),
        )
    except NotFound:
        form.recipient.errors.append(_unknown())
        return _feed(form, 422)
    except InvalidTransition:
        form.recipient.errors.append(_not_yourself())
        return _feed(form, 422)
    return hx_redirect(url_for("recognition.kudos_list"))


def _unknown() -> str:
    from flask_babel import gettext

    return gettext("No active colleague has that employee ID or e-mail.")


def _not_yourself() -> str:
    from flask_babel import gettext

    return gettext("Kudos go to someone else: you cannot give them to yourself.")


from . import programme_views  # noqa: E402, F401  (attach their routes to bp)
