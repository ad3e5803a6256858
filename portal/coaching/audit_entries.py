"""How the coaching audit entries read (portal/audit_display.py): 1:1 series and meetings,
coaching sessions, named by the people in them and linked for whoever may open them."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased

from portal.audit_display import Field, names_from, register, visible_in_scope
from portal.coaching.models import CoachingSession, OneOnOne, OneOnOneSeries
from portal.org.models import Person
from portal.policy import Area

_Report = aliased(Person)
_Lead = aliased(Person)


_series_names = names_from(
    select(OneOnOneSeries.id, _Report.name, _Lead.name)
    .join(_Report, _Report.id == OneOnOneSeries.person_id)
    .join(_Lead, _Lead.id == OneOnOneSeries.supervisor_id),
    OneOnOneSeries,
    lambda a, b: _("1:1s of %(a)s with %(b)s", a=a, b=b),
)
_meeting_names = names_from(
    select(OneOnOne.id, _Report.name, _Lead.name)
    .join(_Report, _Report.id == OneOnOne.person_id)
    .join(_Lead, _Lead.id == OneOnOne.supervisor_id),
    OneOnOne,
    lambda a, b: _("1:1 of %(a)s with %(b)s", a=a, b=b),
)
_session_names = names_from(
    select(CoachingSession.id, _Report.name, _Lead.name)
    .join(_Report, _Report.id == CoachingSession.person_id)
    .join(_Lead, _Lead.id == CoachingSession.coach_id),
    CoachingSession,
    lambda a, b: _("Coaching of %(a)s by %(b)s", a=a, b=b),
)


PEOPLE = {
    "person_id": Field(_l("Person"), kind="ref", ref="person"),
    "supervisor_id": Field(_l("Supervisor"), kind="ref", ref="person"),
    "coach_id": Field(_l("Coach"), kind="ref", ref="person"),
}

register(
    "one_on_one_series",
    label=_l("1:1 series"),
    describe=_series_names,
    link=("coaching.series_detail", "series_id"),
    visible=visible_in_scope(OneOnOneSeries, Area.COACHING),
    fields=PEOPLE,
)
register(
    "one_on_one",
    label=_l("1:1"),
    describe=_meeting_names,
    link=("coaching.meeting_detail", "meeting_id"),
    visible=visible_in_scope(OneOnOne, Area.COACHING),
    fields=PEOPLE,
)
register(
    "coaching_session",
    label=_l("Coaching session"),
    describe=_session_names,
    link=("coaching.session_detail", "session_id"),
    visible=visible_in_scope(CoachingSession, Area.COACHING),
    fields=PEOPLE,
)
