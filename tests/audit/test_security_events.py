"""Logins, failed logins, lockouts, logouts and permission denials are in the trail too — with the
username typed but never the password, and the address from REMOTE_ADDR only."""

import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from core.models import AuditEvent
from tests.audit.conftest import events, mark
from tests.cases.factories import make_case

PASSWORD = "pass-1234-word"  # tests.factories.UserFactory


def login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_a_login_and_a_logout_are_recorded_with_the_address(cast):
    client = Client(REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="10.9.9.9")
    start = mark()

    assert login(client, "alice", PASSWORD).status_code == 302
    client.post("/accounts/logout/")

    [logged_in] = events(start, action="login")
    assert logged_in.actor == cast.secretary and logged_in.ip == "192.0.2.10"  # never the forwarded header
    assert logged_in.request_id
    [logged_out] = events(start, action="logout")
    assert logged_out.actor == cast.secretary


def test_a_failed_login_records_the_username_but_never_the_password(cast):
    start = mark()

    login(Client(REMOTE_ADDR="192.0.2.11"), "alice", "Secret-guess-42")

    [failed] = events(start, action="login_failed")
    assert failed.actor is None and failed.actor_label == "alice" and failed.ip == "192.0.2.11"
    assert "Secret-guess-42" not in json.dumps(list(AuditEvent.objects.values()), default=str)


def test_the_fifth_failure_locks_the_account_and_the_lockout_is_recorded(cast):
    client = Client(REMOTE_ADDR="192.0.2.12")
    start = mark()

    statuses = [login(client, "alice", "wrong-password").status_code for _ in range(5)]

    assert statuses[-1] == 429
    assert len(events(start, action="login_failed")) == 5
    [locked] = events(start, action="lockout")
    assert locked.actor_label == "alice" and locked.ip == "192.0.2.12"


def test_an_api_permission_denial_is_recorded_with_the_user_and_the_route(cast, as_user):
    start = mark()

    response = as_user("officer").post("/api/v1/cases/", {"community": cast.beijie.pk, "channel": "hotline"})

    assert response.status_code == 403
    [denied] = events(start, action="permission_denied")
    assert denied.actor == cast.officer and denied.reason == "permission_denied"
    assert denied.extra == {"method": "POST", "path": "/api/v1/cases/", "view": "case-list", "status": 403}
    assert denied.request_id == response["X-Request-ID"]


def test_a_refusal_by_a_service_is_recorded_with_its_code(cast, as_user):
    start = mark()
    response = as_user("deputy").get("/api/v1/roster-export/")
    assert response.status_code == 403
    [denied] = events(start, action="permission_denied")
    assert denied.actor == cast.deputy and denied.extra["view"] == "roster-export"
    assert denied.reason == response.json()["error"]["code"]


def test_an_object_outside_the_users_scope_is_a_404_not_a_denial(cast, as_user):
    case = make_case(cast.beijie, by=cast.secretary)
    start = mark()
    assert as_user("other_secretary").post(f"/api/v1/cases/{case.pk}/close/", {}).status_code == 404
    assert not events(start, action="permission_denied")


def test_an_anonymous_api_call_is_recorded_as_a_denial(db):
    start = mark()
    response = APIClient(REMOTE_ADDR="198.51.100.7").get("/api/v1/people/")
    assert response.status_code == 403
    [denied] = events(start, action="permission_denied")
    assert denied.actor is None and denied.actor_label == "anonymous" and denied.ip == "198.51.100.7"
    assert denied.reason == "not_authenticated"


def test_a_page_refusing_a_member_is_recorded(cast):
    client = Client()
    client.force_login(cast.member)
    start = mark()

    response = client.get("/roster/")

    assert response.status_code == 403
    [denied] = events(start, action="permission_denied")
    assert denied.actor == cast.member and denied.extra["view"] == "members:roster"


@pytest.mark.parametrize("path", ["/roster/", "/api/v1/people/"])
def test_allowed_requests_record_no_denial(cast, path):
    client = Client()
    client.force_login(cast.secretary)
    start = mark()
    assert client.get(path).status_code == 200
    assert not events(start, action="permission_denied")
