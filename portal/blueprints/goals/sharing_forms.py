"""Forms of closing calibration and of HR's early share (kept apart from forms.py, which the
assessment and calibration pages use)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.forms import Form, lenient_int

from .forms import VersionForm


class ShareOverrideForm(VersionForm):
    reason = TextAreaField(
        _l("Why may this review be shared before calibration closes?"),
        validators=[DataRequired(), Length(max=4000)],
    )


class CalibrationCloseForm(Form):
    cycle = HiddenField(validators=[InputRequired()], filters=[lenient_int])
    team = HiddenField(validators=[Optional()], filters=[lenient_int])
