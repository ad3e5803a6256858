"""Form errors read in the person's language too, WTForms' own messages included (from the
portal's catalogue: WTForms ships no Vietnamese and only one Chinese script)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, get_translations
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from portal.forms import Form


class _Probe(Form):
    class Meta:
        csrf = False

    name = StringField("Name", validators=[DataRequired()])
    count = IntegerField("Count")
    choice = SelectField("Choice", choices=[SelectChoice("a", "A")])


@pytest.mark.parametrize("lang", ["zh_Hant", "zh_Hans", "ja", "ko", "vi"])
def test_wtforms_messages_follow_the_language(app, lang):
    with app.test_request_context(), force_locale(lang):
        form = _Probe(formdata=MultiDict({"name": "", "count": "x", "choice": "z"}))
        assert not form.validate()
        translations = get_translations()
        required = translations.ugettext("This field is required.")
        assert required != "This field is required."  # the catalogue has it
        assert form.name.errors == [required]
        assert form.count.errors[0] == translations.ugettext("Not a valid integer value.")
        assert form.choice.errors[0] == translations.ugettext("Not a valid choice.")


def test_english_stays_english(app):
    with app.test_request_context(), force_locale("en"):
        form = _Probe(formdata=MultiDict({"name": ""}))
        form.validate()
        assert form.name.errors == ["This field is required."]
