"""The campaign: discover every route's parameters and forms as each role, then send the
hostile corpus into every query parameter, URL argument, form field, file and JSON key."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote, urlsplit

from flask import Flask
from werkzeug.routing import IntegerConverter, Rule

from tests.hostile import corpus
from tests.hostile.discovery import READ_KEYS, Form, match, parse_page, recording
from tests.hostile.sender import Sender

SKIP_ENDPOINTS = frozenset({"static"})
HX = {"HX-Request": "true"}
_ARG = re.compile(r"<(?:[^<>:]+:)?(\w+)>")
# The body POST /api/kpi-values documents (portal/blueprints/kpis/api.py).
JSON_KEYS = ("employee_id", "kpi", "date", "value", "numerator", "denominator", "weight")


def build_path(rule: Rule, values: dict) -> str:
    """The rule's path with `values` put in by hand (url_for would refuse out-of-range ids)."""
    return _ARG.sub(lambda m: quote(str(values[m.group(1)]), safe=""), rule.rule)


def rules(app: Flask, method: str) -> list[Rule]:
    return sorted(
        (
            r
            for r in app.url_map.iter_rules()
            if r.endpoint not in SKIP_ENDPOINTS and method in (r.methods or ())
        ),
        key=lambda r: r.rule,
    )


@dataclass
class Target:
    """What the campaign knows about one route as one role."""

    path: str
    args: dict
    status: int | None = None
    keys: set[str] = field(default_factory=set)  # recorded while the view ran
    form: Form | None = None  # a POST form found in a page, for POST routes


