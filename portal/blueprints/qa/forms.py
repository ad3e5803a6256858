"""Forms of the QA pages: contact filters and import, the scorecard and its builder."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
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

from portal.forms import Form, lenient_int
from portal.qa.models import AnswerType, Channel, CriticalScope, Direction, ImportStatus
from portal.qa.scorecard_rules import MAX_POINTS, MAX_SCALE, MAX_WEIGHT, QuestionFields

CHANNEL_LABELS = {
    Channel.PHONE: _l("Phone"),
    Channel.EMAIL: _l("E-mail"),
    Channel.VOICEMAIL: _l("Voicemail"),
    Channel.CHAT: _l("Chat"),
}
DIRECTION_LABELS = {Direction.INBOUND: _l("Inbound"), Direction.OUTBOUND: _l("Outbound")}
IMPORT_STATUS_LABELS = {
    ImportStatus.RUNNING: _l("Running"),
    ImportStatus.DONE: _l("Done"),
    ImportStatus.FAILED: _l("Failed"),
}
ANSWER_TYPE_LABELS = {
    AnswerType.YES_NO: _l("Yes / no"),
    AnswerType.SCALE: _l("Points scale (0 to a maximum)"),
    AnswerType.CHOICE: _l("Choice list with points per choice"),
}
CRITICAL_LABELS = {
    CriticalScope.SECTION: _l("Critical: a failure sets its section to 0"),
    CriticalScope.EVALUATION: _l("Critical: a failure sets the whole evaluation to 0"),
}


class CheckboxListField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


# ---- contacts -------------------------------------------------------------------------------


class ContactFilterForm(Form):
    """The list's filters, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    agent = StringField(_l("Agent"), validators=[Optional(), Length(max=160)])
    team = SelectField(_l("Team"), coerce=lenient_int, validate_choice=False)
    channel = SelectField(_l("Channel"), validate_choice=False)
    market = SelectField(_l("Market"), coerce=lenient_int, validate_choice=False)
    segment = SelectField(_l("Segment"), coerce=lenient_int, validate_choice=False)
    start_on = DateField(_l("From"), validators=[Optional()])
    end_on = DateField(_l("To"), validators=[Optional()])
    reviewed = SelectField(
        _l("Reviewed"),
        choices=[
            SelectChoice("", _l("All")),
            SelectChoice("yes", _l("Reviewed (an evaluation exists)")),
            SelectChoice("no", _l("Not reviewed yet")),
        ],
        validate_choice=False,
    )

    def fill_choices(self, teams, markets, segments) -> None:
        everyone = [SelectChoice("", _l("All"))]
        self.team.choices = everyone + [SelectChoice(str(c.id), c.label) for c in teams]
        self.channel.choices = everyone + [
            SelectChoice(c.value, CHANNEL_LABELS[c]) for c in Channel
        ]
        self.market.choices = everyone + [SelectChoice(str(c.id), c.label) for c in markets]
        self.segment.choices = everyone + [SelectChoice(str(c.id), c.label) for c in segments]


class ContactImportForm(Form):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file to import."))])


# ---- scorecards -----------------------------------------------------------------------------


class VersionForm(Form):
    """Buttons that change a scorecard carry the version of the page they came from."""

    version = HiddenField(validators=[InputRequired()])

    @property
    def expected_version(self) -> int:
        return lenient_int(self.version.data) or 0


class ScorecardForm(VersionForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=4000)])
    channels = CheckboxListField(_l("Channels it applies to"))
    markets = CheckboxListField(_l("Markets it applies to"), coerce=int)

    def fill_choices(self, markets) -> None:
        self.channels.choices = [SelectChoice(c.value, CHANNEL_LABELS[c]) for c in Channel]
        self.markets.choices = [SelectChoice(m.id, f"{m.code} · {m.name}") for m in markets]


class ScorecardNewForm(ScorecardForm):
    version = HiddenField(default="0")


class SectionForm(VersionForm):
    title = StringField(_l("Section title"), validators=[DataRequired(), Length(max=200)])
    weight = DecimalField(
        _l("Weight"),
        places=2,
        validators=[
            InputRequired(_l("Give the section a weight.")),
            NumberRange(
                min=0.01,
                max=float(MAX_WEIGHT),
                message=_l("The weight must be a number above 0, like 40."),
            ),
        ],
    )


class QuestionForm(VersionForm):
    text = TextAreaField(_l("Question"), validators=[DataRequired(), Length(max=2000)])
    guidance = TextAreaField(
        _l("Guidance for the evaluator"), validators=[Optional(), Length(max=4000)]
    )
    answer_type = SelectField(
        _l("Answer"),
        choices=[SelectChoice(k.value, v) for k, v in ANSWER_TYPE_LABELS.items()],
        validate_choice=False,  # the service checks it, with a clearer message
    )
    points = IntegerField(
        _l("Points for “yes”"),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=MAX_POINTS,
                message=_l("A yes/no question earns 1 to %(max)s points on “yes”."),
            ),
        ],
    )
    scale_max = IntegerField(
        _l("Scale maximum"),
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=MAX_SCALE,
                message=_l("A scale goes from 0 to a maximum of 1 to %(max)s."),
            ),
        ],
    )
    na_allowed = BooleanField(_l("N/A allowed"))
    critical_scope = SelectField(
        _l("Critical"),
        choices=[SelectChoice("", _l("Not critical"))]
        + [SelectChoice(k.value, v) for k, v in CRITICAL_LABELS.items()],
        validate_choice=False,
    )

    def fields_value(self) -> QuestionFields:
        return QuestionFields(
            text=self.text.data or "",
            guidance=self.guidance.data or "",
            answer_type=self.answer_type.data or "",
            points=self.points.data,
            scale_max=self.scale_max.data,
            na_allowed=bool(self.na_allowed.data),
            critical_scope=self.critical_scope.data or None,
        )


class ChoiceForm(VersionForm):
    label = StringField(_l("Choice"), validators=[DataRequired(), Length(max=200)])
    points = IntegerField(
        _l("Points"),
        validators=[
            InputRequired(_l("Give the choice its points (0 or more).")),
            NumberRange(
                min=0, max=MAX_POINTS, message=_l("A choice is worth 0 to %(max)s points.")
            ),
        ],
    )
    is_failing = BooleanField(_l("Choosing it fails the question"))
