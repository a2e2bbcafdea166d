"""Every response carries a request id; error pages show it (and nothing about the failure); logs print it."""

import re

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.security.urls")]

HEX_ID = re.compile(r"^[0-9a-f]{32}$")


def test_a_fresh_request_id_is_generated_and_returned():
    response = Client().get("/accounts/login/")
    assert HEX_ID.match(response["X-Request-ID"])


def test_a_sane_incoming_request_id_is_kept():
    response = Client().get("/accounts/login/", headers={"X-Request-ID": "gw-2026-Abc-42"})
    assert response["X-Request-ID"] == "gw-2026-Abc-42"


@pytest.mark.parametrize(
    "incoming",
    ["x" * 65, "has space", "a\nforged log line", "semi;colon", "中文", "", "quote'"],
)
def test_an_insane_incoming_request_id_is_replaced(incoming):
    response = Client().get("/accounts/login/", HTTP_X_REQUEST_ID=incoming)
    assert HEX_ID.match(response["X-Request-ID"])


def test_a_crashing_page_shows_the_request_id_and_no_details_and_the_log_has_the_same_id(log_output):
    client = Client(raise_request_exception=False)

    response = client.get("/boom/", headers={"X-Request-ID": "trace-500-page"})

    assert response.status_code == 500
    assert response["X-Request-ID"] == "trace-500-page"
    body = response.content.decode()
    assert "trace-500-page" in body
    assert "服务器" in body
    for leak in ("Traceback", "RuntimeError", "SELECT", "members_person", "boom"):
        assert leak not in body
    error_lines = [line for line in log_output.getvalue().splitlines() if "ERROR" in line]
    assert error_lines, log_output.getvalue()
    assert all("[trace-500-page]" in line for line in error_lines), error_lines
    assert "Traceback" in log_output.getvalue()  # the details are in the log, not on the page


def test_a_crashing_api_endpoint_answers_json_with_the_request_id_only(log_output, api):
    response = api.get("/api/boom/", headers={"X-Request-ID": "trace-500-api"})

    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {
        "error": {
            "code": "server_error",
            "message": "服务器出错了，请稍后再试",
            "fields": {},
            "request_id": "trace-500-api",
        }
    }
    logged = log_output.getvalue()
    assert "[trace-500-api] core.api Unhandled API error: GET /api/boom/" in logged
    assert "RuntimeError: boom" in logged


def test_log_lines_outside_a_request_say_dash(log_output):
    import logging

    Client().get("/accounts/login/")
    logging.getLogger("core.test").warning("after the request")
    assert "[-] core.test after the request" in log_output.getvalue()


def test_the_500_page_renders_without_the_database(rf, django_assert_num_queries):
    from core.views import server_error

    request = rf.get("/anything/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    assert "请求编号" in response.content.decode()


def test_404_page_is_chinese_with_the_request_id():
    response = Client().get("/no-such-page/", headers={"X-Request-ID": "trace-404"})
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and "trace-404" in body


def test_404_under_the_api_is_json():
    response = Client().get("/api/v1/no-such-thing/", headers={"X-Request-ID": "trace-404-api"})
    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "not_found",
        "message": "页面不存在",
        "fields": {},
        "request_id": "trace-404-api",
    }


def test_403_and_400_pages_show_the_request_id(rf):
    from django.core.exceptions import PermissionDenied, SuspiciousOperation

    from core.security import bind_request_id
    from core.views import bad_request, permission_denied

    bind_request_id("trace-4xx")
    try:
        forbidden = permission_denied(rf.get("/x/"), PermissionDenied("secret detail"))
        bad = bad_request(rf.get("/x/"), SuspiciousOperation("secret detail"))
    finally:
        bind_request_id(None)
    assert forbidden.status_code == 403 and bad.status_code == 400
    for response in (forbidden, bad):
        body = response.content.decode()
        assert "trace-4xx" in body and "secret detail" not in body


def test_a_csrf_failure_is_our_403_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()
