"""The completion page's tally cells (held, missed, cancelled, not recorded, % held and n) as
HTML, built in Python: the page has a row per supervisor and per team (hundreds on a large
organisation), and a Jinja macro with a number filter per row cost more than the counting.
The output is the one the template's cells had: numbers as they are, the percentage formatted
for the page's locale with the pattern "#,##0"."""

from __future__ import annotations

from collections.abc import Callable

from babel.numbers import parse_pattern
from flask_babel import get_locale
from markupsafe import Markup, escape

from portal.coaching.completion import Tally

_PERCENT = parse_pattern("#,##0")


def renderer() -> Callable[[Tally], Markup]:
    """A function of a tally giving its cells, for the current request's locale."""
    locale = get_locale()

    def cells(t: Tally) -> Markup:
        percent = t.held_percent
        shown = "—" if percent is None else f"{escape(_PERCENT.apply(percent, locale))}%"
        return Markup(
            f"<td>{t.held}</td><td>{t.missed}</td><td>{t.cancelled}</td>"
            f"<td>{t.not_recorded}</td>\n<td>{shown} "
            f'<span class="muted">(n={t.expected})</span></td>'
        )

    return cells
