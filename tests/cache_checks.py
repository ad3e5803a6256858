"""What every "cached, never stale" test does: read a page, read it again (served from the cache),
write, read again (built afresh, equal to the page with the cache off, and changed).

A page's view of itself (`view`) keeps what may differ between two reads of the same data: the
whole HTML (a panel fragment), its <main> (the header holds the per-request CSRF token) or the
HTML with its time-signed CSRF tokens masked."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable

View = Callable[[str], str]

# CSRF tokens are signed with the time: two reads a second apart differ there and only there.
TOKEN = re.compile(r'("X-CSRFToken": ?"|name="csrf_token" (?:type="hidden" )?value=")[^"]+')


def whole(html: str) -> str:
    return html


def main_of(html: str) -> str:
    """The page's <main>: what the page shows (the rest holds the per-request CSRF token)."""
    found = re.search(r"<main\b.*?</main>", html, re.S)
    assert found, "no <main> in the page"
    return found.group(0)


def without_tokens(html: str) -> str:
    return TOKEN.sub(r"\1…", html)


def read(client, address: str, view: View = whole, headers: dict | None = None) -> str:
    response = client.get(address, headers=headers or {})
    assert response.status_code == 200, (address, response.status_code)
    return view(response.get_data(as_text=True))


def fresh(client, cache, address: str, view: View = whole, headers: dict | None = None) -> str:
    """The page built with the cache off: the truth a cached answer must equal."""
    cache.enabled = False
    try:
        return read(client, address, view, headers)
    finally:
        cache.enabled = True


def write_then_read(
    client,
    cache,
    address: str | list[str],
    write: Callable[[], object],
    *,
    view: View = whole,
    headers: dict | None = None,
    changes: bool = True,
):
    """Each address read twice (the second from the cache: no miss), `write()`, each read again:
    a miss, equal to the page with the cache off and (with `changes`) not what it was. Returns
    the page(s) after the write."""
    addresses = [address] if isinstance(address, str) else list(address)
    before = [read(client, a, view, headers) for a in addresses]
    misses = cache.misses
    assert [read(client, a, view, headers) for a in addresses] == before
    assert cache.misses == misses, "the second read came from the cache"
    write()
    after = []
    for one in addresses:
        misses = cache.misses
        page = read(client, one, view, headers)
        assert cache.misses > misses, f"{one}: a new key, built afresh"
        assert page == fresh(client, cache, one, view, headers), one
        after.append(page)
    if changes:
        assert after != before
    return after[0] if isinstance(address, str) else after


class Counter:
    """How often `target` ("package.module.function") is called from now on."""

    def __init__(self, monkeypatch, target: str) -> None:
        module, _, name = target.rpartition(".")
        owner = importlib.import_module(module)
        original = getattr(owner, name)
        self.calls = 0

        def counted(*args, **kwargs):
            self.calls += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)
