"""Domain exceptions and the one handler mapping them to HTTP (page, fragment or JSON)."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    status = 400
    default_message = _l("The request could not be completed.")

    def __init__(self, message: str | None = None, *, field_errors: dict | None = None):
        super().__init__(message)
        self.message = message or str(self.default_message)
        self.field_errors = field_errors or {}


class NotFound(DomainError):
    status = 404
    default_message = _l("We could not find that page.")


class Forbidden(DomainError):
    # A refusal of an action on a record the viewer may see; unseen records raise NotFound.
    status = 403
    default_message = _l("You are not allowed to do that.")


class Conflict(DomainError):
    status = 409
    default_message = _l(
        "Someone else changed this record while you were editing it. "
        "Reload to see their changes; what you typed is kept below."
    )


class InvalidTransition(DomainError):
    status = 409
    default_message = _l("That step is not possible in the record's current state.")


class ValidationFailed(DomainError):
    status = 422
    default_message = _l("Please correct the highlighted fields.")


def _wants_json() -> bool:
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


# Form fields that are machinery, not something a person typed.
_NOT_TYPED = {"csrf_token", "token", "request_token", "version", "expected_version", "_method"}
_TYPED_MAX_FIELDS = 20


def typed_values() -> list[str]:
    """What the person typed into the form a 409 answers (its text fields, not its tokens,
    versions or bare numbers), so the conflict page keeps it for a view that does not
    re-render its own form."""
    if request.method != "POST":
        return []
    values = []
    for name, value in request.form.items(multi=True):
        text = value.strip()
        if name in _NOT_TYPED or not text or text.lstrip("-").isdigit():
            continue
        values.append(value)
    return values[:_TYPED_MAX_FIELDS]


def _render(status: int, message: str, error: Exception | None = None):
    from portal.api import problems

    if problems.is_api_request():  # /api/v1: RFC 9457 problem details, in English
        if isinstance(error, HTTPException):
            return problems.from_http_error(error)
        return problems.problem(status)
    if _wants_json():
        return jsonify({"error": message, "status": status}), status
    from portal.htmx import is_fragment_request

    template = "errors/_error.html" if is_fragment_request() else "errors/error.html"
    typed = typed_values() if status == 409 else []
    return render_template(template, status=status, message=message, typed=typed), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def handle_domain_error(error: DomainError):
        from portal.extensions import db

        db.session.rollback()  # nothing half-made (or refused at flush) is flushed by the page
        return _render(error.status, error.message)

    @app.errorhandler(StaleDataError)
    def handle_stale_write(error: StaleDataError):
        # db.session (portal.db.ConflictSession) raises these as Conflict already; this is the
        # same answer for one raised anywhere else: a race lost is a 409, never a 500.
        from portal.extensions import db

        db.session.rollback()
        return handle_domain_error(Conflict())

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException):
        messages = {
            400: _l("The request was not understood."),
            403: _l("You are not allowed to do that."),
            404: _l("We could not find that page."),
            405: _l("That method is not allowed here."),
            413: _l("The file is too large."),
            429: _l("Too many attempts. Please wait a few minutes and try again."),
        }
        status = error.code or 500
        message = str(messages.get(status, error.description or ""))
        return _render(status, message, error)

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return handle_http_error(error)
        app.logger.exception("Unhandled error", exc_info=error)
        from portal.extensions import db

        db.session.rollback()
        return _render(500, str(_l("Something went wrong on our side. It has been logged.")))