@dataclass
class Campaign:
    app: Flask
    sender: Sender
    roles: tuple[str, ...]
    example_urls: dict[str, str]  # "endpoint METHOD" -> a URL with real ids
    hypothesis_per_use: int = 1
    targets: dict[tuple[str, str, str], Target] = field(default_factory=dict)
    link_keys: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    samples: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    kinds: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))

    def __post_init__(self) -> None:
        self.hypothesis = corpus.HypothesisValues(self.hypothesis_per_use)
        self.url_arg_names = sorted({a for r in self.app.url_map.iter_rules() for a in r.arguments})

    # -- discovery ---------------------------------------------------------------------------

    def _example(self, rule: Rule, method: str) -> tuple[str, dict]:
        url = self.example_urls.get(f"{rule.endpoint} {method}")
        if url is None:
            values = {name: 1 for name in rule.arguments}
            return build_path(rule, values), values
        endpoint, args, path, _query = match(self.app, url, method)
        assert endpoint == rule.endpoint, (url, rule.endpoint)
        return path, args

    def _learn_page(self, role: str, page_url: str, html: str) -> None:
        parts = parse_page(html, page_url)
        for link in parts.links:
            endpoint, _args, _path, query = match(self.app, link, "GET")
            if endpoint and query:
                self._sample(endpoint, query)
        for form in parts.get_forms:
            endpoint, _args, _path, _query = match(self.app, form.action, "GET")
            if endpoint:
                self._sample(endpoint, list(form.fields.items()))
                self.kinds[endpoint].update(form.kinds())
        for form in parts.post_forms:
            endpoint, args, _path, _query = match(self.app, form.action, "POST")
            target = self.targets.get((endpoint, "POST", role))
            if target is None:
                continue
            for name, kind in form.kinds().items():
                self.kinds[endpoint].setdefault(name, kind)
            if target.form is not None:
                continue
            rule_path = urlsplit(form.action).path
            target.form, target.path, target.args = form, rule_path, args

    def _sample(self, endpoint: str, query: list[tuple[str, str]]) -> None:
        self.link_keys[endpoint].update(k for k, _v in query)
        for key, value in query:
            self.kinds[endpoint].setdefault(key, corpus.kind_of(value))
        if len(query) > len(self.samples.get(endpoint, [])):
            self.samples[endpoint] = list(query)

    def discover(self) -> None:
        for method in ("GET", "POST"):
            for rule in rules(self.app, method):
                for role in self.roles:
                    path, args = self._example(rule, method)
                    self.targets[(rule.endpoint, method, role)] = Target(path, args)
        with recording(self.app):
            for role in self.roles:
                for rule in rules(self.app, "GET"):
                    target = self.targets[(rule.endpoint, "GET", role)]
                    for headers in ({}, HX):
                        READ_KEYS.clear()
                        response = self.sender.send(
                            role,
                            "GET",
                            target.path,
                            route=f"{rule.endpoint} GET {target.path}",
                            param="(none)",
                            value="",
                            headers=headers,
                        )
                        target.keys |= READ_KEYS
                        if response is None:
                            continue
                        target.status = target.status or response.status_code
                        if "html" in (response.mimetype or ""):
                            self._learn_page(role, target.path, response.get_data(as_text=True))
            for role in self.roles:
                for rule in rules(self.app, "POST"):
                    target = self.targets[(rule.endpoint, "POST", role)]
                    READ_KEYS.clear()
                    response = self.sender.send(
                        role,
                        "POST",
                        target.path,
                        route=f"{rule.endpoint} POST {target.path}",
                        param="(form as found)",
                        value="",
                        form=self._base_form(target),
                    )
                    target.keys |= READ_KEYS
                    target.status = response.status_code if response is not None else None

    @staticmethod
    def _base_form(target: Target) -> list[tuple[str, object]]:
        if target.form is None:
            return []
        fields = [
            (k, v if v.strip() else _plausible(k, target.form.types.get(k, "")))
            for k, v in target.form.fields.items()
            if k != "csrf_token"
        ]
        return fields + [(name, (b"", "empty.csv")) for name in sorted(target.form.files)]

    # -- the hostile requests ----------------------------------------------------------------

    def _values(self, endpoint: str, name: str, role: str) -> tuple[str, ...]:
        """Every role sends the core values; the rest of the corpus and the hypothesis draws
        are shared out between the roles, so each value is sent once per parameter."""
        every, rest = corpus.values_for(name, self.kinds[endpoint].get(name))
        turn = self.roles.index(role)
        return every + rest[turn :: len(self.roles)] + self.hypothesis.take()

    def run(self) -> None:
        for role in self.roles:
            for rule in rules(self.app, "GET"):
                self._query_params(rule, role)
            for rule in rules(self.app, "POST"):
                self._form_fields(rule, role)
            for method in ("GET", "POST"):
                for rule in rules(self.app, method):
                    self._path_args(rule, method, role)

    def _query_params(self, rule: Rule, role: str) -> None:
        target = self.targets[(rule.endpoint, "GET", role)]
        keys = set(target.keys)
        if target.status is not None and target.status < 400:
            keys |= self.link_keys.get(rule.endpoint, set())
        # The other parameters keep a value a page linked with (so `?by=agent` stays set
        # while `key` is hostile), or are left out when no page links with any.
        base = self.samples.get(rule.endpoint, [])
        route = f"{rule.endpoint} GET {target.path}"
        for key in sorted(keys):
            for value in self._values(rule.endpoint, key, role):
                query = [(k, v) for k, v in base if k != key] + [(key, value)]
                self.sender.send(
                    role, "GET", target.path, route=route, param=key, value=value, query=query
                )
        self._reserved(role, "GET", target.path, route, base, [])

    def _reserved(self, role, method, path, route, query, form) -> None:
        """Every reserved and URL-argument name at once, then one by one where that failed."""
        names = list(corpus.RESERVED_NAMES) + self.url_arg_names
        for value in corpus.RESERVED_VALUES:
            before = len(self.sender.failures)
            extra = [(name, value) for name in names]
            self._send_extra(role, method, path, route, query, form, extra, "(all reserved)", value)
            if len(self.sender.failures) == before:
                continue
            del self.sender.failures[before:]
            for name in names:
                self._send_extra(
                    role, method, path, route, query, form, [(name, value)], name, value
                )

    def _send_extra(self, role, method, path, route, query, form, extra, param, value) -> None:
        if method == "GET":
            self.sender.send(
                role, method, path, route=route, param=param, value=value, query=query + extra
            )
        else:
            self.sender.send(
                role,
                method,
                path,
                route=route,
                param=param,
                value=value,
                query=query + extra,
                form=form + extra,
            )

    def _form_fields(self, rule: Rule, role: str) -> None:
        target = self.targets[(rule.endpoint, "POST", role)]
        base = self._base_form(target)
        route = f"{rule.endpoint} POST {target.path}"
        if target.path.startswith("/api/"):
            self._json(rule, role, target, route)
        fields = set(target.keys)
        if target.form is not None:
            fields |= set(target.form.fields)
        fields.discard("csrf_token")
        files = target.form.files if target.form is not None else set()
        for name in sorted(fields - files):
            for value in self._values(rule.endpoint, name, role):
                form = [(k, v) for k, v in base if k != name] + [(name, value)]
                self.sender.send(
                    role, "POST", target.path, route=route, param=name, value=value, form=form
                )
        for name in sorted(files):
            self._files(rule, role, target, route, base, name)
        self._reserved(role, "POST", target.path, route, [], base)

    def _json(self, rule, role, target, route) -> None:
        bodies = [("(body)", v) for v in (None, [], "x", 1, {"values": "x"}, {"values": [1]})]
        for key in JSON_KEYS:
            for value in self._values(rule.endpoint, key, role) + (
                10**20,
                -1,
                2**63,
                1e308,
                None,
                [],
            ):
                item = {"employee_id": "W-A1", "kpi": "csat", "date": "2026-01-05", "value": 1}
                item[key] = value
                bodies.append((key, {"values": [item]}))
        for param, body in bodies:
            self.sender.send(
                role, "POST", target.path, route=route, param=param, value=body, json=body
            )

    def _files(self, rule, role, target, route, base, name) -> None:
        """CSV files: the import's template header with one column hostile per file, every
        corpus value a row; a failing file is then sent row by row."""
        header, sample = self._template(rule, role)
        values = [v for v in corpus.GENERIC if v != corpus.MEGABYTE] + list(self.hypothesis.take())
        blobs: list[tuple[str, bytes]] = [
            ("(empty)", b""),
            ("(binary)", b"\x00\xff\xfe\x00" * 64),
            ("(1 MB)", corpus.MEGABYTE.encode()),
        ]
        for column in range(len(header)):
            rows = []
            for value in values:
                row = list(sample)
                row[column] = value
                rows.append(row)
            blobs.append((f"{name}[{header[column]}]", _csv(header, rows)))
        for param, blob in blobs:
            before = len(self.sender.failures)
            form = [(k, v) for k, v in base if k != name] + [(name, (blob, "hostile.csv"))]
            self.sender.send(
                role, "POST", target.path, route=route, param=param, value=blob, form=form
            )
            if len(self.sender.failures) == before or not param.endswith("]"):
                continue
            del self.sender.failures[before:]
            column = param[param.index("[") + 1 : -1]
            for value in values:
                row = list(sample)
                row[header.index(column)] = value
                form[-1] = (name, (_csv(header, [row]), "hostile.csv"))
                self.sender.send(
                    role, "POST", target.path, route=route, param=param, value=value, form=form
                )

    def _template(self, rule: Rule, role: str) -> tuple[list[str], list[str]]:
        """The header and first row of the route's CSV template (`<endpoint>_template`)."""
        template = self.targets.get((f"{rule.endpoint}_template", "GET", "hr_admin"))
        if template is None:
            template = next(
                (t for (e, m, _r), t in self.targets.items() if e == f"{rule.endpoint}_template"),
                None,
            )
        if template is None:
            return ["value"], ["1"]
        response = self.sender.send(
            "hr_admin" if "hr_admin" in self.roles else role,
            "GET",
            template.path,
            route=f"{rule.endpoint}_template GET",
            param="(none)",
            value="",
        )
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True)))) if response else []
        header = rows[0] if rows else ["value"]
        sample = rows[1] if len(rows) > 1 else [""] * len(header)
        return header, sample + [""] * (len(header) - len(sample))

    def _path_args(self, rule: Rule, method: str, role: str) -> None:
        if not rule.arguments:
            return
        target = self.targets[(rule.endpoint, method, role)]
        form = self._base_form(target) if method == "POST" else None
        turn = self.roles.index(role)
        for name in sorted(rule.arguments):
            is_int = isinstance(rule._converters.get(name), IntegerConverter)
            values = corpus.PATH_INTS if is_int else corpus.PATH_TEXT
            every, rest = values[: corpus.PATH_EVERY_ROLE], values[corpus.PATH_EVERY_ROLE :]
            mine = rest[turn :: len(self.roles)] + self.hypothesis.take()[:1]
            for value in every + mine:
                path = build_path(rule, {**target.args, name: value})
                self.sender.send(
                    role,
                    method,
                    path,
                    route=f"{rule.endpoint} {method} {rule.rule}",
                    param=f"<{name}>",
                    value=value,
                    form=form,
                )


def _plausible(name: str, input_type: str) -> str:
    """A valid-looking value for a field the page left empty, so that a hostile value in
    another field gets past "this field is required" to the service and the database."""
    if input_type in ("hidden", "checkbox", "radio", "file") or name.endswith("id"):
        return ""
    if input_type == "date" or name.endswith(("_on", "date")):
        return date.today().isoformat()
    if input_type == "number":
        return "1"
    if input_type == "email":
        return "fuzz@example.com"
    return "Fuzz"


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")
