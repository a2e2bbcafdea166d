"""Every read of a resident's full record, every export and every print of a personal document writes an
access-log row: who, what, when, from where (REMOTE_ADDR), why (the route, or the reason typed)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases.states import CaseState
from core.models import AccessLog
from tests.audit.conftest import accesses
from tests.cases.factories import make_case

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def office(cast):
    client = Client(REMOTE_ADDR="192.0.2.20")
    client.force_login(cast.secretary)
    return client


def only_access(**filters) -> AccessLog:
    [row] = accesses(**filters)
    return row


def test_the_person_page_logs_a_full_read(cast, office):
    response = office.get(f"/roster/{cast.member_person.pk}/")

    assert response.status_code == 200
    row = only_access(what="read_full")
    assert (row.actor, row.object_type, row.object_id) == (
        cast.secretary,
        "members.Person",
        str(cast.member_person.pk),
    )
    assert row.community_id == cast.beijie.pk and row.ip == "192.0.2.20"
    assert row.reason == "members:person_detail" and row.request_id == response["X-Request-ID"]


def test_the_person_api_logs_a_full_read_but_the_list_does_not(cast, as_user):
    client = as_user("secretary")
    assert client.get("/api/v1/people/").status_code == 200
    assert not accesses()

    assert client.get(f"/api/v1/people/{cast.member_person.pk}/").status_code == 200

    row = only_access(what="read_full")
    assert row.actor == cast.secretary and row.object_id == str(cast.member_person.pk)
    assert row.reason == "person-detail"


def test_a_refused_read_logs_nothing(cast, as_user):
    assert as_user("other_secretary").get(f"/api/v1/people/{cast.member_person.pk}/").status_code == 404
    assert not accesses()


@pytest.mark.parametrize("url", ["/roster/export.xlsx", "/api/v1/roster-export/"])
def test_a_roster_export_logs_who_and_the_reason_given(cast, office, url):
    response = office.get(url, {"reason": "镇组织办年度核对"})

    assert response.status_code == 200
    row = only_access(what="export")
    assert row.actor == cast.secretary and row.reason == "镇组织办年度核对"
    assert row.description == "花名册导出" and row.ip == "192.0.2.20"


def test_an_export_without_a_reason_is_logged_with_its_route(cast, office):
    office.get("/roster/export.xlsx", {"q": "13900000001"})
    row = only_access(what="export")
    assert row.reason == "members:roster_export"
    assert row.extra == {"q": "139****0001"}  # the filters used, numbers masked


@pytest.mark.parametrize("url", ["/officers/{pk}/letter.pdf", "/api/v1/officers/{pk}/letter/"])
def test_printing_an_appointment_letter_is_logged(cast, office, url):
    response = office.get(url.format(pk=cast.officer_row.pk))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    row = only_access(what="print")
    assert (row.object_type, row.object_id) == ("members.InformationOfficer", str(cast.officer_row.pk))
    assert row.description == "聘书" and row.community_id == cast.beijie.pk


@pytest.mark.parametrize("url", ["/cases/{pk}/notice.pdf", "/api/v1/cases/{pk}/notice/"])
def test_printing_a_one_time_notice_is_logged(cast, office, url):
    case = make_case(cast.beijie, by=cast.secretary, state=CaseState.WAITING_DOCUMENTS, worker=cast.staff)

    response = office.post(url.format(pk=case.pk))  # printing issues a new access code: a POST

    assert response.status_code == 200
    row = only_access(what="print")
    assert (row.object_type, row.object_id, row.description) == ("cases.Case", str(case.pk), "一次性告知书")


@pytest.mark.parametrize("url", ["/cases/{pk}/", "/api/v1/cases/{pk}/"])
def test_opening_a_case_with_the_residents_contact_is_logged(cast, office, url):
    case = make_case(cast.beijie, by=cast.secretary)

    assert office.get(url.format(pk=case.pk)).status_code == 200

    row = only_access(what="read_full")
    assert row.object_type == "cases.Case" and row.community_id == cast.beijie.pk


def test_opening_a_residents_photo_is_logged(cast, office, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = make_case(
            cast.beijie,
            by=cast.secretary,
            attachments=[SimpleUploadedFile("a.png", PNG, content_type="image/png")],
        )
    attachment = case.attachments.get()

    assert office.get(f"/cases/attachments/{attachment.pk}/").status_code == 200

    row = only_access(what="read_full", object_type="cases.CaseAttachment")
    assert row.object_id == str(attachment.pk) and row.community_id == cast.beijie.pk


@pytest.mark.parametrize(
    "url", ["/volunteering/ledger/export/", "/api/v1/volunteering/ledgers/export/"], ids=["page", "api"]
)
def test_a_ledger_export_is_logged(cast, office, url):
    response = office.get(url, {"community": cast.beijie.pk, "year": 2026, "reason": "年底反馈单位"})

    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    row = only_access(what="export")
    assert row.actor == cast.secretary and row.community_id == cast.beijie.pk
    assert row.reason == "年底反馈单位" and row.description.startswith("活动台账导出")


def test_printing_a_commendation_is_logged(cast):
    """appraisal: the 通报表彰 PDF read by the employer's liaison is an access-log row."""
    from rest_framework.test import APIClient

    from tests.evaluations.test_appraisal_api import _commendation

    notice = _commendation(cast)
    client = APIClient()
    client.force_authenticate(cast.liaison)
    assert client.get(f"/api/v1/commendations/{notice.pk}/pdf/").status_code == 200
    row = only_access(what="print")
    assert row.actor == cast.liaison and row.object_id == str(notice.pk) and row.description == "通报表彰"


