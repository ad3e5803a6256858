"""Request-wide wiring for pages: locale and time zone, template helpers, navigation."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_decimal, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal import policy, time_format


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


NavItem = tuple[str, str, str]  # (endpoint, label, key)


def nav_items(user) -> list[tuple[str, str, list[NavItem]]]:
    """The navigation this user may use, as (label, key, entries) groups. A group with one
    entry shows as a plain link; a longer one as a menu."""
    if not user.is_authenticated:
        return []
    can = policy.can
    groups: list[tuple[str, str, list[NavItem]]] = [
        (_l("Home"), "home", [("home.index", _l("Home"), "home")]),
        (_l("People"), "people", [("org.person_list", _l("People"), "people")]),
        (_l("Org tree"), "tree", [("org.tree", _l("Org tree"), "tree")]),
    ]
    quality: list[NavItem] = []
    if can(user, "evaluation.queue"):
        quality += [
            ("qa.evaluate_queue", _l("Evaluate"), "evaluate"),
            ("qa.evaluation_list", _l("Evaluations"), "evaluations"),
        ]
    quality.append(("qa.my_evaluations", _l("My evaluations"), "my-evaluations"))
    if can(user, "contact.list"):
        quality.append(("qa.contact_list", _l("Contacts"), "contacts"))
    if can(user, "scorecard.view"):
        quality.append(("qa.scorecard_list", _l("Scorecards"), "scorecards"))
    if can(user, "qa_report.view"):
        quality.append(("qaprog.report", _l("QA reports"), "qa_reports"))
    if can(user, "calibration.list"):
        quality.append(("qaprog.calibration_list", _l("Calibration sessions"), "qa_calibration"))
    if can(user, "evaluator.overturns"):
        quality.append(("qa.evaluator_overturns", _l("Evaluators"), "evaluators"))
    groups.append((_l("Quality"), "quality", quality))
    groups.append((_l("1:1s"), "coaching", [("coaching.index", _l("1:1s"), "coaching")]))
    goals: list[NavItem] = [("goals.my_goals", _l("My goals"), "goals")]
    if can(user, "goals.team"):
        goals += [
            ("goals.team_goals", _l("Team goals"), "team-goals"),
            ("goals.completion", _l("Completion"), "completion"),
        ]
    goals.append(("goals.review_list", _l("Reviews"), "reviews"))
    if can(user, "review_calibration.view"):
        goals.append(("goals.calibration", _l("Calibration"), "calibration"))
    if can(user, "calibration.close_reviews"):
        goals.append(("goals.calibration_closing", _l("Close calibration"), "calibration-closing"))
    if can(user, "cycle.manage"):
        goals.append(("goals.cycle_list", _l("Review cycles"), "cycles"))
    if can(user, "conduct.team"):
        goals.append(("conduct.action_list", _l("Corrective actions"), "conduct"))
    if can(user, "improvement.list_team"):
        goals.append(("improvement.plan_list", _l("Improvement plans"), "improvement"))
    groups.append((_l("Goals and reviews"), "goals", goals))
    training: list[NavItem] = [("training.my_training", _l("My training"), "training")]
    if can(user, "training.team_view"):
        training.append(("training.team_matrix", _l("Team training"), "team_training"))
    if can(user, "course.manage"):
        training.append(("training.course_list", _l("Courses"), "courses"))
    if can(user, "skill_gap.view"):
        training.append(("training.skill_gap_list", _l("Skill gaps"), "skill_gaps"))
    training.append(("recognition.kudos_list", _l("Kudos"), "kudos"))
    groups.append((_l("Training"), "training-group", training))
    manages = can(user, "team.view")
    label = _l("Team performance") if manages else _l("My performance")
    performance: list[NavItem] = [
        ("teams.team_view", label, "teams"),
        # The KPI values of one's team (their own for an agent); the definitions apart.
        ("teams.my_kpis", _l("KPIs"), "my-kpis"),
    ]
    if can(user, "kpi.list"):
        performance.append(("kpis.kpi_list", _l("KPI definitions"), "kpis"))
    if can(user, "business.list"):
        performance.append(("business.review_list", _l("Business reviews"), "business"))
    if can(user, "business.market_summary"):
        performance.append(("business.market_list", _l("Market summaries"), "market-summaries"))
    groups.append((_l("Performance"), "performance", performance))
    admin: list[NavItem] = []
    if can(user, "grant.manage"):
        admin.append(("admin.grant_list", _l("Staff grants"), "grants"))
    if can(user, "audit.view"):
        admin.append(("admin.audit_list", _l("Audit log"), "audit"))
    if admin:
        groups.append((_l("Admin"), "admin", admin))
    return groups


def expected_version(text: Any) -> int | None:
    """The record version a form was opened at: None when the form sent none (no check), and
    -1 for anything unreadable, which no record has, so the save answers 409 instead of 500."""
    if text in (None, ""):
        return None
    try:
        return int(text)
    except (TypeError, ValueError):
        return -1


def path_for(endpoint: str, **values: Any) -> str:
    """A page's path (no host), with or without a request: for links stored in records
    (notifications) or built by jobs and providers."""
    return current_app.url_map.bind("").build(endpoint, values)


# The one set of date and time formats (portal.time_format): the filters take no format; an old
# argument such as ``|datetime("short")`` is ignored, so every page shows one format per kind.
_fmt_date = time_format.fmt_date
_fmt_datetime = time_format.fmt_datetime


def _fmt_number(value, fmt: str | None = None) -> str:
    return "" if value is None else format_decimal(value, fmt)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        can=policy.can,
        get_locale=get_locale,
        nav_items=nav_items,
        languages=lambda: current_app.config["LANGUAGES"],
    )
    app.jinja_env.globals.update(zone_name=time_format.fmt_zone)
    app.jinja_env.filters.update(time_format.FILTERS, number=_fmt_number)
