"""The QA analyst's, trainer's and HR admin's sections of the home page: their queues.

Each section applies to the people holding the grant (a QA-analyst grant, a trainer grant, the
HR-admin grant: policy.staff_roles); HR's reach into QA and training pages is not a queue of
theirs. Every count comes from the service the linked page uses:

- QA: calibration sessions to score (qa.calibration_service.sessions_to_score, the sessions
  page), sampled contacts assigned (qa.sampling_service.assigned_contacts_summary, the sampled
  queue), disputes to resolve (qa.evaluation_queries.count_evaluations with status=disputed,
  the evaluations page filtered so; capped at shared.CAP like the home page's other queues);
- trainer: mandatory training overdue in their scope (training.queries.counts_by_course, the
  team matrix's per-course figures). Skill gaps are not counted here: the skill-gaps page reads
  every QA answer of its 90 days (0.4-0.6 s for a three-market trainer on the large data set;
  even 7 days take 0.1 s), too slow for the home until answers are rolled up by market;
- HR: per running review cycle, the overdue phases (goals.completion.completion_for, the
  completion page) and the next deadline, and the reviews waiting for calibration to close
  (goals.sharing.waiting_for_close_count, the close-calibration page); contact imports with
  refused rows or that failed (qa.contacts.recent_imports_for, the contact import page's list).
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext

from portal import policy
from portal.goals import completion as review_completion
from portal.goals import sharing
from portal.goals.models import PhaseKind
from portal.home.items import Item, Section, Urgency, urgency_of
from portal.home.manager import WORST_SHOWN, running_cycles
from portal.home.shared import CAP
from portal.org.models import Person, StaffRole
from portal.qa import calibration_service, contacts, evaluation_queries, sampling_service
from portal.qa.evaluation_models import EvaluationStatus
from portal.qa.models import ImportStatus
from portal.training import gap_queries
from portal.training import queries as training_queries
from portal.web import path_for

# ---- QA analyst ----------------------------------------------------------------------------


def qa_section(person: Person, today: date) -> Section | None:
    if StaffRole.QA_ANALYST not in policy.staff_roles(person):
        return None
    sessions = calibration_service.sessions_to_score(person)
    if len(sessions) == 1:
        sessions_url = path_for("qaprog.calibration_detail", session_id=sessions[0][0])
    else:
        sessions_url = path_for("qaprog.calibration_list")
    sampled, sampled_due = sampling_service.assigned_contacts_summary(person)
    disputed = evaluation_queries.count_evaluations(
        person,
        evaluation_queries.EvaluationFilters(status=EvaluationStatus.DISPUTED.value),
        cap=CAP,  # shown "1,000+" as the other queues: the large set's analyst has 9,007
    )
    items = [
        Item(
            key="qa.calibration",
            label=_("Calibration sessions to score"),
            count=len(sessions),
            url=sessions_url,
            urgency=Urgency.LATER,
            detail=", ".join(title for _id, title in sessions[:WORST_SHOWN]) or None,
        ),
        Item(
            key="qa.sampled",
            label=_("Sampled contacts to evaluate"),
            count=sampled,
            url=path_for("qaprog.sampling_queue"),
            urgency=urgency_of(sampled_due, today),
            due=sampled_due,
        ),
        Item(
            key="qa.disputes",
            label=_("Disputed evaluations to resolve"),
            count=disputed,
            url=path_for("qa.evaluation_list", status=EvaluationStatus.DISPUTED.value),
            urgency=Urgency.LATER,
        ),
    ]
    return Section(key="qa", title=_("Quality assurance"), items=items)


# ---- trainer -------------------------------------------------------------------------------


def trainer_section(person: Person, today: date) -> Section | None:
    if StaffRole.TRAINER not in policy.staff_roles(person):
        return None
    return Section(
        key="trainer",
        title=_("Training"),
        items=[overdue_training_item(person, today)],
    )


def overdue_training_item(person: Person, today: date) -> Item:
    """Mandatory (person, course) items overdue among the people whose training the trainer
    follows; the courses with the most first."""
    counts = training_queries.counts_by_course(training_queries.people_in_scope(person), today)
    late = sorted(
        ((c.overdue, course_id) for course_id, c in counts.items() if c.overdue),
        key=lambda pair: (-pair[0], pair[1]),
    )
    detail = None
    if late:
        titles = gap_queries.course_titles([cid for _n, cid in late[:WORST_SHOWN]])
        detail = ", ".join(f"{titles.get(cid, '—')}: {n}" for n, cid in late[:WORST_SHOWN])
    return Item(
        key="trainer.overdue",
        label=_("Mandatory training overdue"),
        count=sum(n for n, _cid in late),
        url=path_for("training.team_matrix"),
        urgency=Urgency.OVERDUE if late else Urgency.LATER,
        detail=detail,
    )


# ---- HR admin ------------------------------------------------------------------------------


def hr_section(person: Person, today: date) -> Section | None:
    if not policy.is_hr(person):
        return None
    cycles = running_cycles()
    items = [cycle_item(person, cycle, index, today) for index, cycle in enumerate(cycles)]
    items += [
        calibration_close_item(cycle, index, today)
        for index, cycle in enumerate(cycles)
        if cycle.phase_due(PhaseKind.CALIBRATION) is not None
    ]
    items.append(contact_import_item(person))
    return Section(key="hr", title=_("HR administration"), items=items)


def cycle_item(person: Person, cycle, index: int, today: date) -> Item:
    """A running cycle: its overdue phases (one per review and phase, as the completion page
    lists them) and, in the detail, the next deadline."""
    result = review_completion.completion_for(person, cycle, today)
    due = min((o.due_on for o in result.overdue), default=None)
    upcoming = [p for p in cycle.phases if p.due_on >= today]
    detail = None
    if upcoming:
        from portal.web import _fmt_date

        detail = _("next deadline: %(day)s", day=_fmt_date(upcoming[0].due_on))
    return Item(
        key="hr.cycle" if index == 0 else f"hr.cycle.{cycle.id}",
        label=_("Overdue review phases (%(cycle)s)", cycle=cycle.name),
        count=len(result.overdue),
        url=path_for("goals.completion", cycle=cycle.id),
        urgency=urgency_of(due, today),
        due=due,
        detail=detail,
    )


def calibration_close_item(cycle, index: int, today: date) -> Item:
    """A running cycle's reviews waiting in calibration for HR to close it
    (goals.sharing.waiting_for_close_count, the close-calibration page)."""
    due = cycle.phase_due(PhaseKind.CALIBRATION)
    return Item(
        key="hr.calibration_close" if index == 0 else f"hr.calibration_close.{cycle.id}",
        label=_("Reviews waiting for calibration to close (%(cycle)s)", cycle=cycle.name),
        count=sharing.waiting_for_close_count(cycle),
        url=path_for("goals.calibration_closing", cycle=cycle.id),
        urgency=urgency_of(due, today),
        due=due,
    )


def import_has_errors(record) -> bool:  # noqa: ANN001
    return record.status == ImportStatus.FAILED or record.error_rows > 0 or record.is_stalled


def contact_import_item(person: Person) -> Item:
    """The contact imports of the import page's list that failed, stopped or refused rows."""
    bad = [r for r in contacts.recent_imports_for(person) if import_has_errors(r)]
    detail = None
    if bad:
        detail = ngettext(
            "%(num)d refused row in %(file)s",
            "%(num)d refused rows in %(file)s",
            bad[0].error_rows,
            file=bad[0].file_name,
        )
    url = (
        path_for("qa.contact_import_status", import_id=bad[0].id)
        if len(bad) == 1
        else path_for("qa.contact_import")
    )
    return Item(
        key="hr.contact_imports",
        label=_("Contact imports with errors"),
        count=len(bad),
        url=url,
        urgency=Urgency.LATER,
        detail=detail,
    )