# Every API operation answering a file (read from the published schema) is a logged download or is
# listed here with the reason it holds no personal data. A new export or print must be added to one.
LOGGED_DOWNLOADS = {
    "/api/v1/cases/{id}/notice/": "test_printing_a_one_time_notice_is_logged",
    "/api/v1/officers/{id}/letter/": "test_printing_an_appointment_letter_is_logged",
    "/api/v1/roster-export/": "test_a_roster_export_logs_who_and_the_reason_given",
    "/api/v1/volunteering/ledgers/export/": "test_a_ledger_export_is_logged",
    "/api/v1/cases/ledger-xlsx/": "test_the_office_spreadsheets_are_logged_downloads",
    "/api/v1/registrations/export-xlsx/": "test_the_office_spreadsheets_are_logged_downloads",
    "/api/v1/roster-imports/{id}/problems-xlsx/": "test_the_roster_problems_sheet_is_a_logged_download",
    # appraisal
    "/api/v1/commendations/{id}/pdf/": "test_printing_a_commendation_is_logged",
    # employer
    "/api/v1/evaluations/sheets/{id}/pdf/": "test_printing_a_feedback_sheet_is_logged",
    "/api/v1/evaluations/certificates/{id}/pdf/": "test_printing_a_service_certificate_is_logged",
}


@pytest.mark.parametrize(
    "url, description",
    [("/api/v1/cases/ledger-xlsx/", "民情台账导出"), ("/api/v1/registrations/export-xlsx/", "报到登记导出")],
)
def test_the_office_spreadsheets_are_logged_downloads(cast, office, url, description):
    make_case(community=cast.beijie, by=cast.secretary)

    response = office.get(url)

    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    row = only_access(what="export")
    assert row.description == description


def test_the_roster_problems_sheet_is_a_logged_download(cast, office):
    from members.roster import roster_import_create
    from tests.members.roster_files import sample_file

    batch = roster_import_create(
        by=cast.secretary, fileobj=sample_file("roster-2026.xlsx"), filename="r.xlsx"
    )

    response = office.get(f"/api/v1/roster-imports/{batch.pk}/problems-xlsx/")

    assert response.status_code == 200
    row = only_access(what="export")
    assert row.description == "花名册导入问题表" and (row.object_type, row.object_id) == (
        "members.RosterImport",
        str(batch.pk),
    )


# employer: the feedback sheet (反馈单) and the service-hours certificate (志愿服务证明)


@pytest.mark.parametrize("url", ["/evaluations/sheets/{pk}/pdf/", "/api/v1/evaluations/sheets/{pk}/pdf/"])
def test_printing_a_feedback_sheet_is_logged(cast, office, url, django_capture_on_commit_callbacks):
    from evaluations import services
    from evaluations.models import FeedbackSheet
    from tests.volunteering.factories import register

    register(cast.member_person, cast.beijie)
    with django_capture_on_commit_callbacks(execute=True):
        services.sheet_batch_start(community=cast.beijie, year=2025, by=cast.secretary)
    sheet = FeedbackSheet.objects.get()

    response = office.get(url.format(pk=sheet.pk))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    row = only_access(what="print")
    assert (row.object_type, row.object_id) == ("evaluations.FeedbackSheet", str(sheet.pk))
    assert row.community_id == cast.beijie.pk and row.description.startswith("反馈单")


@pytest.mark.parametrize(
    "url", ["/evaluations/certificates/{pk}/pdf/", "/api/v1/evaluations/certificates/{pk}/pdf/"]
)
def test_printing_a_service_certificate_is_logged(cast, office, url):
    from evaluations.models import ServiceCertificate

    cert = ServiceCertificate.objects.create(
        person=cast.member_person,
        community=cast.beijie,
        minutes=120,
        content={
            "person_name": "马明",
            "organisation": "中共北街社区总支委员会",
            "community_name": "北街社区",
            "records": [],
            "hours": "2.0",
            "cumulative_hours": "2.0",
            "stars": 0,
        },
    )

    response = office.get(url.format(pk=cert.pk))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    row = only_access(what="print")
    assert (row.object_type, row.object_id) == ("evaluations.ServiceCertificate", str(cert.pk))
    assert row.community_id == cast.beijie.pk


NOT_PERSONAL_DOWNLOADS = {
    "/api/v1/volunteering/items/{id}/ics/": "a service item's time and place for one's own calendar",
}


def test_every_file_the_api_hands_out_is_a_logged_download():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    files = {
        path
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        for response in operation.get("responses", {}).values()
        if any("json" not in content_type for content_type in response.get("content", {}))
    }

    assert files == set(LOGGED_DOWNLOADS) | set(NOT_PERSONAL_DOWNLOADS)
    for test_name in LOGGED_DOWNLOADS.values():
        assert test_name in globals(), test_name
