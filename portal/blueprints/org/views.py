"""People directory, CSV export, profiles and the org tree. HR pages live in the sibling
modules manage.py (create, edit, move, deactivate) and imports.py (CSV import)."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request
from flask_login import current_user, login_required

from portal.db import utcnow
from portal.htmx import render_view
from portal.org import queries, services
from portal.org.queries import PersonFilters, TreeNode

from .forms import PersonDeactivateForm, PersonReactivateForm

bp = Blueprint("org", __name__, url_prefix="/org")


def csv_response(text: str, filename: str) -> Response:
    response = Response(text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/people")
@login_required
def person_list():
    filters = PersonFilters.from_mapping(request.args)
    results = queries.people_page_for(
        current_user,
        filters,
        after=request.args.get("after"),
        page_size=current_app.config["PAGE_SIZE"],
    )
    return render_view(
        "org/person_list.html",
        "org/_person_table.html",
        filters=filters,
        results=results,
        load_choices=queries.choices,  # only the whole page needs the filter lists
    )


@bp.get("/people/export.csv")
@login_required
def person_export():
    filters = PersonFilters.from_mapping(request.args)
    export = services.export_people(current_user, filters)
    return csv_response(export.text, f"people-{utcnow():%Y%m%d}.csv")


@bp.get("/people/<int:person_id>")
@login_required
def person_detail(person_id: int):
    profile = queries.profile_for(current_user, person_id)
    return render_view(
        "org/person_detail.html",
        profile=profile,
        person=profile.person,
        deactivate_form=PersonDeactivateForm(),
        reactivate_form=PersonReactivateForm(),
    )


@bp.get("/tree")
@login_required
def tree():
    root_id = request.args.get("root", type=int)
    roots = queries.tree_roots_for(current_user, root_id)
    return render_view("org/tree.html", roots=roots, open_children={}, is_subtree=root_id)


@bp.get("/tree/<int:person_id>/children")
@login_required
def tree_children(person_id: int):
    parent, children = queries.tree_children_for(current_user, person_id)
    # Without htmx this is a page: the tree from this person, one level open.
    return render_view(
        "org/tree.html",
        "org/_tree_children.html",
        parent=parent,
        nodes=children,
        roots=[TreeNode(parent, len(children))],
        open_children={parent.id: children},
        is_subtree=True,
    )


from portal.org import audit_entries  # noqa: E402, F401  (says how org audit entries read)

from . import imports, manage  # noqa: E402, F401  (attach their routes to bp)
