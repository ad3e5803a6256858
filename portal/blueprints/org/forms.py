"""Forms of the organisation pages (HR): people, moves, (de)activation and imports."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import DateField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from portal.forms import Form, optional_int
from portal.org import person_rules as rules
from portal.org.queries import Choices
from portal.org.services import PersonInput

MAX_IMPORT_BYTES = 5 * 1024 * 1024


@cache
def time_zone_names() -> list[str]:
    """Every IANA time zone name, for the suggestions beside a time zone field."""
    return sorted(available_timezones())


def _none_choice() -> SelectChoice:
    return SelectChoice("", str(_l("— none —")))


class _PersonFields(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=rules.NAME_MAX)])
    name_romanised = StringField(
        _l("Name in Latin letters"), validators=[Optional(), Length(max=rules.NAME_MAX)]
    )
    email = StringField(
        _l("E-mail"), validators=[DataRequired(), Email(), Length(max=rules.EMAIL_MAX)]
    )
    employee_id = StringField(
        _l("Employee ID"), validators=[DataRequired(), Length(max=rules.EMPLOYEE_ID_MAX)]
    )
    position_id = SelectField(_l("Position"), coerce=optional_int, validators=[DataRequired()])
    hire_on = DateField(_l("Hire date"), validators=[Optional()])
    position_since_on = DateField(_l("In this position since"), validators=[Optional()])
    market_id = SelectField(_l("Market"), coerce=optional_int)
    segment_id = SelectField(_l("Segment"), coerce=optional_int)
    team_id = SelectField(_l("Team"), coerce=optional_int)
    locale = SelectField(_l("Language"))
    time_zone = StringField(
        _l("Time zone"),
        default="UTC",
        validators=[DataRequired(), Length(max=64)],
        render_kw={"list": "time-zones", "autocomplete": "off"},
    )

    def fill_choices(self, choices: Choices) -> None:
        """The select lists, from the reference data (called before validating or rendering)."""
        self.position_id.choices = [SelectChoice("", str(_l("Choose…")))] + [
            SelectChoice(str(p.id), p.name) for p in choices.positions
        ]
        self.market_id.choices = [_none_choice()] + [
            SelectChoice(str(m.id), f"{m.code} · {m.name}") for m in choices.markets
        ]
        self.segment_id.choices = [_none_choice()] + [
            SelectChoice(str(s.id), s.name) for s in choices.segments
        ]
        markets = {m.id: m.code for m in choices.markets}
        self.team_id.choices = [_none_choice()] + [
            SelectChoice(str(t.id), f"{t.name} ({markets[t.market_id]})" if t.market_id else t.name)
            for t in choices.teams
        ]
        self.locale.choices = [
            SelectChoice(code, label) for code, label in current_app.config["LANGUAGES"].items()
        ]

    def person_input(self) -> PersonInput:
        return PersonInput(
            name=self.name.data.strip(),
            name_romanised=(self.name_romanised.data or "").strip() or None,
            email=self.email.data.strip(),
            employee_id=self.employee_id.data.strip(),
            position_id=self.position_id.data,
            hire_on=self.hire_on.data,
            position_since_on=self.position_since_on.data,
            market_id=self.market_id.data,
            segment_id=self.segment_id.data,
            team_id=self.team_id.data,
            locale=self.locale.data,
            time_zone=self.time_zone.data.strip(),
        )


class PersonCreateForm(_PersonFields):
    manager = StringField(
        _l("Manager (e-mail or employee ID)"), validators=[Optional(), Length(max=254)]
    )
    password = PasswordField(
        _l("Initial password (optional)"), validators=[Optional(), Length(max=256)]
    )


class PersonEditForm(_PersonFields):
    version = HiddenField()
    password = PasswordField(
        _l("New password (leave empty to keep the current one)"),
        validators=[Optional(), Length(max=256)],
    )

    def expected_version(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


class PersonMoveForm(Form):
    manager = StringField(
        _l("New manager (e-mail or employee ID)"), validators=[Optional(), Length(max=254)]
    )


class PersonDeactivateForm(Form):
    """Only the CSRF token: the confirmation happens in the browser (data-confirm)."""


class PersonReactivateForm(Form):
    """Only the CSRF token."""


class PersonImportForm(Form):
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(_l("Choose a CSV file to upload.")),
            FileSize(MAX_IMPORT_BYTES, message=_l("The file is larger than 5 MB; split it.")),
        ],
    )
