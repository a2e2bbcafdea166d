"""Responses match the published OpenAPI schema, and odd input is a 400, never a 500.

Regressions of what Schemathesis (scripts/schemathesis.sh) found: a blank or null value the schema did
not admit, a plain list documented as a paginated page, an object documented as an array, a request body
that crashed the server. Each response is checked in-process against the schema the app publishes
(tests/api/conformance.py), with the same check Schemathesis runs over HTTP.
"""

import datetime as dt
import io

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Mailbox
from members import services as member_services
from members.models import RegistrationEvent
from tests.cases.factories import make_case
from tests.volunteering.factories import (
    ItemFactory,
    PairingFactory,
    PostFactory,
    RecordFactory,
    SignUpFactory,
    register,
)

from .conformance import assert_conforms

pytestmark = pytest.mark.django_db

API = "/api/v1"


def ok(response, status=200):
    assert response.status_code == status, response.content.decode()[:500]
    return response


def bad_request(response):
    """A 400 in the one error shape (and not a 500)."""
    assert response.status_code == 400, response.content.decode()[:500]
    assert set(response.json()) == {"error"}
    return response.json()["error"]


# ------------------------------------------------------------------------------------------------ members


def test_registration_event_without_an_acting_user_is_documented_as_null(cast, as_user):
    # Given a registration whose history has an event no user made (a system change)
    registration = member_services.registration_submit(
        person=cast.member_person, community=cast.beijie, by=cast.member
    )
    RegistrationEvent.objects.create(registration=registration, from_status="", to_status="submitted")

    response = ok(as_user("secretary").get(f"{API}/registrations/{registration.pk}/"))

    assert None in [e["by"] for e in response.json()["events"]]
    assert_conforms(response, "/api/v1/registrations/{id}/")


def test_officer_in_post_has_a_blank_end_reason_the_schema_admits(cast, as_user):
    response = ok(as_user("secretary").get(f"{API}/officers/{cast.officer_row.pk}/"))

    assert response.json()["end_reason"] == ""
    assert_conforms(response, "/api/v1/officers/{id}/")


def test_officer_strength_is_a_plain_list_as_documented(cast, as_user):
    response = ok(as_user("secretary").get(f"{API}/officers/strength/"))

    assert isinstance(response.json(), list) and response.json()
    assert_conforms(response, "/api/v1/officers/strength/")


# ------------------------------------------------------------------------------------------- volunteering


@pytest.mark.parametrize(
    "body",
    [[1, 2], {"code": ["123456"]}, {"code": True}, {"token": {"a": 1}}, {"code": None}, "123456"],
    ids=["list body", "list code", "bool code", "object token", "null code", "string body"],
)
def test_check_in_by_code_with_a_body_of_the_wrong_shape_is_a_400(cast, as_user, body):
    error = bad_request(as_user("member").post(f"{API}/volunteering/items/check-in/", body, format="json"))

    assert error["code"]


def test_check_in_by_code_with_a_number_for_a_code_is_an_ordinary_refusal(cast, as_user):
    # A number is read as its text; with nothing open for check-in that is a refusal, not a crash.
    response = as_user("member").post(f"{API}/volunteering/items/check-in/", {"code": 1.5}, format="json")

    assert 400 <= response.status_code < 500
    assert response.json()["error"]["code"] == "nothing_to_check_in"


@pytest.mark.parametrize("year", ["0", "-1", "1999", "2101", "99999", "2026.5", "abc"])
def test_records_year_filter_out_of_range_is_a_400(cast, as_user, year):
    error = bad_request(as_user("secretary").get(f"{API}/volunteering/records/", {"year": year}))

    assert "year" in error["fields"]


def test_records_year_filter_in_range_filters(cast, as_user):
    response = ok(as_user("secretary").get(f"{API}/volunteering/records/", {"year": "2026"}))

    assert_conforms(response, "/api/v1/volunteering/records/")


