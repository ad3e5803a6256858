"""A cycle's configurable rules typed as short lines of text, parsed and checked (pure).

Scale: "1 = Needs improvement" per line. Bands: "80 = 3" (from 80 % goal achievement the
suggested rating is 3). Guideline: "5 = 15" (at most 15 % of a team rated 5). Competencies:
"key | Name | behaviours". Achievement cap: a whole % from 100 to 200; each goal's progress
counts up to it in the suggested rating, so no band may start above it (check_cap). Each parser
returns (value, errors) so a form can show every problem at its field and keep what was typed.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from flask_babel import gettext as _

from portal.goals import rating as ratings
from portal.params import parse_int

DEFAULT_SCALE = [
    {"value": 1, "label": "Needs improvement"},
    {"value": 2, "label": "Partially meets expectations"},
    {"value": 3, "label": "Meets expectations"},
    {"value": 4, "label": "Exceeds expectations"},
    {"value": 5, "label": "Outstanding"},
]
DEFAULT_BANDS = [
    {"min": "0", "rating": 1},
    {"min": "0.5", "rating": 2},
    {"min": "0.8", "rating": 3},
    {"min": "1", "rating": 4},
    {"min": "1.2", "rating": 5},
]
DEFAULT_GUIDELINE = {"5": "0.15", "4": "0.35"}
DEFAULT_COMPETENCIES = [
    {
        "key": "knowledge",
        "name": "Knowledge",
        "behaviours": "Knows products, policies and tools; keeps up with changes",
    },
    {
        "key": "skill",
        "name": "Skill",
        "behaviours": "Resolves merchants' issues first time; clear, courteous communication",
    },
    {
        "key": "attitude",
        "name": "Attitude",
        "behaviours": "Owns outcomes, helps peers, takes feedback and coaching on board",
    },
]

_LINE = re.compile(r"^\s*([^=|]+?)\s*=\s*(.+?)\s*$")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _lines(text: str) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()]


def _number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().rstrip("%").strip())
    except InvalidOperation:
        return None
    # A percentage or share: anything beyond a billion is a typo (and 1e999999 would not fit).
    return value if value.is_finite() and abs(value) < 10**9 else None


def scale_text(scale: list[dict]) -> str:
    return "\n".join(f"{item['value']} = {item['label']}" for item in scale)


def bands_text(bands: list[dict]) -> str:
    return "\n".join(f"{_plain(Fraction(str(b['min'])) * 100)} = {b['rating']}" for b in bands)


def guideline_text(guideline: dict[str, str]) -> str:
    return "\n".join(
        f"{rating} = {_plain(Fraction(share) * 100)}"
        for rating, share in sorted(guideline.items(), reverse=True)
    )


def competencies_text(competencies: list[dict]) -> str:
    return "\n".join(f"{c['key']} | {c['name']} | {c.get('behaviours', '')}" for c in competencies)


def _plain(value: Fraction) -> str:
    number = Decimal(value.numerator) / Decimal(value.denominator)
    return format(number.normalize(), "f")


def parse_scale(text: str) -> tuple[list[dict], list[str]]:
    scale: list[dict] = []
    errors: list[str] = []
    for number, line in enumerate(_lines(text), start=1):
        match = _LINE.match(line)
        value = parse_int(match.group(1), minimum=0) if match else None
        if value is None:
            errors.append(_("Line %(n)d: write a whole number, '=' and a label.", n=number))
            continue
        scale.append({"value": value, "label": match.group(2)[:80]})
    values = [item["value"] for item in scale]
    if not errors and len(scale) < 2:
        errors.append(_("A scale needs at least two ratings."))
    if values != sorted(set(values)):
        errors.append(_("List each rating once, from lowest to highest."))
    return scale, errors


def parse_bands(text: str, scale_values: list[int]) -> tuple[list[dict], list[str]]:
    bands: list[dict] = []
    errors: list[str] = []
    for number, line in enumerate(_lines(text), start=1):
        match = _LINE.match(line)
        minimum = _number(match.group(1)) if match else None
        rating = match.group(2).strip() if match else ""
        if minimum is None or parse_int(rating, minimum=0) is None:
            errors.append(_("Line %(n)d: write an achievement %%, '=' and a rating.", n=number))
            continue
        bands.append({"min": _plain(Fraction(minimum) / 100), "rating": int(rating)})
    if errors:
        return bands, errors
    checked = [ratings.RatingBand(Fraction(b["min"]), b["rating"], "") for b in bands]
    messages = {
        "no_bands": _("Give at least one band."),
        "bands_not_sorted": _("List the bands from the lowest achievement up."),
        "duplicate_minimum": _("Each achievement % may start one band only."),
        "rating_outside_scale": _("Every band's rating must be on the scale."),
        "ratings_not_increasing": _("More achievement may never suggest a lower rating."),
    }
    errors = [str(messages[code]) for code in ratings.validate_bands(checked, scale_values)]
    return bands, errors


def parse_guideline(text: str, scale_values: list[int]) -> tuple[dict[str, str], list[str]]:
    guideline: dict[str, str] = {}
    errors: list[str] = []
    for number, line in enumerate(_lines(text), start=1):
        match = _LINE.match(line)
        rating = match.group(1).strip() if match else ""
        share = _number(match.group(2)) if match else None
        if parse_int(rating, minimum=0) is None or share is None or not 0 <= share <= 100:
            errors.append(
                _("Line %(n)d: write a rating, '=' and the largest share in %% (0-100).", n=number)
            )
            continue
        if int(rating) not in scale_values:
            errors.append(_("Line %(n)d: that rating is not on the scale.", n=number))
            continue
        guideline[str(int(rating))] = _plain(Fraction(share) / 100)
    return guideline, errors


def parse_competencies(text: str) -> tuple[list[dict], list[str]]:
    competencies: list[dict] = []
    errors: list[str] = []
    for number, line in enumerate(_lines(text), start=1):
        parts = [part.strip() for part in line.split("|")]
        if len(parts) < 2 or not _KEY.match(parts[0]) or not parts[1]:
            errors.append(
                _(
                    "Line %(n)d: write a key (a-z, 0-9, _), '|', a name and optionally '|' "
                    "behaviours.",
                    n=number,
                )
            )
            continue
        competencies.append(
            {"key": parts[0], "name": parts[1][:80], "behaviours": " | ".join(parts[2:])[:500]}
        )
    keys = [c["key"] for c in competencies]
    if len(keys) != len(set(keys)):
        errors.append(_("Each competency key may be used once."))
    return competencies, errors


def check_cap(cap_percent: int | None, bands: list[dict]) -> list[str]:
    """What is wrong with a cycle's achievement cap given its (parsed) bands; empty when valid.

    The cap lies in 100-200 %, and no band may start above it: capped achievement never gets
    there, so that rating could never be suggested.
    """
    low, high = ratings.MIN_ACHIEVEMENT_CAP_PERCENT, ratings.MAX_ACHIEVEMENT_CAP_PERCENT
    if cap_percent is None or not low <= cap_percent <= high:
        return [_("Give a whole %% from %(low)d to %(high)d.", low=low, high=high)]
    cap = Fraction(cap_percent, 100)
    unreachable = [b for b in bands if Fraction(str(b["min"])) > cap]
    if unreachable:
        first = min(Fraction(str(b["min"])) for b in unreachable)
        return [
            _(
                "A band starts at %(band)s %%, above the cap of %(cap)d %%: it could never be "
                "suggested. Raise the cap or lower the band.",
                band=_plain(first * 100),
                cap=cap_percent,
            )
        ]
    return []
