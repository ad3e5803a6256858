"""The only code that reads htmx request headers."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, make_response, redirect, render_template, request


def is_fragment_request() -> bool:
    """An htmx request that wants a fragment: not boosted, not a history restore."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Boosted") != "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render_view(
    page_template: str, fragment_template: str | None = None, /, status: int = 200, **ctx: Any
) -> Response:
    """Render the whole page, or only its fragment for an htmx fragment request."""
    use_fragment = fragment_template and is_fragment_request()
    template = fragment_template if use_fragment else page_template
    response = make_response(render_template(template, **ctx), status)
    return response


def hx_redirect(location: str) -> Response:
    """Redirect the browser: HX-Redirect for htmx, 303 otherwise."""
    if request.headers.get("HX-Request") == "true":
        response = make_response("", 204)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location, code=303)


def hx_trigger(response: Response, event: str, detail: Any = None) -> Response:
    """Add an HX-Trigger event (kebab-case, past tense) to a response."""
    existing = response.headers.get("HX-Trigger")
    events: dict[str, Any] = json.loads(existing) if existing else {}
    events[event] = detail
    response.headers["HX-Trigger"] = json.dumps(events)
    return response


def add_vary(response: Response) -> Response:
    response.vary.add("HX-Request")
    return response
