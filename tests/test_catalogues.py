"""The translation catalogues: every string the code marks is translated in every language, with
the same placeholders, nothing fuzzy, plural forms as the language counts them; and the glossary's
terms are the ones the catalogue uses. A new string cannot land untranslated."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from portal.tools import wtforms_messages

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "portal" / "translations"
LANGUAGES = ("zh_Hant", "zh_Hans", "ja", "ko", "vi")
PLACEHOLDER = re.compile(r"%\([a-zA-Z0-9_]+\)[sdifr]|%[sdif]|%%")
# Glossary terms checked against the translation of the one-word (or short) UI label.
GLOSSARY_LABELS = {
    "calibration": "Calibration",
    "scorecard": "Scorecard",
    "dispute": "Dispute",
    "evaluation": "Evaluation",
    "self-assessment": "Self-assessment",
    "sign-off": "Sign-off",
    "kudos": "Kudos",
    "notification": "Notifications",
    "sampling": "Sampling",
}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The strings the code marks now (a fresh extraction, as `make messages` does)."""
    out = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_l", "-k", "lazy_gettext",
         # Babel skips "_" directories by default; templates/_macros holds strings too.
         "--ignore-dirs", ".* node_modules instance __pycache__ build test-results",
         "-o", str(out), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with open(out, "rb") as handle:
        catalog = read_po(handle)
    wtforms_messages.merge(catalog)  # WTForms' own messages too (form errors)
    return {m.id: m for m in catalog if m.id}


def _catalog(lang: str):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


def _places(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text or ""))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_marked_string_is_translated_with_its_placeholders(lang, extracted):
    catalog = _catalog(lang)
    problems = []
    for msgid, source in extracted.items():
        found = catalog.get(msgid)
        if (
            found is None
            or not found.string
            or (isinstance(found.string, tuple) and not all(found.string))
        ):
            problems.append(("untranslated", msgid))
            continue
        if found.fuzzy:
            problems.append(("fuzzy", msgid))
        if isinstance(source.id, tuple):
            forms = found.string if isinstance(found.string, tuple) else (found.string,)
            if len(forms) != catalog.num_plurals:
                problems.append(("plural forms", msgid))
            allowed, needed = _places(source.id[0]) | _places(source.id[1]), _places(source.id[1])
            if any(not (needed <= _places(f) <= allowed) for f in forms):
                problems.append(("placeholders", msgid))
        elif _places(found.string) != _places(source.id):
            problems.append(("placeholders", msgid))
    assert not problems, f"{lang}: {len(problems)} problems, first: {problems[:10]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_glossary_terms_are_the_ones_the_catalogue_uses(lang):
    with open(TRANSLATIONS / "glossary" / f"{lang}.tsv", encoding="utf-8") as handle:
        glossary = {
            row[0].strip().lower(): row[1].strip()
            for row in csv.reader(handle, delimiter="\t")
            if len(row) > 1
        }
    catalog = _catalog(lang)
    missing = []
    for term, label in GLOSSARY_LABELS.items():
        assert term in glossary, f"{lang}: the glossary has no {term!r}"
        translated = catalog.get(label).string
        if glossary[term].casefold() not in translated.casefold():  # a label may be capitalised
            missing.append((term, glossary[term], label, translated))
    assert not missing, f"{lang}: labels not using the glossary's term: {missing}"
