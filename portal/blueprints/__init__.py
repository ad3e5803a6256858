"""Blueprints: one per feature, each named after its package and URL prefix."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from portal.blueprints.admin.views import bp as admin_bp
    from portal.blueprints.auth.views import bp as auth_bp
    from portal.blueprints.business.views import bp as business_bp
    from portal.blueprints.coaching.views import bp as coaching_bp
    from portal.blueprints.conduct.views import bp as conduct_bp
    from portal.blueprints.goals.views import bp as goals_bp
    from portal.blueprints.home.views import bp as home_bp
    from portal.blueprints.improvement.views import bp as improvement_bp
    from portal.blueprints.kpis.api import bp as kpis_api_bp
    from portal.blueprints.kpis.views import bp as kpis_bp
    from portal.blueprints.notify.views import bp as notify_bp
    from portal.blueprints.org.views import bp as org_bp
    from portal.blueprints.qa.views import bp as qa_bp
    from portal.blueprints.qaprog.views import bp as qaprog_bp
    from portal.blueprints.recognition.views import bp as recognition_bp
    from portal.blueprints.teams.views import bp as teams_bp
    from portal.blueprints.training.views import bp as training_bp

    for bp in (
        home_bp,
        auth_bp,
        org_bp,
        admin_bp,
        qa_bp,
        notify_bp,
        goals_bp,
        improvement_bp,
        coaching_bp,
        qaprog_bp,
        training_bp,
        recognition_bp,
        kpis_bp,
        kpis_api_bp,
        teams_bp,
        business_bp,
        conduct_bp,
    ):
        app.register_blueprint(bp)
