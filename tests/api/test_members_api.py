"""The members REST API (/api/v1/): behaviour of every route, the error shape, masking and query counts.

Who may call what is the permission matrix's business (test_members_permissions.py); this file checks
what each route does for the people who may call it.
"""

import datetime as dt
import io

import pytest
from rest_framework.test import APIClient

from core.notifications import notify
from members import services
from members.models import (
    InformationOfficer,
    MemberCategory,
    OfficerStatus,
    PartyMembership,
    Person,
    Registration,
    RegistrationEvent,
    User,
    ZoneAssignment,
)
from members.roles import Role
from members.validators import mask_mobile
from tests import factories as f

API = "/api/v1"


def error_of(response, status):
    """The body of an error response, after checking the one error shape every endpoint uses."""
    assert response.status_code == status, response.content.decode()[:500]
    body = response.json()
    assert set(body) == {"error"}
    assert {"code", "message", "fields"} <= set(body["error"])
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    return body["error"]


def does_not_exist(message: str, pk) -> bool:
    """DRF's "invalid pk – object does not exist" text (zh-hans), which a missing id gets too."""
    return f"“{pk}”" in message and "不存在" in message


@pytest.fixture
def registration(cast):
    return services.registration_submit(person=cast.member_person, community=cast.beijie, by=cast.member)


# --------------------------------------------------------------------------------------- towns, places


def test_towns_list_shows_the_town_of_the_users_community(cast, as_user):
    response = as_user("secretary").get(f"{API}/towns/")
    assert [t["name"] for t in response.json()["results"]] == ["城关镇"]


def test_town_supervisor_lists_every_community_of_the_town(cast, as_user):
    response = as_user("town").get(f"{API}/communities/")
    assert {c["name"] for c in response.json()["results"]} == {"北街社区", "长城社区"}


