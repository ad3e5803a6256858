"""People directory, profiles and the org tree (placeholder until the org pages land)."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user, login_required

from portal import policy
from portal.htmx import render_view
from portal.org.models import Person

bp = Blueprint("org", __name__, url_prefix="/org")


@bp.get("/people")
@login_required
def person_list():
    return render_view("org/person_list.html")


@bp.get("/people/<int:person_id>")
@login_required
def person_detail(person_id: int):
    person = policy.get_visible_or_404(Person, person_id, current_user)
    return render_view("org/person_detail.html", person=person)


@bp.get("/tree")
@login_required
def tree():
    return render_view("org/tree.html")
