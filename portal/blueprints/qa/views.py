"""QA pages: contacts (list, detail, CSV import with progress). Scorecard pages live in the
sibling modules scorecard_views and builder_views, attached to the same blueprint."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, request, url_for
from flask_login import current_user, login_required

from portal import policy
from portal.htmx import is_fragment_request, render_view
from portal.keyset import read_sort
from portal.qa import contact_import as importer
from portal.qa import contact_rows, contacts
from portal.request_args import filter_args

from . import forms
from .forms import ContactFilterForm, ContactImportForm

bp = Blueprint("qa", __name__, url_prefix="/qa")

# htmx stops polling when a polled fragment answers 286.
STOP_POLLING = 286


@bp.context_processor
def _labels() -> dict:
    """The words for stored values, for every QA template."""
    return {
        "channel_labels": forms.CHANNEL_LABELS,
        "direction_labels": forms.DIRECTION_LABELS,
        "import_status_labels": forms.IMPORT_STATUS_LABELS,
        "answer_type_labels": forms.ANSWER_TYPE_LABELS,
        "critical_labels": forms.CRITICAL_LABELS,
        "max_reported": importer.MAX_REPORTED,
    }


CONTACT_ARGS = (
    "agent",
    "person",
    "team",
    "channel",
    "market",
    "segment",
    "start_on",
    "end_on",
    "reviewed",
)


@bp.get("/contacts")
@login_required
def contact_list():
    form = ContactFilterForm(request.args)
    teams, markets, segments = contacts.filter_choices()
    form.fill_choices(teams, markets, segments)
    form.validate()
    filters = contacts.ContactFilters(
        agent="" if form.agent.errors else (form.agent.data or ""),
        person_id=request.args.get("person", type=int),
        team_id=form.team.data,
        channel=form.channel.data or None,
        market_id=form.market.data,
        segment_id=form.segment.data,
        start_on=form.start_on.data if not form.start_on.errors else None,
        end_on=form.end_on.data if not form.end_on.errors else None,
        reviewed=form.reviewed.data if form.reviewed.data in ("yes", "no") else None,
    )
    sort = read_sort(request.args, contacts.SORT_KEYS, contacts.DEFAULT_SORT)
    page = contacts.contacts_for(
        current_user,
        filters,
        sort=sort,
        after=request.args.get("after"),
        limit=current_app.config["PAGE_SIZE"],
    )
    args = filter_args(CONTACT_ARGS)
    return render_view(
        "qa/contact_list.html",
        "qa/_contact_rows.html",
        form=form,
        page=page,
        args=args,
        sort=sort,
        paging_args={**args, **sort.args(contacts.DEFAULT_SORT)},
    )


@bp.get("/contacts/<int:contact_id>")
@login_required
def contact_detail(contact_id: int):
    from portal.qa.evaluations import visible_evaluation_for_contact

    contact = contacts.get_contact(current_user, contact_id)
    return render_view(
        "qa/contact_detail.html",
        contact=contact,
        evaluation=visible_evaluation_for_contact(current_user, contact.id),
        may_evaluate=policy.can(current_user, "evaluation.evaluate", contact.person),
    )


@bp.route("/contacts/import", methods=["GET", "POST"])
@login_required
def contact_import():
    policy.require(current_user, "contact.import")
    form = ContactImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        record = contacts.begin_contact_import(current_user, file_name=upload.filename or "")
        path = importer.upload_path(record.id)
        upload.save(str(path))  # streamed to the instance folder, never whole in memory
        importer.start_import(record, path)
        return redirect(url_for("qa.contact_import_status", import_id=record.id), code=303)
    status = 422 if request.method == "POST" else 200
    return render_view(
        "qa/contact_import.html",
        form=form,
        columns=contact_rows.COLUMNS,
        required=contact_rows.REQUIRED_COLUMNS,
        imports=contacts.recent_imports_for(current_user),
        status=status,
    )


@bp.get("/contacts/imports/<int:import_id>")
@login_required
def contact_import_status(import_id: int):
    record = contacts.get_contact_import(current_user, import_id)
    finished = not record.is_running or record.is_stalled
    status = STOP_POLLING if finished and is_fragment_request() else 200
    return render_view(
        "qa/contact_import_status.html",
        "qa/_contact_import_status.html",
        record=record,
        status=status,
    )


@bp.get("/contacts/import-template.csv")
@login_required
def contact_import_template():
    policy.require(current_user, "contact.import")
    response = Response(importer.template_csv(), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="contacts-template.csv"'
    return response


# Attach the sibling modules' routes to bp.
from . import (  # noqa: E402, F401
    builder_views,
    evaluation_draft_views,
    evaluation_list_views,
    evaluation_views,
    scorecard_views,
)
