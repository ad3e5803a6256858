"""Forms of the KPI pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import (
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from portal.forms import Form
from portal.kpis.models import Aggregation, Direction

MAX_IMPORT_BYTES = 50 * 1024 * 1024

DIRECTION_LABELS = {
    Direction.HIGHER: _l("Higher is better"),
    Direction.LOWER: _l("Lower is better"),
}
AGGREGATION_LABELS = {
    Aggregation.MEAN: _l("Mean of the daily values"),
    Aggregation.SUM: _l("Sum of the daily values"),
    Aggregation.RATE: _l("Rate: sum of numerators / sum of denominators"),
    Aggregation.WEIGHTED: _l("Weighted mean: sum(value × weight) / sum(weight)"),
}


class KpiForm(Form):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=32),
            Regexp(r"^[a-z0-9_]+$", message=_l("Lower-case letters, digits and _ only.")),
        ],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=16)])
    direction = SelectField(
        _l("Direction"),
        choices=[SelectChoice(d.value, label) for d, label in DIRECTION_LABELS.items()],
    )
    aggregation = SelectField(
        _l("Aggregation"),
        choices=[SelectChoice(a.value, label) for a, label in AGGREGATION_LABELS.items()],
    )
    decimals = IntegerField(
        _l("Decimals shown"), default=1, validators=[DataRequired(), NumberRange(min=0, max=4)]
    )
    positions = SelectMultipleField(_l("Applies to positions"), coerce=int, validate_choice=True)
    version = HiddenField()

    def validate_decimals(self, field: IntegerField) -> None:
        if field.data is None:
            raise ValidationError(_l("Give a number from 0 to 4."))


class KpiTargetForm(Form):
    scope = SelectField(_l("Market or team"), validators=[DataRequired()])
    target = DecimalField(_l("Target"), validators=[DataRequired()])

    def validate_target(self, field: DecimalField) -> None:
        if field.data is not None and abs(field.data) >= 10**12:
            raise ValidationError(_l("The target is too large."))


class KpiActionForm(Form):
    """Archive / restore / delete a target: only the CSRF token."""


class KpiValueImportForm(Form):
    file = FileField(
        _l("CSV file"),
        validators=[
            FileRequired(_l("Choose a CSV file to upload.")),
            FileSize(MAX_IMPORT_BYTES, message=_l("The file is larger than 50 MB; split it.")),
        ],
    )
