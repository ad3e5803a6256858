"""The hostile values: a fixed corpus (ids, dates, control characters, long text, over-long
tokens, cursors, reserved parameter names) and a pool drawn by hypothesis with a fixed seed."""

from __future__ import annotations

import base64
import json
import re
from functools import cache

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

MEGABYTE = "x" * (1024 * 1024)

# Every parameter and field gets these: NUL and other control characters, a token one past
# varchar(64), and long text (a megabyte where text is expected, 4 KB elsewhere).
ALWAYS = ("a\x00b", "\x01\x1b\x7f\x08", "t" * 65)
LONG = "y" * 4096
# By what the parameter holds (seen in the page's links and forms): ids at zero, negative, just
# past int4 and int8, far past both and no number; dates on the first and last day Python
# knows, a day that does not exist, garbage and weeks out of range; for text, both kinds' worst.
IDS = ("0", "-1", str(2**31), str(2**63), str(10**20), "abc")
DATES = ("0001-01-01", "9999-12-31", "2026-02-30", "garbage", "9999-W52", "0001-W01")
TEXT = (str(2**31), str(10**20), "0001-01-01", "9999-12-31", "\u202e\ufeff\u2028", MEGABYTE)
BY_KIND = {"int": IDS + (LONG,), "date": DATES + (LONG,), "text": TEXT}
# Every value above, for a field whose kind is not known; each role sends CORE.
GENERIC = ALWAYS + IDS + DATES + TEXT
CORE = (ALWAYS[0], str(2**31), str(10**20), "0001-01-01", "9999-12-31", MEGABYTE)

# Keyset cursors of each shape the views decode, carrying huge ids and dates out of range.
CURSORS = (
    f"{10**20}:name",
    f"{2**31}:name",
    f"2026-01-05_{10**20}",
    "0001-01-01_1",
    f"2026-01-05T00:00:00+00:00~{10**20}",
    "9999-12-31T23:59:59+14:00~1",
    "0001-01-01T00:00:00-14:00~1",
    base64.urlsafe_b64encode(json.dumps(["name", "a", 10**20]).encode()).decode(),
    base64.urlsafe_b64encode(json.dumps(["hire_on", "0001-01-01", 1]).encode()).decode(),
    base64.urlsafe_b64encode(json.dumps(["name", "a\x00", 2**63]).encode()).decode(),
    "!!!not-base64!!!",
)
CURSOR_NAMES = frozenset({"after", "before", "cursor", "page", "next"})

# Names url_for reserves or takes positionally, and names no view knows.
RESERVED_NAMES = (
    "_method",
    "_scheme",
    "_anchor",
    "_external",
    "_external_host",
    "endpoint",
    "values",
    "csrf_token",
    "zz_unknown",
    "a[]",
)
RESERVED_VALUES = ("FOO", str(10**20))

# Values for a URL path segment: ints through an <int:> argument (out of range included,
# which url_for could not build), text through a string argument.
# Every role sends the first ones; the rest go to one role each, in turn.
PATH_INTS = (str(2**31), str(10**20), "0", str(2**63), "-1", "abc")
PATH_TEXT = ("a\x00b", "t" * 65, "\x01\x7f", LONG, "..", "1")
PATH_EVERY_ROLE = 3

HYPOTHESIS_POOL_SIZE = 400


def kind_of(value: str, input_type: str = "") -> str:
    """ "int", "date" or "text": what a parameter holds, judged by its input type or value."""
    if input_type in ("number", "range") or re.fullmatch(r"-?[0-9]+", value or ""):
        return "int"
    if input_type in ("date", "week", "month") or re.fullmatch(
        r"[0-9]{4}-(W?[0-9]{2})(-[0-9]{2})?", value or ""
    ):
        return "date"
    return "text"


def values_for(name: str, kind: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The fixed corpus for a parameter or field called `name` holding `kind` (None: not
    known), as (what every role sends, what the roles share out between them)."""
    if kind is None:
        every, rest = CORE, tuple(dict.fromkeys(v for v in GENERIC if v not in CORE))
    else:
        every = (ALWAYS[0],) + BY_KIND[kind][:2]
        rest = ALWAYS[1:] + BY_KIND[kind][2:]
    return every, rest + CURSORS if name in CURSOR_NAMES else rest


def _no_surrogates() -> st.SearchStrategy[str]:
    return st.text(st.characters(exclude_categories=("Cs",)), max_size=70)


@cache
def hypothesis_pool() -> tuple[str, ...]:
    """Hypothesis-drawn values, the same every run (derandomized, no example database)."""
    strategy = st.one_of(
        st.integers().map(str),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.dates().map(lambda d: d.isoformat()),
        st.datetimes().map(lambda d: d.isoformat()),
        st.from_regex(r"\A-?[0-9]{1,24}(:[a-z]{0,5})?\Z"),
        st.from_regex(r"\A[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,2}\Z"),
        st.from_regex(r"\A[0-9]{4}-W[0-9]{1,3}\Z"),
        _no_surrogates(),
        st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=10),
    )
    drawn: list[str] = []

    @settings(
        derandomize=True,
        database=None,
        max_examples=HYPOTHESIS_POOL_SIZE,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(strategy)
    def draw(value: str) -> None:
        drawn.append(value)

    draw()
    unique = tuple(dict.fromkeys(drawn))
    assert len(unique) > HYPOTHESIS_POOL_SIZE // 2, "hypothesis drew too few distinct values"
    return unique


class HypothesisValues:
    """Hands out `per_use` pool values at a time, round the pool, so every use gets others."""

    def __init__(self, per_use: int) -> None:
        self.pool = hypothesis_pool()
        self.per_use = per_use
        self.position = 0

    def take(self) -> tuple[str, ...]:
        chosen = tuple(self.pool[(self.position + i) % len(self.pool)] for i in range(self.per_use))
        self.position += self.per_use
        return chosen
