"""The notification preferences form: one select per registered kind, built per request."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from portal.forms import Form
from portal.notify import preferences
from portal.notify.models import CHANNELS


def field_name(kind: str) -> str:
    return "k_" + re.sub(r"[^A-Za-z0-9_]", "_", kind)


def channel_choices() -> list[SelectChoice]:
    return [SelectChoice(c, preferences.CHANNEL_LABELS[c]) for c in CHANNELS]


def preferences_form(kinds: list[str], current: dict[str, str], formdata=None) -> Form:
    """A form with a select per kind, filled with the person's current channels."""
    attrs = {
        field_name(kind): SelectField(
            preferences.kind_label(kind),
            choices=channel_choices(),
            default=current.get(kind, preferences.default_channel(kind)),
            validate_choice=True,
        )
        for kind in kinds
    }
    form_class = type("NotificationPreferencesForm", (Form,), attrs)
    return form_class(formdata=formdata)


class OneClickForm(Form):
    """The signed link's page: choose the channel for one kind. The link itself authorises
    (it is signed for the person and kind), so it works without signing in and answers the
    mail programs' RFC 8058 one-click POST, which carries no CSRF token."""

    class Meta:
        csrf = False

    channel = SelectField(_l("How to be told"), choices=[], validate_choice=True)
