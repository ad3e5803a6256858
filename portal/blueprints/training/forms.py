"""Forms of the training and recognition pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, InputRequired, Length, NumberRange, Optional

from portal.forms import Form, lenient_int
from portal.training.models import CourseKind

KIND_LABELS = {
    CourseKind.ELEARNING: _l("E-learning"),
    CourseKind.CLASSROOM: _l("Classroom"),
    CourseKind.ON_THE_JOB: _l("On the job"),
}


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as SelectChoice objects (tuples are deprecated in WTForms)."""
    return [SelectChoice(str(value), str(label)) for value, label in pairs]


def with_blank(pairs) -> list[SelectChoice]:
    return [SelectChoice("", "—")] + choices(pairs)


class CourseForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k.value, v) for k, v in KIND_LABELS.items()]
    )
    url = StringField(_l("Link (e-learning)"), validators=[Optional(), URL(), Length(max=500)])
    duration_minutes = IntegerField(
        _l("Duration (minutes)"), validators=[Optional(), NumberRange(min=1, max=100000)]
    )
    competencies = StringField(
        _l("Competencies (separated by commas)"), validators=[Optional(), Length(max=500)]
    )
    is_mandatory = BooleanField(_l("Mandatory"))
    pass_mark = IntegerField(
        _l("Pass mark (%)"), validators=[Optional(), NumberRange(min=0, max=100)]
    )
    attempts_allowed = IntegerField(
        _l("Attempts allowed (empty: unlimited)"), validators=[Optional(), NumberRange(min=1)]
    )
    time_limit_minutes = IntegerField(
        _l("Time limit (minutes, empty: none)"), validators=[Optional(), NumberRange(min=1)]
    )
    certification_months = IntegerField(
        _l("Certification valid for (months, empty: no certification)"),
        validators=[Optional(), NumberRange(min=1, max=120)],
    )
    qa_questions = SelectMultipleField(
        _l("QA questions it addresses"), coerce=int, validators=[Optional()]
    )
    version = HiddenField()


class VersionForm(Form):
    version = HiddenField(validators=[InputRequired()])


class EmptyForm(Form):
    """A CSRF-only form for buttons that change state."""


class QuestionForm(Form):
    text = TextAreaField(_l("Question"), validators=[DataRequired(), Length(max=2000)])
    is_multiple = BooleanField(_l("Several answers are correct"))
    choices = TextAreaField(
        _l("Choices, one per line; start the correct ones with *"),
        validators=[DataRequired(), Length(max=5000)],
    )

    def parsed_choices(self) -> list[tuple[str, bool]]:
        choices = []
        for line in (self.choices.data or "").splitlines():
            line = line.strip()
            if not line:
                continue
            correct = line.startswith("*")
            label = line.lstrip("*").strip()
            if label:
                choices.append((label[:500], correct))
        return choices

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        choices = self.parsed_choices()
        correct = sum(1 for _, c in choices if c)
        if len(choices) < 2:
            self.choices.errors.append(_l("Give at least two choices."))
            return False
        if correct == 0:
            self.choices.errors.append(_l("Mark at least one choice correct with *."))
            return False
        if correct > 1 and not self.is_multiple.data:
            self.choices.errors.append(
                _l("Only one choice may be correct unless several answers are correct.")
            )
            return False
        return True


class SessionForm(Form):
    starts_at = DateTimeLocalField(
        _l("Starts (your time zone)"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()]
    )
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=200)])
    seats = IntegerField(_l("Seats"), validators=[DataRequired(), NumberRange(min=1, max=1000)])


class AttendanceForm(Form):
    attended = SelectMultipleField(_l("Attended"), coerce=int, validate_choice=False)


class AssignForm(Form):
    employee_id = StringField(
        _l("One person (employee ID)"), validators=[Optional(), Length(max=32)]
    )
    team = SelectField(_l("Team"), coerce=lenient_int, validate_choice=False)
    position = SelectField(_l("Position"), coerce=lenient_int, validate_choice=False)
    market = SelectField(_l("Market"), coerce=lenient_int, validate_choice=False)
    due_on = DateField(_l("Due on"), validators=[DataRequired()])
    token = HiddenField()

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        person = (self.employee_id.data or "").strip()
        group = self.team.data or self.position.data or self.market.data
        if not person and not group:
            self.employee_id.errors.append(
                _l("Choose one person, or a team, position or market (or a combination).")
            )
            return False
        if person and group:
            self.employee_id.errors.append(
                _l("Choose either one person or a team / position / market, not both.")
            )
            return False
        return ok


class CertificationGrantForm(Form):
    name = StringField(_l("Certification"), validators=[DataRequired(), Length(max=200)])
    earned_on = DateField(_l("Earned on"), validators=[DataRequired()])
    expires_on = DateField(_l("Expires on (empty: never)"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.expires_on.data and self.expires_on.data <= self.earned_on.data:
            self.expires_on.errors.append(_l("The expiry must be after the date it was earned."))
            return False
        return ok


class KudosForm(Form):
    recipient = StringField(
        _l("To (employee ID or e-mail)"), validators=[DataRequired(), Length(max=254)]
    )
    value = SelectField(_l("For"), validators=[DataRequired()])
    message = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=2000)])
    is_public = BooleanField(_l("Show on the team feed"))
    token = HiddenField()


class SkillGapForm(Form):
    class Meta:
        csrf = False

    team = SelectField(_l("Team"), coerce=lenient_int, validate_choice=False)
    employee_id = StringField(_l("One person (employee ID)"), validators=[Optional()])
    start_on = DateField(_l("From"), validators=[Optional()])
    end_on = DateField(_l("To"), validators=[Optional()])


class ProgrammeForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    cadence = SelectField(
        _l("Cadence"),
        choices=[SelectChoice("monthly", _l("Monthly")), SelectChoice("biweekly", _l("Bi-weekly"))],
    )
    team = SelectField(_l("Team"), coerce=lenient_int, validate_choice=False)
    market = SelectField(_l("Or a whole market"), coerce=lenient_int, validate_choice=False)
    winners_per_period = IntegerField(
        _l("Winners per period"), default=1, validators=[DataRequired(), NumberRange(1, 20)]
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not self.team.data and not self.market.data:
            self.team.errors.append(_l("Choose a team or a market."))
            return False
        return ok


class NominationForm(Form):
    nominee = StringField(
        _l("Nominee (employee ID or e-mail)"), validators=[DataRequired(), Length(max=254)]
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class DecisionForm(Form):
    action = SelectField(
        _l("Decision"),
        choices=[
            SelectChoice("approve", _l("Approve")),
            SelectChoice("decline", _l("Decline")),
            SelectChoice("win", _l("Winner")),
        ],
    )
