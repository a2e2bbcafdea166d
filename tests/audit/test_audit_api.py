"""Auditors (the 审计员 group: core.view_auditevent / core.view_accesslog) read the trail and the access
log — through a read-only, filterable, paginated API and a read-only admin. Nobody else does."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.test import Client
from rest_framework.test import APIClient

from core import audit
from core.apps import AUDITOR_GROUP
from members import services
from members.models import User
from tests import factories as f
from tests.audit.conftest import mark

T0 = dt.datetime(2026, 9, 30, 16, 0, tzinfo=dt.UTC)


@pytest.fixture
def auditor(cast):
    user = f.UserFactory(username="audrey", first_name="审计")
    user.groups.add(Group.objects.get(name=AUDITOR_GROUP))
    return user


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("path", ["/api/v1/audit-events/", "/api/v1/access-logs/"])
@pytest.mark.parametrize("persona", ["secretary", "town", "outsider"])
def test_the_trail_is_closed_to_everyone_but_auditors(cast, as_user, path, persona):
    assert as_user(persona).get(path).status_code == 403
    assert as_user("anonymous").get(path).status_code == 403


@pytest.mark.parametrize("path", ["/api/v1/audit-events/", "/api/v1/access-logs/"])
def test_an_auditor_reads_but_cannot_write(auditor, path):
    client = client_for(auditor)
    assert client.get(path).status_code == 200
    assert client.post(path, {"action": "forged"}).status_code == 405
    row = audit.record(action="test") if "audit" in path else audit.record_access(what="export")
    assert client.delete(f"{path}{row.pk}/").status_code == 405
    assert client.patch(f"{path}{row.pk}/", {"reason": "x"}).status_code == 405
    assert client.get(f"{path}{row.pk}/").status_code == 200


def test_an_auditor_follows_one_persons_history(cast, auditor):
    person = cast.member_person
    services.person_save(by=cast.secretary, person=person, note="已迁入")
    services.person_save(by=cast.secretary, person=cast.officer_person, note="另一人")

    body = (
        client_for(auditor)
        .get("/api/v1/audit-events/", {"object_type": "members.Person", "object_id": person.pk})
        .json()
    )

    assert [e["action"] for e in body["results"]] == ["update", "create"]  # newest first
    assert body["results"][0]["changes"] == {"note": ["", "已迁入"]}


def test_the_trail_filters_by_actor_action_community_and_date(cast, auditor):
    with time_machine.travel(T0):
        audit.record(action="login", actor=cast.secretary)
    with time_machine.travel(T0 + dt.timedelta(days=10)):
        audit.record(action="login", actor=cast.secretary)
        audit.record(action="login", actor=cast.staff)
    client = client_for(auditor)

    def count(**params):
        return client.get("/api/v1/audit-events/", params).json()["count"]

    assert count(action="login", actor=cast.secretary.pk) == 2
    assert count(action="login", since="2026-10-05T00:00:00+08:00") == 2
    assert count(action="login", until="2026-10-05T00:00:00+08:00") == 1
    start = mark()
    services.person_save(by=cast.other_secretary, person=cast.foreign_person, note="长城")
    assert count(community_id=cast.changcheng.pk, action="update") == 1 and mark() > start


def test_the_access_log_filters_by_kind_and_object(cast, auditor, as_user):
    as_user("secretary").get(f"/api/v1/people/{cast.member_person.pk}/")
    as_user("secretary").get("/api/v1/roster-export/")
    client = client_for(auditor)
    reads = client.get("/api/v1/access-logs/", {"what": "read_full"}).json()["results"]
    assert [(r["object_type"], r["object_id"]) for r in reads] == [
        ("members.Person", str(cast.member_person.pk))
    ]
    assert reads[0]["actor_label"] == "alice"


@pytest.mark.parametrize("path", ["/api/v1/audit-events/", "/api/v1/access-logs/"])
def test_list_queries_do_not_grow_with_rows_or_page_size(cast, auditor, path, django_assert_max_num_queries):
    def add(n):
        for i in range(n):
            if "audit" in path:
                audit.record(action="test", actor=cast.secretary, extra={"i": i})
            else:
                audit.record_access(what="export", actor=cast.secretary)

    def measure(**params):
        client = client_for(User.objects.get(pk=auditor.pk))  # a fresh login: no cached permissions
        with django_assert_max_num_queries(6) as captured:
            assert client.get(path, params).status_code == 200
        return len(captured.captured_queries)

    add(3)
    few = measure()
    add(60)
    assert measure() == measure(page_size=5) == measure(page_size=200) == few
    assert client_for(auditor).get(path, {"page_size": 5}).json()["count"] >= 63


def test_the_admin_shows_the_trail_read_only(cast, auditor):
    auditor.is_staff = True
    auditor.save()
    event = audit.record(action="test", actor=cast.secretary)
    client = Client()
    client.force_login(auditor)

    assert client.get("/admin/core/auditevent/").status_code == 200
    assert client.get(f"/admin/core/auditevent/{event.pk}/change/").status_code == 200  # view only
    assert client.get("/admin/core/auditevent/add/").status_code == 403
    assert client.post(f"/admin/core/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/core/accesslog/").status_code == 200
