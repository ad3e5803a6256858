"""Forms of the 1:1 and coaching pages."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from portal.coaching.models import Cadence
from portal.forms import Form

CADENCE_LABELS = {
    Cadence.WEEKLY: _l("Weekly"),
    Cadence.BIWEEKLY: _l("Every two weeks"),
    Cadence.MONTHLY: _l("Monthly (first of that weekday)"),
}
WEEKDAY_LABELS = [
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
]
STATUS_LABELS = {
    "scheduled": _l("Scheduled"),
    "held": _l("Held"),
    "missed": _l("Missed"),
    "cancelled": _l("Cancelled"),
    "rescheduled": _l("Rescheduled"),
}
ACTION_LABELS = {
    "hold": _l("Mark held"),
    "miss": _l("Mark missed"),
    "cancel": _l("Cancel"),
    "reschedule": _l("Reschedule"),
    "reopen": _l("Correct: back to scheduled"),
}
CELL_LABELS = {
    "held": _l("Held"),
    "missed": _l("Missed"),
    "cancelled": _l("Cancelled"),
    "not_recorded": _l("Not recorded"),
    "upcoming": _l("Upcoming"),
    "none": _l("No meeting due"),
}


def new_token() -> str:
    return secrets.token_urlsafe(16)


class SeriesSetupForm(Form):
    cadence = SelectField(
        _l("How often"),
        choices=[SelectChoice(c.value, label) for c, label in CADENCE_LABELS.items()],
        default=Cadence.WEEKLY.value,
    )
    weekday = SelectField(
        _l("Day"),
        choices=[SelectChoice(i, label) for i, label in enumerate(WEEKDAY_LABELS)],
        coerce=int,
        default=0,
    )
    start_time = TimeField(_l("Time (your time zone)"), validators=[DataRequired()], format="%H:%M")


class MeetingStatusForm(Form):
    action = HiddenField(validators=[DataRequired()])
    version = IntegerField(validators=[Optional()])
    reason = TextAreaField(_l("Reason for cancelling"), validators=[Length(max=4000)])
    new_on = DateField(_l("New date"), validators=[Optional()])
    new_time = TimeField(_l("New time (your time zone)"), validators=[Optional()], format="%H:%M")


class AgendaAddForm(Form):
    body = StringField(_l("Add to the agenda"), validators=[Length(max=4000)])
    point = HiddenField()
    token = HiddenField()  # one per rendered form: a double submit adds one line


class EmptyForm(Form):
    """A form with only the CSRF token (ticks, resets)."""


class SharedNotesForm(Form):
    shared_notes = TextAreaField(_l("Shared notes"), validators=[Length(max=20000)])
    version = IntegerField(validators=[Optional()])


class PrivateNoteForm(Form):
    private_note = TextAreaField(_l("My private notes"), validators=[Length(max=20000)])
    version = IntegerField(validators=[Optional()])


class ActionItemForm(Form):
    body = StringField(_l("Action item"), validators=[Length(max=4000)])
    owner_id = SelectField(_l("Owner"), coerce=int, validators=[Optional()])
    due_on = DateField(_l("Due date"), validators=[Optional()])
    token = HiddenField()


class ActionToggleForm(Form):
    meeting_id = IntegerField(validators=[Optional()])
    done = HiddenField()


class CoachingSessionForm(Form):
    held_on = DateField(_l("Date of the session"), validators=[Optional()])
    behaviour = TextAreaField(_l("Behaviour to change"), validators=[Length(max=4000)])
    commitment = TextAreaField(_l("Commitment agreed"), validators=[Length(max=4000)])
    follow_up_on = DateField(_l("Follow-up date"), validators=[Optional()])
    evaluations = SelectMultipleField(
        _l("Evaluations it addresses"), coerce=int, validate_choice=False
    )
    questions = SelectMultipleField(_l("Questions it addresses"), coerce=int, validate_choice=False)
    meeting_id = HiddenField()
    token = HiddenField()
    version = HiddenField()  # when editing: the session's version the form was opened at


class SeriesEditForm(SeriesSetupForm):
    version = IntegerField(validators=[Optional()])