def test_suggested_posts_are_a_plain_list_with_a_match_score(cast, as_user):
    register(cast.member_person, cast.beijie)
    PostFactory(community=cast.beijie, name="法律服务岗", specialties=["法律咨询"])
    PostFactory(community=cast.beijie, name="环境整治岗", specialties=["绿化"])

    response = ok(as_user("member").get(f"{API}/volunteering/posts/suggested/"))

    assert [p["name"] for p in response.json()][0] == "法律服务岗"
    assert_conforms(response, "/api/v1/volunteering/posts/suggested/")


def test_posts_outside_the_suggestions_have_no_match_score(cast, as_user):
    PostFactory(community=cast.beijie)

    response = ok(as_user("secretary").get(f"{API}/volunteering/posts/"))

    assert response.json()["results"][0]["match_score"] is None
    assert_conforms(response, "/api/v1/volunteering/posts/")


def test_item_without_post_or_programme_has_null_names(cast, as_user):
    starts = timezone.now() + dt.timedelta(days=3)
    item = ItemFactory(community=cast.beijie, starts_at=starts, ends_at=starts + dt.timedelta(hours=2))

    response = ok(as_user("secretary").get(f"{API}/volunteering/items/{item.pk}/"))

    assert response.json()["programme_name"] is None and response.json()["post_name"] is None
    assert_conforms(response, "/api/v1/volunteering/items/{id}/")


def test_sign_up_before_check_in_has_a_blank_method_and_no_waitlist_position(cast, as_user):
    register(cast.member_person, cast.beijie)
    signup = SignUpFactory(item=ItemFactory(community=cast.beijie), person=cast.member_person)

    response = ok(as_user("member").get(f"{API}/volunteering/signups/{signup.pk}/"))

    assert response.json()["check_in_method"] == ""
    assert response.json()["waitlist_position"] is None
    assert_conforms(response, "/api/v1/volunteering/signups/{id}/")


def test_service_record_not_yet_evaluated_has_a_blank_evaluation(cast, as_user):
    record = RecordFactory(item=ItemFactory(community=cast.beijie), person=cast.member_person)

    response = ok(as_user("secretary").get(f"{API}/volunteering/records/{record.pk}/"))

    assert response.json()["evaluation"] == ""
    assert_conforms(response, "/api/v1/volunteering/records/{id}/")


def test_requirement_is_one_object_as_documented(cast, as_user):
    register(cast.member_person, cast.beijie)

    response = ok(as_user("secretary").get(f"{API}/volunteering/requirement/"))

    assert isinstance(response.json(), dict) and response.json()["members"] == 1
    assert response.json()["policy"]["updated_at"] is None  # the default policy, never saved
    assert_conforms(response, "/api/v1/volunteering/requirement/")


def test_ledger_pairings_are_a_list_as_documented(cast, as_user):
    # Schemathesis found the ledger's pairings documented as one object while the API answers a list
    register(cast.member_person, cast.beijie)
    PairingFactory(programme__community=cast.beijie, person=cast.member_person, household="张奶奶")

    response = ok(as_user("secretary").get(f"{API}/volunteering/ledgers/{cast.member_person.pk}/"))

    assert [p["household"] for p in response.json()["pairings"]] == ["张奶奶"]
    assert_conforms(response, "/api/v1/volunteering/ledgers/{id}/")


# -------------------------------------------------------------------------------------------------- cases


def test_missed_mailboxes_are_a_plain_list_as_documented(cast, as_user):
    Mailbox.objects.create(community=cast.beijie, location="1号楼门口", keeper=cast.staff)

    response = ok(as_user("secretary").get(f"{API}/mailboxes/missed/"))

    assert [m["location"] for m in response.json()] == ["1号楼门口"]
    assert_conforms(response, "/api/v1/mailboxes/missed/")


