"""Forms of the goals and reviews pages."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.forms import Form, VersionForm, lenient_int
from portal.goals import rating
from portal.goals.models import Confidence, PhaseKind, ReviewState

PHASE_LABELS = {
    PhaseKind.GOAL_SETTING: _l("Goal setting"),
    PhaseKind.MID_CYCLE: _l("Mid-cycle check-in"),
    PhaseKind.SELF_ASSESSMENT: _l("Self-assessment"),
    PhaseKind.MANAGER_ASSESSMENT: _l("Manager assessment"),
    PhaseKind.CALIBRATION: _l("Calibration"),
    PhaseKind.SIGN_OFF: _l("Sign-off"),
}
CONFIDENCE_LABELS = {
    Confidence.ON_TRACK: _l("On track"),
    Confidence.AT_RISK: _l("At risk"),
    Confidence.OFF_TRACK: _l("Off track"),
}
DIRECTION_LABELS = {"higher": _l("Higher is better"), "lower": _l("Lower is better")}
CYCLE_STATE_LABELS = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "completed": _l("Completed"),
}


def new_token() -> str:
    return secrets.token_urlsafe(24)


class CheckboxListField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class CycleForm(VersionForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    starts_on = DateField(_l("Period starts"), validators=[InputRequired()])
    ends_on = DateField(_l("Period ends"), validators=[InputRequired()])
    goals_weight = IntegerField(
        _l("Weight of goals in the overall rating"),
        validators=[InputRequired(), NumberRange(0, 100)],
        default=70,
    )
    competencies_weight = IntegerField(
        _l("Weight of competencies in the overall rating"),
        validators=[InputRequired(), NumberRange(0, 100)],
        default=30,
    )
    promotion_min_months = IntegerField(
        _l("Months in position for promotion readiness"),
        validators=[InputRequired(), NumberRange(0, 120)],
        default=6,
    )
    achievement_cap_percent = IntegerField(
        _l("Cap on each goal's achievement, in percent"),
        validators=[
            InputRequired(),
            NumberRange(rating.MIN_ACHIEVEMENT_CAP_PERCENT, rating.MAX_ACHIEVEMENT_CAP_PERCENT),
        ],
        default=rating.DEFAULT_ACHIEVEMENT_CAP_PERCENT,
    )
    scale = TextAreaField(_l("Rating scale"), validators=[DataRequired()])
    bands = TextAreaField(_l("Suggested rating bands"), validators=[DataRequired()])
    guideline = TextAreaField(_l("Calibration guideline"), validators=[Optional()])
    competencies = TextAreaField(_l("Competencies"), validators=[Optional()])
    due_goal_setting = DateField(PHASE_LABELS[PhaseKind.GOAL_SETTING], validators=[InputRequired()])
    due_mid_cycle = DateField(PHASE_LABELS[PhaseKind.MID_CYCLE], validators=[InputRequired()])
    due_self_assessment = DateField(
        PHASE_LABELS[PhaseKind.SELF_ASSESSMENT], validators=[InputRequired()]
    )
    due_manager_assessment = DateField(
        PHASE_LABELS[PhaseKind.MANAGER_ASSESSMENT], validators=[InputRequired()]
    )
    # Optional: a cycle without calibration lets reviewers share as soon as they submit.
    due_calibration = DateField(
        PHASE_LABELS[PhaseKind.CALIBRATION],
        validators=[Optional()],
        description=_l("Leave empty for a cycle without calibration."),
    )
    due_sign_off = DateField(PHASE_LABELS[PhaseKind.SIGN_OFF], validators=[InputRequired()])

    def phase_fields(self):
        return [getattr(self, f"due_{kind.value}") for kind in PhaseKind]


class EnrolForm(Form):
    root = SelectField(_l("Enrol everyone at or below"), coerce=lenient_int, validate_choice=False)
    hired_before = DateField(_l("Hired before"), validators=[Optional()])
    positions = CheckboxListField(_l("Positions (none ticked: any)"), coerce=int)


class GoalForm(VersionForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    metric = StringField(_l("Metric"), validators=[DataRequired(), Length(max=120)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=32)])
    baseline = DecimalField(_l("Baseline"), validators=[InputRequired()], places=None)
    target = DecimalField(_l("Target"), validators=[InputRequired()], places=None)
    direction = SelectField(
        _l("Direction"),
        choices=[SelectChoice(k, v) for k, v in DIRECTION_LABELS.items()],
        default="higher",
    )
    weight = IntegerField(_l("Weight (%)"), validators=[InputRequired(), NumberRange(1, 100)])
    due_on = DateField(_l("Due"), validators=[InputRequired()])
    parent_id = SelectField(_l("Aligned to team goal"), coerce=lenient_int, validate_choice=False)


class CheckInForm(Form):
    value = DecimalField(_l("Value"), validators=[InputRequired()], places=None)
    confidence = SelectField(
        _l("Confidence"), choices=[SelectChoice(k.value, v) for k, v in CONFIDENCE_LABELS.items()]
    )
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=4000)])
    token = HiddenField(validators=[InputRequired()])


class CommentForm(Form):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=4000)])
    token = HiddenField(validators=[InputRequired()])


class AssessmentForm(VersionForm):
    """The per-goal and per-competency ratings are read from the request by subject."""

    overall_comment = TextAreaField(
        _l("Overall comment"), validators=[Optional(), Length(max=8000)]
    )
    proposed_rating = SelectField(
        _l("Proposed overall rating"), coerce=lenient_int, validate_choice=False
    )


class StepForm(VersionForm):
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=4000)])


class ReopenForm(VersionForm):
    to = SelectField(
        _l("Reopen to"),
        choices=[
            SelectChoice(ReviewState.SELF_REVIEW.value, _l("Self-assessment")),
            SelectChoice(ReviewState.MANAGER_REVIEW.value, _l("Manager assessment")),
        ],
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=4000)])


class CalibrationForm(VersionForm):
    rating = SelectField(_l("New rating"), coerce=lenient_int, validate_choice=False)
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=4000)])
