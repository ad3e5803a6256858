"""How audit entries read to people: a registry each feature fills for its own record types.

The log (portal/audit.py) stores raw snapshots: ids, "p/q" scores, enum values, answers keyed by
question id. A feature registers, for each record type it writes, how to name its records
(`describe`: ids -> names, one query for a whole page), where a record's page is and who may
open it (`link`, `visible`: one policy-scoped query), which of its entries the viewer may not read
yet (`hidden`: one query; their values and details are withheld behind `hidden_note`), how its
fields read (`fields`) and what its actions are called (`actions`). Anything unregistered still
reads in words: keys become labels, ids stay ids, dates go through time_format. Feature packages
call `register()` at import time; this module imports no feature.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from portal import time_format

Describe = Callable[[Sequence[int]], Mapping[int, Any]]
Visible = Callable[[Any, Sequence[int]], Iterable[int]]
# (viewer, record ids) -> the ids whose entries' values the viewer may not read (yet).
Hidden = Callable[[Any, Sequence[int]], Iterable[int]]
# (entry id, record id, action, after) of a page's entries of one type -> extra lines per entry.
Details = Callable[[Sequence[tuple[int, int, str, Any]]], Mapping[int, list["Line"]]]


@dataclass(frozen=True)
class Field:
    """How one snapshot key reads.

    kind: "text" (the default), "ref" (an id, or a list of ids, of the record type `ref`, shown
    by name), "answers" ({question id: answer}), "per_question" ({question id: text}), or
    "enum" (`labels` maps stored values to translated labels). `format` turns a value into
    text for kinds "text" (e.g. a score as a percentage)."""

    label: Any
    kind: str = "text"
    ref: str | None = None
    labels: Mapping[str, Any] | None = None
    format: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class RecordType:
    label: Any
    describe: Describe | None = None
    endpoint: str | None = None  # the record's page, given its id as `arg`
    arg: str = "id"
    visible: Visible | None = None
    fields: Mapping[str, Field] = field(default_factory=dict)
    details: Details | None = None
    hidden: Hidden | None = None
    hidden_note: Any = None


_TYPES: dict[str, RecordType] = {}
_ACTIONS: dict[str, Any] = {}
_GROUPS: dict[str, Any] = {}  # action prefixes that are no record type: "auth" -> its label


def register(
    record_type: str,
    *,
    label: Any,
    describe: Describe | None = None,
    link: tuple[str, str] | None = None,
    visible: Visible | None = None,
    fields: Mapping[str, Field] | None = None,
    actions: Mapping[str, Any] | None = None,
    details: Details | None = None,
    hidden: Hidden | None = None,
    hidden_note: Any = None,
) -> None:
    """Say how entries about `record_type` read. `link` is (endpoint, id argument name); a
    link is only given for ids `visible(viewer, ids)` returns. Entries of the ids
    `hidden(viewer, ids)` returns show `hidden_note` instead of their values and details."""
    endpoint, arg = link if link else (None, "id")
    _TYPES[record_type] = RecordType(
        label=label,
        describe=describe,
        endpoint=endpoint,
        arg=arg,
        visible=visible,
        fields=dict(fields or {}),
        details=details,
        hidden=hidden,
        hidden_note=hidden_note,
    )
    _ACTIONS.update(actions or {})


def register_actions(actions: Mapping[str, Any], group: tuple[str, Any] | None = None) -> None:
    """Readable names for actions whose record type is registered elsewhere (or nowhere);
    `group` names their prefix when it is no record type: ("auth", "Sign-in and sessions")."""
    _ACTIONS.update(actions)
    if group:
        _GROUPS[group[0]] = group[1]


def names_from(stmt: Any, model: type, name: Callable[..., str]) -> Describe:
    """The usual `describe`: `stmt` selects a record's id then the columns its name is made of
    (joins included); the records asked for are read in one query and named by `name(*columns)`."""
    from portal.extensions import db

    def describe(ids: Sequence[int]) -> dict[int, str]:
        rows = db.session.execute(stmt.where(model.id.in_(ids))).all()  # type: ignore[attr-defined]
        return {row[0]: name(*row[1:]) for row in rows}

    return describe


def visible_in_scope(model: type, area: Any = None) -> Visible:
    """The usual `visible`: the ids among those asked that policy.scoped() lets the viewer
    read in `area` (the same check as the record's page: get_visible_or_404), one query."""
    from sqlalchemy import select

    from portal import policy
    from portal.extensions import db

    def visible(viewer: Any, ids: Sequence[int]) -> list[int]:
        stmt = select(model.id).where(model.id.in_(ids))  # type: ignore[attr-defined]
        scoped = policy.scoped(stmt, model, viewer, area or policy.Area.DIRECTORY)
        return list(db.session.execute(scoped).scalars())

    return visible


def record_type(name: str) -> RecordType | None:
    return _TYPES.get(name)


def humanise(key: str) -> str:
    """A snapshot key or action word as words: "dispute_reason" -> "Dispute reason"."""
    words = key.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else key


def type_label(name: str) -> str:
    registered = _TYPES.get(name)
    if registered:
        return str(registered.label)
    return str(_GROUPS[name]) if name in _GROUPS else humanise(name)


def action_label(action: str) -> str:
    """An action's readable name: the registered one, else "Record type: verb"."""
    if action in _ACTIONS:
        return str(_ACTIONS[action])
    prefix, _dot, verb = action.partition(".")
    if not verb:
        return humanise(prefix)
    return f"{type_label(prefix)}: {humanise(verb).lower()}"


@dataclass(frozen=True)
class ActionGroup:
    prefix: str  # the value that picks the whole group: "evaluation."
    label: str
    actions: list[tuple[str, str]]  # (action, readable name)


def action_groups(actions: Iterable[str]) -> list[ActionGroup]:
    """The known actions (those registered and those in the log), grouped by their prefix,
    groups and actions in alphabetical order of their names."""
    grouped: dict[str, set[str]] = defaultdict(set)
    for action in set(actions) | set(_ACTIONS):
        grouped[action.partition(".")[0]].add(action)
    groups = [
        ActionGroup(
            prefix=f"{prefix}.",
            label=type_label(prefix),
            actions=sorted(((a, action_label(a)) for a in members), key=lambda p: p[1].lower()),
        )
        for prefix, members in grouped.items()
    ]
    return sorted(groups, key=lambda g: g.label.lower())


# ---- values ----------------------------------------------------------------------------------

Names = Mapping[str, Mapping[int, Any]]


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def refs_of(spec: Field, value: Any) -> list[tuple[str, int]]:
    """The (record type, id) pairs a value names, to resolve a page's names at once."""
    if spec.kind == "ref" and spec.ref:
        values = value if isinstance(value, list) else [value]
        return [(spec.ref, i) for i in map(_as_id, values) if i is not None]
    if spec.kind in ("answers", "per_question") and isinstance(value, dict):
        return [("question", i) for i in map(_as_id, value) if i is not None]
    return []


def plain(value: Any) -> str:
    """Any stored value in words: no JSON, dates in the one format, Yes/No for booleans."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):
        return "; ".join(f"{humanise(str(k))}: {plain(v)}" for k, v in value.items()) or "—"
    if isinstance(value, list):
        return ", ".join(plain(v) for v in value) or "—"
    return str(time_format.shown(value))


def _name(names: Names, ref: str, value: Any) -> str:
    found = names.get(ref, {}).get(_as_id(value)) if _as_id(value) is not None else None
    if found is not None:
        return str(found)
    return _("%(type)s #%(id)s", type=type_label(ref), id=value) if value is not None else "—"


def answer_text(question: Any, value: Any) -> str:
    """An answer as the evaluation page words it (the question's own `answer` when it has one)."""
    if question is not None and hasattr(question, "answer"):
        return str(question.answer(value))
    return ANSWER_WORDS.get(str(value), lambda: plain(value))()


ANSWER_WORDS: dict[str, Callable[[], str]] = {
    "yes": lambda: _("Yes"),
    "no": lambda: _("No"),
    "na": lambda: _("N/A"),
}


def shown_value(spec: Field | None, value: Any, names: Names) -> str:
    """One side of a change as text."""
    if value is None:
        return "—"
    if spec is None:
        return plain(value)
    if spec.kind == "ref" and spec.ref:
        if isinstance(value, list):
            return ", ".join(_name(names, spec.ref, v) for v in value) or "—"
        return _name(names, spec.ref, value)
    if spec.kind == "enum" and spec.labels is not None:
        return str(spec.labels.get(str(value), plain(value)))
    if spec.kind in ("answers", "per_question") and isinstance(value, dict):
        questions = names.get("question", {})
        parts = []
        for key, answer in value.items():
            question = questions.get(_as_id(key)) if _as_id(key) is not None else None
            wording = str(question) if question is not None else _("Question #%(id)s", id=key)
            text = answer_text(question, answer) if spec.kind == "answers" else plain(answer)
            parts.append(f"{wording}: {text}")
        return "; ".join(parts) or "—"
    if spec.format is not None:
        return spec.format(value)
    return plain(value)


# ---- entries as people read them ------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One readable line of an entry: "Score: 71.7 % → 83.3 %" (before is None for "set")."""

    label: str
    before: str | None
    after: str | None
    section: str | None = None  # lines a feature adds under a heading: "Answers (revision 1)"


@dataclass
class ShownEntry:
    id: int
    type_label: str
    record_name: str | None
    record_url: str | None
    action_label: str
    lines: list[Line] = field(default_factory=list)
    hidden_note: str | None = None  # set when the values are withheld from this viewer


def changed_keys(before: Any, after: Any) -> list[str]:
    """The keys whose values differ (all keys of the side that exists when one is missing)."""
    old = before if isinstance(before, dict) else {}
    new = after if isinstance(after, dict) else {}
    return [k for k in dict.fromkeys([*old, *new]) if old.get(k) != new.get(k)]


def diff_lines(before: Any, after: Any, fields: Mapping[str, Field], names: Names) -> list[Line]:
    """Lines of "field: before → after", only what changed, registered fields first in their
    registered order, then the rest alphabetically; a side that was absent shows as None."""
    if not isinstance(before, dict) and not isinstance(after, dict):
        if before == after:
            return []
        return [
            Line(
                _("Value"),
                None if before is None else plain(before),
                None if after is None else plain(after),
            )
        ]
    old = before if isinstance(before, dict) else None
    new = after if isinstance(after, dict) else None
    keys = changed_keys(before, after)
    order = {key: i for i, key in enumerate(fields)}
    keys.sort(key=lambda k: (order.get(k, len(order)), k))
    lines = []
    for key in keys:
        spec = fields.get(key)
        label = str(spec.label) if spec else humanise(key)
        lines.append(
            Line(
                label,
                None if old is None or key not in old else shown_value(spec, old[key], names),
                None if new is None or key not in new else shown_value(spec, new[key], names),
            )
        )
    return lines


def present(entries: Sequence[Any], viewer: Any, url_for: Callable[..., str]) -> list[ShownEntry]:
    """A page of audit entries (objects with id, action, record_type, record_id, before,
    after) in words. Per record type, at most one query each to name records, to check which
    the viewer may open, to find those withheld from the viewer and to add details, whatever
    the number of entries. A withheld entry's values are never read, not even to name them."""
    by_type: dict[str, list[Any]] = defaultdict(list)
    for entry in entries:
        by_type[entry.record_type].append(entry)
    withheld: dict[str, set[int]] = {}
    for name, group in by_type.items():
        registered = _TYPES.get(name)
        ids = sorted({e.record_id for e in group if e.record_id is not None})
        if registered and registered.hidden and ids:
            withheld[name] = set(registered.hidden(viewer, ids))

    def is_withheld(entry: Any) -> bool:
        return entry.record_id in withheld.get(entry.record_type, ())

    wanted: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        if entry.record_id is not None:
            wanted[entry.record_type].add(entry.record_id)
        if is_withheld(entry):
            continue
        fields = _TYPES[entry.record_type].fields if entry.record_type in _TYPES else {}
        for side in (entry.before, entry.after):
            if isinstance(side, dict):
                for key, value in side.items():
                    if key in fields:
                        for ref_type, ref_id in refs_of(fields[key], value):
                            wanted[ref_type].add(ref_id)
    names: dict[str, Mapping[int, Any]] = {}
    for name, ids in wanted.items():
        registered = _TYPES.get(name)
        if registered and registered.describe and ids:
            names[name] = registered.describe(sorted(ids))
    openable: dict[str, set[int]] = {}
    details: dict[int, list[Line]] = {}
    for name, group in by_type.items():
        registered = _TYPES.get(name)
        if registered is None:
            continue
        ids = sorted({e.record_id for e in group if e.record_id is not None})
        if registered.endpoint and registered.visible and ids:
            openable[name] = set(registered.visible(viewer, ids))
        shown_group = [e for e in group if e.record_id and not is_withheld(e)]
        if registered.details and shown_group:
            details.update(
                registered.details([(e.id, e.record_id, e.action, e.after) for e in shown_group])
            )
    shown = []
    for entry in entries:
        registered = _TYPES.get(entry.record_type)
        record_name = None
        url = None
        if entry.record_id is not None:
            found = names.get(entry.record_type, {}).get(entry.record_id)
            record_name = str(found) if found is not None else f"#{entry.record_id}"
            if (
                registered
                and registered.endpoint
                and entry.record_id in openable.get(entry.record_type, set())
            ):
                url = url_for(registered.endpoint, **{registered.arg: entry.record_id})
        fields = registered.fields if registered else {}
        hide = is_withheld(entry)
        shown.append(
            ShownEntry(
                id=entry.id,
                type_label=type_label(entry.record_type),
                record_name=record_name,
                record_url=url,
                action_label=action_label(entry.action),
                lines=[]
                if hide
                else diff_lines(entry.before, entry.after, fields, names)
                + details.get(entry.id, []),
                hidden_note=str(registered.hidden_note or _("Hidden")) if hide else None,
            )
        )
    return shown
