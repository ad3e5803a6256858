"""Forms of the QA programme pages: report filters, sampling rules and runs, calibration."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.blueprints.qa.forms import CHANNEL_LABELS, DIRECTION_LABELS
from portal.forms import Form, lenient_int
from portal.qa.models import Channel, Direction
from portal.qa.programme_models import AssignTo, StratifyMode
from portal.qa.rollups import PeriodKind

PERIOD_LABELS = {
    PeriodKind.LAST_4_WEEKS: _l("Last 4 full weeks"),
    PeriodKind.WEEK: _l("Week"),
    PeriodKind.MONTH: _l("Month"),
    PeriodKind.QUARTER: _l("Quarter"),
    PeriodKind.CUSTOM: _l("Custom dates"),
}
STRATIFY_LABELS = {
    StratifyMode.PROPORTIONAL: _l("In proportion to each channel's volume"),
    StratifyMode.MINIMUM: _l("Per-channel minimums first, the rest in proportion"),
}
ASSIGN_LABELS = {
    AssignTo.SUPERVISOR: _l("The agent's supervisor"),
    AssignTo.QA_ROUND_ROBIN: _l("QA analysts granted the agent's team or market, in turn"),
}


class LongSelect(widgets.Select):
    """WTForms' select, with a plain option written in one f-string: the organisation list
    holds hundreds of people, and WTForms' attribute handling per option cost ~40 ms."""

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = " selected" if choice.selected else ""
        label = escape(choice.label or choice.value)
        return Markup(f'<option{selected} value="{escape(choice.value)}">{label}</option>')


class CheckboxListField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ReportFilterForm(Form):
    """The roll-up's node, period and filters, read from the query string (no CSRF token)."""

    class Meta:
        csrf = False

    node = SelectField(
        _l("Organisation"), coerce=lenient_int, validate_choice=False, widget=LongSelect()
    )
    period = SelectField(
        _l("Period"),
        choices=[SelectChoice(k.value, v) for k, v in PERIOD_LABELS.items()],
        default=PeriodKind.LAST_4_WEEKS.value,
    )
    on = DateField(_l("A day in the period"), validators=[Optional()])
    start_on = DateField(_l("From (custom)"), validators=[Optional()])
    end_on = DateField(_l("To (custom)"), validators=[Optional()])
    market = SelectField(_l("Market"), coerce=lenient_int, validate_choice=False)
    segment = SelectField(_l("Segment"), coerce=lenient_int, validate_choice=False)
    channel = SelectField(_l("Channel"), validate_choice=False)
    scorecard = SelectField(_l("Scorecard"), coerce=lenient_int, validate_choice=False)

    def fill_choices(self, nodes, markets, segments, scorecards) -> None:
        everyone = [SelectChoice("", _l("Everyone I can see"))]
        self.node.choices = everyone + [SelectChoice(str(c.id), c.label) for c in nodes]
        anything = [SelectChoice("", _l("Any"))]
        self.market.choices = anything + [SelectChoice(str(c.id), c.label) for c in markets]
        self.segment.choices = anything + [SelectChoice(str(c.id), c.label) for c in segments]
        self.scorecard.choices = anything + [SelectChoice(str(c.id), c.label) for c in scorecards]
        self.channel.choices = anything + [
            SelectChoice(c.value, CHANNEL_LABELS[c]) for c in Channel
        ]


class SamplingRuleForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=160)])
    root = SelectField(_l("Agents at or below"), coerce=lenient_int, validate_choice=False)
    per_agent = IntegerField(
        _l("Contacts per agent per week"), validators=[InputRequired(), NumberRange(1, 50)]
    )
    stratify = SelectField(
        _l("Stratify by channel"),
        choices=[SelectChoice(k.value, v) for k, v in STRATIFY_LABELS.items()],
    )
    min_phone = IntegerField(_l("Minimum phone"), validators=[Optional(), NumberRange(0, 50)])
    min_email = IntegerField(_l("Minimum e-mail"), validators=[Optional(), NumberRange(0, 50)])
    min_voicemail = IntegerField(
        _l("Minimum voicemail"), validators=[Optional(), NumberRange(0, 50)]
    )
    min_chat = IntegerField(_l("Minimum chat"), validators=[Optional(), NumberRange(0, 50)])
    market = SelectField(_l("Market"), coerce=lenient_int, validate_choice=False)
    segment = SelectField(_l("Segment"), coerce=lenient_int, validate_choice=False)
    direction = SelectField(
        _l("Direction"),
        choices=[SelectChoice("", _l("Any"))]
        + [SelectChoice(d.value, DIRECTION_LABELS[d]) for d in Direction],
    )
    min_duration_seconds = IntegerField(
        _l("Minimum duration (seconds)"), validators=[Optional(), NumberRange(0, 86_400)]
    )
    assign_to = SelectField(
        _l("Assign to"), choices=[SelectChoice(k.value, v) for k, v in ASSIGN_LABELS.items()]
    )
    due_days = IntegerField(
        _l("Due (days after the run)"), validators=[InputRequired(), NumberRange(0, 60)]
    )
    version = HiddenField()  # the rule's version when the edit form was opened

    def fill_choices(self, nodes, markets, segments) -> None:
        self.root.choices = [SelectChoice(str(c.id), c.label) for c in nodes]
        anything = [SelectChoice("", _l("Any"))]
        self.market.choices = anything + [SelectChoice(str(c.id), c.label) for c in markets]
        self.segment.choices = anything + [SelectChoice(str(c.id), c.label) for c in segments]

    def minimums(self) -> dict[str, int]:
        values = {
            "phone": self.min_phone.data,
            "email": self.min_email.data,
            "voicemail": self.min_voicemail.data,
            "chat": self.min_chat.data,
        }
        return {channel: n for channel, n in values.items() if n}


class RuleActiveForm(Form):
    version = HiddenField()
    active = HiddenField()


class SamplingRunForm(Form):
    week_on = DateField(_l("A day in the week to sample"), validators=[InputRequired()])
    seed = IntegerField(
        _l("Seed (leave empty for the rule's own seed for that week)"),
        validators=[Optional(), NumberRange(0, 2**31 - 1)],
    )


class CalibrationCreateForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    scorecard_version = SelectField(
        _l("Scorecard version"), coerce=lenient_int, validate_choice=False
    )
    pick = SelectMultipleField(_l("Contacts"), validate_choice=False)  # checkboxes, by hand
    evaluators = CheckboxListField(_l("Invite evaluators"), coerce=int, validate_choice=False)
    # The contact picker's search (the same form, so nothing typed or picked is lost).
    reference = StringField(_l("Contact reference"), validators=[Optional(), Length(max=128)])
    agent = StringField(_l("Agent (name or employee id)"), validators=[Optional(), Length(max=120)])
    channel = SelectField(_l("Channel"), default="")  # one of the channels offered (fill_channels)
    start_on = DateField(_l("From"), validators=[Optional()])
    end_on = DateField(_l("To"), validators=[Optional()])

    PICKER_FIELDS = ("reference", "agent", "channel", "start_on", "end_on")

    def fill_channels(self) -> None:
        self.channel.choices = [SelectChoice("", _l("Any"))] + [
            SelectChoice(c.value, CHANNEL_LABELS[c]) for c in Channel
        ]

    def picker_valid(self) -> bool:
        """Check only the search fields (a search does not need a title yet)."""
        return all([getattr(self, name).validate(self) for name in self.PICKER_FIELDS])


class CalibrationCloseForm(Form):
    version = HiddenField()
