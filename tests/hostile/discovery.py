"""Finding what to fuzz: the query and form keys a view reads (recorded while it runs), and the
links and POST forms in the pages it renders."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

from flask import Flask
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException

from tests.hostile.corpus import kind_of

READ_KEYS: set[str] = set()


class RecordingMultiDict(ImmutableMultiDict):
    """request.args / request.form / request.files that note every key a view asks for."""

    def get(self, key, default=None, type=None):  # noqa: A002 - werkzeug's signature
        READ_KEYS.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        READ_KEYS.add(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        READ_KEYS.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        READ_KEYS.add(key)
        return super().__contains__(key)


@contextmanager
def recording(app: Flask):
    """Inside the block, requests record the parameter names views read into READ_KEYS."""
    original = app.request_class

    class RecordingRequest(original):  # type: ignore[misc, valid-type]
        parameter_storage_class = RecordingMultiDict

    app.request_class = RecordingRequest
    try:
        yield
    finally:
        app.request_class = original


@dataclass
class Form:
    action: str  # path and query as written in the page
    fields: dict[str, str] = field(default_factory=dict)  # name -> current value
    files: set[str] = field(default_factory=set)
    types: dict[str, str] = field(default_factory=dict)  # name -> input type

    def kinds(self) -> dict[str, str]:
        return {
            name: kind_of(value, self.types.get(name, "")) for name, value in self.fields.items()
        }


@dataclass
class PageParts:
    links: list[str] = field(default_factory=list)  # href / hx-get / src, with query
    get_forms: list[Form] = field(default_factory=list)
    post_forms: list[Form] = field(default_factory=list)


class _PageParser(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.parts = PageParts()
        self.form: Form | None = None
        self.form_is_post = False
        self.select: str | None = None
        self.select_first: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        for name in ("href", "hx-get", "src"):
            if a.get(name, "").startswith("/"):
                self.parts.links.append(a[name])
        if tag == "form":
            post = a.get("method", "get").lower() == "post" or "hx-post" in a
            action = a.get("hx-post") or a.get("action") or self.page_url
            self.form, self.form_is_post = Form(action), post
            (self.parts.post_forms if post else self.parts.get_forms).append(self.form)
            return
        if "hx-post" in a and self.form is None and a["hx-post"].startswith("/"):
            # A button or link posting on its own (hx-vals aside): a form with no fields.
            self.parts.post_forms.append(Form(a["hx-post"]))
        if self.form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            self.form.types.setdefault(name, kind)
            if kind == "file":
                self.form.files.add(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in a or name not in self.form.fields:
                    self.form.fields[name] = a.get("value", "on")
            elif kind not in ("submit", "button", "image", "reset"):
                self.form.fields[name] = a.get("value", "")
            elif a.get("value"):
                self.form.fields.setdefault(name, a["value"])
        elif tag == "button" and a.get("value"):
            self.form.fields.setdefault(name, a["value"])
        elif tag == "select":
            self.select, self.select_first = name, None
            self.form.fields.setdefault(name, "")
        elif tag == "textarea":
            self.textarea = name
            self.form.fields[name] = ""
        elif tag == "option" and self.select:
            pass

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data):
        if self.textarea and self.form is not None:
            self.form.fields[self.textarea] += data


class _OptionParser(HTMLParser):
    """The selected (else first non-empty) option of each select, by form order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.choices: dict[str, str] = {}
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select:
            value = a.get("value", "")
            if "selected" in a or (value and self.select not in self.choices):
                self.choices[self.select] = value

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None


def parse_page(html: str, page_url: str) -> PageParts:
    parser = _PageParser(page_url)
    parser.feed(html)
    options = _OptionParser()
    options.feed(html)
    for form in parser.parts.post_forms + parser.parts.get_forms:
        for name in form.fields:
            if name in options.choices and not form.fields[name]:
                form.fields[name] = options.choices[name]
    return parser.parts


def match(app: Flask, url: str, method: str) -> tuple[str, dict, str, list[tuple[str, str]]]:
    """(endpoint, view args, path, query pairs) of a URL in a page; endpoint "" when none."""
    parts = urlsplit(url)
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, args = adapter.match(parts.path, method=method)
    except HTTPException:
        return "", {}, parts.path, []
    return endpoint, args, parts.path, parse_qsl(parts.query, keep_blank_values=True)
