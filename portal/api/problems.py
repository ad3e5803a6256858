"""Errors of /api/v1 as application/problem+json (RFC 9457): type, title, status, detail, and
`errors` (field -> messages) for a validation failure. API messages are English only."""

from __future__ import annotations

from typing import Any

from flask import Response, json, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

PREFIX = "/api/v1"
MEDIA_TYPE = "application/problem+json"

DETAILS = {
    400: "The request could not be understood.",
    401: "A valid bearer token is required (Authorization: Bearer <token>).",
    403: "The token lacks the scope this request needs.",
    404: "No such resource, or it is outside the token holder's reach.",
    405: "That method is not allowed on this resource.",
    409: "The resource changed meanwhile.",
    413: "The request is too large.",
    422: "The request's parameters or body are not valid.",
    429: "Too many requests for this token; slow down.",
    500: "Something went wrong on our side. It has been logged.",
}


def is_api_request() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


def problem(
    status: int,
    detail: str | None = None,
    *,
    errors: dict | None = None,
    headers: dict | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail or DETAILS.get(status, HTTP_STATUS_CODES.get(status, "Error")),
    }
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def field_errors(error: HTTPException) -> dict | None:
    """The field messages webargs attaches to a 422 ({"query": {"limit": [...]}} flattened to
    {"limit": [...]} when one location holds them)."""
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") if isinstance(data, dict) else None
    if not isinstance(messages, dict):
        return None
    if len(messages) == 1:
        (only,) = messages.values()
        if isinstance(only, dict):
            return only
    return messages


def from_http_error(error: HTTPException) -> Response:
    status = error.code or 500
    headers = {}
    if status == 405 and error.get_response().headers.get("Allow"):
        headers["Allow"] = error.get_response().headers["Allow"]
    retry = getattr(error, "retry_after", None)
    if status == 429 and retry:
        headers["Retry-After"] = str(retry)
    return problem(
        status, errors=field_errors(error) if status in (400, 422) else None, headers=headers
    )