def test_office_sets_the_officer_quota_and_nothing_else(cast, as_user):
    response = as_user("secretary").patch(
        f"{API}/communities/{cast.beijie.pk}/", {"officer_quota": 4, "name": "改名社区"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["officer_quota"], response.json()["name"]) == (4, "北街社区")
    cast.beijie.refresh_from_db()
    assert (cast.beijie.officer_quota, cast.beijie.name) == (4, "北街社区")


@pytest.mark.parametrize("quota", [-1, 501, "many"])
def test_officer_quota_out_of_range_is_a_field_error(cast, as_user, quota):
    response = as_user("secretary").patch(
        f"{API}/communities/{cast.beijie.pk}/", {"officer_quota": quota}, format="json"
    )
    assert "officer_quota" in error_of(response, 400)["fields"]


def test_communities_cannot_be_created_or_deleted_through_the_api(cast, as_user):
    client = as_user("secretary")
    assert client.post(f"{API}/communities/", {"name": "新社区"}, format="json").status_code == 405
    assert client.delete(f"{API}/communities/{cast.beijie.pk}/").status_code == 405


def test_compounds_can_be_filtered_by_community(cast, as_user):
    bj = f.CompoundFactory(community=cast.beijie)
    f.CompoundFactory(community=cast.changcheng)
    response = as_user("town").get(f"{API}/compounds/", {"community": cast.beijie.pk})
    assert [c["id"] for c in response.json()["results"]] == [bj.pk]


def test_office_adds_a_building(cast, as_user):
    compound = f.CompoundFactory(community=cast.beijie)
    response = as_user("staff").post(
        f"{API}/buildings/",
        {"community": cast.beijie.pk, "compound": compound.pk, "name": "9号楼"},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["community"], response.json()["compound"], response.json()["name"]) == (
        cast.beijie.pk,
        compound.pk,
        "9号楼",
    )


def test_building_in_a_foreign_community_is_refused_as_if_the_community_did_not_exist(cast, as_user):
    client = as_user("secretary")

    foreign = client.post(
        f"{API}/buildings/", {"community": cast.changcheng.pk, "name": "9号楼"}, format="json"
    )
    missing = client.post(f"{API}/buildings/", {"community": 999999, "name": "9号楼"}, format="json")

    foreign_message = error_of(foreign, 400)["fields"]["community"][0]
    missing_message = error_of(missing, 400)["fields"]["community"][0]
    assert does_not_exist(foreign_message, cast.changcheng.pk)
    assert foreign_message.replace(str(cast.changcheng.pk), "N") == missing_message.replace("999999", "N")


def test_building_in_a_compound_of_another_community_is_refused(cast, as_user):
    compound = f.CompoundFactory(community=cast.changcheng)
    response = as_user("town").post(
        f"{API}/buildings/",
        {"community": cast.beijie.pk, "compound": compound.pk, "name": "9号楼"},
        format="json",
    )
    assert "compound" in error_of(response, 400)["fields"]


def test_duplicate_building_name_is_refused(cast, as_user):
    response = as_user("secretary").post(
        f"{API}/buildings/", {"community": cast.beijie.pk, "name": "1号楼"}, format="json"
    )
    error_of(response, 400)


def test_liaison_sees_only_their_own_employer(cast, as_user):
    response = as_user("liaison").get(f"{API}/employers/")
    assert [e["name"] for e in response.json()["results"]] == ["县人民医院"]


# ---------------------------------------------------------------------------------------------- people


def test_secretary_lists_her_roster_with_each_members_registration_status(cast, as_user, registration):
    response = as_user("secretary").get(f"{API}/people/")

    rows = {p["name"]: p for p in response.json()["results"]}
    assert set(rows) == {"马明", "欧兰"}
    assert rows["马明"]["registration_status"] == "submitted"
    assert rows["马明"]["membership"]["category"] == "in_service"
    assert rows["马明"]["membership"]["employer"] == cast.hospital.pk
    assert rows["欧兰"]["membership"] is None
    assert rows["马明"]["mobile"] == cast.member_person.mobile  # the office sees numbers in full


def test_people_filter_for_in_service_members_not_yet_registered(cast, as_user):
    registered = f.PersonFactory(community=cast.beijie, name="已报到")
    f.MembershipFactory(person=registered, employer=cast.hospital)
    services.registration_submit(person=registered, community=cast.beijie, by=cast.secretary)
    retired = f.PersonFactory(community=cast.beijie, name="退休")
    f.RetiredMembershipFactory(person=retired)

    response = as_user("secretary").get(f"{API}/people/", {"unregistered": "true"})

    assert [p["name"] for p in response.json()["results"]] == ["马明"]


def test_people_filter_by_category_and_search_by_name(cast, as_user):
    retired = f.PersonFactory(community=cast.beijie, name="老赵")
    f.RetiredMembershipFactory(person=retired)
    client = as_user("secretary")

    assert [p["name"] for p in client.get(f"{API}/people/", {"category": "retired"}).json()["results"]] == [
        "老赵"
    ]
    assert [p["name"] for p in client.get(f"{API}/people/", {"search": "马"}).json()["results"]] == ["马明"]


def test_office_adds_a_person_with_a_nested_membership(cast, as_user):
    response = as_user("secretary").post(
        f"{API}/people/",
        {
            "community": cast.beijie.pk,
            "name": "王芳",
            "gender": "F",
            "mobile": "13800001111",
            "id_number": "11010519491231002x",
            "building": cast.b2.pk,
            "membership": {
                "category": "in_service",
                "employer": cast.finance.pk,
                "position": "科员",
                "specialties": ["会计"],
            },
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["id_number"] == "11010519491231002X"  # normalised
    assert body["membership"]["employer"] == cast.finance.pk
    person = Person.objects.get(pk=body["id"])
    assert (person.membership.category, person.membership.specialties) == ("in_service", ["会计"])


def test_in_service_member_without_employer_is_refused_and_not_saved(cast, as_user):
    response = as_user("secretary").post(
        f"{API}/people/",
        {"community": cast.beijie.pk, "name": "无单位", "membership": {"category": "in_service"}},
        format="json",
    )
    assert "employer" in error_of(response, 400)["fields"]
    assert not Person.objects.filter(name="无单位").exists()


def test_person_in_a_building_of_another_community_is_refused(cast, as_user):
    response = as_user("secretary").post(
        f"{API}/people/",
        {"community": cast.beijie.pk, "name": "错楼", "building": cast.cc1.pk},
        format="json",
    )
    assert does_not_exist(error_of(response, 400)["fields"]["building"][0], cast.cc1.pk)


def test_person_with_an_employer_of_another_town_is_refused(cast, as_user):
    elsewhere = f.EmployerFactory(town=cast.other_town_obj, name="东关单位")
    response = as_user("secretary").post(
        f"{API}/people/",
        {
            "community": cast.beijie.pk,
            "name": "外镇单位",
            "membership": {"category": "in_service", "employer": elsewhere.pk},
        },
        format="json",
    )
    fields = error_of(response, 400)["fields"]
    assert does_not_exist(fields["membership"]["employer"][0], elsewhere.pk)


@pytest.mark.parametrize(
    ("id_number", "reason"),
    [("110105194912310021", "校验位"), ("1101051949", "18位")],
    ids=["wrong-check-digit", "too-short"],
)
def test_invalid_id_number_is_a_field_error(cast, as_user, id_number, reason):
    response = as_user("secretary").post(
        f"{API}/people/", {"community": cast.beijie.pk, "name": "错号", "id_number": id_number}, format="json"
    )
    assert reason in error_of(response, 400)["fields"]["id_number"][0]


def test_id_number_already_on_the_roster_is_a_field_error(cast, as_user):
    response = as_user("secretary").post(
        f"{API}/people/",
        {"community": cast.beijie.pk, "name": "重号", "id_number": cast.foreign_person.id_number},
        format="json",
    )
    assert error_of(response, 400)["fields"]["id_number"] == ["该身份证号码已登记"]


def test_patching_part_of_the_membership_keeps_the_rest(cast, as_user, registration):
    response = as_user("secretary").patch(
        f"{API}/people/{cast.member_person.pk}/", {"membership": {"position": "副主任"}}, format="json"
    )

    assert response.status_code == 200, response.json()
    membership = PartyMembership.objects.get(person=cast.member_person)
    assert (membership.category, membership.employer, membership.position) == (
        "in_service",
        cast.hospital,
        "副主任",
    )
    assert response.json()["registration_status"] == "submitted"  # the answer reflects the stored state


def test_patching_a_person_keeps_their_id_number(cast, as_user):
    before = cast.member_person.id_number
    response = as_user("staff").patch(
        f"{API}/people/{cast.member_person.pk}/", {"unit_room": "3单元"}, format="json"
    )
    assert response.status_code == 200
    cast.member_person.refresh_from_db()
    assert (cast.member_person.unit_room, cast.member_person.id_number) == ("3单元", before)


def test_people_cannot_be_deleted_through_the_api(cast, as_user):
    assert as_user("secretary").delete(f"{API}/people/{cast.member_person.pk}/").status_code == 405


# ---------------------------------------------------------------------------------------------- masking


@pytest.fixture
def liaison_world(cast):
    """Hospital staff in various situations, to see exactly whom the hospital's liaison gets."""
    retired = f.PersonFactory(community=cast.beijie, name="退休医生")
    f.MembershipFactory(person=retired, employer=cast.hospital, category=MemberCategory.RETIRED)
    elsewhere = f.PersonFactory(community=cast.changcheng, name="长城护士")
    f.MembershipFactory(person=elsewhere, employer=cast.hospital)
    finance = f.PersonFactory(community=cast.beijie, name="财政科员")
    f.MembershipFactory(person=finance, employer=cast.finance)
    return {"elsewhere": elsewhere, "retired": retired, "finance": finance}


def test_liaison_sees_only_the_employers_in_service_members_without_numbers(cast, as_user, liaison_world):
    response = as_user("liaison").get(f"{API}/people/")

    rows = {p["name"]: p for p in response.json()["results"]}
    # in-service members of the hospital, whichever community they live in — nobody else
    assert set(rows) == {"马明", "长城护士"}
    # the feedback sheet's fields only (tests/privacy/test_employer_fields.py): no number, not even masked
    for row in rows.values():
        assert "mobile" not in row and "id_number" not in row


def test_liaison_gets_404_for_a_retired_member_of_the_same_employer(cast, as_user, liaison_world):
    response = as_user("liaison").get(f"{API}/people/{liaison_world['retired'].pk}/")
    error_of(response, 404)


def test_liaison_sees_registrations_of_in_service_members_only(cast, as_user, liaison_world):
    registration = services.registration_submit(
        person=cast.member_person, community=cast.beijie, by=cast.member
    )
    # The retired doctor once registered while in service; the row stays after the category changed.
    old = Registration.objects.create(
        person=liaison_world["retired"], community=cast.beijie, channel="window"
    )

    ids = [r["id"] for r in as_user("liaison").get(f"{API}/registrations/").json()["results"]]

    assert ids == [registration.pk]
    assert old.pk not in ids


def test_member_sees_their_own_record_in_full(cast, as_user):
    response = as_user("member").get(f"{API}/people/{cast.member_person.pk}/")

    assert response.status_code == 200
    assert response.json()["mobile"] == cast.member_person.mobile
    assert response.json()["id_number"] == cast.member_person.id_number


def test_member_lists_only_themself(cast, as_user):
    response = as_user("member").get(f"{API}/people/")
    assert [p["id"] for p in response.json()["results"]] == [cast.member_person.pk]


def test_town_supervisor_sees_numbers_masked(cast, as_user):
    # members.privacy: the town supervides, it does not answer for a roster; it reveals a number with a reason
    response = as_user("town").get(f"{API}/people/{cast.foreign_person.pk}/")
    assert response.json()["mobile"] == mask_mobile(cast.foreign_person.mobile)


def test_masked_numbers_are_not_searchable_by_the_liaison_beyond_their_members(cast, as_user, liaison_world):
    response = as_user("liaison").get(f"{API}/people/", {"search": liaison_world["finance"].mobile})
    assert response.json()["results"] == []


# ----------------------------------------------------------------------------------------- registrations


def test_member_submits_their_registration_online(cast, as_user):
    response = as_user("member").post(
        f"{API}/registrations/",
        {
            "person": cast.member_person.pk,
            "community": cast.beijie.pk,
            "specialties": ["法律咨询", "义诊"],
            "desired_posts": "法律援助岗",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["channel"], body["person_name"], body["community_name"]) == (
        "submitted",
        "online",
        "马明",
        "北街社区",
    )
    assert body["specialties"] == ["法律咨询", "义诊"]
    assert [(e["from_status"], e["to_status"], e["by"]) for e in body["events"]] == [
        ("", "submitted", "mike")
    ]


def test_staff_registers_the_member_at_the_window(cast, as_user):
    response = as_user("staff").post(
        f"{API}/registrations/", {"person": cast.member_person.pk, "community": cast.beijie.pk}, format="json"
    )
    assert (response.status_code, response.json()["channel"]) == (201, "window")


def test_second_registration_is_a_409_conflict(cast, as_user, registration):
    response = as_user("secretary").post(
        f"{API}/registrations/", {"person": cast.member_person.pk, "community": cast.beijie.pk}, format="json"
    )
    assert error_of(response, 409)["code"] == "already_registered"
    assert Registration.objects.filter(person=cast.member_person).count() == 1


def test_foreign_person_in_a_registration_is_refused_as_if_it_did_not_exist(cast, as_user):
    # 北街's secretary names 陈外, who lives in 长城
    client = as_user("secretary")

    foreign = client.post(
        f"{API}/registrations/",
        {"person": cast.foreign_person.pk, "community": cast.beijie.pk},
        format="json",
    )
    missing = client.post(
        f"{API}/registrations/", {"person": 999999, "community": cast.beijie.pk}, format="json"
    )

    foreign_message = error_of(foreign, 400)["fields"]["person"][0]
    assert does_not_exist(foreign_message, cast.foreign_person.pk)
    assert foreign_message.replace(str(cast.foreign_person.pk), "N") == error_of(missing, 400)["fields"][
        "person"
    ][0].replace("999999", "N")
    assert not Registration.objects.exists()


def test_foreign_community_in_a_registration_is_refused_as_if_it_did_not_exist(cast, as_user):
    response = as_user("secretary").post(
        f"{API}/registrations/",
        {"person": cast.member_person.pk, "community": cast.changcheng.pk},
        format="json",
    )
    assert does_not_exist(error_of(response, 400)["fields"]["community"][0], cast.changcheng.pk)


def test_registration_in_a_community_other_than_home_is_a_field_error(cast, as_user):
    response = as_user("town").post(
        f"{API}/registrations/",
        {"person": cast.member_person.pk, "community": cast.changcheng.pk},
        format="json",
    )
    assert "community" in error_of(response, 400)["fields"]


def test_registration_of_a_retired_member_is_a_field_error(cast, as_user):
    retired = f.PersonFactory(community=cast.beijie)
    f.RetiredMembershipFactory(person=retired)
    response = as_user("secretary").post(
        f"{API}/registrations/", {"person": retired.pk, "community": cast.beijie.pk}, format="json"
    )
    assert "person" in error_of(response, 400)["fields"]


def test_secretary_confirms_a_registration(cast, as_user, registration):
    response = as_user("secretary").post(f"{API}/registrations/{registration.pk}/confirm/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "confirmed"
    assert body["decided_at"]
    assert [(e["from_status"], e["to_status"], e["by"]) for e in body["events"]] == [
        ("", "submitted", "mike"),
        ("submitted", "confirmed", "alice"),
    ]


@pytest.mark.parametrize(
    "payload", [{}, {"reason": ""}, {"reason": "   "}], ids=["missing", "empty", "blank"]
)
def test_returning_without_a_reason_names_the_reason_field(cast, as_user, registration, payload):
    response = as_user("secretary").post(
        f"{API}/registrations/{registration.pk}/return/", payload, format="json"
    )

    assert list(error_of(response, 400)["fields"]) == ["reason"]
    assert Registration.objects.get(pk=registration.pk).status == "submitted"


def test_returning_with_a_reason(cast, as_user, registration):
    response = as_user("secretary").post(
        f"{API}/registrations/{registration.pk}/return/", {"reason": "工作单位填写不全"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["return_reason"]) == ("returned", "工作单位填写不全")
    assert response.json()["events"][-1]["note"] == "工作单位填写不全"


def test_member_withdraws_their_registration(cast, as_user, registration):
    response = as_user("member").post(f"{API}/registrations/{registration.pk}/withdraw/")
    assert (response.status_code, response.json()["status"]) == (200, "withdrawn")


@pytest.mark.parametrize(
    ("first", "then", "allowed"),
    [
        ("return", "confirm", []),
        ("confirm", "return", ["transfer"]),
        ("return", "transfer", []),
        ("confirm", "withdraw", ["transfer"]),
    ],
    ids=[
        "confirm-a-returned-one",
        "return-a-confirmed-one",
        "transfer-a-returned-one",
        "withdraw-a-confirmed-one",
    ],
)
def test_illegal_transition_is_409_listing_the_legal_next_steps(
    cast, as_user, registration, first, then, allowed
):
    client = as_user("secretary")
    bodies = {"return": {"reason": "核实"}, "transfer": {"to_community": cast.changcheng.pk}}
    assert (
        client.post(
            f"{API}/registrations/{registration.pk}/{first}/", bodies.get(first, {}), format="json"
        ).status_code
        == 200
    )
    events_before = RegistrationEvent.objects.count()

    response = client.post(
        f"{API}/registrations/{registration.pk}/{then}/", bodies.get(then, {}), format="json"
    )

    error = error_of(response, 409)
    assert error["code"] == "illegal_transition"
    assert error["allowed"] == allowed
    assert RegistrationEvent.objects.count() == events_before


def test_transfer_answers_with_the_new_registration_in_the_new_community(cast, as_user, registration):
    client = as_user("secretary")
    client.post(f"{API}/registrations/{registration.pk}/confirm/")

    response = client.post(
        f"{API}/registrations/{registration.pk}/transfer/",
        {"to_community": cast.changcheng.pk, "building": cast.cc1.pk, "unit_room": "5单元"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["community"], body["transferred_from"]) == (
        "submitted",
        cast.changcheng.pk,
        registration.pk,
    )
    assert body["id"] != registration.pk
    # The old row is kept, with its whole history, and 长城's office now sees the new one
    old = as_user("town").get(f"{API}/registrations/{registration.pk}/").json()
    assert old["status"] == "transferred"
    assert [e["to_status"] for e in old["events"]] == ["submitted", "confirmed", "transferred"]
    assert as_user("other_secretary").get(f"{API}/registrations/{body['id']}/").status_code == 200
    # …and 北街's office no longer does: the member has left its roster
    assert client.get(f"{API}/registrations/{body['id']}/").status_code == 404
    assert client.get(f"{API}/people/{cast.member_person.pk}/").status_code == 404


def test_member_transfers_their_own_registration(cast, as_user, registration):
    response = as_user("member").post(
        f"{API}/registrations/{registration.pk}/transfer/",
        {"to_community": cast.changcheng.pk},
        format="json",
    )
    assert response.status_code == 201
    assert as_user("member").get(f"{API}/registrations/").json()["count"] == 2


@pytest.mark.parametrize("target", ["beijie", "dongguan"], ids=["same-community", "another-town"])
def test_transfer_to_the_same_community_or_another_town_is_refused(cast, as_user, registration, target):
    response = as_user("secretary").post(
        f"{API}/registrations/{registration.pk}/transfer/",
        {"to_community": getattr(cast, target).pk},
        format="json",
    )
    assert "to_community" in error_of(response, 400)["fields"]
    assert Registration.objects.get(pk=registration.pk).status == "submitted"


def test_registrations_filter_by_status(cast, as_user, registration):
    client = as_user("secretary")
    assert client.get(f"{API}/registrations/", {"status": "submitted"}).json()["count"] == 1
    assert client.get(f"{API}/registrations/", {"status": "confirmed"}).json()["count"] == 0


# ---------------------------------------------------------------------------------------------- officers


def test_office_appoints_an_activist_and_gets_the_next_letter_number(cast, as_user):
    activist = f.PersonFactory(community=cast.beijie, name="积极分子")

    response = as_user("secretary").post(
        f"{API}/officers/",
        {
            "community": cast.beijie.pk,
            "person": activist.pk,
            "source": "activist",
            "appointed_on": "2026-03-01",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["appointment_no"], body["status"], body["term_end"], body["person_name"]) == (
        "BEIJIE-2026-001",
        "active",
        "2029-02-28",
        "积极分子",
    )


def test_appointing_an_in_service_member_is_a_field_error(cast, as_user):
    response = as_user("secretary").post(
        f"{API}/officers/",
        {
            "community": cast.beijie.pk,
            "person": cast.member_person.pk,
            "source": "activist",
            "appointed_on": "2026-03-01",
        },
        format="json",
    )
    assert "person" in error_of(response, 400)["fields"]


def test_member_source_for_a_non_member_is_a_field_error(cast, as_user):
    activist = f.PersonFactory(community=cast.beijie)
    response = as_user("secretary").post(
        f"{API}/officers/",
        {
            "community": cast.beijie.pk,
            "person": activist.pk,
            "source": "retired",
            "appointed_on": "2026-03-01",
        },
        format="json",
    )
    assert "source" in error_of(response, 400)["fields"]


def test_appointing_a_person_of_another_community_is_refused_as_if_they_did_not_exist(cast, as_user):
    response = as_user("secretary").post(
        f"{API}/officers/",
        {
            "community": cast.beijie.pk,
            "person": cast.foreign_person.pk,
            "source": "activist",
            "appointed_on": "2026-03-01",
        },
        format="json",
    )
    assert does_not_exist(error_of(response, 400)["fields"]["person"][0], cast.foreign_person.pk)


def test_appointing_an_officer_already_in_post_is_a_409(cast, as_user):
    response = as_user("secretary").post(
        f"{API}/officers/",
        {
            "community": cast.beijie.pk,
            "person": cast.officer_person.pk,
            "source": "activist",
            "appointed_on": "2026-03-01",
        },
        format="json",
    )
    assert error_of(response, 409)["code"] == "already_appointed"


def test_ending_an_appointment(cast, as_user):
    client = as_user("secretary")
    url = f"{API}/officers/{cast.officer_row.pk}/end/"

    response = client.post(url, {"reason": "resigned", "on": "2026-06-30"}, format="json")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["ended_on"], response.json()["end_reason"]) == (
        "ended",
        "2026-06-30",
        "resigned",
    )
    assert error_of(client.post(url, {"reason": "resigned"}, format="json"), 409)["code"] == "already_ended"


def test_ending_with_an_unknown_reason_is_a_field_error(cast, as_user):
    response = as_user("secretary").post(
        f"{API}/officers/{cast.officer_row.pk}/end/", {"reason": "x"}, format="json"
    )
    assert "reason" in error_of(response, 400)["fields"]


def test_penalty_ladder_through_the_api(cast, as_user):
    client = as_user("secretary")
    url = f"{API}/officers/{cast.officer_row.pk}/records/"

    skipped = client.post(url, {"kind": "public_criticism", "reason": "漏报"}, format="json")
    error = error_of(skipped, 400)
    assert list(error["fields"]) == ["skip_reason"]
    assert error["allowed"] == ["criticism"]

    assert client.post(url, {"kind": "commendation", "reason": "及时上报"}, format="json").status_code == 201
    assert client.post(url, {"kind": "criticism", "reason": "漏报"}, format="json").status_code == 201
    assert (
        client.post(url, {"kind": "public_criticism", "reason": "再次漏报"}, format="json").status_code == 201
    )
    no_amount = client.post(url, {"kind": "economic_penalty", "reason": "屡次漏报"}, format="json")
    assert "amount_yuan" in error_of(no_amount, 400)["fields"]
    fined = client.post(
        url, {"kind": "economic_penalty", "reason": "屡次漏报", "amount_yuan": "50.00"}, format="json"
    )
    assert (fined.status_code, fined.json()["amount_yuan"]) == (201, "50.00")
    assert client.post(url, {"kind": "dismissal", "reason": "拒不改正"}, format="json").status_code == 201

    officer = client.get(f"{API}/officers/{cast.officer_row.pk}/").json()
    assert officer["status"] == "ended"
    assert officer["end_reason"] == "dismissed"
    assert [r["kind"] for r in officer["records"]] == [
        "commendation",
        "criticism",
        "public_criticism",
        "economic_penalty",
        "dismissal",
    ]
    late = client.post(url, {"kind": "commendation", "reason": "补记"}, format="json")
    assert error_of(late, 409)["code"] == "officer_ended"


def test_skipping_a_rung_with_a_reason_is_accepted(cast, as_user):
    response = as_user("secretary").post(
        f"{API}/officers/{cast.officer_row.pk}/records/",
        {"kind": "dismissal", "reason": "伪造走访日志", "skip_reason": "性质严重"},
        format="json",
    )
    assert response.status_code == 201
    assert InformationOfficer.objects.get(pk=cast.officer_row.pk).status == OfficerStatus.ENDED


def test_dismissed_officer_loses_the_officer_role(cast, as_user):
    as_user("secretary").post(
        f"{API}/officers/{cast.officer_row.pk}/records/",
        {"kind": "dismissal", "reason": "伪造走访日志", "skip_reason": "性质严重"},
        format="json",
    )
    fresh = User.objects.get(pk=cast.officer.pk)
    client = APIClient()
    client.force_authenticate(fresh)
    roles = [r["role"] for r in client.get(f"{API}/me/").json()["roles"]]
    assert Role.OFFICER not in roles


def test_strength_shows_the_vacancy_of_the_secretarys_community(cast, as_user):
    response = as_user("secretary").get(f"{API}/officers/strength/")
    assert response.json() == [
        {
            "community_id": cast.beijie.pk,
            "community_name": "北街社区",
            "quota": 2,
            "active": 1,
            "vacancies": 1,
        }
    ]


def test_strength_of_the_town_lists_each_community(cast, as_user):
    rows = {r["community_name"]: r for r in as_user("town").get(f"{API}/officers/strength/").json()}
    assert (rows["北街社区"]["vacancies"], rows["长城社区"]["vacancies"]) == (1, 0)


def test_appointment_letter_is_a_pdf(cast, as_user):
    response = as_user("secretary").get(f"{API}/officers/{cast.officer_row.pk}/letter/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert cast.officer_row.appointment_no in response["Content-Disposition"]


# ------------------------------------------------------------------------------------------------ zones


@pytest.fixture
def zone(cast):
    return services.zone_save(
        community=cast.beijie, by=cast.secretary, name="一号责任区", buildings=[cast.b1]
    )


def test_office_creates_a_zone(cast, as_user):
    response = as_user("secretary").post(
        f"{API}/zones/",
        {"community": cast.beijie.pk, "name": "东片", "buildings": [cast.b1.pk, cast.b2.pk]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["name"], sorted(response.json()["buildings"])) == (
        "东片",
        sorted([cast.b1.pk, cast.b2.pk]),
    )


def test_zone_with_a_building_of_another_community_is_refused(cast, as_user):
    response = as_user("secretary").post(
        f"{API}/zones/",
        {"community": cast.beijie.pk, "name": "越界", "buildings": [cast.cc1.pk]},
        format="json",
    )
    assert does_not_exist(error_of(response, 400)["fields"]["buildings"][0], cast.cc1.pk)


def test_town_cannot_mix_buildings_of_two_communities_in_a_zone(cast, as_user):
    response = as_user("town").post(
        f"{API}/zones/",
        {"community": cast.beijie.pk, "name": "混合", "buildings": [cast.b1.pk, cast.cc1.pk]},
        format="json",
    )
    assert "buildings" in error_of(response, 400)["fields"]


def test_office_renames_a_zone_and_changes_its_buildings(cast, as_user, zone):
    response = as_user("staff").patch(
        f"{API}/zones/{zone.pk}/", {"name": "一号责任区（新）", "buildings": [cast.b2.pk]}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["buildings"]) == ("一号责任区（新）", [cast.b2.pk])


def test_office_assigns_a_member_with_the_letter_date(cast, as_user, zone):
    response = as_user("secretary").post(
        f"{API}/zones/{zone.pk}/assign/",
        {"person": cast.member_person.pk, "letter_signed_on": "2026-03-05"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["assignments"] == [
        {
            "person": cast.member_person.pk,
            "person_name": "马明",
            "source": "assigned",
            "letter_signed_on": "2026-03-05",
            "assigned_at": response.json()["assignments"][0]["assigned_at"],
        }
    ]


def test_member_self_reports_for_a_zone_of_their_community(cast, as_user, zone):
    client = as_user("member")
    assert zone.pk in [z["id"] for z in client.get(f"{API}/zones/").json()["results"]]

    response = client.post(
        f"{API}/zones/{zone.pk}/assign/", {"person": cast.member_person.pk, "source": "self"}, format="json"
    )

    assert response.status_code == 201, response.json()
    assert ZoneAssignment.objects.get(zone=zone).source == "self"


def test_assigning_a_non_member_is_a_field_error(cast, as_user, zone):
    response = as_user("secretary").post(
        f"{API}/zones/{zone.pk}/assign/", {"person": cast.officer_person.pk}, format="json"
    )
    assert "person" in error_of(response, 400)["fields"]


def test_office_unassigns_a_member(cast, as_user, zone):
    services.zone_assign(zone=zone, person=cast.member_person, by=cast.secretary)
    response = as_user("secretary").post(
        f"{API}/zones/{zone.pk}/unassign/", {"person": cast.member_person.pk}, format="json"
    )
    assert (response.status_code, response.json()["assignments"]) == (200, [])


# ------------------------------------------------------------------------------------ roster import/export


def _roster_xlsx(rows):
    from openpyxl import Workbook

    from members.roster import COLUMNS

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append([row.get(c, "") for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "花名册.xlsx"
    return buffer


def test_roster_upload_previews_then_commit_writes_it(cast, as_user):
    client = as_user("secretary")
    upload = _roster_xlsx(
        [
            {
                "序号": 1,
                "姓名": "导入党员",
                "性别": "男",
                "身份证号码": f.make_id_number(777),
                "党员类别": "离退休党员",
                "居住社区": "北街社区",
            }
        ]
    )

    preview = client.post(f"{API}/roster-imports/", {"file": upload}, format="multipart")

    assert preview.status_code == 201, preview.json()
    assert preview.json()["status"] == "preview"
    assert not Person.objects.filter(name="导入党员").exists()
    listed = client.get(f"{API}/roster-imports/").json()["results"]
    assert [r["id"] for r in listed] == [preview.json()["id"]]

    committed = client.post(f"{API}/roster-imports/{preview.json()['id']}/commit/")

    assert (committed.status_code, committed.json()["status"]) == (200, "committed")
    person = Person.objects.get(name="导入党员")
    assert (person.community, person.membership.category) == (cast.beijie, "retired")
    again = client.post(f"{API}/roster-imports/{preview.json()['id']}/commit/")
    assert error_of(again, 409)["code"] == "already_committed"


def test_roster_export_is_the_managed_communities_roster_as_xlsx(cast, as_user):
    from openpyxl import load_workbook

    response = as_user("secretary").get(f"{API}/roster-export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    text = {str(c) for row in sheet.iter_rows(values_only=True) for c in row if c}
    assert {"马明", cast.member_person.id_number} <= text
    assert "陈外" not in text  # 长城's resident
    assert "欧兰" not in text  # the 花名册 lists party members only; 欧兰 is an activist


# ------------------------------------------------------------------------------------ me, notifications


def test_me_describes_the_login_its_roles_and_person(cast, as_user):
    body = as_user("member").get(f"{API}/me/").json()
    assert (body["username"], body["person"], body["must_change_password"]) == (
        "mike",
        cast.member_person.pk,
        False,
    )
    assert body["roles"] == [{"role": "member", "town": None, "community": cast.beijie.pk, "employer": None}]


def test_me_of_the_town_supervisor_has_no_person(cast, as_user):
    body = as_user("town").get(f"{API}/me/").json()
    assert body["person"] is None
    assert body["roles"] == [
        {"role": "town_supervisor", "town": cast.town_obj.pk, "community": None, "employer": None}
    ]


def test_notifications_are_the_users_own_and_can_be_marked_read(cast, as_user):
    mine = notify(recipient=cast.member, kind="reminder", title="请完成年度服务")
    other = notify(recipient=cast.member, kind="reminder", title="请签订责任书")
    notify(recipient=cast.secretary, kind="alert", title="信息员缺额")
    client = as_user("member")

    listed = client.get(f"{API}/notifications/").json()["results"]
    assert {n["id"] for n in listed} == {mine.pk, other.pk}
    assert all(n["read_at"] is None for n in listed)

    response = client.post(f"{API}/notifications/mark-read/", {"ids": [mine.pk]}, format="json")
    assert response.json() == {"marked": 1}
    read = {n["id"]: n["read_at"] for n in client.get(f"{API}/notifications/").json()["results"]}
    assert read[mine.pk] is not None and read[other.pk] is None

    assert client.post(f"{API}/notifications/mark-read/", {}, format="json").json() == {"marked": 1}


def test_marking_someone_elses_notification_does_nothing(cast, as_user):
    theirs = notify(recipient=cast.secretary, kind="alert", title="信息员缺额")
    response = as_user("member").post(f"{API}/notifications/mark-read/", {"ids": [theirs.pk]}, format="json")
    assert response.json() == {"marked": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


# -------------------------------------------------------------------------------------------- error shape


@pytest.mark.parametrize(
    ("persona", "method", "url", "payload", "status", "code"),
    [
        ("secretary", "post", "/people/", {"community": "x"}, 400, "invalid"),
        ("member", "patch", "/people/{member}/", {"unit_room": "x"}, 403, "permission_denied"),
        ("liaison", "post", "/buildings/", {"community": 1, "name": "x"}, 403, "permission_denied"),
        ("anonymous", "get", "/people/", None, 403, "not_authenticated"),
        ("secretary", "get", "/people/{foreign}/", None, 404, "not_found"),
        ("secretary", "get", "/people/999999/", None, 404, "not_found"),
        ("secretary", "post", "/officers/{officer}/end/", {"reason": "moved"}, 200, None),
        ("secretary", "delete", "/people/{member}/", None, 405, "method_not_allowed"),
    ],
)
def test_every_error_has_the_same_shape(cast, as_user, persona, method, url, payload, status, code):
    url = url.format(
        member=cast.member_person.pk, foreign=cast.foreign_person.pk, officer=cast.officer_row.pk
    )
    client = as_user(persona)
    response = (
        getattr(client, method)(f"{API}{url}", payload, format="json")
        if payload
        else getattr(client, method)(f"{API}{url}")
    )
    if status == 200:
        # …and the same action again is a 409 in the same shape
        response = client.post(f"{API}{url}", payload, format="json")
        status, code = 409, "already_ended"
    assert error_of(response, status)["code"] == code


# -------------------------------------------------------------------------------------------- query counts


def _fresh_client(user) -> APIClient:
    """A client for a freshly loaded user, so every measured request computes its scope the same way."""
    client = APIClient()
    client.force_authenticate(User.objects.get(pk=user.pk))
    return client


def _add_people(cast, n):
    for i in range(n):
        person = f.PersonFactory(community=cast.beijie, building=cast.b1)
        f.MembershipFactory(person=person, employer=cast.hospital if i % 2 else cast.finance)
        if i % 3 == 0:
            services.registration_submit(person=person, community=cast.beijie, by=cast.secretary)


def _add_registrations(cast, n):
    for _ in range(n):
        person = f.PersonFactory(community=cast.beijie)
        f.MembershipFactory(person=person, employer=cast.hospital)
        registration = services.registration_submit(person=person, community=cast.beijie, by=cast.secretary)
        services.registration_confirm(registration=registration, by=cast.staff)


def _add_officers(cast, n):
    for _ in range(n):
        officer = f.OfficerFactory(community=cast.beijie, compound=f.CompoundFactory(community=cast.beijie))
        services.officer_record(officer=officer, by=cast.secretary, kind="commendation", reason="好")
        services.officer_record(officer=officer, by=cast.secretary, kind="criticism", reason="漏报")


def _add_zones(cast, n):
    for _ in range(n):
        zone = f.ZoneFactory(community=cast.beijie)
        zone.buildings.set([cast.b1, cast.b2])
        person = f.PersonFactory(community=cast.beijie)
        f.RetiredMembershipFactory(person=person)
        services.zone_assign(
            zone=zone, person=person, by=cast.secretary, letter_signed_on=dt.date(2026, 3, 1)
        )


def _add_communities(cast, n):
    for _ in range(n):
        f.CommunityFactory(town=cast.town_obj)


def _add_buildings(cast, n):
    compound = f.CompoundFactory(community=cast.beijie)
    for _ in range(n):
        f.BuildingFactory(community=cast.beijie, compound=compound)


def _add_employers(cast, n):
    for _ in range(n):
        f.EmployerFactory(town=cast.town_obj)


# endpoint: (persona, add rows, query bound). Every bound is: the scope (role assignments, the linked
# person; for a town supervisor also the town's communities), the page count, the page, and one query per
# prefetched relation (registration events; officer records; zone buildings and assignments).
QUERY_CASES = {
    "people": ("secretary", _add_people, 4),
    "registrations": ("secretary", _add_registrations, 5),
    "officers": ("secretary", _add_officers, 5),
    "zones": ("secretary", _add_zones, 6),
    "communities": ("town", _add_communities, 5),
    "buildings": ("secretary", _add_buildings, 4),
    "employers": ("secretary", _add_employers, 4),
}


def _measure(django_assert_max_num_queries, user, url, bound, **params):
    client = _fresh_client(user)
    with django_assert_max_num_queries(bound) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured.captured_queries), len(response.json()["results"])


@pytest.mark.parametrize("endpoint", list(QUERY_CASES))
def test_list_query_count_does_not_grow_with_rows_or_page_size(cast, django_assert_max_num_queries, endpoint):
    persona, add_rows, bound = QUERY_CASES[endpoint]
    user = getattr(cast, persona)
    url = f"{API}/{endpoint}/"

    add_rows(cast, 5)
    few, few_rows = _measure(django_assert_max_num_queries, user, url, bound)
    add_rows(cast, 25)
    many, many_rows = _measure(django_assert_max_num_queries, user, url, bound)
    small_page, small_rows = _measure(django_assert_max_num_queries, user, url, bound, page_size=5)
    big_page, big_rows = _measure(django_assert_max_num_queries, user, url, bound, page_size=50)

    assert many_rows >= few_rows + 25 and (small_rows, big_rows) == (5, many_rows)
    assert few == many == small_page == big_page


def _grow_officer(cast, obj, n):
    for _ in range(n):
        services.officer_record(officer=obj, by=cast.secretary, kind="commendation", reason="好")


def _grow_zone(cast, obj, n):
    for _ in range(n):
        person = f.PersonFactory(community=cast.beijie)
        f.RetiredMembershipFactory(person=person)
        services.zone_assign(zone=obj, person=person, by=cast.secretary)
        obj.buildings.add(f.BuildingFactory(community=cast.beijie))


def _grow_person(cast, obj, n):
    for _ in range(n):  # registrations returned in earlier years
        Registration.objects.create(person=obj, community=cast.beijie, channel="window", status="returned")


DETAIL_CASES = {
    "officers": (lambda cast: cast.officer_row, _grow_officer, 4),
    "zones": (lambda cast: f.ZoneFactory(community=cast.beijie), _grow_zone, 5),
    # reading someone's full record also writes one access-log row (core.audit)
    "people": (lambda cast: cast.member_person, _grow_person, 4),
}


@pytest.mark.parametrize("endpoint", list(DETAIL_CASES))
def test_detail_query_count_does_not_grow_with_related_rows(cast, django_assert_max_num_queries, endpoint):
    make, grow, bound = DETAIL_CASES[endpoint]
    obj = make(cast)
    url = f"{API}/{endpoint}/{obj.pk}/"

    grow(cast, obj, 1)
    few, _ = _measure_detail(django_assert_max_num_queries, cast.secretary, url, bound)
    grow(cast, obj, 10)
    many, _ = _measure_detail(django_assert_max_num_queries, cast.secretary, url, bound)

    assert few == many


def _measure_detail(django_assert_max_num_queries, user, url, bound):
    client = _fresh_client(user)
    with django_assert_max_num_queries(bound) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.json()


@pytest.mark.parametrize("field", ["mobile", "id_number"])
def test_liaison_cannot_recover_a_masked_number_by_searching_for_it(cast, as_user, field):
    # Given 马明's number, which the hospital's liaison sees masked
    number = getattr(cast.member_person, field)
    client = as_user("liaison")

    # When the liaison searches for the hidden middle digits / Then nothing confirms or denies them
    assert client.get(f"{API}/people/", {"search": number[3:9]}).json()["results"] == []
    # …while a search by name still works
    assert [p["name"] for p in client.get(f"{API}/people/", {"search": "马明"}).json()["results"]] == ["马明"]


def test_office_searches_its_roster_by_phone_number(cast, as_user):
    response = as_user("secretary").get(f"{API}/people/", {"search": cast.member_person.mobile})
    assert [p["name"] for p in response.json()["results"]] == ["马明"]
