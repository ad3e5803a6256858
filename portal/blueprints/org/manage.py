"""HR pages for people: add, edit, move to another manager, deactivate and reactivate."""

from __future__ import annotations

from dataclasses import fields

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import policy
from portal.db import utcnow
from portal.errors import Conflict, ValidationFailed
from portal.forms import Form
from portal.htmx import hx_redirect, render_view
from portal.org import queries, services
from portal.org.models import Person
from portal.org.services import PersonInput

from .forms import (
    PersonCreateForm,
    PersonDeactivateForm,
    PersonEditForm,
    PersonMoveForm,
    PersonReactivateForm,
    time_zone_names,
)
from .views import bp


def show_errors(form: Form, error: ValidationFailed) -> None:
    """Put a service's field errors on the form's fields (unknown fields on the form)."""
    for name, messages in error.field_errors.items():
        target = form._fields.get(name)
        if target is None:
            form.form_errors.extend(messages)
        else:
            target.errors = list(target.errors or []) + list(messages)


def _person(person_id: int, action: str) -> Person:
    person = policy.get_visible_or_404(Person, person_id, current_user)
    policy.require(current_user, action, person)
    return person


def _saved_differences(form: PersonEditForm, person: Person) -> list[tuple[str, str]]:
    """(label, saved value) of each field where the saved record differs from what was typed."""
    typed = form.person_input()
    shown = {
        "position_id": person.position.name if person.position else "",
        "market_id": person.market.code if person.market else "",
        "segment_id": person.segment.name if person.segment else "",
        "team_id": person.team.name if person.team else "",
    }
    found = []
    for item in fields(PersonInput):
        saved = getattr(person, item.name)
        if saved != getattr(typed, item.name):
            value = shown.get(item.name, "" if saved is None else str(saved))
            found.append((str(form[item.name].label.text), value or "—"))
    return found


@bp.route("/people/new", methods=["GET", "POST"])
@login_required
def person_new():
    policy.require(current_user, "person.create")
    form = PersonCreateForm()
    form.fill_choices(queries.choices())
    if form.validate_on_submit():
        try:
            person = services.create_person(
                current_user,
                form.person_input(),
                manager_reference=form.manager.data,
                password=form.password.data or None,
                now=utcnow(),
            )
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("%(name)s was added.", name=person.name), "success")
            return hx_redirect(url_for("org.person_detail", person_id=person.id))
    status = 422 if request.method == "POST" else 200
    return render_view(
        "org/person_new.html",
        "org/_person_form.html",
        form=form,
        person=None,
        time_zone_names=time_zone_names,
        status=status,
    )


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@login_required
def person_edit(person_id: int):
    person = _person(person_id, "person.edit")
    form = PersonEditForm(obj=person)
    form.fill_choices(queries.choices())
    differences: list[tuple[str, str]] = []
    status = 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            services.edit_person(
                current_user,
                person,
                form.person_input(),
                expected_version=form.expected_version(),
                password=form.password.data or None,
                now=utcnow(),
            )
        except ValidationFailed as error:
            show_errors(form, error)
        except Conflict as conflict:
            # Keep what was typed, show what is saved now, and let a second save overwrite it.
            status = conflict.status
            form.form_errors.append(conflict.message)
            differences = _saved_differences(form, person)
            form.version.data = str(person.version)
        else:
            flash(_("The changes to %(name)s were saved.", name=person.name), "success")
            return hx_redirect(url_for("org.person_detail", person_id=person.id))
    return render_view(
        "org/person_edit.html",
        "org/_person_form.html",
        form=form,
        person=person,
        differences=differences,
        time_zone_names=time_zone_names,
        status=status,
    )


@bp.route("/people/<int:person_id>/move", methods=["GET", "POST"])
@login_required
def person_move(person_id: int):
    person = _person(person_id, "person.move")
    form = PersonMoveForm()
    if form.validate_on_submit():
        try:
            services.move_person(current_user, person, manager_reference=form.manager.data)
        except ValidationFailed as error:
            show_errors(form, error)
        else:
            flash(_("%(name)s was moved.", name=person.name), "success")
            return hx_redirect(url_for("org.person_detail", person_id=person_id))
    status = 422 if request.method == "POST" else 200
    return render_view(
        "org/person_move.html",
        "org/_person_move_form.html",
        form=form,
        person=person,
        status=status,
    )


@bp.post("/people/<int:person_id>/deactivate")
@login_required
def person_deactivate(person_id: int):
    person = _person(person_id, "person.deactivate")
    if not PersonDeactivateForm().validate_on_submit():
        abort(400)
    services.deactivate_person(current_user, person, now=utcnow())
    flash(_("%(name)s was deactivated and signed out everywhere.", name=person.name), "success")
    return hx_redirect(url_for("org.person_detail", person_id=person_id))


@bp.post("/people/<int:person_id>/reactivate")
@login_required
def person_reactivate(person_id: int):
    person = _person(person_id, "person.reactivate")
    if not PersonReactivateForm().validate_on_submit():
        abort(400)
    services.reactivate_person(current_user, person)
    flash(_("%(name)s can sign in again.", name=person.name), "success")
    return hx_redirect(url_for("org.person_detail", person_id=person_id))
