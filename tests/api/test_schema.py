"""The OpenAPI schema generates cleanly and the API docs page works offline (no CDN)."""

import re

import pytest
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

EXTERNAL_URL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)
MEMBERS_PATHS = [
    "/api/v1/towns/",
    "/api/v1/towns/{id}/",
    "/api/v1/communities/{id}/",
    "/api/v1/compounds/",
    "/api/v1/buildings/",
    "/api/v1/employers/",
    "/api/v1/people/{id}/",
    "/api/v1/registrations/{id}/confirm/",
    "/api/v1/registrations/{id}/return/",
    "/api/v1/registrations/{id}/withdraw/",
    "/api/v1/registrations/{id}/transfer/",
    "/api/v1/officers/{id}/end/",
    "/api/v1/officers/{id}/records/",
    "/api/v1/officers/{id}/letter/",
    "/api/v1/officers/strength/",
    "/api/v1/zones/{id}/assign/",
    "/api/v1/zones/{id}/unassign/",
    "/api/v1/roster-imports/",
    "/api/v1/roster-imports/{id}/commit/",
    "/api/v1/roster-export/",
    "/api/v1/me/",
    "/api/v1/notifications/",
    "/api/v1/notifications/mark-read/",
]


@pytest.fixture
def schema():
    """Generate in-process, collecting drf-spectacular's warnings and errors instead of printing them."""
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        generated = SchemaGenerator().get_schema(request=None, public=True)
    yield generated, dict(GENERATOR_STATS._warn_cache), dict(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()


def test_schema_generates_without_warnings_or_errors(schema):
    _, warnings, errors = schema
    assert errors == {}
    assert warnings == {}


def test_schema_is_valid_openapi(schema):
    generated, _, _ = schema
    validate_schema(generated)  # raises on a compliance error


def test_schema_documents_every_members_route(schema):
    generated, _, _ = schema
    missing = [p for p in MEMBERS_PATHS if p not in generated["paths"]]
    assert missing == []


def test_schema_documents_the_registration_actions_with_their_request_bodies(schema):
    generated, _, _ = schema
    paths = generated["paths"]
    assert "requestBody" in paths["/api/v1/registrations/{id}/return/"]["post"]
    assert "requestBody" in paths["/api/v1/registrations/{id}/transfer/"]["post"]
    assert "201" in paths["/api/v1/registrations/{id}/transfer/"]["post"]["responses"]
    assert "application/pdf" in paths["/api/v1/officers/{id}/letter/"]["get"]["responses"]["200"]["content"]


def test_schema_documents_the_towns_second_factor_switch_as_its_only_writable_field(schema):
    generated, _, _ = schema
    town = generated["paths"]["/api/v1/towns/{id}/"]
    assert "put" not in town and "delete" not in town
    body = town["patch"]["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    fields = generated["components"]["schemas"][body]["properties"]
    assert [name for name, spec in fields.items() if not spec.get("readOnly")] == ["require_2fa_for_staff"]
    assert "管理人员须动态口令" in town["patch"]["description"]


def test_spectacular_command_validates_and_fails_on_no_warning(tmp_path):
    # The same check CI runs: `manage.py spectacular --validate --fail-on-warn`
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert out.read_text(encoding="utf-8").startswith("openapi: 3")


def test_schema_endpoint_serves_the_schema_to_a_logged_in_user(cast, as_user):
    response = as_user("secretary").get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/registrations/" in response.content


def test_schema_and_docs_need_a_login(cast, as_user):
    assert as_user("anonymous").get("/api/schema/").status_code == 403
    assert as_user("anonymous").get("/api/docs/").status_code == 403


def test_docs_page_loads_nothing_from_a_cdn(cast, as_user):
    client = as_user("secretary")

    page = client.get("/api/docs/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui" in html
    assert EXTERNAL_URL.findall(html) == []
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    # The page's own init script (served by the same view) must not fetch from elsewhere either
    for script in re.findall(r'<script src="([^"]+)"', html):
        if script.startswith("/api/docs/"):
            body = client.get(script).content.decode()
            assert not re.search(r"https?://", body), body[:500]
