"""The signed-in lookup of each session, remembered in this process between requests.

Every request of a signed-in person used to read their session and person (with position,
market, segment and team) from the database: about two thirds of the cost of a cached panel.
This keeps, per session token, a detached copy of what that read found, stamped with the data
versions it was read under (portal/data_versions.py): the database's token, the org area
(people, positions, grants: everything on the person) and the auth area (every write to
user_session except its once-a-minute last_seen_at touch). A request reads the versions first
(one small SELECT it needs anyway for the cache keys) and takes the copy only when:

- the versions are the ones the copy was read under, so no session ended, no person changed
  and no grant moved since; a write raises them in its own transaction, so the next request
  of every worker misses;
- the session was seen less than a minute ago (so it is not idle and needs no touch) and is
  within its absolute lifetime.

Anything else (a miss, a possible idle or expired session, a touch) goes to the database as
before. Nothing is shared between processes: each gunicorn worker fills its own. Knows no
HTTP.
"""

from __future__ import annotations

import pickle
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAX_ENTRIES = 4096


@dataclass(frozen=True)
class Remembered:
    stamp: tuple[Any, ...]
    session_id: int
    created_at: datetime
    last_seen_at: datetime
    person: bytes  # the pickled Person with its joined position, market, segment and team


class SessionCache:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[str, Remembered] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token_hash: str) -> Remembered | None:
        with self._lock:
            found = self._items.get(token_hash)
            if found is not None:
                self._items.move_to_end(token_hash)
            return found

    def put(self, token_hash: str, remembered: Remembered) -> None:
        with self._lock:
            self._items[token_hash] = remembered
            self._items.move_to_end(token_hash)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def forget(self, token_hash: str) -> None:
        with self._lock:
            self._items.pop(token_hash, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


remembered_sessions = SessionCache()


def freeze(person: Any) -> bytes:
    return pickle.dumps(person, protocol=pickle.HIGHEST_PROTOCOL)


def thaw(blob: bytes) -> Any:
    return pickle.loads(blob)  # noqa: S301 - written by this process only, never from input
