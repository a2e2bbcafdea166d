"""The skills directory (技能名录) shows a member's contact phone as members.privacy allows, like the roster:
in full to the community's secretary and office director and to the member themself, as 138****1234 to
everyone else (staff, the town, officers, other members) — in the API, on the pages (no tel: link with the
number) and in the admin. The office reveals a number on the person's record, with a reason."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.validators import mask_mobile
from tests import factories as f
from tests.volunteering.factories import ProgrammeFactory, SkillFactory, register, registered_member
from volunteering.models import ProgrammeKind

API = "/api/v1/volunteering/skills/"
PHONE = "13812345678"  # another member's listing
OWN_PHONE = "13987654321"  # the `member` persona's own listing


@pytest.fixture
def shop(cast):
    return ProgrammeFactory(community=cast.beijie, kind=ProgrammeKind.LOVE_SUPERMARKET)


@pytest.fixture
def listings(cast, shop):
    register(cast.member_person, cast.beijie)  # an in-service member registered with their community
    repairer = registered_member(cast.beijie, user=False, name="王修")
    other = SkillFactory(programme=shop, person=repairer, skill="维修电器", contact_phone=PHONE)
    own = SkillFactory(programme=shop, person=cast.member_person, skill="法律咨询", contact_phone=OWN_PHONE)
    return other, own


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# persona → (the other member's phone, their own listing's phone) as shown
SHOWN = {
    "secretary": (PHONE, OWN_PHONE),
    "director": (PHONE, OWN_PHONE),
    "staff": (mask_mobile(PHONE), mask_mobile(OWN_PHONE)),
    "town": (mask_mobile(PHONE), mask_mobile(OWN_PHONE)),
    "officer": (mask_mobile(PHONE), mask_mobile(OWN_PHONE)),
    "member": (mask_mobile(PHONE), OWN_PHONE),  # their own listing in full
}


@pytest.mark.parametrize("persona", SHOWN)
def test_api_list_and_detail_show_the_phone_as_the_policy_allows(cast, as_user, listings, persona):
    other, own = listings
    client = as_user(persona)

    rows = {row["id"]: row["contact_phone"] for row in client.get(API).json()["results"]}
    detail = client.get(f"{API}{other.pk}/").json()["contact_phone"]

    assert (rows[other.pk], rows[own.pk]) == SHOWN[persona]
    assert detail == SHOWN[persona][0]


def test_masked_phone_looks_like_138_stars_and_the_last_four():
    assert mask_mobile(PHONE) == "138****5678"


def test_api_create_and_withdraw_answer_with_the_phone_as_the_policy_allows(cast, as_user, shop, listings):
    other, _own = listings
    created = as_user("staff").post(
        API,
        {"programme": shop.pk, "person": other.person_id, "skill": "理发", "contact_phone": "13700001111"},
        format="json",
    )
    withdrawn = as_user("staff").post(f"{API}{other.pk}/withdraw/", {}, format="json")
    own = as_user("member").post(f"{API}{listings[1].pk}/withdraw/", {}, format="json")

    assert created.status_code == 201, created.content
    assert created.json()["contact_phone"] == "137****1111"
    assert withdrawn.status_code == 200 and withdrawn.json()["contact_phone"] == mask_mobile(PHONE)
    assert own.status_code == 200 and own.json()["contact_phone"] == OWN_PHONE


def _pages(cast, shop):
    return [
        reverse("volunteering:skills") + f"?community={cast.beijie.pk}",
        reverse("volunteering:programme_detail", args=[shop.pk]),
    ]


@pytest.mark.parametrize("persona", ["staff", "member", "town"])
def test_pages_show_a_masked_phone_as_plain_text_without_a_tel_link(cast, shop, listings, persona):
    for url in _pages(cast, shop):
        response = _client(getattr(cast, persona)).get(url)
        html = response.content.decode()

        assert response.status_code == 200, url
        assert mask_mobile(PHONE) in html, url
        assert PHONE not in html and f"tel:{mask_mobile(PHONE)}" not in html, url


def test_pages_keep_the_tel_link_for_whoever_sees_the_phone_in_full(cast, shop, listings):
    for url in _pages(cast, shop):
        secretary = _client(cast.secretary).get(url).content.decode()
        staff = _client(cast.staff).get(url).content.decode()
        member = _client(cast.member).get(url).content.decode()

        assert f'href="tel:{PHONE}"' in secretary and f'href="tel:{OWN_PHONE}"' in secretary, url
        assert "tel:" not in staff, url
        # a member: their own listing in full with its link, the other member's masked without one
        assert f'href="tel:{OWN_PHONE}"' in member and mask_mobile(PHONE) in member, url
        assert member.count("tel:") == 1, url


# ------------------------------------------------------------------------------------------------- admin


def _admin(user, *codenames):
    from django.contrib.auth.models import Permission

    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


def test_admin_changelist_masks_the_phone_and_its_search_by_number_for_staff(cast, listings):
    url = reverse("admin:volunteering_skilllisting_changelist")
    staff = _client(_admin(cast.staff, "view_skilllisting"))
    secretary = _client(_admin(cast.secretary, "view_skilllisting"))
    root = _client(f.UserFactory(username="root", is_staff=True, is_superuser=True))

    staff_html = staff.get(url).content.decode()
    assert "维修电器" in staff_html
    assert PHONE not in staff_html and mask_mobile(PHONE) in staff_html
    assert PHONE in secretary.get(url).content.decode() and PHONE in root.get(url).content.decode()
    # a number finds nothing where it is shown masked (it would confirm a guess); names still do
    assert "王修" not in staff.get(url, {"q": PHONE}).content.decode()
    assert "王修" in staff.get(url, {"q": "王修"}).content.decode()
    assert "王修" in secretary.get(url, {"q": PHONE}).content.decode()


def test_admin_change_form_shows_the_phone_masked_and_read_only_for_staff(cast, listings):
    other, _own = listings
    url = reverse("admin:volunteering_skilllisting_change", args=[other.pk])

    response = _client(_admin(cast.staff, "view_skilllisting", "change_skilllisting")).get(url)
    html = response.content.decode()

    assert response.status_code == 200
    assert PHONE not in html and mask_mobile(PHONE) in html and 'name="contact_phone"' not in html


# ------------------------------------------------------------------------------------------ query count


def _queries(user, url) -> int:
    client = Client()  # a session login: every request loads its user afresh (scope, permissions)
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("persona", ["staff", "secretary", "member"])
def test_masking_costs_no_query_per_listing(cast, shop, persona):
    register(cast.member_person, cast.beijie)
    user = getattr(cast, persona)
    SkillFactory(programme=shop, person=cast.member_person, skill="法律咨询", contact_phone=OWN_PHONE)
    for _ in range(2):
        SkillFactory(programme=shop)
    api_few, page_few = _queries(user, API), _queries(user, reverse("volunteering:skills"))
    for _ in range(7):
        SkillFactory(programme=shop)
    api_many, page_many = _queries(user, API), _queries(user, reverse("volunteering:skills"))

    assert api_few == api_many and page_few == page_many, (api_few, api_many, page_few, page_many)
