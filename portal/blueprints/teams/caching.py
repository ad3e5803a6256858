"""Which data areas each team panel reads, and the cached, revalidated responses of the panel
fragments and the exports (portal/cache.py holds the key rules)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, make_response

from portal import cache, data_versions
from portal.data_versions import COACHING, GOALS, KPIS, ORG, QA, RECOGNITION, TRAINING

# The org area is in every key anyway (who is in the node, who may see what). A panel not
# listed here (a new one) reads every area.
PANEL_AREAS: dict[str, tuple[str, ...]] = {
    "kpis": (KPIS, ORG),
    "qa": (QA, ORG),
    "one-on-ones": (COACHING, ORG),
    "goals": (GOALS, ORG),
    "training": (TRAINING, ORG),
    "recognition": (RECOGNITION, ORG),
    "summary": data_versions.AREAS,
}
# Panels whose figures move with the clock, not only with the data (a 1:1 whose time has
# passed turns from "due" to "not recorded"): their key also holds the clock's 5-minute slice.
CLOCK_PANELS = frozenset({"one-on-ones", "summary"})


def areas_for(panel_key: str) -> tuple[str, ...]:
    return PANEL_AREAS.get(panel_key, data_versions.AREAS)


def panel_key(panel: str) -> str:
    return cache.key_for(
        "teams.panel", areas_for(panel), clock=panel in CLOCK_PANELS or panel not in PANEL_AREAS
    )


def cached_fragment(panel: str, build: Callable[[], str]) -> Response:
    """The panel's fragment: 304 when the client holds it, else from the cache or built."""
    key = panel_key(panel)
    unchanged = cache.not_modified(key)
    if unchanged is not None:
        return unchanged
    html = cache.current().get_or_build(key, build)
    return cache.with_etag(make_response(html), key)


def export_key(panel: str) -> str:
    return cache.key_for(
        "teams.export", areas_for(panel), clock=panel in CLOCK_PANELS or panel not in PANEL_AREAS
    )


def pack_export(rows: int, body: bytes) -> bytes:
    """An export as cached: its row count (for the audit entry) and its body."""
    return f"{rows}\n".encode() + body


def unpack_export(packed: bytes | str) -> tuple[int, bytes]:
    raw = packed.encode() if isinstance(packed, str) else packed
    head, _, body = raw.partition(b"\n")
    return int(head), body
