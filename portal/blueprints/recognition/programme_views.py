"""Recognition programmes: list and create, a programme's page (this period's nominations,
past winners, leaderboard), nominate, and the owner's decisions."""

from __future__ import annotations

from flask import url_for
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from portal import policy
from portal.blueprints.training.forms import (
    DecisionForm,
    NominationForm,
    ProgrammeForm,
    with_blank,
)
from portal.db import utcnow
from portal.errors import InvalidTransition, NotFound
from portal.extensions import db
from portal.htmx import hx_redirect, render_view
from portal.org.models import Person
from portal.training import programmes, queries
from portal.training.queries import today_for

from .views import bp


def _programme_form() -> ProgrammeForm:
    form = ProgrammeForm()
    teams, _, markets = queries.audience_choices()
    form.team.choices = with_blank(teams)
    form.market.choices = with_blank(markets)
    return form


def _list(form: ProgrammeForm, status: int = 200):
    return render_view(
        "recognition/programme_list.html",
        rows=programmes.programmes(),
        form=form,
        status=status,
    )


@bp.get("/programmes")
@login_required
def programme_list():
    return _list(_programme_form())


@bp.post("/programmes")
@login_required
def programme_create():
    policy.require(current_user, "programme.create")
    form = _programme_form()
    if not form.validate_on_submit():
        return _list(form, 422)
    programme = programmes.create_programme(
        current_user,
        name=form.name.data or "",
        cadence=form.cadence.data,
        team_id=form.team.data,
        market_id=form.market.data,
        winners_per_period=form.winners_per_period.data or 1,
    )
    return hx_redirect(url_for("recognition.programme_detail", programme_id=programme.id))


def _detail(programme, form: NominationForm, status: int = 200):
    view = programmes.programme_view(current_user, programme, today_for(current_user, utcnow()))
    return render_view(
        "recognition/programme_detail.html",
        programme=programme,
        view=view,
        form=form,
        decision_form=DecisionForm(),
        may_decide=policy.can(current_user, "programme.decide", programme),
        status=status,
    )


@bp.get("/programmes/<int:programme_id>")
@login_required
def programme_detail(programme_id: int):
    return _detail(programmes.get_programme(programme_id), NominationForm())


@bp.post("/programmes/<int:programme_id>/nominations")
@login_required
def nomination_create(programme_id: int):
    programme = programmes.get_programme(programme_id)
    form = NominationForm()
    if not form.validate_on_submit():
        return _detail(programme, form, 422)
    text = (form.nominee.data or "").strip()
    person = db.session.execute(
        select(Person).where(or_(Person.employee_id == text, Person.email == text.lower()))
    ).scalar_one_or_none()
    try:
        programmes.nominate(
            current_user, programme, person, form.reason.data or "",
            today_for(current_user, utcnow()),
        )  # fmt: skip
    except (NotFound, InvalidTransition):
        form.nominee.errors.append(_not_eligible())
        return _detail(programme, form, 422)
    return hx_redirect(url_for("recognition.programme_detail", programme_id=programme.id))


def _not_eligible() -> str:
    from flask_babel import gettext

    return gettext(
        "Nominate an active colleague in this programme's team or market (not yourself)."
    )


@bp.post("/nominations/<int:nomination_id>/decide")
@login_required
def nomination_decide(nomination_id: int):
    # Loaded through the viewer's scope first: a nomination out of reach is a 404 like a
    # missing one; a visible one the viewer may not decide is a 403.
    nomination = programmes.get_nomination(current_user, nomination_id)
    policy.require(current_user, "programme.decide", nomination.programme)
    form = DecisionForm()
    form.validate_on_submit()
    programmes.decide(current_user, nomination, form.action.data or "", utcnow())
    return hx_redirect(
        url_for("recognition.programme_detail", programme_id=nomination.programme_id)
    )
