"""Home page, language choice and the load balancer's health checks."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import text

from portal import cache, data_versions, policy
from portal.db import utcnow
from portal.extensions import csrf, db, limiter
from portal.htmx import render_view

bp = Blueprint("home", __name__)

# The data areas each home-page panel reads (org is in every key); see portal/cache.py.
HOME_PANEL_AREAS = {
    "manager": (
        data_versions.ORG,
        data_versions.COACHING,
        data_versions.GOALS,
        data_versions.BUSINESS,
    ),
}


@bp.get("/")
@login_required
def index():
    from portal.home import page_sections_for
    from portal.training.queries import today_for

    today = today_for(current_user, utcnow())
    sections = page_sections_for(current_user, today)
    built = [section for section in sections if not isinstance(section, str)]
    return render_view(
        "home/index.html",
        sections=sections,
        today=today,
        # "Nothing waiting" overall only once every section is known to be empty.
        nothing=len(built) == len(sections) and not any(s.waiting() for s in built),
        reports=policy.has_reports(current_user),
        outbox=_outbox_for(current_user),
    )


def _outbox_for(person) -> str | None:
    """Where e-mails are written when no SMTP server is configured, shown to HR admins."""
    from portal.notify.mailer import outbox_folder

    return outbox_folder() if policy.is_hr(person) else None


@bp.get("/home/sections/<key>")
@login_required
def home_section(key: str):
    """A section of the home page that loads after the page (a subtree's roll-up)."""
    from portal.home import panel_for
    from portal.training.queries import today_for

    areas = HOME_PANEL_AREAS.get(key, data_versions.AREAS)
    cache_key = cache.key_for("home.section", areas, clock=True)
    unchanged = cache.not_modified(cache_key)
    if unchanged is not None:
        return unchanged

    def build() -> str:
        section = panel_for(current_user, key, today_for(current_user, utcnow()))
        return "" if section is None else render_template("home/_section.html", section=section)

    html = cache.current().get_or_build(cache_key, build)
    if not html:
        abort(404)
    return cache.with_etag(make_response(html), cache_key)


@bp.post("/language")
def language_set():
    lang = request.form.get("lang", "")
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    target = request.form.get("next") or ""
    from portal.blueprints.auth.views import safe_next

    return redirect(safe_next(target) or url_for("home.index"), code=303)


@bp.get("/healthz")
@limiter.exempt
@csrf.exempt
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def readyz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means "not ready"
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
