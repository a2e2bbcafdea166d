"""The roster (人员与党员信息), places, the officer quota and residents' logins."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from core.errors import Conflict, DomainError
from members import services
from members.models import Building, MemberCategory, PartyMembership, Person, RoleAssignment
from members.roles import Role
from tests import factories as f

# ---------------------------------------------------------------------------------------------- people


def test_secretary_adds_an_in_service_member_with_their_employer(cast):
    person = services.person_save(
        by=cast.secretary,
        community=cast.beijie,
        name="王芳",
        mobile="13800001111",
        id_number="11010519491231002X",
        building=cast.b2,
        membership={"category": MemberCategory.IN_SERVICE, "employer": cast.hospital, "position": "护士长"},
    )

    person.refresh_from_db()
    assert (person.community, person.building, person.id_number) == (
        cast.beijie,
        cast.b2,
        "11010519491231002X",
    )
    assert (person.membership.category, person.membership.employer, person.membership.position) == (
        MemberCategory.IN_SERVICE,
        cast.hospital,
        "护士长",
    )


def test_in_service_member_without_an_employer_is_refused_and_nothing_is_saved(cast):
    with pytest.raises(DomainError) as excinfo:
        services.person_save(
            by=cast.secretary, community=cast.beijie, name="无单位", membership={"category": "in_service"}
        )
    assert "employer" in excinfo.value.fields
    assert not Person.objects.filter(name="无单位").exists()


def test_resident_without_membership_is_just_a_person(cast):
    person = services.person_save(by=cast.staff, community=cast.beijie, name="居民甲")
    assert not PartyMembership.objects.filter(person=person).exists()


def test_blank_id_numbers_are_stored_as_null_so_many_people_can_lack_one(cast):
    a = services.person_save(by=cast.staff, community=cast.beijie, name="甲", id_number="")
    b = services.person_save(by=cast.staff, community=cast.beijie, name="乙", id_number="")
    assert a.id_number is None and b.id_number is None


def test_invalid_id_number_is_refused(cast):
    with pytest.raises(ValidationError) as excinfo:
        services.person_save(
            by=cast.staff, community=cast.beijie, name="错号", id_number="110105194912310021"
        )
    assert "id_number" in excinfo.value.error_dict


def test_id_number_already_on_the_roster_is_refused(cast):
    with pytest.raises(ValidationError) as excinfo:
        services.person_save(
            by=cast.staff, community=cast.beijie, name="重号", id_number=cast.member_person.id_number
        )
    assert "id_number" in excinfo.value.error_dict


def test_building_of_another_community_is_refused(cast):
    with pytest.raises(ValidationError) as excinfo:
        services.person_save(by=cast.town, community=cast.beijie, name="错楼", building=cast.cc1)
    assert "building" in excinfo.value.error_dict


@pytest.mark.parametrize("actor", ["other_secretary", "member", "officer", "liaison", "deputy", "outsider"])
def test_only_the_community_office_edits_the_roster(cast, actor):
    with pytest.raises(DomainError) as excinfo:
        services.person_save(by=getattr(cast, actor), community=cast.beijie, name="越权")
    assert excinfo.value.status_code == 403
    assert not Person.objects.filter(name="越权").exists()


def test_updating_a_person_changes_only_the_given_fields(cast):
    person = cast.member_person
    services.person_save(by=cast.secretary, person=person, unit_room="2单元202")

    person.refresh_from_db()
    assert (person.unit_room, person.name, person.building) == ("2单元202", "马明", cast.b1)
    assert person.membership.employer == cast.hospital


def test_updating_part_of_a_membership_keeps_category_and_employer(cast):
    # A PATCH that sends only the position must not wipe the category or the employer
    services.person_save(by=cast.secretary, person=cast.member_person, membership={"position": "副院长"})

    membership = PartyMembership.objects.get(person=cast.member_person)
    assert (membership.category, membership.employer, membership.position) == (
        MemberCategory.IN_SERVICE,
        cast.hospital,
        "副院长",
    )


def test_a_member_who_retires_may_drop_the_employer(cast):
    services.person_save(
        by=cast.secretary,
        person=cast.member_person,
        membership={"category": MemberCategory.RETIRED, "employer": None},
    )
    membership = PartyMembership.objects.get(person=cast.member_person)
    assert (membership.category, membership.employer) == (MemberCategory.RETIRED, None)


def test_first_membership_needs_a_category(cast):
    person = f.PersonFactory(community=cast.beijie)
    with pytest.raises(DomainError) as excinfo:
        services.person_save(by=cast.secretary, person=person, membership={"position": "会计"})
    assert "category" in excinfo.value.fields


def test_office_of_one_community_cannot_pull_a_person_out_of_a_community_it_does_not_manage(cast):
    # Given the 长城 secretary also lives in 北街 and has her own person row there (she can see herself)
    carl_person = f.PersonFactory(community=cast.beijie, user=cast.other_secretary)

    # When she moves that row into 长城, which she manages / Then 北街's roster is not hers to change
    with pytest.raises(DomainError) as excinfo:
        services.person_save(by=cast.other_secretary, person=carl_person, community=cast.changcheng)
    assert excinfo.value.status_code == 403
    carl_person.refresh_from_db()
    assert carl_person.community == cast.beijie


def test_town_supervisor_may_move_a_person_between_communities_of_the_town(cast):
    services.person_save(by=cast.town, person=cast.foreign_person, community=cast.beijie, building=cast.b2)
    cast.foreign_person.refresh_from_db()
    assert cast.foreign_person.community == cast.beijie


# ---------------------------------------------------------------------------------------------- places


def test_office_adds_a_building_to_its_community(cast):
    compound = f.CompoundFactory(community=cast.beijie, name="幸福院")
    building = services.building_create(
        community=cast.beijie, by=cast.staff, name=" 5号楼 ", compound=compound
    )
    assert (building.community, building.compound, building.name) == (cast.beijie, compound, "5号楼")


def test_building_in_a_compound_of_another_community_is_refused(cast):
    with pytest.raises(DomainError) as excinfo:
        services.building_create(
            community=cast.beijie,
            by=cast.town,
            name="6号楼",
            compound=f.CompoundFactory(community=cast.changcheng),
        )
    assert "compound" in excinfo.value.fields


def test_duplicate_building_name_is_a_conflict(cast):
    with pytest.raises(Conflict):
        services.building_create(community=cast.beijie, by=cast.staff, name="1号楼")
    assert Building.objects.filter(community=cast.beijie, name="1号楼").count() == 1


def test_other_community_cannot_add_buildings_here(cast):
    with pytest.raises(DomainError) as excinfo:
        services.building_create(community=cast.beijie, by=cast.other_secretary, name="7号楼")
    assert excinfo.value.status_code == 403


# -------------------------------------------------------------------------------------- officer quota


@pytest.mark.parametrize("quota", [0, 5, 500])
def test_office_sets_the_officer_quota(cast, quota):
    services.community_set_officer_quota(community=cast.beijie, by=cast.secretary, quota=quota)
    cast.beijie.refresh_from_db()
    assert cast.beijie.officer_quota == quota


@pytest.mark.parametrize("quota", [-1, 501])
def test_officer_quota_out_of_range_is_refused(cast, quota):
    with pytest.raises(DomainError) as excinfo:
        services.community_set_officer_quota(community=cast.beijie, by=cast.secretary, quota=quota)
    assert "officer_quota" in excinfo.value.fields


def test_only_the_office_sets_the_quota(cast):
    with pytest.raises(DomainError) as excinfo:
        services.community_set_officer_quota(community=cast.beijie, by=cast.other_secretary, quota=3)
    assert excinfo.value.status_code == 403


# --------------------------------------------------------------------------------------------- logins


def test_office_opens_a_member_login_that_must_change_its_password(cast):
    person = f.PersonFactory(community=cast.beijie, name="新党员")

    user = services.user_create_for_person(
        person=person, by=cast.secretary, username="xindangyuan", password="Init-2026-pass", role=Role.MEMBER
    )

    person.refresh_from_db()
    assert person.user == user
    assert user.must_change_password
    assert user.check_password("Init-2026-pass")
    assert RoleAssignment.objects.filter(user=user, role=Role.MEMBER, community=cast.beijie).exists()


def test_community_cannot_hand_out_office_roles(cast):
    person = f.PersonFactory(community=cast.beijie)
    with pytest.raises(DomainError) as excinfo:
        services.user_create_for_person(
            person=person, by=cast.secretary, username="boss", password="x" * 12, role=Role.SECRETARY
        )
    assert "role" in excinfo.value.fields


def test_second_login_for_a_person_or_a_taken_username_is_a_conflict(cast):
    with pytest.raises(Conflict):
        services.user_create_for_person(
            person=cast.member_person,
            by=cast.secretary,
            username="mike2",
            password="x" * 12,
            role=Role.MEMBER,
        )
    with pytest.raises(Conflict):
        services.user_create_for_person(
            person=f.PersonFactory(community=cast.beijie),
            by=cast.secretary,
            username="alice",
            password="x" * 12,
            role=Role.MEMBER,
        )


def test_joined_on_is_kept_on_the_membership(cast):
    person = services.person_save(
        by=cast.secretary,
        community=cast.beijie,
        name="老党员",
        membership={"category": MemberCategory.RETIRED, "joined_on": dt.date(1975, 7, 1)},
    )
    assert person.membership.joined_on == dt.date(1975, 7, 1)


def test_registered_member_moves_only_through_a_registration_transfer(cast):
    # Given 马明 is registered with 北街
    services.registration_submit(person=cast.member_person, community=cast.beijie, by=cast.member)

    # When the town edits his home community on the roster / Then he is sent to the transfer instead
    with pytest.raises(Conflict) as excinfo:
        services.person_save(
            by=cast.town, person=cast.member_person, community=cast.changcheng, building=None
        )
    assert excinfo.value.code == "registration_active"
    assert "community" in excinfo.value.fields
    cast.member_person.refresh_from_db()
    assert cast.member_person.community == cast.beijie
