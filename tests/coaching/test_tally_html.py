"""The completion page's tally cells built in Python are the HTML the template's macro gave,
in every language (the percentage formatted for the locale)."""

from __future__ import annotations

from flask_babel import force_locale

from portal.coaching.completion import Tally
from portal.coaching.tally_html import renderer

# The macro the page used before (coaching/_tally.html), kept here as the reference.
MACRO = (
    "<td>{{ t.held }}</td><td>{{ t.missed }}</td><td>{{ t.cancelled }}</td>"
    "<td>{{ t.not_recorded }}</td>\n<td>{% if t.held_percent is not none %}"
    '{{ t.held_percent|number("#,##0") }}%{% else %}—{% endif %} '
    '<span class="muted">(n={{ t.expected }})</span></td>'
)

TALLIES = [
    Tally(),
    Tally(1, 0, 0, 0),
    Tally(2, 1, 0, 0),
    Tally(1, 1, 1, 3),
    Tally(123456, 2, 3, 4),
    Tally(0, 5, 0, 0),
    Tally(5, 0, 0, 3),  # 62.5 %: rounded as the number filter rounds
    Tally(7, 1, 0, 0),  # 87.5 %
]


def test_the_cells_are_the_macros_in_every_language(app):
    template = app.jinja_env.from_string(MACRO)
    with app.test_request_context("/"):
        for language in app.config["LANGUAGES"]:
            with force_locale(language):
                cells = renderer()
                for tally in TALLIES:
                    assert str(cells(tally)) == template.render(t=tally)
