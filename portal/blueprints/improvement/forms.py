"""Forms of the improvement-plan pages. A check-in's values (one per expectation) are read from
the request by expectation, like a review's ratings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.forms import Form, VersionForm, optional_int
from portal.improvement import rules
from portal.improvement.models import EventKind, Outcome, PlanState

STATE_LABELS = {
    PlanState.DRAFT: _l("Draft"),
    PlanState.ACTIVE: _l("Active"),
    PlanState.CLOSED: _l("Closed"),
}
OUTCOME_LABELS = {
    Outcome.MET: _l("Met"),
    Outcome.NOT_MET: _l("Not met"),
    Outcome.EXTENDED: _l("Extended"),
}
EVENT_LABELS = {
    EventKind.OPENED: _l("Plan opened (draft)"),
    EventKind.EDITED: _l("Draft edited"),
    EventKind.STARTED: _l("Plan started"),
    EventKind.ACKNOWLEDGED: _l("Acknowledged by the employee"),
    EventKind.CHECKED_IN: _l("Check-in"),
    EventKind.EXTENDED: _l("Extended"),
    EventKind.CLOSED: _l("Closed"),
}
DIRECTION_LABELS = {"higher": _l("Higher is better"), "lower": _l("Lower is better")}
LENGTH_CHOICES = [SelectChoice(days, _l("%(n)s days", n=days)) for days in rules.LENGTHS]


class PlanForm(VersionForm):
    person_id = SelectField(_l("Employee"), coerce=optional_int, validate_choice=False)
    reason = TextAreaField(
        _l("Why the plan is needed"), validators=[DataRequired(), Length(max=8000)]
    )
    support = TextAreaField(
        _l("Support offered (coaching, training, time with a mentor …)"),
        validators=[Optional(), Length(max=8000)],
    )
    starts_on = DateField(_l("Starts on"), validators=[InputRequired()])
    length_days = SelectField(
        _l("Length"), choices=LENGTH_CHOICES, coerce=optional_int, validate_choice=False
    )
    check_in_every_days = IntegerField(
        _l("Check in every (days)"),
        validators=[
            InputRequired(),
            NumberRange(rules.CHECK_IN_EVERY_MIN, rules.CHECK_IN_EVERY_MAX),
        ],
        default=rules.CHECK_IN_EVERY_DEFAULT,
    )
    token = HiddenField()


class ExpectationForm(VersionForm):
    title = StringField(_l("Expectation"), validators=[DataRequired(), Length(max=200)])
    metric = StringField(_l("Metric"), validators=[DataRequired(), Length(max=120)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=32)])
    baseline = DecimalField(_l("Baseline"), validators=[InputRequired()], places=None)
    target = DecimalField(_l("Target"), validators=[InputRequired()], places=None)
    direction = SelectField(
        _l("Direction"),
        choices=[SelectChoice(k, v) for k, v in DIRECTION_LABELS.items()],
        default="higher",
    )
    due_on = DateField(_l("Due (optional)"), validators=[Optional()])


class CheckInForm(Form):
    held_on = DateField(_l("Held on"), validators=[InputRequired()])
    note = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=8000)])
    token = HiddenField(validators=[InputRequired()])


class AcknowledgeForm(VersionForm):
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=4000)])


class OutcomeForm(VersionForm):
    outcome = SelectField(
        _l("Outcome"), choices=[SelectChoice(o.value, OUTCOME_LABELS[o]) for o in Outcome]
    )
    extend_days = SelectField(
        _l("Extend by (when extended)"),
        choices=[SelectChoice("", "—"), *LENGTH_CHOICES],
        coerce=optional_int,
        validate_choice=False,
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=4000)])
