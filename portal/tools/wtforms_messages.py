"""WTForms' own messages ("This field is required.", "Not a valid choice.", …) in the portal's
catalogue, so that a form error reads in the person's language like every other text (WTForms
ships no Vietnamese and only one Chinese script). `make messages` merges them into the template;
the portal's translations are its own.

    python -m portal.tools.wtforms_messages portal/translations/messages.pot
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from wtforms.i18n import messages_path

WTFORMS_POT = Path(messages_path()) / "wtforms.pot"


def merge(catalog: Catalog) -> Catalog:
    """Add every WTForms message the catalogue lacks (with its plural), located at wtforms."""
    with open(WTFORMS_POT, "rb") as handle:
        theirs = read_po(handle)
    for message in theirs:
        if message.id and catalog.get(message.id) is None:
            catalog.add(message.id, locations=[("wtforms", None)], flags=message.flags)
    return catalog


def main(path: str) -> None:
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    merge(catalog)
    with open(path, "wb") as handle:
        write_po(handle, catalog, width=100)


if __name__ == "__main__":
    main(sys.argv[1])
