"""The inbox (我的通知): every notification in the recipient's inbox, the bell on every page, read / unread,
the user's own channels (email, SMS through settings.SMS_BACKEND), the API — and nobody else's."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.states import CaseState
from core import notifications, sms
from core.errors import DomainError
from core.models import Notification, NotificationPreference, OutboxMessage
from members import services as member_services
from tests import factories as f
from tests.cases.factories import make_case

API = "/api/v1/notifications/"


@pytest.fixture(autouse=True)
def _sms_in_memory(settings):
    settings.SMS_BACKEND = "locmem"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def note_for(user, n=1, **kw):
    return [
        notifications.notify(recipient=user, kind="test", title=f"通知{i}", url=f"/cases/{i}/", **kw)
        for i in range(n)
    ]


# ------------------------------------------------------------------------------------------- services


def test_by_default_a_notification_is_emailed_and_not_texted(cast, django_capture_on_commit_callbacks):
    cast.member.email, cast.member.mobile = "mike@example.cn", "13957310001"
    cast.member.save(update_fields=["email", "mobile"])
    with django_capture_on_commit_callbacks(execute=True):
        (note,) = note_for(cast.member)
    assert len(mail.outbox) == 1 and sms.outbox == []
    assert set(OutboxMessage.objects.values_list("key", flat=True)) == {f"notification-email:{note.pk}"}


def test_a_user_who_chose_sms_gets_one_text_and_no_email(cast, django_capture_on_commit_callbacks):
    cast.member.email, cast.member.mobile = "mike@example.cn", "13957310001"
    cast.member.save(update_fields=["email", "mobile"])
    notifications.set_preferences(user=cast.member, mail_enabled=False, sms_enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        (note,) = note_for(cast.member)
    assert mail.outbox == []
    assert [(m.to, m.text) for m in sms.outbox] == [("13957310001", "【民情流水线】通知0")]
    # a redelivered task sends nothing more
    assert notifications.deliver_sms(note.pk) is False
    assert len(sms.outbox) == 1
    note.refresh_from_db()
    assert note.smsed_at is not None


def test_sms_without_a_mobile_number_is_refused_naming_the_field(cast):
    # the outsider has no number on the account and no roster record
    with pytest.raises(DomainError) as refused:
        notifications.set_preferences(user=cast.outsider, sms_enabled=True)
    assert "sms_enabled" in refused.value.fields
    assert not NotificationPreference.objects.filter(user=cast.outsider).exists()


def test_without_a_number_on_the_account_the_sms_goes_to_the_roster_number(
    cast, django_capture_on_commit_callbacks
):
    assert cast.member.mobile == "" and cast.member_person.mobile
    notifications.set_preferences(user=cast.member, mail_enabled=False, sms_enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        note_for(cast.member)
    assert [m.to for m in sms.outbox] == [cast.member_person.mobile]


def test_the_sms_text_fits_one_message():
    long = Notification(title="新交办民情 MQ-0001", body="电梯" * 200)
    assert len(notifications.sms_text(long)) <= notifications.SMS_MAX_CHARS


def test_an_assignment_lands_in_the_assignees_inbox(cast, as_user):
    case = make_case(cast.beijie, by=cast.secretary, state=CaseState.CLASSIFIED)
    as_user("secretary").post(
        f"/api/v1/cases/{case.pk}/assign/", {"assignee": cast.officer.pk}, format="json"
    )
    rows = as_user("officer").get(API).json()["results"]
    assert [(r["kind"], r["url"]) for r in rows] == [("case_assigned", f"/cases/{case.pk}/")]


def test_a_returned_registration_tells_the_member(cast):
    registration = f.RegistrationFactory(person=cast.member_person, community=cast.beijie)
    member_services.registration_return(registration=registration, by=cast.secretary, reason="住址不在本社区")
    note = Notification.objects.get(recipient=cast.member, kind="registration_returned")
    assert "住址不在本社区" in note.body and note.url == "/me/registration/"


# ------------------------------------------------------------------------------------------------ API


def test_the_api_lists_only_the_users_own_notifications(cast, as_user):
    note_for(cast.member, 2)
    (theirs,) = note_for(cast.officer)
    rows = as_user("member").get(API).json()["results"]
    assert {r["title"] for r in rows} == {"通知0", "通知1"}
    assert as_user("member").get(f"{API}{theirs.pk}/").status_code == 404
    assert as_user("member").post(f"{API}{theirs.pk}/read/").status_code == 404
    assert as_user("anonymous").get(API).status_code in (401, 403)


def test_read_one_filter_unread_and_mark_all(cast, as_user):
    first, second, third = note_for(cast.member, 3)
    client = as_user("member")
    response = client.post(f"{API}{first.pk}/read/")
    assert response.status_code == 200 and response.json()["read_at"]
    assert client.get(f"{API}unread-count/").json() == {"unread": 2}
    assert {r["id"] for r in client.get(API, {"unread": "true"}).json()["results"]} == {second.pk, third.pk}
    assert {r["id"] for r in client.get(API, {"unread": "false"}).json()["results"]} == {first.pk}
    assert client.post(f"{API}mark-read/", {}, format="json").json() == {"marked": 2}
    assert client.get(f"{API}unread-count/").json() == {"unread": 0}


def test_preferences_through_the_api(cast, as_user):
    client = as_user("member")
    assert client.get(f"{API}preferences/").json() == {
        "in_app": True,
        "mail_enabled": True,
        "sms_enabled": False,
    }
    response = client.patch(f"{API}preferences/", {"mail_enabled": False}, format="json")
    assert response.json() == {"in_app": True, "mail_enabled": False, "sms_enabled": False}
    refused = as_user("outsider").patch(f"{API}preferences/", {"sms_enabled": True}, format="json")
    assert refused.status_code == 400 and "sms_enabled" in refused.json()["error"]["fields"]
    assert notifications.preferences_for(cast.outsider).sms_enabled is False


@pytest.mark.parametrize("rows", [3, 30])
def test_the_list_reads_a_constant_number_of_queries(cast, as_user, rows, django_assert_max_num_queries):
    note_for(cast.member, rows)
    client = as_user("member")
    # the page's rows; the total for the pager
    with django_assert_max_num_queries(2):
        assert len(client.get(API).json()["results"]) == rows


# ---------------------------------------------------------------------------------------------- pages


def test_the_inbox_page_shows_own_notifications_with_read_and_unread_tabs(cast, client):
    first, second = note_for(cast.member, 2)
    note_for(cast.officer)
    notifications.mark_read(user=cast.member, ids=[first.pk])
    client.force_login(cast.member)
    page = client.get("/inbox/").content.decode()
    assert "通知0" in page and "通知1" in page
    unread = client.get("/inbox/", {"tab": "unread"}).content.decode()
    assert "通知1" in unread and "通知0" not in unread
    read = client.get("/inbox/", {"tab": "read"}).content.decode()
    assert "通知0" in read and "通知1" not in read


def test_the_inbox_is_paginated(cast, client):
    note_for(cast.member, 25)
    client.force_login(cast.member)
    assert "第 1 / 2 页" in client.get("/inbox/").content.decode()
    assert client.get("/inbox/", {"page": 2}).context["page_obj"].object_list.__len__() == 5


def test_opening_a_notification_marks_it_read_and_goes_to_its_object(cast, client):
    (note,) = note_for(cast.member)
    client.force_login(cast.member)
    response = client.get(f"/inbox/{note.pk}/")
    assert response.status_code == 302 and response["Location"] == "/cases/0/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_a_link_off_the_site_is_not_followed(cast, client):
    note = notifications.notify(recipient=cast.member, kind="t", title="x", url="https://evil.example/")
    client.force_login(cast.member)
    assert client.get(f"/inbox/{note.pk}/")["Location"] == "/inbox/"


def test_another_users_notification_is_a_404_on_every_page(cast, client):
    (theirs,) = note_for(cast.officer)
    client.force_login(cast.member)
    assert client.get(f"/inbox/{theirs.pk}/").status_code == 404
    assert client.post(f"/inbox/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_one_and_mark_all_read_on_the_page(cast, client):
    first, _second, _third = note_for(cast.member, 3)
    client.force_login(cast.member)
    assert (
        client.post(f"/inbox/{first.pk}/read/", {"next": "/inbox/?tab=unread"})["Location"]
        == "/inbox/?tab=unread"
    )
    assert notifications.unread_count(cast.member) == 2
    client.post("/inbox/all-read/")
    assert notifications.unread_count(cast.member) == 0


def test_the_inbox_needs_a_login(client):
    response = client.get("/inbox/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_preferences_page_saves_the_choice_and_names_a_missing_number(cast, client):
    client.force_login(cast.member)
    assert client.post("/inbox/settings/", {"mail_enabled": ""}).status_code == 302
    assert notifications.preferences_for(cast.member).mail_enabled is False
    client.force_login(cast.outsider)  # no number on the account, no roster record
    page = client.post("/inbox/settings/", {"sms_enabled": "on"})
    assert page.status_code == 200 and "账号未登记手机号" in page.content.decode()


@pytest.mark.parametrize("rows", [3, 40])
def test_the_inbox_page_reads_a_constant_number_of_queries(cast, client, rows):
    note_for(cast.member, rows)
    client.force_login(cast.member)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/inbox/").status_code == 200
    inbox = [q["sql"] for q in queries.captured_queries if "core_notification" in q["sql"]]
    # the tab counts (one aggregate), the page's rows, the bell's count
    assert len(inbox) == 3, inbox


# ----------------------------------------------------------------------------------------------- bell


@pytest.mark.parametrize("rows", [1, 30])
def test_the_bell_shows_the_unread_count_on_a_page_with_one_query(cast, client, rows):
    note_for(cast.member, rows)
    client.force_login(cast.member)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/").content.decode()
    assert 'class="bell' in page and f'data-unread="{rows}"' in page
    # one COUNT for the bell, which the home's 未读通知 reads too (it adds only its three latest)
    counted = [
        q["sql"] for q in queries.captured_queries if "core_notification" in q["sql"] and "COUNT(" in q["sql"]
    ]
    assert len(counted) == 1, counted


def test_the_bell_has_no_badge_when_all_is_read_and_shows_99_plus(cast, client):
    client.force_login(cast.member)
    page = client.get("/").content.decode()
    assert 'class="bell' in page and "data-unread" not in page
    note_for(cast.member, 100)
    assert ">99+</span>" in client.get("/").content.decode()


def test_the_login_page_has_no_bell(client):
    assert 'class="bell' not in client.get("/accounts/login/").content.decode()
