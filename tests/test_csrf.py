"""Every state-changing route refuses a signed-in request that carries no CSRF token.

The routes come from app.url_map, so a route added later is checked without anyone
remembering to add it here."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter, Rule

from tests.conftest import as_user, post_form

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# Endpoints that deliberately accept unsafe requests without a token. Adding one here is a
# security decision: say why beside it.
EXEMPT: frozenset[str] = frozenset(
    {
        # The e-mails' signed preference link: the URL's itsdangerous signature (SECRET_KEY,
        # its own salt) is the authorisation, and mail programs' RFC 8058 one-click POST
        # (List-Unsubscribe-Post) carries no token and no session. It changes only how the
        # signed-for person is told about the signed-for kind; a bad signature is a 404.
        "notify.preference_link",
    }
)


def example_url(rule: Rule) -> str:
    """The rule's URL with 1 for every argument (ints and strings alike)."""
    values = {
        name: 1 if isinstance(converter, IntegerConverter) else "1"
        for name, converter in rule._converters.items()
    }
    built = rule.build(values, append_unknown=False)
    assert built is not None, f"cannot build a URL for {rule.rule}"
    return built[1]


def unsafe_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for every unsafe method of every rule, exemptions left out."""
    return [
        (rule.endpoint, method, example_url(rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in EXEMPT
        for method in UNSAFE_METHODS
        if method in (rule.methods or ())
    ]


def test_the_route_list_is_not_empty(app):
    endpoints = {endpoint for endpoint, _, _ in unsafe_routes(app)}
    # A sample of routes known to change state; the enumeration must find them.
    assert {"auth.logout", "auth.session_end", "admin.grant_create"} <= endpoints


def test_every_state_changing_route_refuses_a_request_without_a_csrf_token(app, csrf_client, world):
    as_user(csrf_client, world.hr)
    accepted = []
    for endpoint, method, url in unsafe_routes(app):
        response = csrf_client.open(url, method=method, data={"x": "1"})
        if response.status_code != 400:
            accepted.append(f"{method} {url} ({endpoint}) answered {response.status_code}")
    assert accepted == [], "routes that accepted a request without a CSRF token:\n" + "\n".join(
        accepted
    )


def test_a_forged_token_is_refused_too(csrf_client, world):
    as_user(csrf_client, world.hr)
    response = csrf_client.post(
        "/auth/logout", data={"csrf_token": "forged"}, headers={"X-CSRFToken": "forged"}
    )
    assert response.status_code == 400


def test_the_same_request_with_a_valid_token_passes_the_check(csrf_client, world):
    as_user(csrf_client, world.hr)
    response = post_form(csrf_client, "/auth/logout")
    assert response.status_code in (204, 303)
    assert csrf_client.get("/").status_code == 302  # signed out: the request did its work
