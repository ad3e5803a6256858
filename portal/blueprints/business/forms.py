"""Forms of the business review pages."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from portal.forms import Form, optional_int

KIND_LABELS = {
    "wbr": _l("Weekly business review (WBR)"),
    "mbr": _l("Monthly business review (MBR)"),
}
SHORT_KIND = {"wbr": _l("WBR"), "mbr": _l("MBR")}
STATUS_LABELS = {"scheduled": _l("Scheduled"), "held": _l("Held")}


def new_token() -> str:
    return secrets.token_urlsafe(16)


class ReviewNewForm(Form):
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(k, label) for k, label in KIND_LABELS.items()],
        default="wbr",
        validators=[DataRequired()],
    )
    node_id = SelectField(_l("Team (its leader)"), coerce=int, validators=[DataRequired()])
    market_id = SelectField(_l("Market"), coerce=optional_int, validators=[Optional()])
    on = DateField(_l("A day in the week or month"), validators=[DataRequired()])
    title = StringField(_l("Title (optional)"), validators=[Length(max=200)])


class ReviewNotesForm(Form):
    notes = TextAreaField(
        _l("Meeting notes"), validators=[Length(max=20000)], id="review-notes-text"
    )
    version = IntegerField(validators=[Optional()])


class ReviewHoldForm(Form):
    version = IntegerField(validators=[Optional()])


class DecisionForm(Form):
    body = TextAreaField(_l("Decision"), validators=[Length(max=4000)], id="decision-body")
    token = HiddenField()


class ActionItemForm(Form):
    body = StringField(_l("Action item"), validators=[Length(max=4000)], id="action-body")
    owner_id = SelectField(
        _l("Owner"), coerce=optional_int, validators=[Optional()], id="action-owner"
    )
    due_on = DateField(_l("Due date"), validators=[Optional()], id="action-due")
    token = HiddenField()
    version = IntegerField(validators=[Optional()])


class ActionDoneForm(Form):
    done = HiddenField()
    version = IntegerField(validators=[Optional()])


class EmptyForm(Form):
    """Only the CSRF token (deletions)."""
