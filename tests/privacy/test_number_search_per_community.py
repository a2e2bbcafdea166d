"""Searching people by phone or ID number is decided per community (members.privacy.number_search_q): a
number matches only in the communities where the user sees numbers in full, a name matches everywhere in
the user's scope, and nowhere can a search confirm a number (or its masked digits) the user sees masked.

Sam answers for 北街's roster (its secretary, full numbers) and works in 长城's office (staff, masked)."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from members.models import User
from members.roles import Role
from tests import factories as f

API = "/api/v1"
NUMBERS = ["mobile", "id_number"]


@pytest.fixture
def sam(cast):
    user = f.UserFactory(username="sam", first_name="萨姆")
    f.RoleFactory(user=user, role=Role.SECRETARY, community=cast.beijie)
    f.RoleFactory(user=user, role=Role.STAFF, community=cast.changcheng)
    return user


def _api_names(user, term) -> set[str]:
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))  # a fresh user: no cached scope
    response = client.get(f"{API}/people/", {"search": term, "page_size": 100})
    assert response.status_code == 200
    return {row["name"] for row in response.json()["results"]}


def _page(user, url, **params) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("number", NUMBERS)
def test_api_number_search_finds_people_only_where_the_numbers_are_shown_in_full(cast, sam, number):
    # Given 马明 of 北街 (Sam sees full numbers) and 陈外 of 长城 (Sam sees them masked)
    own, foreign = cast.member_person, cast.foreign_person

    # Then a number finds 马明, and 陈外 is found by name only
    assert own.name in _api_names(sam, getattr(own, number))
    assert foreign.name not in _api_names(sam, getattr(foreign, number))
    assert foreign.name in _api_names(sam, foreign.name)
    assert own.name in _api_names(sam, own.name)


@pytest.mark.parametrize("number", NUMBERS)
def test_masked_digits_of_the_other_community_cannot_be_recovered_by_searching(cast, sam, number):
    value = getattr(cast.foreign_person, number)

    for fragment in (value[3:7], value[3:9], value[-4:], value[:3]):
        assert cast.foreign_person.name not in _api_names(sam, fragment), fragment


def test_a_town_granted_permission_opens_number_search_everywhere(cast, sam):
    sam.user_permissions.add(Permission.objects.get(codename="view_full_personal_data"))

    assert cast.foreign_person.name in _api_names(sam, cast.foreign_person.mobile)


def test_a_name_and_a_number_must_both_match(cast, sam):
    own = cast.member_person

    assert _api_names(sam, f"{own.name} {own.mobile}") == {own.name}
    assert _api_names(sam, f"{cast.foreign_person.name} {own.mobile}") == set()


def test_roster_page_searches_numbers_per_community(cast, sam):
    roster = reverse("members:roster")
    own, foreign = cast.member_person, cast.foreign_person

    assert own.name in _page(sam, roster, q=own.mobile)
    assert foreign.name not in _page(sam, roster, q=foreign.mobile)
    assert foreign.name in _page(sam, roster, q=foreign.name)


def test_registrations_page_searches_numbers_per_community(cast, sam):
    # Both in-service members are unregistered; one of them registers with 长城
    f.RegistrationFactory(person=cast.foreign_person)
    registrations = reverse("members:registrations")
    own, foreign = cast.member_person, cast.foreign_person

    assert own.name in _page(sam, registrations, tab="unregistered", q=own.mobile)
    assert foreign.name not in _page(sam, registrations, tab="all", q=foreign.mobile)
    assert foreign.name in _page(sam, registrations, tab="all", q=foreign.name)


def test_registrations_page_no_longer_lets_staff_search_by_number(cast):
    f.RegistrationFactory(person=cast.member_person)
    registrations = reverse("members:registrations")

    assert cast.member_person.name not in _page(
        cast.staff, registrations, tab="all", q=cast.member_person.mobile
    )
    assert cast.member_person.name in _page(cast.staff, registrations, tab="all", q=cast.member_person.name)
    assert cast.member_person.name in _page(
        cast.secretary, registrations, tab="all", q=cast.member_person.mobile
    )


@pytest.mark.parametrize("number", NUMBERS)
def test_admin_person_search_by_number_is_per_community(cast, sam, number):
    sam.is_staff = True
    sam.save(update_fields=["is_staff"])
    sam.user_permissions.add(Permission.objects.get(codename="view_person"))
    client = Client()
    client.force_login(sam)
    url = reverse("admin:members_person_changelist")

    def hits(term):
        return {p.pk for p in client.get(url, {"q": term}).context["cl"].result_list}

    assert cast.member_person.pk in hits(getattr(cast.member_person, number))
    assert cast.foreign_person.pk not in hits(getattr(cast.foreign_person, number))
    assert cast.foreign_person.pk in hits(cast.foreign_person.name)


def test_number_search_costs_the_same_queries_however_many_people_match(
    cast, sam, django_assert_max_num_queries
):
    def measure():
        client = APIClient()
        client.force_authenticate(User.objects.get(pk=sam.pk))
        with django_assert_max_num_queries(20) as captured:
            assert client.get(f"{API}/people/", {"search": "139", "page_size": 100}).status_code == 200
        return len(captured.captured_queries)

    f.PersonFactory(community=cast.beijie)
    few = measure()
    for _ in range(10):
        f.PersonFactory(community=cast.beijie)
        f.PersonFactory(community=cast.changcheng)

    assert measure() == few
