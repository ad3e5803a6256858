"""HR: import people from a CSV file (all rows or none), and the template to fill in."""

from __future__ import annotations

from flask import flash, request, url_for
from flask_babel import ngettext
from flask_login import current_user, login_required

from portal import policy
from portal.db import utcnow
from portal.htmx import hx_redirect, render_view
from portal.org import csv_safety, importer, services

from .forms import PersonImportForm
from .views import bp, csv_response


@bp.route("/people/import", methods=["GET", "POST"])
@login_required
def person_import():
    policy.require(current_user, "person.import")
    form = PersonImportForm()
    plan = None
    if form.validate_on_submit():
        plan = services.import_people(current_user, form.file.data.read(), now=utcnow())
        if plan.ok:
            count = len(plan.people)
            flash(
                ngettext("%(num)d person was imported.", "%(num)d people were imported.", count),
                "success",
            )
            return hx_redirect(url_for("org.person_list", sort="name"))
    status = 422 if request.method == "POST" else 200
    return render_view(
        "org/person_import.html",
        form=form,
        plan=plan,
        columns=importer.COLUMNS,
        required=importer.REQUIRED_COLUMNS,
        max_rows=importer.MAX_ROWS,
        status=status,
    )


@bp.get("/people/import-template.csv")
@login_required
def person_import_template():
    policy.require(current_user, "person.import")
    text = csv_safety.csv_text(importer.COLUMNS, [importer.EXAMPLE_ROW])
    return csv_response(text, "people-import-template.csv")
