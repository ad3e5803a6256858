"""Forms of the HR administration pages."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, SearchField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from portal.admin.audit_queries import AuditFilters
from portal.admin.grants import ScopeChoice
from portal.audit_display import ActionGroup
from portal.forms import Form, optional_int
from portal.org.models import StaffRole

ROLE_LABELS = {
    StaffRole.QA_ANALYST: _l("QA analyst"),
    StaffRole.TRAINER: _l("Trainer"),
    StaffRole.HR_ADMIN: _l("HR admin"),
}


class AuditFilterForm(Form):
    """The audit-log search (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    actor = SearchField(_l("Who (name or e-mail)"), validators=[Optional(), Length(max=254)])
    # Grouped by record type; a group's own option ("evaluation.") picks all its actions.
    action = SelectField(
        _l("Action"), choices=[], validate_choice=False, validators=[Optional(), Length(max=64)]
    )
    record_type = StringField(_l("Record type"), validators=[Optional(), Length(max=64)])
    record_id = IntegerField(
        _l("Record id"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)]
    )
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])

    def set_actions(self, groups: list[ActionGroup]) -> None:
        """The action picker's options: any action, then per group "all" and each action."""
        choices: dict[str | None, list[tuple[str, str]]] = {None: [("", _("Any action"))]}
        known = {""}
        for group in groups:
            options = [(group.prefix, _("All: %(group)s", group=group.label)), *group.actions]
            choices[group.label] = options
            known.update(value for value, _label in options)
        typed = (self.action.data or "").strip()
        if typed not in known:  # an address typed by hand ("auth") stays selected
            choices[None].append((typed, typed))
        self.action.choices = choices  # type: ignore[assignment]

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))

    def filters(self) -> AuditFilters:
        return AuditFilters(
            actor=(self.actor.data or "").strip(),
            action=(self.action.data or "").strip(),
            record_type=(self.record_type.data or "").strip(),
            record_id=self.record_id.data,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
        )


class GrantCreateForm(Form):
    person = StringField(
        _l("Person (e-mail or employee id)"), validators=[DataRequired(), Length(max=254)]
    )
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
        validators=[DataRequired()],
    )
    team_id = SelectField(_l("Team"), coerce=optional_int, validate_choice=True)
    market_id = SelectField(_l("Market"), coerce=optional_int, validate_choice=True)

    def set_scopes(self, teams: list[ScopeChoice], markets: list[ScopeChoice]) -> None:
        none = SelectChoice("", _l("— none —"))
        self.team_id.choices = [none] + [SelectChoice(str(t.id), t.label) for t in teams]
        self.market_id.choices = [none] + [SelectChoice(str(m.id), m.label) for m in markets]
