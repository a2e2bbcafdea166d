"""The gaps in the masking policy (members.privacy) that pages, API and admin had left open: the person edit
form, search by phone or ID number, reception visitor phones and the Django admin."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from cases import services as case_services
from cases.models import ReceptionKind
from members.models import Person
from members.validators import mask_id_number, mask_mobile
from tests.cases.factories import make_case

API = "/api/v1"
VISITOR_PHONE = "13812345678"
CASE_PHONE = "13912345678"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ------------------------------------------------------------------------------------- person edit form


def _edit_post(person, **overrides) -> dict:
    data = {
        "name": person.name,
        "gender": person.gender or "",
        "ethnicity": person.ethnicity or "",
        "education": person.education or "",
        "mobile": "",
        "id_number": "",
        "unit_room": person.unit_room or "",
        "note": person.note or "",
        "building": person.building_id or "",
        "category": person.membership.category,
        "employer": person.membership.employer_id or "",
        "position": person.membership.position or "",
        "specialties": "、".join(person.membership.specialties or []),
        "interests": "、".join(person.membership.interests or []),
    }
    if person.birth_date:
        data["birth_date"] = person.birth_date.isoformat()
    if person.membership.joined_on:
        data["joined_on"] = person.membership.joined_on.isoformat()
    data.update(overrides)
    return data


def test_staff_edit_page_never_contains_the_full_numbers_but_shows_them_masked(cast):
    person = cast.member_person

    html = _client(cast.staff).get(reverse("members:person_edit", args=[person.pk])).content.decode()

    assert person.mobile not in html and person.id_number not in html
    assert f'placeholder="{mask_mobile(person.mobile)}"' in html
    assert f'placeholder="{mask_id_number(person.id_number)}"' in html


def test_secretary_edit_page_is_prefilled_with_the_full_numbers(cast):
    person = cast.member_person

    html = _client(cast.secretary).get(reverse("members:person_edit", args=[person.pk])).content.decode()

    assert f'value="{person.mobile}"' in html and f'value="{person.id_number}"' in html


def test_staff_saving_without_touching_the_numbers_keeps_them(cast):
    person = cast.member_person
    mobile, id_number = person.mobile, person.id_number

    response = _client(cast.staff).post(
        reverse("members:person_edit", args=[person.pk]), _edit_post(person, note="已走访")
    )

    assert response.status_code == 302, response.content.decode()
    person.refresh_from_db()
    assert (person.mobile, person.id_number, person.note) == (mobile, id_number, "已走访")


def test_staff_can_still_replace_a_number(cast):
    person = cast.member_person

    response = _client(cast.staff).post(
        reverse("members:person_edit", args=[person.pk]), _edit_post(person, mobile="13700001111")
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.mobile == "13700001111"


def test_secretary_clearing_a_number_clears_it(cast):
    person = cast.member_person

    response = _client(cast.secretary).post(
        reverse("members:person_edit", args=[person.pk]),
        _edit_post(person, mobile="", id_number=person.id_number),
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.mobile == ""


# ------------------------------------------------------------------------------------------------ search


def _api_hits(as_user, persona, term) -> set[int]:
    results = as_user(persona).get(f"{API}/people/", {"search": term, "page_size": 100}).json()["results"]
    return {row["id"] for row in results}


@pytest.mark.parametrize("number", ["mobile", "id_number"])
def test_staff_api_search_by_a_full_number_finds_nothing(cast, as_user, number):
    person = cast.member_person

    assert person.pk not in _api_hits(as_user, "staff", getattr(person, number))
    assert person.pk not in _api_hits(as_user, "town", getattr(person, number))
    assert person.pk in _api_hits(as_user, "staff", person.name)


@pytest.mark.parametrize("number", ["mobile", "id_number"])
def test_secretary_api_search_by_number_works_as_before(cast, as_user, number):
    person = cast.member_person

    assert person.pk in _api_hits(as_user, "secretary", getattr(person, number))
    assert person.pk in _api_hits(as_user, "secretary", person.name)


def test_a_town_granted_permission_lets_staff_search_by_number(cast, as_user):
    cast.staff.user_permissions.add(Permission.objects.get(codename="view_full_personal_data"))

    assert cast.member_person.pk in _api_hits(as_user, "staff", cast.member_person.mobile)


def _roster_names(user, q) -> str:
    return _client(user).get(reverse("members:roster"), {"q": q}).content.decode()


def test_roster_page_search_by_phone_is_name_only_for_staff(cast):
    person = cast.member_person

    assert person.name not in _roster_names(cast.staff, person.mobile)
    assert person.name in _roster_names(cast.staff, person.name)
    assert person.name in _roster_names(cast.secretary, person.mobile)
    assert person.name in _roster_names(cast.secretary, person.name)


# --------------------------------------------------------------------------------------------- reception


@pytest.fixture
def reception_item(cast):
    day = case_services.reception_schedule(
        community=cast.beijie,
        by=cast.secretary,
        kind=ReceptionKind.DEPUTIES,
        year=2026,
        month=1,
        host_name="周明",
    )
    return case_services.reception_item_record(
        reception=day,
        by=cast.secretary,
        visitor_name="吴阿姨",
        visitor_phone=VISITOR_PHONE,
        content="小区门口路面破损",
    )


@pytest.mark.parametrize(
    ("persona", "shown"), [("secretary", "full"), ("staff", "masked"), ("town", "masked")]
)
def test_reception_api_masks_the_visitor_phone_without_full_data(
    cast, as_user, reception_item, persona, shown
):
    expected = VISITOR_PHONE if shown == "full" else mask_mobile(VISITOR_PHONE)
    client = as_user(persona)

    detail = client.get(f"{API}/receptions/{reception_item.reception_id}/").json()
    listing = client.get(f"{API}/receptions/").json()
    rows = listing["results"] if isinstance(listing, dict) else listing

    assert detail["items"][0]["visitor_phone"] == expected
    day = next(r for r in rows if r["id"] == reception_item.reception_id)
    assert day["items"][0]["visitor_phone"] == expected
    assert VISITOR_PHONE not in str(listing) or shown == "full"


def test_recording_a_visitor_answers_with_the_phone_as_the_policy_allows(cast, as_user, reception_item):
    day = reception_item.reception
    payload = {"visitor_name": "郑", "visitor_phone": "13611112222", "content": "噪音扰民"}

    staff = as_user("staff").post(f"{API}/receptions/{day.pk}/items/", payload, format="json")
    secretary = as_user("secretary").post(f"{API}/receptions/{day.pk}/items/", payload, format="json")

    assert staff.status_code == 201 and staff.json()["visitor_phone"] == mask_mobile("13611112222")
    assert secretary.status_code == 201 and secretary.json()["visitor_phone"] == "13611112222"


# ------------------------------------------------------------------------------------------------- admin


def _admin_staff(cast, *codenames):
    user = cast.staff
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


@pytest.fixture
def superuser(cast):
    from tests import factories as f

    return f.UserFactory(username="root", is_staff=True, is_superuser=True)


def test_admin_person_changelist_masks_numbers_for_staff_and_not_for_a_superuser(cast, superuser):
    person = cast.member_person
    url = reverse("admin:members_person_changelist")
    staff = _admin_staff(cast, "view_person", "change_person")

    staff_html = _client(staff).get(url).content.decode()
    root_html = _client(superuser).get(url).content.decode()

    assert person.name in staff_html
    assert person.mobile not in staff_html and mask_mobile(person.mobile) in staff_html
    assert person.mobile in root_html


def test_admin_person_search_by_number_is_name_only_for_staff(cast, superuser):
    person = cast.member_person
    url = reverse("admin:members_person_changelist")
    staff = _admin_staff(cast, "view_person")

    assert person.name not in _client(staff).get(url, {"q": person.mobile}).content.decode()
    assert person.name in _client(superuser).get(url, {"q": person.mobile}).content.decode()


def test_admin_person_change_form_shows_the_numbers_masked_and_read_only_for_staff(cast, superuser):
    person = cast.member_person
    url = reverse("admin:members_person_change", args=[person.pk])
    staff = _admin_staff(cast, "view_person", "change_person")

    staff_response = _client(staff).get(url)
    staff_html = staff_response.content.decode()
    root_html = _client(superuser).get(url).content.decode()

    assert staff_response.status_code == 200
    assert person.mobile not in staff_html and person.id_number not in staff_html
    assert mask_mobile(person.mobile) in staff_html and mask_id_number(person.id_number) in staff_html
    assert 'name="mobile"' not in staff_html and 'name="id_number"' not in staff_html
    assert f'value="{person.mobile}"' in root_html and f'value="{person.id_number}"' in root_html


def test_admin_person_change_by_staff_keeps_the_numbers(cast):
    person = Person.objects.get(pk=cast.member_person.pk)
    mobile, id_number = person.mobile, person.id_number
    staff = _admin_staff(cast, "view_person", "change_person")
    url = reverse("admin:members_person_change", args=[person.pk])
    client = _client(staff)
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update({"name": "马明明", "user": person.user_id, "building": person.building_id})
    for prefix in ("membership",):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})

    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    person.refresh_from_db()
    assert (person.name, person.mobile, person.id_number) == ("马明明", mobile, id_number)


def test_admin_case_changelist_masks_the_resident_phone_for_staff(cast, superuser):
    case = make_case(cast.beijie, by=cast.staff)
    url = reverse("admin:cases_case_changelist")
    staff = _admin_staff(cast, "view_case")

    staff_html = _client(staff).get(url).content.decode()
    root_html = _client(superuser).get(url).content.decode()
    change_html = _client(staff).get(reverse("admin:cases_case_change", args=[case.pk])).content.decode()

    assert case.tracking_no in staff_html
    assert CASE_PHONE not in staff_html and mask_mobile(CASE_PHONE) in staff_html
    assert CASE_PHONE in root_html
    assert CASE_PHONE not in change_html and mask_mobile(CASE_PHONE) in change_html


def test_admin_reception_item_changelist_masks_the_visitor_phone_for_staff(cast, superuser, reception_item):
    url = reverse("admin:cases_receptionitem_changelist")
    staff = _admin_staff(cast, "view_receptionitem")

    staff_html = _client(staff).get(url).content.decode()
    root_html = _client(superuser).get(url).content.decode()

    assert "吴阿姨" in staff_html
    assert VISITOR_PHONE not in staff_html and mask_mobile(VISITOR_PHONE) in staff_html
    assert VISITOR_PHONE in root_html
