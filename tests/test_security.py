"""Security headers, caching, cookies, redirects that stay home, health checks."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests import factories
from tests.conftest import as_user, csrf_token_from, login, post_form


def assert_security_headers(response) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts, f"no script policy in {csp!r}"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert directives.get("frame-ancestors") == ["'none'"]
    assert directives.get("object-src") == ["'none'"]
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("Referrer-Policy") in ("same-origin", "no-referrer")
    assert "HX-Request" in response.headers.get("Vary", "")


def test_security_headers_are_on_anonymous_responses(client):
    for url in ["/auth/login", "/healthz", "/readyz", "/static/js/portal.js", "/no-such-page"]:
        with client.get(url) as response:
            assert_security_headers(response)


def test_security_headers_are_on_signed_in_pages_errors_fragments_and_redirects(client, world):
    as_user(client, world.hr)
    responses = [
        client.get("/"),
        client.get("/admin/audit"),
        client.get("/admin/audit", headers={"HX-Request": "true"}),
        client.get("/no-such-page"),
        client.get(f"/org/people/{10**9}"),
        post_form(client, "/auth/logout"),
    ]
    assert [r.status_code for r in responses[:5]] == [200, 200, 200, 404, 404]
    for response in responses:
        assert_security_headers(response)


def test_signed_in_pages_are_not_stored_by_caches(client, world):
    as_user(client, world.sup_a)
    for url in ["/", "/auth/sessions", "/no-such-page"]:
        assert "no-store" in client.get(url).headers.get("Cache-Control", "")


def test_static_files_may_be_cached(client, world):
    as_user(client, world.sup_a)
    with client.get("/static/js/portal.js") as response:
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")


def session_cookie_header(response) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("portal_session=")]
    assert headers, "the response sets no session cookie"
    return headers[-1]


def test_the_session_cookie_is_httponly_and_samesite_lax(client, world):
    response = login(client, world.sup_a)
    assert response.status_code == 303
    cookie = session_cookie_header(response).lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie


def test_the_session_cookie_is_secure_over_https(client, world):
    https = "https://localhost"
    page = client.get("/auth/login", base_url=https)
    response = client.post(
        "/auth/login",
        base_url=https,
        # Over https the CSRF check also wants a same-origin Referer, as browsers send.
        headers={"Referer": f"{https}/auth/login"},
        data={
            "email": world.sup_a.email,
            "password": factories.PASSWORD,
            "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 303
    cookie = session_cookie_header(response).lower()
    assert "; secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "max-age" in response.headers.get("Strict-Transport-Security", "").lower()


OFF_SITE = [
    "//evil.example",
    "//evil.example/path",
    "https://evil.example",
    "http://evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "/\t/evil.example",
    "evil.example",
]


def assert_stays_on_the_portal(location: str) -> None:
    parts = urlsplit(location)
    assert parts.scheme in ("", "http", "https")
    assert parts.netloc in ("", "localhost"), location
    assert parts.path.startswith("/") and not parts.path.startswith("//"), location
    assert "\\" not in location and "evil" not in location
    assert not any(ord(c) < 0x21 for c in location)


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_never_redirects_off_the_portal(client, world, target):
    page = client.get("/auth/login", query_string={"next": target}).get_data(as_text=True)
    response = client.post(
        "/auth/login",
        data={
            "email": world.sup_a.email,
            "password": factories.PASSWORD,
            "next": target,
            "csrf_token": csrf_token_from(page),
        },
    )
    assert response.status_code == 303
    assert_stays_on_the_portal(response.headers["Location"])


@pytest.mark.parametrize("target", OFF_SITE)
def test_changing_the_language_never_redirects_off_the_portal(client, world, target):
    as_user(client, world.sup_a)
    response = post_form(client, "/language", {"lang": "ja", "next": target})
    assert response.status_code == 303
    assert_stays_on_the_portal(response.headers["Location"])


def test_a_next_on_the_portal_is_followed(client, world):
    page = client.get("/auth/login").get_data(as_text=True)
    response = client.post(
        "/auth/login",
        data={
            "email": world.sup_a.email,
            "password": factories.PASSWORD,
            "next": "/auth/sessions?x=1",
            "csrf_token": csrf_token_from(page),
        },
    )
    assert response.headers["Location"] == "/auth/sessions?x=1"


def test_a_signed_out_visit_is_sent_to_sign_in_with_a_local_next(client):
    response = client.get("/admin/audit?actor=x")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/login"
    assert parse_qs(location.query)["next"] == ["/admin/audit?actor=x"]


def test_health_checks_answer_200(client):
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json() == {"status": "ok"}
