"""A cache of rendered panels and exports whose key makes a stale read impossible.

The key hashes everything the rendering depends on: the namespace (which panel or export),
the viewer, the versions of the data areas it reads (portal/data_versions.py: raised in the
same transaction as every write) and always the org area's (who is in a node, who may see
what), the database's token, the request's path and arguments (node, period, filters), the
viewer's language, time zone and today's date in it, and the code's own version. A write
changes a version, so the next request asks for a key nobody has filled yet.

The key is also the response's ETag: a client that sends it back in If-None-Match gets 304
with no work done beyond computing the key (one small SELECT of the versions).

Redis when REDIS_URL is set (keys under CACHE_PREFIX, each with a TTL), else a bounded LRU in
this process. CACHE_PANELS=0 turns caching and ETags off. Only strings and bytes are stored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request
from flask_babel import get_locale, get_timezone
from flask_login import current_user

from portal import data_versions
from portal.db import utcnow
from portal.extensions import db

log = logging.getLogger(__name__)

Value = str | bytes


class LocalStore:
    """A thread-safe LRU with a time to live, bounded by the number of entries."""

    def __init__(self, max_entries: int, ttl: float) -> None:
        self.max_entries = max_entries
        self.ttl = ttl
        self._items: OrderedDict[str, tuple[float, Value]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Value | None:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            expires, value = found
            if expires < time.monotonic():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return value

    def set(self, key: str, value: Value) -> None:
        with self._lock:
            self._items[key] = (time.monotonic() + self.ttl, value)
            self._items.move_to_end(key)
            while len(self._items) > self.max_entries:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


class RedisStore:
    """Redis under a key prefix, each entry with a TTL. A Redis that does not answer is no
    cache (the page is built), never an error page."""

    def __init__(self, url: str, prefix: str, ttl: float) -> None:
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=0.25, socket_connect_timeout=0.25)
        self.prefix = prefix
        self.ttl = int(ttl)
        self._errors = (redis.RedisError, OSError)

    def get(self, key: str) -> Value | None:
        try:
            raw = self.client.get(self.prefix + key)
        except self._errors as error:
            log.warning("cache: Redis get failed: %s", error)
            return None
        if raw is None:
            return None
        kind, body = raw[:1], raw[1:]
        return body.decode() if kind == b"s" else body

    def set(self, key: str, value: Value) -> None:
        raw = b"s" + value.encode() if isinstance(value, str) else b"b" + value
        try:
            self.client.set(self.prefix + key, raw, ex=self.ttl)
        except self._errors as error:
            log.warning("cache: Redis set failed: %s", error)

    def clear(self) -> None:
        try:
            for name in self.client.scan_iter(match=self.prefix + "*", count=500):
                self.client.delete(name)
        except self._errors as error:
            log.warning("cache: Redis clear failed: %s", error)


class Cache:
    def __init__(self, store: LocalStore | RedisStore, enabled: bool) -> None:
        self.store = store
        self.enabled = enabled
        self.hits = 0
        self.misses = 0

    def get_or_build(self, key: str, build: Callable[[], Value]) -> Value:
        if not self.enabled:
            return build()
        found = self.store.get(key)
        if found is not None:
            self.hits += 1
            return found
        self.misses += 1
        value = build()
        self.store.set(key, value)
        return value

    def clear(self) -> None:
        self.store.clear()
        self.hits = self.misses = 0


def init_app(app: Flask) -> None:
    """Choose the store from the configuration (no I/O: redis-py connects on first use)."""
    cfg = app.config
    ttl = float(cfg.get("CACHE_TTL_SECONDS", 600))
    url = cfg.get("CACHE_REDIS_URL", cfg.get("REDIS_URL"))
    store: LocalStore | RedisStore
    if url:
        store = RedisStore(url, cfg.get("CACHE_PREFIX", "portal:cache:"), ttl)
    else:
        store = LocalStore(int(cfg.get("CACHE_MAX_ENTRIES", 500)), ttl)
    app.extensions["portal_cache"] = Cache(store, bool(cfg.get("CACHE_PANELS", True)))


def current() -> Cache:
    return current_app.extensions["portal_cache"]


_code_version: str | None = None


def code_version() -> str:
    """A fingerprint of the code and templates (their newest modification time and count),
    taken once per process: a deployment never serves HTML rendered by the previous one."""
    global _code_version
    if _code_version is None:
        root = Path(__file__).resolve().parent
        stamps = [p.stat().st_mtime_ns for p in root.rglob("*") if p.suffix in (".py", ".html")]
        _code_version = f"{max(stamps, default=0)}:{len(stamps)}"
    return _code_version


def clock_bucket(seconds: int) -> int:
    """The current slice of `seconds` seconds: part of the key of what depends on the clock
    (a 1:1 turns from 'due' to 'not recorded' when its time passes)."""
    return int(utcnow().timestamp()) // seconds


def key_for(namespace: str, areas: Iterable[str], *, clock: bool = False, **parts: Any) -> str:
    """The cache key (and ETag) of `namespace` for the signed-in viewer and this request."""
    versions = data_versions.read(db.session)
    wanted = sorted({data_versions.ORG, *areas})
    payload = {
        "ns": namespace,
        "code": code_version(),
        "db": versions.get(data_versions.TOKEN),
        "v": [versions.get(area) for area in wanted],
        "areas": wanted,
        "viewer": getattr(current_user, "id", None),
        "lang": str(get_locale()),
        "zone": str(get_timezone()),
        "today": utcnow().astimezone(get_timezone()).date().isoformat(),
        "path": request.path,
        "args": sorted(request.args.items(multi=True)),
        "parts": parts,
    }
    if clock:
        payload["clock"] = clock_bucket(int(current_app.config.get("CACHE_CLOCK_SECONDS", 300)))
    text = json.dumps(payload, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def not_modified(key: str) -> Response | None:
    """304 when the request's If-None-Match holds `key` (and caching is on), else None."""
    if not current().enabled or not request.if_none_match.contains(key):
        return None
    response = Response(status=304)
    return with_etag(response, key)


def with_etag(response: Response, key: str) -> Response:
    """Mark a response as revalidated by `key` on every use (private: it is the viewer's)."""
    if current().enabled:
        response.set_etag(key)
        response.headers["Cache-Control"] = "private, no-cache"
    return response


def remembered(
    namespace: str,
    areas: Iterable[str],
    compute: Callable[[], Any],
    *,
    clock: bool = False,
    **parts: Any,
) -> Any:
    """`compute()`'s result under key_for(namespace, areas, ...): for the figures a page
    computes and then renders around things no cache may hold (flashed messages, CSRF tokens).
    The result is pickled: plain values and dataclasses, or ORM objects whose attributes the
    page reads were loaded (a detached object cannot load more). Off with CACHE_PANELS=0."""
    store = current()
    if not store.enabled:
        return compute()
    key = key_for(namespace, areas, clock=clock, **parts)
    raw = store.get_or_build(key, lambda: pickle.dumps(compute(), pickle.HIGHEST_PROTOCOL))
    return pickle.loads(raw if isinstance(raw, bytes) else raw.encode())  # noqa: S301 - ours
