"""The base of every form: the input layer's bounds as field errors.

Each field gets, on top of its own validators:
- text (string, text area, hidden, search, e-mail, password, URL): no control characters other
  than tab and line breaks, and a length bound when it declares none (hidden fields carry
  tokens and versions: 64; one-line text: 255; text areas: 20,000);
- dates and times: between 1900-01-01 and 2100-12-31;
- integers: within the database's integer; decimals: finite and below 10^10 (the `numeric`
  columns' smallest whole part) unless the field bounds itself.

The message is at the field and the form keeps what was typed (the view answers 422).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.csrf.core import CSRFTokenField
from wtforms.fields import (
    DateField,
    DateTimeField,
    DateTimeLocalField,
    DecimalField,
    FloatField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, StopValidation, ValidationError

from portal.errors import ValidationFailed
from portal.params import DATE_MAX, DATE_MIN, INT_MAX, INT_MIN, has_control_chars, parse_int

HIDDEN_MAX = 64
LINE_MAX = 255
TEXT_MAX = 20_000
DECIMAL_LIMIT = Decimal(10) ** 10


def no_control_chars(_form, field: Field) -> None:
    values = field.raw_data or []
    if any(isinstance(v, str) and has_control_chars(v) for v in values):
        raise StopValidation(str(_l("This field cannot contain control characters.")))


class MaxLength:
    """A length bound on what was sent (a value filled from a record, such as a version number,
    is not checked: it came from the database)."""

    def __init__(self, bound: int) -> None:
        self.max = bound

    def __call__(self, _form, field: Field) -> None:
        values = field.raw_data or []
        if any(isinstance(v, str) and len(v) > self.max for v in values):
            raise StopValidation(str(_l("Use at most %(n)s characters.", n=self.max)))


def date_in_bounds(_form, field: Field) -> None:
    value = field.data
    if value is None:
        return
    day = value.date() if isinstance(value, datetime) else value
    if isinstance(day, date) and not DATE_MIN <= day <= DATE_MAX:
        raise StopValidation(
            str(
                _l(
                    "Use a date between %(first)s and %(last)s.",
                    first=DATE_MIN.isoformat(),
                    last=DATE_MAX.isoformat(),
                )
            )
        )


def int_in_bounds(_form, field: Field) -> None:
    if field.data is not None and not INT_MIN <= field.data <= INT_MAX:
        raise StopValidation(str(_l("This number is too large.")))


def decimal_in_bounds(_form, field: Field) -> None:
    value = field.data
    if value is None:
        return
    number = Decimal(str(value))
    if not number.is_finite():
        raise StopValidation(str(_l("Enter a number.")))
    if not any(isinstance(v, NumberRange) for v in field.validators) and (
        abs(number) >= DECIMAL_LIMIT
    ):
        raise ValidationError(str(_l("This number is too large.")))


def bounded_int(value: object) -> int:
    """`coerce=int` for select fields, within the database's integer (ValueError otherwise,
    which the field reports as an invalid choice)."""
    number = parse_int(value)
    if number is None:
        raise ValueError(value)
    return number


def optional_int(value: object) -> int | None:
    """A select field's optional id: None for the empty choice; ValueError for anything that is
    not an id within range."""
    if value in (None, "", "None"):
        return None
    return bounded_int(value)


def lenient_int(value: object) -> int | None:
    """A filter's optional id: None for the empty choice and for anything unreadable."""
    return parse_int(value)


def _extra_validators(field: Field) -> list:
    if isinstance(field, CSRFTokenField):  # Flask-WTF checks its own token
        return []
    own = list(field.validators)
    if isinstance(field, (DateField, DateTimeField, DateTimeLocalField)):
        return [no_control_chars, date_in_bounds]
    if isinstance(field, IntegerField):
        return [int_in_bounds]
    if isinstance(field, (DecimalField, FloatField)):
        return [decimal_in_bounds]
    if isinstance(field, StringField):  # text areas, hidden, search, e-mail, password, URL
        extra: list = [no_control_chars]
        if not any(isinstance(v, (Length, MaxLength)) and v.max not in (None, -1) for v in own):
            if isinstance(field, HiddenField):
                bound = HIDDEN_MAX
            elif isinstance(field, TextAreaField):
                bound = TEXT_MAX
            else:
                bound = LINE_MAX
            extra.append(MaxLength(bound))
        return extra
    return []


class _Translations:
    """WTForms' messages from the portal's own catalogue, in the request's language."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


class Form(FlaskForm):
    """Every form of the portal derives from this (a test checks it)."""

    class Meta:
        def get_translations(self, form):
            return _Translations()

        def bind_field(self, form, unbound_field, options):
            if unbound_field.kwargs.get("coerce") is int:
                unbound_field.kwargs["coerce"] = bounded_int
            field = super().bind_field(form, unbound_field, options)
            extra = _extra_validators(field)
            if extra:
                # Bounds first: a value out of range stops before the field's own checks.
                field.validators = [*extra, *field.validators]
            return field


def apply_errors(form: Any, error: ValidationFailed, aliases: dict[str, str] | None = None) -> None:
    """Show a service's field errors at the form's fields (others above the form); `aliases`
    maps a service's field name to the form's (e.g. "follow_ups" -> "follow_up_1")."""
    for name, messages in error.field_errors.items():
        field = getattr(form, (aliases or {}).get(name, name), None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(messages)
        else:
            form.form_errors.extend(messages)
    if not error.field_errors:
        form.form_errors.append(error.message)


class VersionForm(Form):
    """Buttons that change a record carry the version of the page they came from (required: a
    form without one cannot skip the concurrent-edit check)."""

    version = HiddenField(validators=[InputRequired()])

    @property
    def expected_version(self) -> int:
        return lenient_int(self.version.data) or 0
