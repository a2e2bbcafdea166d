"""The phone-first pages: each renders for the roles that use it, refuses the others, and its forms call
the services (a refused rule shows as a message, nothing changes)."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from volunteering import calendar, checkin
from volunteering.models import ClaimStatus, ProgrammeKind, RecordSource, RecordStatus, SignUp, SignUpStatus

from .factories import (
    ClaimFactory,
    GoodFactory,
    ItemFactory,
    PairingFactory,
    PostFactory,
    ProgrammeFactory,
    RecordFactory,
    SignUpFactory,
    SkillFactory,
    at,
    registered_member,
)

pytestmark = pytest.mark.django_db

NOW = at(2026, 3, 14, 9, 10)


@pytest.fixture(autouse=True)
def _saturday():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def town_life(cast, registered):
    post = PostFactory(community=cast.beijie, name="治安巡逻岗", specialties=["治安巡逻"])
    other = registered_member(cast.beijie)
    ClaimFactory(post=post, person=other)
    today = ItemFactory(
        community=cast.beijie,
        title="楼道清扫",
        starts_at=at(2026, 3, 14, 9),
        ends_at=at(2026, 3, 14, 11),
        organiser=cast.staff,
        post=post,
    )
    SignUpFactory(item=today, person=cast.member_person)
    upcoming = ItemFactory(
        community=cast.beijie, title="防诈骗宣传", starts_at=at(2026, 3, 21, 9), capacity=1
    )
    past = ItemFactory(
        community=cast.beijie, title="看望空巢老人", starts_at=at(2026, 3, 7, 9), ends_at=at(2026, 3, 7, 11)
    )
    RecordFactory(item=past, person=other, status=RecordStatus.PENDING, source=RecordSource.SELF_REPORTED)
    shop = ProgrammeFactory(community=cast.beijie, kind=ProgrammeKind.LOVE_SUPERMARKET, name="爱心超市")
    GoodFactory(programme=shop)
    SkillFactory(programme=shop, person=cast.member_person)
    PairingFactory(programme=shop, person=cast.member_person)
    return {"post": post, "today": today, "upcoming": upcoming, "past": past, "shop": shop, "other": other}


def login(client, user):
    client.force_login(user)
    return client


# A page the user may not use is the 403 page (无权访问), as every office page (issue 12: one answer for a
# liaison); another community's objects are a 404 (below).
PAGES = [
    ("volunteering:dashboard", {}, {"secretary": 200, "town": 200, "member": 403, "liaison": 403}),
    ("volunteering:posts", {}, {"secretary": 200, "member": 200, "officer": 200, "liaison": 403}),
    ("volunteering:post_new", {}, {"secretary": 200, "town": 403, "member": 403}),
    ("volunteering:claims", {}, {"secretary": 200, "member": 200}),
    ("volunteering:items", {}, {"secretary": 200, "member": 200, "deputy": 200, "outsider": 403}),
    ("volunteering:item_new", {}, {"secretary": 200, "town": 403}),
    ("volunteering:my_items", {}, {"member": 200, "secretary": 200}),
    ("volunteering:checkin_code", {}, {"member": 200, "liaison": 403}),
    ("volunteering:records", {}, {"secretary": 200, "member": 200}),
    ("volunteering:record_new", {}, {"member": 200, "secretary": 403}),
    ("volunteering:requirement", {}, {"secretary": 200, "town": 200, "member": 403}),
    ("volunteering:policy", {}, {"secretary": 200, "town": 403}),
    ("volunteering:programmes", {}, {"secretary": 200, "member": 200}),
    ("volunteering:programme_new", {}, {"secretary": 200, "member": 403}),
    ("volunteering:skills", {}, {"member": 200, "officer": 200, "liaison": 403}),
]


@pytest.mark.parametrize(("name", "kwargs", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_page_answers_each_role(cast, town_life, client, name, kwargs, expected):
    for who, status in expected.items():
        client.force_login(getattr(cast, who))
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == status, (who, response.status_code)


def test_detail_pages_render_and_hide_other_communities(cast, town_life, client):
    urls = [
        reverse("volunteering:item_detail", args=[town_life["today"].pk]),
        reverse("volunteering:item_edit", args=[town_life["today"].pk]),
        reverse("volunteering:item_qr", args=[town_life["today"].pk]),
        reverse("volunteering:post_edit", args=[town_life["post"].pk]),
        reverse("volunteering:programme_detail", args=[town_life["shop"].pk]),
        reverse("volunteering:ledger", args=[cast.member_person.pk]),
    ]
    login(client, cast.secretary)
    for url in urls:
        assert client.get(url).status_code == 200, url
    login(client, cast.other_secretary)
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_the_secretary_sees_staffing_and_the_waiting_work(cast, town_life, client):
    page = login(client, cast.secretary).get(reverse("volunteering:dashboard")).content.decode()
    assert "缺员岗位" in page and "治安巡逻岗" in page and "待审核认领" in page


def test_the_member_signs_up_from_the_phone_and_joins_the_waitlist_when_full(cast, town_life, client):
    login(client, cast.member)
    url = reverse("volunteering:item_signup", args=[town_life["upcoming"].pk])
    response = client.post(url, follow=True)
    assert "报名成功" in response.content.decode()
    other = registered_member(cast.beijie)
    client.force_login(other.user)
    response = client.post(url, follow=True)
    assert "候补" in response.content.decode()
    assert SignUp.objects.get(person=other).status == SignUpStatus.WAITLISTED


def test_signing_up_for_a_past_item_shows_the_reason_and_changes_nothing(cast, town_life, client):
    login(client, cast.member)
    response = client.post(reverse("volunteering:item_signup", args=[town_life["past"].pk]), follow=True)
    assert "已开始或已结束" in response.content.decode()
    assert not SignUp.objects.filter(item=town_life["past"], person=cast.member_person).exists()


def test_the_qr_page_shows_a_code_and_scanning_it_checks_the_member_in(cast, town_life, client):
    item = town_life["today"]
    qr = login(client, cast.staff).get(reverse("volunteering:item_qr", args=[item.pk])).content.decode()
    assert "<svg" in qr and checkin.make_code(item) in qr
    login(client, cast.member)
    scan = reverse("volunteering:checkin_scan", args=[checkin.make_token(item)])
    assert "确认签到" in client.get(scan).content.decode()
    assert SignUp.objects.get(item=item, person=cast.member_person).checked_in_at is None  # GET never writes
    response = client.post(scan, follow=True)
    assert "签到成功" in response.content.decode()
    assert SignUp.objects.get(item=item, person=cast.member_person).checked_in_at == NOW
    assert "无需重复" in client.post(scan, follow=True).content.decode()  # a replay changes nothing
    with time_machine.travel(at(2026, 3, 14, 10, 40), tick=False):
        login(client, cast.member)  # a new session: the old one has passed the 30-minute idle limit
        late = reverse("volunteering:checkin_scan", args=[checkin.make_token(item)])
        assert "确认签退" in client.get(late).content.decode()
        response = client.post(late, follow=True)
    assert "签退成功，记录服务时长 1.5 小时" in response.content.decode()


def test_typing_the_short_code_finds_the_item_open_now(cast, town_life, client):
    login(client, cast.member)
    response = client.post(reverse("volunteering:checkin_code"), {"code": "ZZZZZZ"}, follow=True)
    assert "签到码无效" in response.content.decode()
    response = client.post(
        reverse("volunteering:checkin_code"), {"code": checkin.make_code(town_life["today"])}, follow=True
    )
    assert "签到成功" in response.content.decode()


def test_the_office_decides_claims_and_hours_from_the_lists(cast, town_life, client):
    login(client, cast.secretary)
    claim = town_life["other"].post_claims.get()
    client.post(reverse("volunteering:claim_decide", args=[claim.pk, "approve"]))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED
    record = town_life["past"].records.get()
    client.post(reverse("volunteering:record_decide", args=[record.pk, "approve"]), {"evaluation": "good"})
    record.refresh_from_db()
    assert record.status == RecordStatus.APPROVED and record.evaluation == "good"


def test_creating_an_item_from_the_form(cast, town_life, client):
    login(client, cast.secretary)
    response = client.post(
        reverse("volunteering:item_new") + f"?community={cast.beijie.pk}",
        {
            "title": "义务理发",
            "place": "社区服务站",
            "day": "2026-03-28",
            "start": "09:00",
            "end": "11:30",
            "capacity": 6,
            "required_skills": "理发",
            "description": "",
            "recipients": "老年人",
        },
    )
    assert response.status_code == 302
    item = town_life["today"].__class__.objects.get(title="义务理发")
    assert item.starts_at == at(2026, 3, 28, 9) and item.ends_at == at(2026, 3, 28, 11, 30)
    assert item.required_skills == ["理发"]


def test_the_ledger_page_shows_notes_only_to_the_office(cast, town_life, client):
    from volunteering import services

    services.conduct_note_add(
        community=cast.beijie,
        person=cast.member_person,
        by=cast.secretary,
        noted_on=dt.date(2026, 3, 1),
        note="热心调解邻里纠纷",
    )
    url = reverse("volunteering:ledger", args=[cast.member_person.pk])
    assert "热心调解邻里纠纷" in login(client, cast.secretary).get(url).content.decode()
    for who in ("member", "town"):
        page = login(client, getattr(cast, who)).get(url).content.decode()
        assert "热心调解邻里纠纷" not in page and "八小时以外" not in page


def test_the_ledger_export_downloads_for_the_office(cast, town_life, client):
    response = login(client, cast.secretary).get(reverse("volunteering:ledger_export") + "?year=2026")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert login(client, cast.member).get(reverse("volunteering:ledger_export")).status_code == 403


def test_the_calendar_feed_lists_the_members_confirmed_items_without_login(cast, town_life, client):
    feed = reverse("volunteering:calendar_feed", args=[calendar.feed_token(cast.member_person.pk)])
    body = client.get(feed).content.decode()
    assert (
        body.startswith("BEGIN:VCALENDAR")
        and "SUMMARY:楼道清扫" in body
        and "DTSTART:20260314T010000Z" in body
    )
    assert client.get(reverse("volunteering:calendar_feed", args=["forged"])).status_code == 404


def test_the_menu_shows_volunteering_links_per_role(cast, town_life, client):
    member_page = login(client, cast.member).get(reverse("volunteering:my_items")).content.decode()
    assert "我的志愿服务" in member_page and reverse("volunteering:checkin_code") in member_page
    office_page = login(client, cast.secretary).get(reverse("volunteering:dashboard")).content.decode()
    assert reverse("volunteering:requirement") in office_page
    liaison_page = login(client, cast.liaison).get(reverse("home")).content.decode()
    assert reverse("volunteering:items") not in liaison_page


def test_the_office_runs_a_programme_from_its_page(cast, town_life, client):
    from volunteering.models import DonatedGood, GoodHandout, Pairing, SkillListing

    shop = town_life["shop"]
    login(client, cast.staff)
    client.post(
        reverse("volunteering:pairing_new", args=[shop.pk]),
        {"person": cast.member_person.pk, "household": "赵奶奶（空巢老人）", "started_on": "2026-03-14"},
    )
    client.post(
        reverse("volunteering:good_new", args=[shop.pk]),
        {"name": "电饭煲", "category": "appliances", "quantity": 2, "received_on": "2026-03-14"},
    )
    good = DonatedGood.objects.get(name="电饭煲")
    client.post(
        reverse("volunteering:good_hand_out", args=[good.pk]), {"recipient_name": "困难户", "quantity": 1}
    )
    response = client.post(
        reverse("volunteering:good_hand_out", args=[good.pk]),
        {"recipient_name": "困难户", "quantity": 5},
        follow=True,
    )
    assert "库存不足" in response.content.decode()
    client.post(
        reverse("volunteering:skill_new", args=[shop.pk]),
        {"person": town_life["other"].pk, "skill": "水电维修", "contact_phone": "13800000000"},
    )
    assert Pairing.objects.filter(household="赵奶奶（空巢老人）").exists()
    assert GoodHandout.objects.filter(good=good).count() == 1
    assert SkillListing.objects.filter(skill="水电维修", person=town_life["other"]).exists()
    pairing = Pairing.objects.get(household="赵奶奶（空巢老人）")
    client.post(reverse("volunteering:pairing_end", args=[pairing.pk]))
    pairing.refresh_from_db()
    assert pairing.status == "ended"
    page = client.get(reverse("volunteering:programme_detail", args=[shop.pk])).content.decode()
    assert "电饭煲" in page and "水电维修" in page and "最近发放" in page


def test_a_member_lists_and_withdraws_a_skill_from_the_programme_page(cast, town_life, client):
    from volunteering.models import SkillListing

    shop = town_life["shop"]
    login(client, cast.member)
    client.post(
        reverse("volunteering:skill_new", args=[shop.pk]), {"skill": "理发", "contact_phone": "13811112222"}
    )
    listing = SkillListing.objects.get(skill="理发")
    assert listing.person == cast.member_person
    client.post(reverse("volunteering:skill_withdraw", args=[listing.pk]))
    listing.refresh_from_db()
    assert not listing.is_active
    assert (
        "最近发放"
        not in client.get(reverse("volunteering:programme_detail", args=[shop.pk])).content.decode()
    )


def test_office_forms_posts_policy_cancel_attendance_and_notes(cast, town_life, client):
    from volunteering.models import ConductNote, RequirementPolicy, ServicePost, ServiceRecord

    login(client, cast.secretary)
    client.post(
        reverse("volunteering:post_new") + f"?community={cast.beijie.pk}",
        {"name": "便民服务岗", "capacity": 4, "specialties": "家电维修、理发", "is_active": "on"},
    )
    assert ServicePost.objects.get(name="便民服务岗").specialties == ["家电维修", "理发"]
    client.post(
        reverse("volunteering:policy") + f"?community={cast.beijie.pk}",
        {"min_items": 2, "target_items": 3, "min_hours": "0", "target_hours": "0"},
    )
    assert RequirementPolicy.objects.get(community=cast.beijie).min_items == 2
    today = town_life["today"]
    client.post(
        reverse("volunteering:item_attendance", args=[today.pk]),
        {
            "person": cast.member_person.pk,
            "start": "09:00",
            "end": "09:10",
            "content": "清扫",
            "evaluation": "",
        },
    )
    assert ServiceRecord.objects.filter(item=today, person=cast.member_person).exists()
    client.post(reverse("volunteering:item_cancel", args=[town_life["upcoming"].pk]), {"reason": "下雨"})
    town_life["upcoming"].refresh_from_db()
    assert town_life["upcoming"].status == "cancelled"
    client.post(
        reverse("volunteering:conduct_note_new", args=[cast.member_person.pk]),
        {"noted_on": "2026-03-13", "kind": "praise", "note": "帮助邻居搬运物品"},
    )
    assert ConductNote.objects.filter(note="帮助邻居搬运物品", community=cast.beijie).exists()


def test_member_forms_claim_team_cancel_and_self_report(cast, town_life, client):
    from volunteering.models import PostClaim, ServiceRecord, TeamMember

    login(client, cast.member)
    client.post(reverse("volunteering:post_claim", args=[town_life["post"].pk]))
    assert PostClaim.objects.filter(person=cast.member_person).exists()
    client.post(reverse("volunteering:team_join"), {"community": cast.beijie.pk})
    assert TeamMember.objects.filter(person=cast.member_person).exists()
    client.post(reverse("volunteering:item_signup", args=[town_life["upcoming"].pk]))
    signup = SignUp.objects.get(item=town_life["upcoming"], person=cast.member_person)
    client.post(reverse("volunteering:signup_cancel", args=[signup.pk]))
    signup.refresh_from_db()
    assert signup.status == "cancelled"
    response = client.post(
        reverse("volunteering:record_new"),
        {"item": town_life["past"].pk, "start": "09:00", "end": "10:00", "content": "陪老人聊天"},
    )
    assert response.status_code == 302
    record = ServiceRecord.objects.get(person=cast.member_person)
    assert record.status == "pending" and record.minutes == 60
