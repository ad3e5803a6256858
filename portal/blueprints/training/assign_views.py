"""Assignments (new, list, progress, cancel, confirm), the team matrix and its export, a
person's training record, and skill gaps from QA."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Response, abort, current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import audit, cache, policy
from portal.dashboards import export
from portal.data_versions import ORG, TRAINING
from portal.db import utcnow
from portal.errors import NotFound
from portal.extensions import db
from portal.htmx import hx_redirect, render_view
from portal.org.csv_safety import csv_text
from portal.org.models import Person
from portal.params import cursor_id
from portal.training import assignments, cert_rules, courses, gap_queries, queries, skill_gaps
from portal.training.assignments import Audience
from portal.training.certifications import certifications_for, grant_certification
from portal.training.models import Assignment
from portal.training.queries import today_for
from portal.training.status import Status, count_statuses

from .forms import AssignForm, CertificationGrantForm, EmptyForm, SkillGapForm, with_blank
from .views import bp


def _assign_choices(form: AssignForm) -> None:
    teams, positions, markets = queries.audience_choices()
    form.team.choices = with_blank(teams)
    form.position.choices = with_blank(positions)
    form.market.choices = with_blank(markets)


@bp.route("/courses/<int:course_id>/assign", methods=["GET", "POST"])
@login_required
def assignment_new(course_id: int):
    policy.require(current_user, "assignment.view")
    course = courses.get_course(course_id)
    form = AssignForm()
    _assign_choices(form)
    if request.method == "GET":
        form.token.data = assignments.new_token()
        form.employee_id.data = request.args.get("employee_id", "")
        form.team.data = request.args.get("team", type=int)
    if form.validate_on_submit():
        audience = _audience(form)
        if audience is not None:
            assignment = assignments.create_assignment(
                current_user,
                course,
                audience,
                form.due_on.data,
                form.token.data or assignments.new_token(),
                url=url_for("training.my_training"),
            )
            return hx_redirect(url_for("training.assignment_detail", assignment_id=assignment.id))
    status = 422 if request.method == "POST" else 200
    return render_view("training/assignment_new.html", form=form, course=course, status=status)


def _audience(form: AssignForm) -> Audience | None:
    employee_id = (form.employee_id.data or "").strip()
    if employee_id:
        person = queries.find_by_employee_id(employee_id)
        visible = (
            person is not None
            and db.session.execute(
                policy.scoped(
                    select(Person.id).where(Person.id == person.id),
                    Person,
                    current_user,
                    policy.Area.TRAINING,
                )
            ).first()
            is not None
        )
        if not visible:
            form.employee_id.errors.append(_no_such_person())
            return None
        audience = Audience(person_id=person.id)  # type: ignore[union-attr]
    else:
        audience = Audience(
            team_id=form.team.data, position_id=form.position.data, market_id=form.market.data
        )
    if not policy.can(current_user, "assignment.create", audience):
        form.employee_id.errors.append(_out_of_scope())
        return None
    return audience


def _no_such_person() -> str:
    from flask_babel import gettext

    return gettext("No one you follow has that employee ID.")


def _out_of_scope() -> str:
    from flask_babel import gettext

    return gettext(
        "That audience is outside your training grants: choose a team or market you train."
    )


@bp.get("/assignments")
@login_required
def assignment_list():
    policy.require(current_user, "assignment.view")
    limit = current_app.config["PAGE_SIZE"]
    before = cursor_id(request.args.get("before"))
    stmt = assignments.assignments_scope(current_user).where(Assignment.is_cancelled.is_(False))
    if before:
        stmt = stmt.where(Assignment.id < before)
    stmt = stmt.options(
        joinedload(Assignment.course),
        joinedload(Assignment.person),
        joinedload(Assignment.team),
        joinedload(Assignment.position),
        joinedload(Assignment.market),
    )
    rows = list(db.session.scalars(stmt.order_by(Assignment.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    today = today_for(current_user, utcnow())
    counts = _counts_by_assignment([a.id for a in rows], today)
    return render_view(
        "training/assignment_list.html",
        rows=rows,
        counts=counts,
        next_before=rows[-1].id if more and rows else None,
    )


def _counts_by_assignment(ids: list[int], today):
    """Completed / due / overdue per assignment among the people the viewer follows (one
    query for the whole page, counted by the database)."""
    return assignments.status_counts_by_assignment(
        policy.visible_person_ids(current_user, policy.Area.TRAINING), today, ids
    )


@bp.get("/assignments/<int:assignment_id>")
@login_required
def assignment_detail(assignment_id: int):
    policy.require(current_user, "assignment.view")
    assignment = assignments.get_assignment(current_user, assignment_id)
    today = today_for(current_user, utcnow())
    items = assignments.training_items(
        policy.visible_person_ids(current_user, policy.Area.TRAINING),
        today,
        assignment_id=assignment.id,
    )
    return render_view(
        "training/assignment_detail.html",
        assignment=assignment,
        items=items,
        counts=count_statuses(i.standing.status for i in items),
        form=EmptyForm(),
    )


@bp.post("/assignments/<int:assignment_id>/cancel")
@login_required
def assignment_cancel(assignment_id: int):
    policy.require(current_user, "assignment.view")
    assignment = assignments.get_assignment(current_user, assignment_id)
    EmptyForm().validate_on_submit()
    assignments.cancel_assignment(assignment, current_user)
    return hx_redirect(url_for("training.assignment_list"))


@bp.post("/courses/<int:course_id>/people/<int:person_id>/confirm")
@login_required
def completion_confirm(course_id: int, person_id: int):
    person = queries.person_in_training_scope(current_user, person_id)
    policy.require(current_user, "training.confirm", person)
    course = courses.get_course(course_id)
    EmptyForm().validate_on_submit()
    assignments.confirm_completion(current_user, person, course, today_for(person, utcnow()))
    back = request.form.get("next") or ""
    if not back.startswith("/") or back.startswith("//"):
        back = url_for("training.person_record", person_id=person.id)
    return hx_redirect(back)


# ---- team matrix ---------------------------------------------------------------------------


def _team_data():
    policy.require(current_user, "training.team_view")
    team_id = request.args.get("team", type=int)
    # Remembered per viewer (the page's team and cursor are in the key's arguments) under the
    # training and org versions, and the clock's slice as the brief of every page showing
    # "overdue" asks (the statuses turn with the viewer's today, also in the key).
    return cache.remembered(
        "training.team",
        (TRAINING, ORG),
        lambda: team_figures(team_id, request.args.get("after")),
        clock=True,
    )


def team_figures(team_id: int | None, after: str | None):
    """The matrix page's people, mandatory courses, cells, counts and overdue items, and the
    team choices of its filter: plain values (they are pickled)."""
    page = queries.people_page(
        current_user,
        team_id=team_id,
        after=after,
        limit=current_app.config["PAGE_SIZE"],
    )
    today = today_for(current_user, utcnow())
    items = assignments.training_items(select(Person.id).where(Person.id.in_(page.ids)), today)
    people = queries.people_names(page.ids)
    mandatory = sorted({(i.course_title, i.course_id) for i in items if i.is_mandatory})
    cells = {(i.person_id, i.course_id): i for i in items}
    per_course = {
        cid: count_statuses(
            cells[(pid, cid)].standing.status for pid, _ in people if (pid, cid) in cells
        )
        for _, cid in mandatory
    }
    overdue = [i for i in items if i.standing.status == Status.OVERDUE]
    everyone = queries.counts_by_course(
        queries.people_in_scope(current_user, team_id=team_id), today
    )
    per_course = {cid: (per_course[cid], everyone.get(cid)) for _, cid in mandatory}
    teams, _, _ = queries.audience_choices()
    return page, people, mandatory, cells, per_course, overdue, team_id, teams


@bp.get("/team")
@login_required
def team_matrix():
    page, people, mandatory, cells, per_course, overdue, team_id, teams = _team_data()
    args = {"team": team_id} if team_id else {}
    return render_view(
        "training/team_matrix.html",
        page=page,
        people=people,
        mandatory=mandatory,
        cells=cells,
        per_course=per_course,
        overdue=overdue,
        teams=teams,
        team_id=team_id,
        args=args,
    )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/team/export.<fmt>")
@login_required
def team_export(fmt: str):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    page, people, mandatory, cells, _, _, team_id, _ = _team_data()
    header = [_l("Person"), *[title for title, _ in mandatory]]
    rows = [
        [name]
        + [
            cells[(pid, cid)].standing.status.value if (pid, cid) in cells else ""
            for _, cid in mandatory
        ]
        for pid, name in people
    ]
    audit.record(
        current_user,
        "training.export",
        "team_matrix",
        team_id,
        None,
        {"people": len(people), "format": fmt},
    )
    db.session.commit()
    if fmt == "csv":
        body = csv_text([str(h) for h in header], rows)  # the XLSX's header, in the language
        response = Response(body, mimetype="text/csv")
    else:
        body = export.as_xlsx(str(_l("Team training")), [str(h) for h in header], rows)
        response = Response(body, mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="training-matrix.{fmt}"'
    return response


# ---- a person's training record ------------------------------------------------------------


@bp.get("/people/<int:person_id>")
@login_required
def person_record(person_id: int):
    person = queries.person_in_training_scope(current_user, person_id)
    return _person_record(person, CertificationGrantForm())


def _person_record(person: Person, grant_form: CertificationGrantForm, status: int = 200):
    today = today_for(person, utcnow())
    items = assignments.training_items(select(Person.id).where(Person.id == person.id), today)
    movements = gap_queries.movements_for(person.id)
    return render_view(
        "training/person_record.html",
        person=person,
        items=items,
        record=assignments.completions_for(person.id),
        certs=[(c, cert_rules.state(c.expires_on, today)) for c in certifications_for(person.id)],
        movements=movements,
        texts=gap_queries.question_texts(sorted({m.question_id for _, m in movements})),
        titles=gap_queries.course_titles(sorted({cid for cid, _ in movements})),
        min_answers=skill_gaps.MIN_ANSWERS_EACH_SIDE,
        form=EmptyForm(),
        grant_form=grant_form,
        status=status,
    )


@bp.post("/people/<int:person_id>/certifications")
@login_required
def certification_grant(person_id: int):
    person = queries.person_in_training_scope(current_user, person_id)
    policy.require(current_user, "training.confirm", person)
    form = CertificationGrantForm()
    if not form.validate_on_submit():
        return _person_record(person, form, 422)
    grant_certification(
        current_user, person, form.name.data or "", form.earned_on.data, form.expires_on.data
    )
    return hx_redirect(url_for("training.person_record", person_id=person.id))


# ---- skill gaps ----------------------------------------------------------------------------


@bp.get("/skill-gaps")
@login_required
def skill_gap_list():
    policy.require(current_user, "skill_gap.view")
    form = SkillGapForm(request.args)
    teams, _, _ = queries.audience_choices()
    form.team.choices = with_blank(teams)
    form.validate()
    zone = ZoneInfo(current_user.time_zone or "UTC")
    today = today_for(current_user, utcnow())
    start_on = form.start_on.data if form.start_on.data and not form.start_on.errors else None
    end_on = form.end_on.data if form.end_on.data and not form.end_on.errors else None
    start_on = start_on or today - timedelta(days=90)
    end_on = end_on or today
    start = datetime.combine(start_on, time.min, zone).astimezone(UTC)
    end = datetime.combine(end_on + timedelta(days=1), time.min, zone).astimezone(UTC)
    person = None
    if form.employee_id.data:
        person = queries.find_by_employee_id(form.employee_id.data)
        if person is None:
            raise NotFound()
        person = queries.person_in_training_scope(current_user, person.id)
    counts = gap_queries.question_counts(
        current_user,
        start=start,
        end=end,
        person_id=person.id if person else None,
        team_id=form.team.data,
    )
    mapping = gap_queries.courses_by_question([c.question_id for c in counts])
    gaps = skill_gaps.skill_gaps(counts, mapping)
    texts = gap_queries.question_texts([g.question_id for g in gaps])
    titles = gap_queries.course_titles(sorted({c for g in gaps for c in g.course_ids}))
    return render_view(
        "training/skill_gaps.html",
        form=form,
        gaps=gaps,
        texts=texts,
        titles=titles,
        person=person,
        start_on=start_on,
        end_on=end_on,
        min_answers=skill_gaps.DEFAULT_MIN_ANSWERS,
        threshold=int(skill_gaps.DEFAULT_THRESHOLD * 100),
        can_assign=policy.can(current_user, "assignment.view"),
    )