def test_case_duplicates_and_suggestions_are_plain_lists_as_documented(cast, as_user):
    make_case(cast.beijie, by=cast.secretary, content="3号楼楼道灯坏了，晚上看不见")
    case = make_case(cast.beijie, by=cast.secretary, content="3号楼楼道灯坏了，晚上很黑", building=cast.b1)
    client = as_user("secretary")

    duplicates = ok(client.get(f"{API}/cases/{case.pk}/duplicates/"))
    suggestions = ok(client.get(f"{API}/cases/{case.pk}/suggestions/"))

    assert isinstance(duplicates.json(), list) and isinstance(suggestions.json(), list)
    assert_conforms(duplicates, "/api/v1/cases/{id}/duplicates/")
    assert_conforms(suggestions, "/api/v1/cases/{id}/suggestions/")


def test_thematic_group_not_yet_replied_has_a_blank_reply_method(cast, as_user):
    case = make_case(cast.beijie, by=cast.secretary)
    group = case_services.group_create(
        community=cast.beijie, by=cast.secretary, title="楼道照明", cases=[case]
    )

    response = ok(as_user("secretary").get(f"{API}/case-groups/{group.pk}/"))

    assert response.json()["reply_method"] == ""
    assert_conforms(response, "/api/v1/case-groups/{id}/")


@pytest.mark.parametrize(
    "ids", [[2**63], [10**25], [0], [-1], []], ids=["2^63", "10^25", "zero", "negative", "none"]
)
def test_adding_cases_by_an_id_out_of_range_is_a_400_naming_the_field(cast, as_user, ids):
    # Schemathesis found a huge id crashing SQLite's pk__in with an OverflowError (a 500)
    case = make_case(cast.beijie, by=cast.secretary)
    group = case_services.group_create(
        community=cast.beijie, by=cast.secretary, title="楼道照明", cases=[case]
    )

    error = bad_request(
        as_user("secretary").post(f"{API}/case-groups/{group.pk}/add-cases/", {"cases": ids}, format="json")
    )

    assert "cases" in error["fields"]


def test_marking_notifications_read_by_an_id_out_of_range_is_a_400(cast, as_user):
    error = bad_request(
        as_user("member").post(f"{API}/notifications/mark-read/", {"ids": [10**25]}, format="json")
    )

    assert "ids" in error["fields"]


def test_roster_export_drops_control_characters_a_worksheet_cannot_hold(cast, as_user):
    # Schemathesis stored a name with a control character through the API; the export then failed (500)
    from openpyxl import load_workbook

    cast.member_person.name = "马\x07明"
    cast.member_person.save(update_fields=["name"])

    response = ok(as_user("secretary").get(f"{API}/roster-export/"))

    names = {row[1] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)}
    assert "马明" in names


def test_a_check_in_code_with_non_ascii_characters_is_a_wrong_code_not_a_500(cast, as_user):
    # Schemathesis sent "一二三四五六": hmac.compare_digest refuses non-ASCII str with a TypeError
    from volunteering import checkin

    item = ItemFactory(community=cast.beijie)
    with pytest.raises(checkin.WrongCode):
        checkin.check_code(item, "一二三四五六")

    response = as_user("member").post(
        f"{API}/volunteering/items/{item.pk}/check-out/", {"code": "一二三四五六"}, format="json"
    )
    assert 400 <= response.status_code < 500 and set(response.json()) == {"error"}


def test_ledger_export_keeps_entered_text_as_text(cast, as_user):
    # Schemathesis stored text with control characters and the ledger export failed (500); text that
    # starts with "=" must stay text, not become a formula in the office's Excel
    from openpyxl import load_workbook

    register(cast.member_person, cast.beijie)
    item = ItemFactory(community=cast.beijie, title="楼道\x0b清扫")
    RecordFactory(item=item, person=cast.member_person, content='=HYPERLINK("http://x.example","点我")')

    response = ok(
        as_user("secretary").get(f"{API}/volunteering/ledgers/export/", {"year": item.starts_at.year})
    )

    workbook = load_workbook(io.BytesIO(response.content))
    row = [c for c in workbook["服务记录"].iter_rows(min_row=2, max_row=2)][0]
    by_header = dict(zip([c.value for c in workbook["服务记录"][1]], row, strict=True))
    assert by_header["服务事项"].value == "楼道清扫"
    assert by_header["服务内容"].value.startswith("=HYPERLINK") and by_header["服务内容"].data_type == "s"
