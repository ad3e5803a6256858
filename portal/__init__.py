"""The portal: create_app() binds configuration, extensions, blueprints, CLI and error handlers."""

from __future__ import annotations

from flask import Flask

from portal.config import BASE_DIR, Config


def create_app(config: type[Config] | Config | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=False)
    config_obj = config() if isinstance(config, type) else (config or Config())
    app.config.from_object(config_obj)

    from portal import cache, data_versions, input_guard, models, request_args, security, web  # noqa: F401
    from portal.cli import register_cli
    from portal.coaching import series  # noqa: F401  (subscribes to the org tree's signals)
    from portal.errors import register_error_handlers
    from portal.extensions import babel, csrf, db, htmx, limiter, login_manager, migrate

    request_args.init_app(app)  # before any route: the bounded id converter
    db.init_app(app)
    input_guard.init_app()  # no value the database would refuse reaches a flush
    data_versions.init_app()  # every write raises its area's version (the cache keys)
    cache.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=web.select_locale, timezone_selector=web.select_timezone)
    security.init_app(app)
    web.init_app(app)
    register_error_handlers(app)
    register_cli(app)

    from portal.blueprints import register_blueprints

    register_blueprints(app)
    from portal.api import v1

    v1.init_app(app)  # /api/v1 (flask-smorest) and its OpenAPI description
    return app
