"""Per person and kind: how a notification is delivered beyond the portal list.

Channels: "portal" (the list only), "immediate" (e-mailed at once), "daily" / "weekly" (in the
digest). With no stored choice: urgent kinds (service.URGENT) at once, the rest daily.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.notify import service
from portal.notify.models import CHANNELS, NotificationPreference

CHANNEL_LABELS = {
    "portal": _l("In the portal only"),
    "immediate": _l("E-mail at once"),
    "daily": _l("Daily digest e-mail"),
    "weekly": _l("Weekly digest e-mail"),
}

# What a kind's prefix ("review" in "review.shared") is about, for grouping the page.
GROUP_LABELS = {
    "evaluation": _l("Quality evaluations"),
    "calibration": _l("Calibration"),
    "sampling": _l("Sampling"),
    "qa": _l("Quality"),
    "review": _l("Reviews"),
    "goal": _l("Goals"),
    "goals": _l("Goals"),
    "cycle": _l("Review cycles"),
    "coaching": _l("1:1s and coaching"),
    "one_on_one": _l("1:1s and coaching"),
    "action_item": _l("1:1s and coaching"),
    "training": _l("Training"),
    "certification": _l("Training"),
    "recognition": _l("Recognition"),
    "kudos": _l("Recognition"),
    "programme": _l("Recognition"),
    "nomination": _l("Recognition"),
    "business": _l("Business reviews"),
    "import": _l("Imports"),
    "imports": _l("Imports"),
}


def default_channel(kind: str) -> str:
    return "immediate" if kind in service.URGENT else "daily"


def channel_for(person_id: int, kind: str) -> str:
    """The person's channel for a kind."""
    return channels_of({(person_id, kind)})[(person_id, kind)]


def channels_of(pairs: set[tuple[int, str]], session=None) -> dict[tuple[int, str], str]:
    """The channel of each (person, kind), in one query (inside a flush: `session`)."""
    session = session or db.session
    people = {person_id for person_id, _kind in pairs}
    kinds = {kind for _person_id, kind in pairs}
    with session.no_autoflush:
        stored = {
            (person_id, kind): channel
            for person_id, kind, channel in session.execute(
                select(
                    NotificationPreference.person_id,
                    NotificationPreference.kind,
                    NotificationPreference.channel,
                ).where(
                    NotificationPreference.person_id.in_(people),
                    NotificationPreference.kind.in_(kinds),
                )
            )
        }
    return {
        pair: stored[pair] if stored.get(pair) in CHANNELS else default_channel(pair[1])
        for pair in pairs
    }


def channels_for(person_id: int) -> dict[str, str]:
    """Every registered kind's channel for the person (one query)."""
    stored = dict(
        db.session.execute(
            select(NotificationPreference.kind, NotificationPreference.channel).where(
                NotificationPreference.person_id == person_id
            )
        ).all()
    )
    return {
        kind: stored[kind] if stored.get(kind) in CHANNELS else default_channel(kind)
        for kind in service.MESSAGES
    }


def set_channel(person_id: int, kind: str, channel: str) -> bool:
    """Store the person's choice for a kind (no commit); True when it changed anything."""
    if channel not in CHANNELS:
        raise ValueError(channel)
    row = db.session.scalar(
        select(NotificationPreference).where(
            NotificationPreference.person_id == person_id, NotificationPreference.kind == kind
        )
    )
    if row is None:
        if channel == default_channel(kind):
            return False
        db.session.add(NotificationPreference(person_id=person_id, kind=kind, channel=channel))
        return True
    if row.channel == channel:
        return False
    row.channel = channel
    return True


def kind_label(kind: str) -> str:
    """The kind's label; a kind registered without one reads as its name ("Coaching: meeting
    cancelled" for "coaching.meeting_cancelled")."""
    label = service.LABELS.get(kind)
    if label is not None:
        return str(label)
    area, _dot, event = kind.partition(".")
    words = (event or area).replace("_", " ")
    return f"{area.replace('_', ' ').capitalize()}: {words}" if event else words.capitalize()


def grouped_kinds() -> list[tuple[str, list[str]]]:
    """Registered kinds grouped by what they are about, groups and kinds in label order."""
    groups: dict[str, list[str]] = {}
    for kind in service.MESSAGES:
        prefix = kind.split(".", 1)[0]
        group = str(GROUP_LABELS.get(prefix, _l("Other")))
        groups.setdefault(group, []).append(kind)
    return [
        (group, sorted(kinds, key=kind_label))
        for group, kinds in sorted(groups.items(), key=lambda item: item[0])
    ]
