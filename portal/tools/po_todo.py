"""The catalogue chores after `make messages`: list what a language still lacks, and fill it in.

    python -m portal.tools.po_todo todo LANG out.json    # the untranslated or fuzzy strings
    python -m portal.tools.po_todo fill LANG done.json   # write translations into the catalogue

`todo` writes a list of {"id": msgid, "plural": msgid_plural or null, "context": "file:line",
"forms": number of plural forms}. `fill` reads the same list where each item has "str" (a string,
or a list of plural forms) and sets it, clearing the fuzzy flag; the catalogue is written at width
100 like `make messages` does.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"


def _path(lang: str) -> Path:
    return TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"


def _load(lang: str):
    with open(_path(lang), "rb") as handle:
        return read_po(handle, locale=lang)


def _missing(message) -> bool:
    if message.fuzzy:
        return True
    if isinstance(message.string, tuple):
        return not all(message.string)
    return not message.string


def todo(lang: str) -> list[dict]:
    catalog = _load(lang)
    items = []
    for message in catalog:
        if not message.id or not _missing(message):
            continue
        plural = isinstance(message.id, tuple)
        items.append(
            {
                "id": message.id[0] if plural else message.id,
                "plural": message.id[1] if plural else None,
                "context": ", ".join(f"{f}:{n}" for f, n in message.locations[:2]),
                "forms": catalog.num_plurals if plural else 1,
            }
        )
    return items


def fill(lang: str, done: list[dict]) -> int:
    catalog = _load(lang)
    count = 0
    for item in done:
        key = (item["id"], item["plural"]) if item.get("plural") else item["id"]
        message = catalog.get(key if isinstance(key, str) else key[0])
        if message is None or not item.get("str"):
            continue
        value = item["str"]
        message.string = tuple(value) if isinstance(message.id, tuple) else value
        message.flags.discard("fuzzy")
        count += 1
    with open(_path(lang), "wb") as handle:
        write_po(handle, catalog, width=100)
    return count


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in {"todo", "fill"}:
        print(__doc__, file=sys.stderr)
        return 2
    command, lang, file = argv
    if command == "todo":
        items = todo(lang)
        Path(file).write_text(json.dumps(items, ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"{lang}: {len(items)} to translate -> {file}")
    else:
        done = json.loads(Path(file).read_text(encoding="utf-8"))
        print(f"{lang}: {fill(lang, done)} filled")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
