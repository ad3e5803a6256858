"""Blueprints: one per feature, each named after its package and URL prefix."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from portal.blueprints.admin.views import bp as admin_bp
    from portal.blueprints.auth.views import bp as auth_bp
    from portal.blueprints.home.views import bp as home_bp
    from portal.blueprints.kpis.api import bp as kpis_api_bp
    from portal.blueprints.kpis.views import bp as kpis_bp
    from portal.blueprints.notify.views import bp as notify_bp
    from portal.blueprints.org.views import bp as org_bp
    from portal.blueprints.qa.views import bp as qa_bp
    from portal.blueprints.teams.views import bp as teams_bp

    for bp in (
        home_bp,
        auth_bp,
        org_bp,
        admin_bp,
        qa_bp,
        notify_bp,
        kpis_bp,
        kpis_api_bp,
        teams_bp,
    ):
        app.register_blueprint(bp)
