"""Phone and ID numbers are masked for every role without 'full personal data' (members.privacy) — in the
API, on the pages, in the roster export and in log lines — and revealing one writes an access-log row."""

import io
import logging

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from core.models import AccessLog
from core.security import PersonalDataLogFilter
from members.roster import COLUMNS
from members.validators import mask_id_number, mask_mobile
from tests.cases.factories import make_case

API = "/api/v1"
CASE_PHONE = "13912345678"


def _numbers(person, shown: str) -> tuple[str, str]:
    if shown == "full":
        return person.mobile, person.id_number
    return mask_mobile(person.mobile), mask_id_number(person.id_number)


def _page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# ------------------------------------------------------------------------------------------ people API

# persona, whose record, what they see
PEOPLE_DETAIL = [
    ("secretary", "member_person", "full"),
    ("director", "member_person", "full"),
    ("staff", "member_person", "masked"),
    ("town", "member_person", "masked"),
    ("town", "foreign_person", "masked"),
    ("officer", "member_person", 404),
    ("member", "member_person", "full"),  # their own record
    ("liaison", "member_person", "absent"),  # the feedback sheet's fields only (test_employer_fields.py)
    ("deputy", "member_person", 404),
    ("other_secretary", "foreign_person", "full"),
    ("other_secretary", "member_person", 404),
]


@pytest.mark.parametrize(("persona", "target", "shown"), PEOPLE_DETAIL)
def test_people_api_detail_shows_numbers_as_the_policy_allows(cast, as_user, persona, target, shown):
    person = getattr(cast, target)

    response = as_user(persona).get(f"{API}/people/{person.pk}/")

    if shown == 404:
        assert response.status_code == 404
        return
    data = response.json()
    if shown == "absent":
        assert "mobile" not in data and "id_number" not in data
        return
    assert (data["mobile"], data["id_number"]) == _numbers(person, shown)


# persona → the people whose numbers they see in full in the list (all others masked)
PEOPLE_LIST_FULL = {
    "secretary": ["member_person", "officer_person"],
    "director": ["member_person", "officer_person"],
    "staff": [],
    "town": [],
    "officer": ["officer_person"],
    "member": ["member_person"],
    "liaison": [],  # and masked means absent: the feedback sheet carries no numbers
    "deputy": [],
    "other_secretary": ["foreign_person"],
}


@pytest.mark.parametrize("persona", list(PEOPLE_LIST_FULL))
def test_people_api_list_masks_every_number_the_policy_does_not_allow(cast, as_user, persona):
    full_ids = {getattr(cast, name).pk for name in PEOPLE_LIST_FULL[persona]}
    people = {p.pk: p for p in (cast.member_person, cast.officer_person, cast.foreign_person)}

    results = as_user(persona).get(f"{API}/people/", {"page_size": 100}).json()["results"]

    for row in results:
        if row["id"] not in people:
            continue
        if persona == "liaison":
            assert "mobile" not in row and "id_number" not in row
            continue
        expected = _numbers(people[row["id"]], "full" if row["id"] in full_ids else "masked")
        assert (row["mobile"], row["id_number"]) == expected, (persona, row["id"])


def test_a_town_granted_permission_shows_staff_the_numbers_in_full(cast, as_user):
    cast.staff.user_permissions.add(Permission.objects.get(codename="view_full_personal_data"))

    data = as_user("staff").get(f"{API}/people/{cast.member_person.pk}/").json()

    assert data["mobile"] == cast.member_person.mobile


# ------------------------------------------------------------------------------------------------ pages

PERSON_PAGE = [
    ("secretary", "member_person", "full"),
    ("director", "member_person", "full"),
    ("staff", "member_person", "masked"),
    ("town", "member_person", "masked"),
    ("other_secretary", "foreign_person", "full"),
    ("officer", "member_person", 403),
    ("member", "member_person", 403),
    ("liaison", "member_person", 403),
    ("deputy", "member_person", 403),
]


@pytest.mark.parametrize(("persona", "target", "shown"), PERSON_PAGE)
def test_person_page_shows_numbers_as_the_policy_allows(cast, persona, target, shown):
    person = getattr(cast, target)

    response = _page_client(getattr(cast, persona)).get(reverse("members:person_detail", args=[person.pk]))

    if shown == 403:
        assert response.status_code == 403
        return
    html = response.content.decode()
    mobile, id_number = _numbers(person, shown)
    assert mobile in html and id_number in html
    if shown == "masked":
        assert person.mobile not in html  # not even in a tel: link
        assert person.id_number not in html
        assert "查看完整号码" in html
    else:
        assert f'href="tel:{person.mobile}"' in html


@pytest.mark.parametrize("persona", ["secretary", "director", "staff", "town"])
def test_roster_list_page_masks_numbers_for_everyone(cast, persona):
    html = _page_client(getattr(cast, persona)).get(reverse("members:roster")).content.decode()

    assert mask_mobile(cast.member_person.mobile) in html
    assert cast.member_person.mobile not in html
    assert cast.member_person.id_number not in html


