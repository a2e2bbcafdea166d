"""The volunteering API end to end: the member's phone flow, the office's work, bad input with the one
error shape, and the OpenAPI schema."""

import pytest
import time_machine
from django.core import mail

from core.models import Notification
from volunteering import checkin
from volunteering.models import ClaimStatus, RecordStatus, ServiceRecord, SignUp

from .factories import ItemFactory, PostFactory, ProgrammeFactory, at, registered_member

pytestmark = pytest.mark.django_db

API = "/api/v1/volunteering"


@pytest.fixture(autouse=True)
def _march_2026():
    with time_machine.travel(at(2026, 3, 10, 9), tick=False):
        yield


def test_member_claims_a_post_signs_up_checks_in_and_out_and_sees_the_ledger(cast, registered, as_user):
    post = PostFactory(community=cast.beijie, name="法律服务岗", specialties=["法律咨询"])
    PostFactory(community=cast.beijie, name="环境卫生岗", specialties=["环境整治"])
    member, secretary = as_user("member"), as_user("secretary")

    suggested = member.get(f"{API}/posts/suggested/").json()
    assert [p["name"] for p in suggested][:1] == ["法律服务岗"] and suggested[0]["match_score"] == 2

    claim = member.post(f"{API}/claims/", {"post": post.pk, "note": "我是律师"}, format="json")
    assert claim.status_code == 201, claim.json()
    assert claim.json()["status"] == "pending" and claim.json()["person"] == cast.member_person.pk
    approved = secretary.post(f"{API}/claims/{claim.json()['id']}/approve/")
    assert approved.json()["status"] == ClaimStatus.APPROVED

    created = secretary.post(
        f"{API}/items/",
        {
            "title": "法律咨询进小区",
            "place": "社区服务站",
            "starts_at": "2026-03-14T09:00:00+08:00",
            "ends_at": "2026-03-14T11:00:00+08:00",
            "capacity": 2,
            "post": post.pk,
            "required_skills": ["法律咨询"],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    item_id = created.json()["id"]
    assert created.json()["organiser"] == cast.secretary.pk

    signed = member.post(f"{API}/items/{item_id}/sign-up/", {}, format="json")
    assert signed.status_code == 201 and signed.json()["status"] == "confirmed"
    listed = member.get(f"{API}/items/", {"mine": True}).json()["results"]
    assert [(i["id"], i["my_status"], i["places_left"]) for i in listed] == [(item_id, "confirmed", 1)]
    assert member.get(f"{API}/items/calendar-link/").json()["url"].endswith(".ics")

    item = ItemFactory._meta.model.objects.get(pk=item_id)
    with time_machine.travel(at(2026, 3, 14, 8, 50), tick=False):
        token = checkin.make_token(item)
        code = secretary.get(f"{API}/items/{item_id}/checkin-code/").json()
        assert code["svg"].startswith("<svg") and len(code["code"]) == 6
        first = member.post(f"{API}/items/check-in/", {"code": code["code"]}, format="json")
        assert first.status_code == 200, first.json()
        assert first.json()["changed"] is True
        replay = member.post(f"{API}/items/{item_id}/check-in/", {"token": token}, format="json")
        assert replay.json()["changed"] is False
    with time_machine.travel(at(2026, 3, 14, 10, 30), tick=False):
        out = member.post(
            f"{API}/items/{item_id}/check-out/", {"token": checkin.make_token(item)}, format="json"
        )
    assert out.status_code == 200 and out.json()["record"]["minutes"] == 90

    ledger = member.get(f"{API}/ledgers/{cast.member_person.pk}/", {"year": 2026}).json()
    assert ledger["items_done"] == 1 and ledger["hours_done"] == "1.5"
    assert ledger["claims"][0]["post_name"] == "法律服务岗"
    assert ledger["conduct_notes"] is None
    assert secretary.get(f"{API}/ledgers/{cast.member_person.pk}/").json()["conduct_notes"] == []


def test_waitlist_promotion_through_the_api_tells_the_member(
    cast, as_user, django_capture_on_commit_callbacks
):
    item = ItemFactory(community=cast.beijie, capacity=1, starts_at=at(2026, 3, 14, 9))
    first, second = registered_member(cast.beijie), registered_member(cast.beijie)
    second.user.email = "second@example.org"
    second.user.save()
    from rest_framework.test import APIClient

    a, b = APIClient(), APIClient()
    a.force_authenticate(first.user)
    b.force_authenticate(second.user)
    mine = a.post(f"{API}/items/{item.pk}/sign-up/").json()
    waiting = b.post(f"{API}/items/{item.pk}/sign-up/").json()
    assert waiting["status"] == "waitlisted" and waiting["waitlist_position"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = a.post(f"{API}/signups/{mine['id']}/cancel/")
    assert cancelled.json()["status"] == "cancelled"
    assert b.get(f"{API}/signups/{waiting['id']}/").json()["status"] == "confirmed"
    assert Notification.objects.filter(recipient=second.user, kind="volunteering.waitlist_promoted").exists()
    assert mail.outbox[0].to == ["second@example.org"]


@pytest.mark.parametrize(
    ("setup", "expected_code"),
    [
        ("past", "item_past"),
        ("cancelled", "item_cancelled"),
    ],
)
def test_bad_sign_ups_get_a_clear_error_and_change_nothing(cast, registered, as_user, setup, expected_code):
    start = at(2026, 3, 9, 9) if setup == "past" else at(2026, 3, 14, 9)
    item = ItemFactory(
        community=cast.beijie, starts_at=start, status=setup if setup == "cancelled" else "open"
    )
    response = as_user("member").post(f"{API}/items/{item.pk}/sign-up/")
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == expected_code and body["message"]
    assert not SignUp.objects.exists()


def test_wrong_and_expired_codes_through_the_api(cast, registered, as_user):
    item = ItemFactory(community=cast.beijie, starts_at=at(2026, 3, 14, 9))
    SignUp.objects.create(
        item=item, person=cast.member_person, status="confirmed", queued_at=at(2026, 3, 1, 9)
    )
    with time_machine.travel(at(2026, 3, 14, 8, 40), tick=False):
        old = checkin.make_token(item)
    with time_machine.travel(at(2026, 3, 14, 9, 0), tick=False):
        wrong = as_user("member").post(f"{API}/items/{item.pk}/check-in/", {"code": "ZZZZZZ"}, format="json")
        expired = as_user("member").post(f"{API}/items/{item.pk}/check-in/", {"token": old}, format="json")
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (400, "checkin_code_wrong")
    assert (expired.status_code, expired.json()["error"]["code"]) == (400, "checkin_code_expired")
    assert SignUp.objects.get().checked_in_at is None


def test_hours_outside_the_window_through_the_api(cast, registered, as_user):
    item = ItemFactory(community=cast.beijie, starts_at=at(2026, 3, 7, 9), ends_at=at(2026, 3, 7, 11))
    response = as_user("member").post(
        f"{API}/records/",
        {
            "item": item.pk,
            "started_at": "2026-03-07T08:00:00+08:00",
            "ended_at": "2026-03-07T10:00:00+08:00",
            "content": "巡逻",
        },
        format="json",
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "outside_item_window"
    assert not ServiceRecord.objects.exists()
    ok = as_user("member").post(
        f"{API}/records/",
        {
            "item": item.pk,
            "started_at": "2026-03-07T09:00:00+08:00",
            "ended_at": "2026-03-07T10:00:00+08:00",
            "content": "巡逻",
        },
        format="json",
    )
    assert ok.status_code == 201 and ok.json()["unverified"] is True and ok.json()["status"] == "pending"
    approved = as_user("staff").post(
        f"{API}/records/{ok.json()['id']}/approve/", {"evaluation": "good"}, format="json"
    )
    assert approved.json()["status"] == RecordStatus.APPROVED and approved.json()["evaluation"] == "good"


def test_capacity_below_sign_ups_is_refused_through_the_api(cast, as_user):
    item = ItemFactory(community=cast.beijie, capacity=2, starts_at=at(2026, 3, 14, 9))
    for _ in range(2):
        p = registered_member(cast.beijie)
        SignUp.objects.create(item=item, person=p, status="confirmed", queued_at=at(2026, 3, 1, 9))
    refused = as_user("secretary").patch(f"{API}/items/{item.pk}/", {"capacity": 1}, format="json")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "capacity_below_signups"
    assert "capacity" in refused.json()["error"]["fields"]
    done = as_user("secretary").patch(
        f"{API}/items/{item.pk}/", {"capacity": 1, "demote_excess": True}, format="json"
    )
    assert (
        done.status_code == 200 and done.json()["confirmed_count"] == 1 and done.json()["waitlist_count"] == 1
    )


def test_claiming_a_full_post_through_the_api(cast, registered, as_user):
    post = PostFactory(community=cast.beijie, capacity=1)
    registered_member(cast.beijie)
    other = registered_member(cast.beijie)
    from volunteering import services

    services.claim_submit(post=post, person=other, by=other.user)
    response = as_user("member").post(f"{API}/claims/", {"post": post.pk}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "post_full"


def test_requirement_and_export_for_the_office(cast, registered, as_user):
    body = as_user("secretary").get(f"{API}/requirement/", {"year": 2026}).json()
    assert body["members"] == 1 and body["behind"] == 1
    assert body["employers"][0]["employer_name"] == "县人民医院"
    assert body["policy"]["min_items"] == 1 and body["policy"]["is_default"] is True
    town = as_user("town").get(f"{API}/requirement/", {"community": cast.beijie.pk}).json()
    assert town["community"] == cast.beijie.pk
    export = as_user("secretary").get(f"{API}/ledgers/export/", {"year": 2026})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")


def test_policy_is_set_by_the_office(cast, as_user):
    response = as_user("secretary").put(
        f"{API}/policies/{cast.beijie.pk}/",
        {"min_items": 2, "target_items": 4, "min_hours": "6", "target_hours": "12"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["requirement_text"].startswith("至少 2 项")
    assert as_user("member").get(f"{API}/policies/{cast.beijie.pk}/").json()["min_items"] == 2
    bad = as_user("secretary").put(
        f"{API}/policies/{cast.beijie.pk}/", {"min_items": 3, "target_items": 1}, format="json"
    )
    assert bad.status_code == 400 and "target_items" in bad.json()["error"]["fields"]


def test_goods_hand_out_and_skills_through_the_api(cast, registered, as_user):
    shop = ProgrammeFactory(community=cast.beijie, kind="love_supermarket", name="爱心超市")
    good = as_user("staff").post(
        f"{API}/goods/",
        {
            "programme": shop.pk,
            "name": "书包",
            "category": "schoolbags",
            "quantity": 2,
            "received_on": "2026-03-01",
        },
        format="json",
    )
    assert good.status_code == 201
    out = as_user("staff").post(
        f"{API}/goods/{good.json()['id']}/hand-out/",
        {"recipient_name": "困难户", "quantity": 3},
        format="json",
    )
    assert out.status_code == 409 and out.json()["error"]["code"] == "out_of_stock"
    skill = as_user("member").post(
        f"{API}/skills/",
        {"programme": shop.pk, "skill": "维修电器", "contact_phone": "13900001111"},
        format="json",
    )
    assert skill.status_code == 201 and skill.json()["person"] == cast.member_person.pk
    assert as_user("officer").get(f"{API}/skills/").json()["count"] == 1


def test_the_schema_lists_the_volunteering_routes(as_user):
    response = as_user("secretary").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200, response.content[:300]
    paths = response.json()["paths"]
    for path in (
        "/api/v1/volunteering/items/{id}/sign-up/",
        "/api/v1/volunteering/items/{id}/check-in/",
        "/api/v1/volunteering/ledgers/export/",
        "/api/v1/volunteering/requirement/",
        "/api/v1/volunteering/conduct-notes/",
        "/api/v1/volunteering/goods/{id}/hand-out/",
    ):
        assert path in paths, path
