"""Forms of the corrective action pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from portal.conduct.labels import KIND_LABELS
from portal.conduct.models import LinkType
from portal.forms import Form, VersionForm

FOLLOW_UP_FIELDS = ("follow_up_1", "follow_up_2", "follow_up_3")


def _links(label) -> SelectMultipleField:
    return SelectMultipleField(label, coerce=int, validate_choice=False)


class ActionForm(Form):
    """Write or change a draft corrective action."""

    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k.value, v) for k, v in KIND_LABELS.items()]
    )
    held_on = DateField(_l("Date of the conversation"), validators=[Optional()])
    facts = TextAreaField(_l("Facts"), validators=[Length(max=20000)])
    expectations = TextAreaField(_l("Expectations from now on"), validators=[Length(max=20000)])
    follow_up_1 = DateField(_l("First follow-up"), validators=[Optional()])
    follow_up_2 = DateField(_l("Second follow-up (optional)"), validators=[Optional()])
    follow_up_3 = DateField(_l("Third follow-up (optional)"), validators=[Optional()])
    links_evaluation = _links(_l("QA evaluations it refers to"))
    links_review = _links(_l("Performance reviews it refers to"))
    links_kpi = _links(_l("KPIs it refers to"))
    links_one_on_one = _links(_l("1:1 meetings it refers to"))
    token = HiddenField()
    version = HiddenField()  # when editing: the version the form was opened at

    def link_field(self, record_type: str) -> SelectMultipleField:
        return self._fields[f"links_{record_type}"]  # type: ignore[return-value]

    def follow_up_dates(self) -> list:
        return [self._fields[name].data for name in FOLLOW_UP_FIELDS]

    def chosen_links(self) -> dict[str, list[int]]:
        return {t.value: list(self.link_field(t).data or []) for t in LinkType}


class StepForm(VersionForm):
    """Issue or close: the version the page was opened at."""


class AcknowledgeForm(VersionForm):
    comment = TextAreaField(
        _l("Your comment (optional; acknowledging is not agreeing)"),
        validators=[Length(max=4000)],
    )


class FollowUpDoneForm(Form):
    note = TextAreaField(_l("What the follow-up found"), validators=[Length(max=4000)])