def _export(user) -> tuple[str, dict]:
    response = _page_client(user).get(reverse("members:roster_export"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    id_col, mobile_col = COLUMNS.index("身份证号码"), COLUMNS.index("联系电话")
    cells = {row[1]: (row[mobile_col], row[id_col]) for row in rows[2:]}
    return rows[0][0], cells


EXPORT = [
    ("secretary", "full"),
    ("director", "full"),
    ("staff", "masked"),
    ("town", "masked"),
]


@pytest.mark.parametrize(("persona", "shown"), EXPORT)
def test_roster_export_cells_are_masked_without_full_data_and_the_title_says_so(cast, persona, shown):
    title, cells = _export(getattr(cast, persona))

    assert cells[cast.member_person.name] == _numbers(cast.member_person, shown)
    assert ("已脱敏" in title) == (shown == "masked")


def test_roster_page_export_link_says_the_file_is_masked_for_staff(cast):
    staff_html = _page_client(cast.staff).get(reverse("members:roster")).content.decode()
    secretary_html = _page_client(cast.secretary).get(reverse("members:roster")).content.decode()

    assert "导出 Excel（电话、身份证号脱敏）" in staff_html
    assert "脱敏）" not in secretary_html


# ------------------------------------------------------------------------------------------------ cases

CASE_API = [
    ("secretary", "full"),
    ("director", "full"),
    ("staff", "masked"),
    ("town", "masked"),
    ("other_secretary", 404),
]


@pytest.mark.parametrize(("persona", "shown"), CASE_API)
def test_case_api_resident_phone_is_masked_without_full_data(cast, as_user, persona, shown):
    case = make_case(cast.beijie, by=cast.staff)

    response = as_user(persona).get(f"{API}/cases/{case.pk}/")

    if shown == 404:
        assert response.status_code == 404
        return
    expected = CASE_PHONE if shown == "full" else mask_mobile(CASE_PHONE)
    assert response.json()["resident_phone"] == expected


def test_case_page_masks_the_resident_phone_for_staff(cast):
    case = make_case(cast.beijie, by=cast.staff)

    staff_html = _page_client(cast.staff).get(reverse("cases:detail", args=[case.pk])).content.decode()
    secretary_html = (
        _page_client(cast.secretary).get(reverse("cases:detail", args=[case.pk])).content.decode()
    )

    assert CASE_PHONE not in staff_html and mask_mobile(CASE_PHONE) in staff_html
    assert CASE_PHONE in secretary_html


# ----------------------------------------------------------------------------------------------- reveal


def _reveals():
    return AccessLog.objects.filter(what="reveal")


def test_reveal_without_a_reason_is_400_and_logs_nothing(cast, as_user):
    url = f"{API}/people/{cast.member_person.pk}/reveal/"

    assert as_user("staff").post(url, {}, format="json").status_code == 400
    assert as_user("staff").post(url, {"reason": "看看"}, format="json").status_code == 400
    assert not _reveals().exists()


def test_reveal_of_a_person_of_another_community_is_404(cast, as_user):
    response = as_user("staff").post(
        f"{API}/people/{cast.foreign_person.pk}/reveal/", {"reason": "电话通知报到"}, format="json"
    )

    assert response.status_code == 404
    assert not _reveals().exists()


def test_staff_reveal_returns_the_full_numbers_and_writes_one_access_log_row(cast, as_user):
    person = cast.member_person

    response = as_user("staff").post(
        f"{API}/people/{person.pk}/reveal/", {"reason": "电话通知报到"}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == {"mobile": person.mobile, "id_number": person.id_number}
    assert "no-store" in response["Cache-Control"]
    row = _reveals().get()
    assert (row.reason, row.object_id, row.actor_id) == ("电话通知报到", str(person.pk), cast.staff.pk)


def test_a_liaison_who_sees_the_member_cannot_reveal_their_numbers(cast, as_user):
    response = as_user("liaison").post(
        f"{API}/people/{cast.member_person.pk}/reveal/", {"reason": "电话通知报到"}, format="json"
    )

    assert response.status_code == 403
    assert not _reveals().exists()


def test_staff_reveal_of_a_case_resident_phone_is_logged_with_the_reason(cast, as_user):
    case = make_case(cast.beijie, by=cast.staff)

    response = as_user("staff").post(f"{API}/cases/{case.pk}/reveal/", {"reason": "回访居民"}, format="json")
    foreign = as_user("other_secretary").post(
        f"{API}/cases/{case.pk}/reveal/", {"reason": "回访居民"}, format="json"
    )

    assert response.status_code == 200 and response.json() == {"resident_phone": CASE_PHONE}
    assert foreign.status_code == 404
    assert _reveals().get().reason == "回访居民"


def test_person_page_reveal_shows_the_numbers_once_without_caching(cast):
    person = cast.member_person
    client = _page_client(cast.staff)
    url = reverse("members:person_reveal", args=[person.pk])

    refused = client.post(url, {"reason": ""})
    shown = client.post(url, {"reason": "上门走访核对"})
    again = client.get(reverse("members:person_detail", args=[person.pk])).content.decode()

    assert refused.status_code == 400 and person.id_number not in refused.content.decode()
    assert shown.status_code == 200 and shown["Cache-Control"] == "no-store"
    assert person.mobile in shown.content.decode() and person.id_number in shown.content.decode()
    assert person.id_number not in again
    assert list(_reveals().values_list("reason", flat=True)) == ["上门走访核对"]


# ------------------------------------------------------------------------------------------------- logs


def test_log_filter_masks_phone_and_id_numbers_in_message_and_arguments():
    record = logging.LogRecord(
        "members",
        logging.INFO,
        __file__,
        1,
        "call %s about %s (%s)",
        ("13812341234", "110101199003071234", 7),
        None,
    )

    PersonalDataLogFilter().filter(record)

    message = record.getMessage()
    assert "13812341234" not in message and "110101199003071234" not in message
    assert message == "call 138****1234 about 1101**********1234 (7)"


def test_console_handler_carries_the_personal_data_filter(settings):
    assert "personal_data" in settings.LOGGING["handlers"]["console"]["filters"]
