"""Every kind of response carries the security headers; the CSP forbids inline script everywhere."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
)


def assert_security_headers(response, csp=CSP):
    assert response["Content-Security-Policy"] == csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert response["X-Request-ID"]


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("who", "method", "url", "status"),
    [
        ("anonymous", "get", "/accounts/login/", 200),  # page
        ("anonymous", "get", "/", 302),  # redirect to login
        ("secretary", "get", "/", 200),  # page with the member menus
        ("anonymous", "get", "/admin/login/", 200),  # admin login
        ("anonymous", "get", "/no-such-page/", 404),
        ("anonymous", "get", "/api/v1/people/", 403),  # API, refused
        ("secretary", "get", "/api/v1/people/", 200),  # API, data
        ("secretary", "get", "/api/v1/no-such-thing/", 404),
        ("secretary", "get", "/api/schema/", 200),
        ("anonymous", "post", "/accounts/login/", 200),  # form errors
    ],
)
def test_every_response_type_carries_the_security_headers(cast, who, method, url, status):
    client = Client() if who == "anonymous" else logged_in(getattr(cast, who))
    response = getattr(client, method)(url)
    assert response.status_code == status
    assert_security_headers(response)


def test_hsts_is_sent_on_https_in_production(cast, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = Client().get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert_security_headers(response)


def test_swagger_ui_keeps_script_src_self_and_only_allows_its_inline_style(cast):
    """drf-spectacular's split view loads its init script from a URL (?script=), so no inline script is
    needed; the page template has one inline <style> block, allowed on /api/docs/ only."""
    client = logged_in(cast.secretary)

    page = client.get("/api/docs/")
    script = client.get("/api/docs/?script=")

    assert page.status_code == 200 and script.status_code == 200
    relaxed = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    assert_security_headers(page, csp=relaxed)
    html = page.content.decode()
    assert "<script>" not in html  # every <script> has a src
    assert html.count("<script src=") == 3
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/static/drf_spectacular_sidecar/swagger-ui-dist/{asset}" in html  # served locally


def test_api_schema_and_docs_need_a_login(db):
    assert Client().get("/api/schema/").status_code == 403
    assert Client().get("/api/docs/").status_code == 403


@pytest.mark.urls("tests.security.urls")
def test_a_forged_x_forwarded_for_does_not_dodge_the_public_throttles(db):
    from django.core.cache import cache

    cache.clear()
    client = Client()
    statuses = [
        client.post("/api/throttled/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(7)
    ]
    assert statuses == [201] * 5 + [429] * 2
    assert Client(REMOTE_ADDR="192.0.2.9").post("/api/throttled/").status_code == 201
    cache.clear()
