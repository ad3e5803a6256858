"""The request side of the input layer: URL ids and query arguments read through the bounded
parsers of `portal.params`, and "this page with these filters" links.

- `<int:...>` in every route is `BoundedIntConverter`: an id beyond the database's integer does
  not match the route, so it answers 404 like any missing record.
- `request.args.get(name, type=int)` answers the default for a number out of range, and every
  query argument holding control characters reads as empty (a filter that matches nothing
  typed is no filter). Forms are checked field by field in `portal.forms` instead, so the person
  sees a message at the field.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask, Request, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

from portal.params import INT_MAX, has_control_chars, parse_int


class BoundedIntConverter(IntegerConverter):
    """Werkzeug's int converter, bounded to the database's integer (0 … 2^31 − 1)."""

    def __init__(self, map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's name
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


class BoundedValues(ImmutableMultiDict):
    """Form values: `get(name, type=int)` is bounded like the query's (text is left to the
    form's validators, which answer at the field)."""

    def get(self, key, default=None, type=None):  # noqa: A002 - MultiDict's signature
        if type is int:
            return parse_int(super().get(key), default)
        return super().get(key, default, type)


class QueryArgs(BoundedValues):
    """Query arguments: bounded integers, and values with control characters read as empty."""

    def __getitem__(self, key):
        value = super().__getitem__(key)
        return "" if has_control_chars(value) else value

    def get(self, key, default=None, type=None):  # noqa: A002
        value = ImmutableMultiDict.get(self, key)
        if value is not None and has_control_chars(value):
            return default
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        values = [v for v in super().getlist(key) if not has_control_chars(v)]
        if type is int:
            return [n for n in (parse_int(v) for v in values) if n is not None]
        if type is None:
            return values
        out = []
        for value in values:
            try:
                out.append(type(value))
            except (ValueError, TypeError):
                pass
        return out

    def items(self, multi=False):
        for key, value in super().items(multi=multi):
            yield key, ("" if has_control_chars(value) else value)

    def values(self):
        for _key, value in self.items():
            yield value


class PortalRequest(Request):
    parameter_storage_class = BoundedValues

    @cached_property
    def args(self) -> QueryArgs:  # type: ignore[override]
        return QueryArgs(
            parse_qsl(
                self.query_string.decode(), keep_blank_values=True, errors="werkzeug.url_quote"
            )
        )


def filter_args(names: Iterable[str]) -> dict[str, str]:
    """The named query arguments this page was asked with, non-empty, for links to the same page
    with the same filters. Only names the page knows: a raw argument such as `_method`,
    `endpoint` or `_external` must never reach `url_for`."""
    return {name: value for name in names if (value := request.args.get(name))}


def init_app(app: Flask) -> None:
    app.request_class = PortalRequest
    app.url_map.converters["int"] = BoundedIntConverter
