"""Home page, language choice and the load balancer's health checks."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import text

from portal.extensions import csrf, db, limiter
from portal.htmx import render_view
from portal.org import queries as org_queries

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    summary = org_queries.home_summary_for(current_user)
    return render_view("home/index.html", summary=summary)


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
