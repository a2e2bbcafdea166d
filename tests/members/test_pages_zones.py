"""Responsibility-zone pages: list, create and edit with building checkboxes, assign and unassign members."""

import pytest
from django.urls import reverse

from members.models import ResponsibilityZone, ZoneAssignment
from tests import factories as f


def html_of(response) -> str:
    return response.content.decode()


def test_secretary_creates_a_zone_with_buildings(client, cast):
    client.force_login(cast.secretary)
    page = html_of(client.get(reverse("members:zone_create")))
    assert 'type="checkbox"' in page and "1号楼" in page

    response = client.post(
        reverse("members:zone_create"),
        {"community": cast.beijie.pk, "name": "第一责任区", "buildings": [cast.b1.pk, cast.b2.pk]},
    )

    zone = ResponsibilityZone.objects.get(name="第一责任区")
    assert response.status_code == 302
    assert zone.community == cast.beijie
    assert set(zone.buildings.all()) == {cast.b1, cast.b2}


def test_a_building_of_another_community_is_not_a_choice(client, cast):
    client.force_login(cast.secretary)

    response = client.post(
        reverse("members:zone_create"),
        {"community": cast.beijie.pk, "name": "越界区", "buildings": [cast.cc1.pk]},
    )

    assert response.status_code == 400
    assert not ResponsibilityZone.objects.exists()


def test_a_duplicate_zone_name_shows_the_services_error(client, cast):
    f.ZoneFactory(community=cast.beijie, name="第一责任区")
    client.force_login(cast.secretary)

    response = client.post(
        reverse("members:zone_create"), {"community": cast.beijie.pk, "name": "第一责任区"}
    )

    assert response.status_code == 409
    assert "责任区名称已存在" in html_of(response)
    assert ResponsibilityZone.objects.count() == 1


def test_town_supervisor_picks_the_community_before_the_buildings(client, cast):
    client.force_login(cast.town)

    page = html_of(client.get(reverse("members:zone_create"), {"community": cast.changcheng.pk}))
    response = client.post(
        reverse("members:zone_create"),
        {"community": cast.changcheng.pk, "name": "长城一区", "buildings": [cast.cc1.pk]},
    )

    assert "选择社区" in page
    assert f'value="{cast.cc1.pk}"' in page and f'value="{cast.b1.pk}"' not in page
    assert response.status_code == 302
    assert ResponsibilityZone.objects.get(name="长城一区").community == cast.changcheng


def test_secretary_renames_a_zone_and_changes_its_buildings(client, cast):
    zone = f.ZoneFactory(community=cast.beijie, name="旧名")
    zone.buildings.set([cast.b1])
    client.force_login(cast.secretary)

    response = client.post(
        reverse("members:zone_edit", args=[zone.pk]), {"name": "新名", "buildings": [cast.b2.pk]}
    )

    zone.refresh_from_db()
    assert response.status_code == 302
    assert zone.name == "新名"
    assert list(zone.buildings.all()) == [cast.b2]


def test_assign_a_member_with_the_letter_date_then_unassign(client, cast):
    zone = f.ZoneFactory(community=cast.beijie, name="一区")
    client.force_login(cast.secretary)
    page = html_of(client.get(reverse("members:zone_detail", args=[zone.pk])))
    assert "马明" in page and "欧兰" not in page  # only party members
    assert "陈外" not in page

    response = client.post(
        reverse("members:zone_assign", args=[zone.pk]),
        {"person": cast.member_person.pk, "source": "assigned", "letter_signed_on": "2026-03-05"},
    )

    assignment = ZoneAssignment.objects.get(zone=zone)
    assert response.status_code == 302
    assert assignment.person == cast.member_person
    assert str(assignment.letter_signed_on) == "2026-03-05"
    listing = html_of(client.get(reverse("members:zones")))
    assert "马明" in listing and "2026-03-05" in listing

    client.post(reverse("members:zone_unassign", args=[zone.pk, cast.member_person.pk]))
    assert not ZoneAssignment.objects.exists()


def test_recording_the_letter_date_later(client, cast):
    zone = f.ZoneFactory(community=cast.beijie)
    ZoneAssignment.objects.create(zone=zone, person=cast.member_person)
    client.force_login(cast.secretary)
    assert "登记签订" in html_of(client.get(reverse("members:zone_detail", args=[zone.pk])))

    client.post(
        reverse("members:zone_assign", args=[zone.pk]),
        {"person": cast.member_person.pk, "source": "assigned", "letter_signed_on": "2026-04-01"},
    )

    assert str(ZoneAssignment.objects.get().letter_signed_on) == "2026-04-01"


def test_assigning_a_member_of_another_community_is_refused(client, cast):
    zone = f.ZoneFactory(community=cast.beijie)
    client.force_login(cast.secretary)

    response = client.post(
        reverse("members:zone_assign", args=[zone.pk]),
        {"person": cast.foreign_person.pk, "source": "assigned"},
    )

    assert response.status_code == 400
    assert not ZoneAssignment.objects.exists()


@pytest.mark.parametrize("rows", [5, 30])
def test_zone_list_runs_a_constant_number_of_queries(client, cast, django_assert_max_num_queries, rows):
    for i in range(rows):
        zone = f.ZoneFactory(community=cast.beijie, name=f"第{i}区")
        zone.buildings.set([cast.b1, cast.b2])
        member = f.MembershipFactory(person__community=cast.beijie).person
        ZoneAssignment.objects.create(zone=zone, person=member)
    client.force_login(cast.secretary)

    with django_assert_max_num_queries(9):  # +1: the bell's unread count
        response = client.get(reverse("members:zones"))

    assert response.status_code == 200
