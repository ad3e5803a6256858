"""Request-wide wiring for pages: locale and time zone, template helpers, navigation."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, available_timezones

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, format_decimal, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal import policy


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return "en"
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return request.accept_languages.best_match(list(languages)) or "en"


def select_timezone() -> str:
    if not has_request_context():
        return "UTC"
    if current_user and current_user.is_authenticated:
        return current_user.time_zone or "UTC"
    return "UTC"


def valid_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (KeyError, ValueError):
        return False
    return name in _zones()


_ZONES: frozenset[str] | None = None


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def nav_items(user) -> list[tuple[str, str, str]]:
    """(endpoint, label, key) of the navigation entries this user may use."""
    if not user.is_authenticated:
        return []
    items = [
        ("home.index", _l("Home"), "home"),
        ("org.person_list", _l("People"), "people"),
        ("org.tree", _l("Org tree"), "tree"),
    ]
    if policy.can(user, "evaluation.queue"):
        items.append(("qa.evaluate_queue", _l("Evaluate"), "evaluate"))
        items.append(("qa.evaluation_list", _l("Evaluations"), "evaluations"))
    else:
        items.append(("qa.my_evaluations", _l("My evaluations"), "my-evaluations"))
    if policy.can(user, "contact.list"):
        items.append(("qa.contact_list", _l("Contacts"), "contacts"))
    if policy.can(user, "scorecard.view"):
        items.append(("qa.scorecard_list", _l("Scorecards"), "scorecards"))
    if policy.can(user, "evaluator.overturns"):
        items.append(("qa.evaluator_overturns", _l("Evaluators"), "evaluators"))
    if policy.can(user, "team.view"):
        items.append(("teams.team_view", _l("Team performance"), "teams"))
    else:
        items.append(("teams.team_view", _l("My performance"), "teams"))
    if policy.can(user, "kpi.define"):
        items.append(("kpis.kpi_list", _l("KPIs"), "kpis"))
    if policy.can(user, "grant.manage"):
        items.append(("admin.grant_list", _l("Staff grants"), "grants"))
    if policy.can(user, "audit.view"):
        items.append(("admin.audit_list", _l("Audit log"), "audit"))
    return items


def _fmt_date(value: date | None, fmt: str = "medium") -> str:
    return format_date(value, fmt) if value else ""


def _fmt_datetime(value: datetime | None, fmt: str = "medium") -> str:
    return format_datetime(value, fmt) if value else ""


def _fmt_number(value, fmt: str | None = None) -> str:
    return "" if value is None else format_decimal(value, fmt)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        can=policy.can,
        get_locale=get_locale,
        nav_items=nav_items,
        languages=lambda: current_app.config["LANGUAGES"],
    )
    app.jinja_env.filters.update(date=_fmt_date, datetime=_fmt_datetime, number=_fmt_number)
