"""Sign-in wiring (Flask-Login over server-side sessions) and security headers."""

from __future__ import annotations

from flask import Flask, current_app, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from portal.auth import sessions
from portal.db import utcnow
from portal.extensions import login_manager

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


@login_manager.user_loader
def load_user(token: str):
    return sessions.person_for_token(
        token,
        now=utcnow(),
        idle=current_app.config["SESSION_IDLE_TIMEOUT"],
        absolute=current_app.config["SESSION_ABSOLUTE_TIMEOUT"],
        remember=current_app.config["REMEMBER_SESSIONS"],
    )


def has_control_characters(location: str) -> bool:
    """Browsers drop tabs and newlines from URLs, so "/<TAB>/evil.example" becomes
    "//evil.example": a redirect carrying such characters could leave the portal."""
    return any(ord(c) <= 0x20 or ord(c) == 0x7F for c in location)


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over https."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)


def init_app(app: Flask) -> None:
    app.session_interface = HttpsAwareSessionInterface()
    if app.config.get("TRUST_PROXY"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import redirect

        from portal.htmx import hx_redirect

        if request.path.startswith("/api/"):
            from flask import jsonify

            return jsonify({"error": "authentication required", "status": 401}), 401
        target = url_for("auth.login", next=request.full_path.rstrip("?"))
        if request.headers.get("HX-Request") == "true":
            return hx_redirect(target)
        return redirect(target)

    @app.after_request
    def security_headers(response):
        headers = response.headers
        for name in ("Location", "HX-Redirect"):
            target = headers.get(name)
            if target and has_control_characters(target):
                headers[name] = url_for("home.index")
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # A response with an ETag (portal/cache.py) is "private, no-cache": kept by the
        # browser, revalidated on every use; anything else personal is never stored.
        authenticated = current_user.is_authenticated and not request.path.startswith("/static/")
        if authenticated and "ETag" not in headers:
            headers["Cache-Control"] = "no-store"
        response.vary.add("HX-Request")
        return response
