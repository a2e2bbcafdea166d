"""党员责任区: buildings of the community, members by self-report or assignment, the signed letter."""

import datetime as dt

import pytest

from core.errors import Conflict, DomainError
from members import services
from members.models import ResponsibilityZone, ZoneAssignment, ZoneSource
from tests import factories as f

SIGNED = dt.date(2026, 3, 5)


@pytest.fixture
def zone(cast):
    return services.zone_save(
        community=cast.beijie, by=cast.secretary, name="一号责任区", buildings=[cast.b1]
    )


def test_secretary_creates_a_zone_from_buildings_of_her_community(cast):
    zone = services.zone_save(
        community=cast.beijie, by=cast.secretary, name=" 东片责任区 ", buildings=[cast.b1, cast.b2]
    )

    assert zone.community == cast.beijie
    assert zone.name == "东片责任区"
    assert set(zone.buildings.all()) == {cast.b1, cast.b2}


def test_building_of_another_community_is_refused(cast):
    # The town supervisor sees both communities, so only the service can refuse the mix
    with pytest.raises(DomainError) as excinfo:
        services.zone_save(community=cast.beijie, by=cast.town, name="混合区", buildings=[cast.b1, cast.cc1])

    assert excinfo.value.status_code == 400
    assert "buildings" in excinfo.value.fields
    assert not ResponsibilityZone.objects.filter(name="混合区").exists()


def test_duplicate_zone_name_in_the_community_is_a_conflict(cast, zone):
    with pytest.raises(Conflict) as excinfo:
        services.zone_save(community=cast.beijie, by=cast.secretary, name="一号责任区", buildings=[])
    assert "name" in excinfo.value.fields


def test_same_zone_name_in_another_community_is_fine(cast, zone):
    other = services.zone_save(
        community=cast.changcheng, by=cast.other_secretary, name="一号责任区", buildings=[]
    )
    assert other.community == cast.changcheng


def test_editing_a_zone_renames_it_and_replaces_its_buildings(cast, zone):
    services.zone_save(
        zone=zone, community=cast.beijie, by=cast.staff, name="一号责任区（调整）", buildings=[cast.b2]
    )

    zone.refresh_from_db()
    assert zone.name == "一号责任区（调整）"
    assert list(zone.buildings.all()) == [cast.b2]


def test_editing_a_zone_may_keep_its_own_name(cast, zone):
    services.zone_save(zone=zone, community=cast.beijie, by=cast.staff, name="一号责任区", buildings=[])
    assert zone.buildings.count() == 0


@pytest.mark.parametrize("actor", ["other_secretary", "member", "officer", "deputy", "liaison"])
def test_only_the_community_office_defines_zones(cast, actor):
    with pytest.raises(DomainError) as excinfo:
        services.zone_save(community=cast.beijie, by=getattr(cast, actor), name="越权", buildings=[])
    assert excinfo.value.status_code == 403


def test_branch_assigns_a_member_with_the_signed_letter_date(cast, zone):
    assignment = services.zone_assign(
        zone=zone, person=cast.member_person, by=cast.secretary, letter_signed_on=SIGNED
    )

    assert (assignment.zone, assignment.person, assignment.source, assignment.letter_signed_on) == (
        zone,
        cast.member_person,
        ZoneSource.ASSIGNED,
        SIGNED,
    )


def test_assigning_again_updates_the_letter_date_without_a_second_row(cast, zone):
    services.zone_assign(zone=zone, person=cast.member_person, by=cast.secretary)
    later = dt.date(2026, 4, 1)

    again = services.zone_assign(
        zone=zone, person=cast.member_person, by=cast.secretary, letter_signed_on=later
    )

    assert ZoneAssignment.objects.filter(zone=zone, person=cast.member_person).count() == 1
    assert again.letter_signed_on == later


def test_member_self_reports_for_a_zone_of_their_community(cast, zone):
    assignment = services.zone_assign(
        zone=zone, person=cast.member_person, by=cast.member, source=ZoneSource.SELF_REPORTED
    )
    assert assignment.source == ZoneSource.SELF_REPORTED
    assert assignment.letter_signed_on is None  # signed later, at the office


def test_member_cannot_self_report_for_a_zone_of_another_community(cast):
    other_zone = f.ZoneFactory(community=cast.changcheng)
    with pytest.raises(DomainError) as excinfo:
        services.zone_assign(
            zone=other_zone, person=cast.member_person, by=cast.member, source=ZoneSource.SELF_REPORTED
        )
    assert excinfo.value.status_code == 403
    assert not ZoneAssignment.objects.exists()


def test_member_cannot_assign_someone_else(cast, zone):
    other = f.PersonFactory(community=cast.beijie)
    f.RetiredMembershipFactory(person=other)
    with pytest.raises(DomainError) as excinfo:
        services.zone_assign(zone=zone, person=other, by=cast.member, source=ZoneSource.SELF_REPORTED)
    assert excinfo.value.status_code == 403


def test_member_cannot_present_a_self_report_as_a_branch_assignment(cast, zone):
    with pytest.raises(DomainError) as excinfo:
        services.zone_assign(zone=zone, person=cast.member_person, by=cast.member, source=ZoneSource.ASSIGNED)
    assert excinfo.value.status_code == 403


def test_retired_member_may_take_a_zone_too(cast, zone):
    retired = f.PersonFactory(community=cast.beijie)
    f.RetiredMembershipFactory(person=retired)
    assert services.zone_assign(zone=zone, person=retired, by=cast.secretary).person == retired


def test_non_member_cannot_take_a_zone(cast, zone):
    # 欧兰, the activist officer, is not a party member
    with pytest.raises(DomainError) as excinfo:
        services.zone_assign(zone=zone, person=cast.officer_person, by=cast.secretary)
    assert excinfo.value.status_code == 400
    assert "person" in excinfo.value.fields
    assert not ZoneAssignment.objects.exists()


def test_member_living_in_another_community_cannot_take_the_zone(cast, zone):
    with pytest.raises(DomainError) as excinfo:
        services.zone_assign(zone=zone, person=cast.foreign_person, by=cast.town)
    assert "person" in excinfo.value.fields


def test_unassign_removes_the_member_from_the_zone(cast, zone):
    services.zone_assign(zone=zone, person=cast.member_person, by=cast.secretary)

    services.zone_unassign(zone=zone, person=cast.member_person, by=cast.director)

    assert not ZoneAssignment.objects.filter(zone=zone).exists()


def test_unassign_is_for_the_office_only(cast, zone):
    services.zone_assign(zone=zone, person=cast.member_person, by=cast.secretary)
    with pytest.raises(DomainError) as excinfo:
        services.zone_unassign(zone=zone, person=cast.member_person, by=cast.member)
    assert excinfo.value.status_code == 403
    assert ZoneAssignment.objects.filter(zone=zone).exists()
