"""The pages: the secretary's sheets (generate with progress, opinion, issue), the liaison's inbox
(download, acknowledge; another employer's sheet is a 404), consultations on both sides, the member's
certificate and the public verification page."""

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from evaluations import services
from evaluations.models import (
    Consultation,
    ConsultationState,
    FeedbackSheet,
    ServiceCertificate,
    SheetState,
)
from tests.evaluations.employer_world import CONDUCT_SECRET, build_ledger
from tests.volunteering.factories import at

pytestmark = pytest.mark.django_db

NOW = at(2026, 12, 10, 10)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ledger(cast):
    return build_ledger(cast)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def issued(cast, ledger, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.sheet_batch_start(community=cast.beijie, year=2026, by=cast.secretary)
    services.sheets_issue_all(community=cast.beijie, year=2026, by=cast.secretary)
    return FeedbackSheet.objects.get(person=ledger.person, is_current=True)


def test_the_secretary_generates_and_watches_the_progress(cast, ledger, django_capture_on_commit_callbacks):
    client = client_for(cast.secretary)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("evaluations:sheets_generate"), {"community": cast.beijie.pk, "year": 2026}
        )
    assert response.status_code == 302
    progress = client.get(response["Location"])
    html = progress.content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html and "<progress" in html  # still queued
    for callback in callbacks:
        callback()
    done = client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' not in done and "已完成" in done

    page = client.get(reverse("evaluations:sheets"), {"community": cast.beijie.pk, "year": 2026})
    assert page.status_code == 200
    assert "马明" in page.content.decode() and CONDUCT_SECRET not in page.content.decode()


def test_the_secretary_writes_the_opinion_then_issues(cast, ledger, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.sheet_batch_start(community=cast.beijie, year=2026, by=cast.secretary)
    sheet = FeedbackSheet.objects.get(person=ledger.person)
    client = client_for(cast.secretary)
    url = reverse("evaluations:sheet_detail", args=[sheet.pk])

    assert client.post(url, {"opinion": "积极参加服务，表现良好"}).status_code == 302
    client.post(reverse("evaluations:sheet_action", args=[sheet.pk, "issue"]))

    sheet.refresh_from_db()
    assert sheet.opinion == "积极参加服务，表现良好" and sheet.state == SheetState.ISSUED
    html = client.get(url).content.decode()
    assert "<textarea" not in html  # no editing after issue
    assert CONDUCT_SECRET not in html


def test_the_liaison_downloads_and_acknowledges_from_the_inbox(cast, issued):
    client = client_for(cast.liaison)
    inbox = client.get(reverse("evaluations:employer_inbox"))
    assert inbox.status_code == 200 and "马明" in inbox.content.decode()

    pdf = client.get(reverse("evaluations:sheet_pdf", args=[issued.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"

    client.post(reverse("evaluations:sheet_acknowledge", args=[issued.pk]))
    issued.refresh_from_db()
    assert issued.state == SheetState.ACKNOWLEDGED


def test_another_employers_liaison_gets_404_everywhere(cast, issued):
    client = client_for(cast.other_liaison)
    assert client.post(reverse("evaluations:sheet_acknowledge", args=[issued.pk])).status_code == 404
    assert client.get(reverse("evaluations:sheet_pdf", args=[issued.pk])).status_code == 404
    assert "马明" not in client.get(reverse("evaluations:employer_inbox")).content.decode()
    issued.refresh_from_db()
    assert issued.state == SheetState.ISSUED


def test_the_liaison_sees_no_draft_and_no_office_page(cast, ledger, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.sheet_batch_start(community=cast.beijie, year=2026, by=cast.secretary)
    sheet = FeedbackSheet.objects.get(person=ledger.person)
    client = client_for(cast.liaison)
    assert client.get(reverse("evaluations:sheet_pdf", args=[sheet.pk])).status_code == 404
    assert client.get(reverse("evaluations:sheets")).status_code == 403


def test_the_office_downloads_one_workbook_per_employer_and_the_liaison_none(cast, issued):
    url = reverse("evaluations:sheets_employer_xlsx", args=[cast.hospital.pk])
    response = client_for(cast.secretary).get(url, {"year": 2026, "community": cast.beijie.pk})
    assert response.status_code == 200 and response["Content-Type"].endswith("spreadsheetml.sheet")
    assert client_for(cast.liaison).get(url, {"year": 2026}).status_code == 403
    other = client_for(cast.other_secretary).get(url, {"year": 2026, "community": cast.beijie.pk})
    assert other.status_code == 404


def test_the_town_sees_which_employers_have_not_acknowledged(cast, issued):
    html = (
        client_for(cast.town)
        .get(reverse("evaluations:town_acknowledgements"), {"year": 2026})
        .content.decode()
    )
    assert "县人民医院" in html and "北街社区" in html


def test_consultation_pages_for_both_sides(cast, ledger):
    liaison = client_for(cast.liaison)
    response = liaison.post(
        reverse("evaluations:consultation_new"),
        {"person": cast.member_person.pk, "purpose": "promotion", "question": "拟提拔"},
    )
    consultation = Consultation.objects.get()
    assert response.status_code == 302 and consultation.person == cast.member_person

    secretary = client_for(cast.secretary)
    url = reverse("evaluations:consultation_detail", args=[consultation.pk])
    assert "马明" in secretary.get(url).content.decode()
    secretary.post(url, {"opinion": "agree", "reasons": ""})
    consultation.refresh_from_db()
    assert consultation.state == ConsultationState.ANSWERED

    html = liaison.get(url).content.decode()
    assert "同意" in html and "义诊进社区" in html and CONDUCT_SECRET not in html
    assert client_for(cast.other_liaison).get(url).status_code == 404
    assert client_for(cast.other_secretary).get(url).status_code == 404


def test_the_liaison_cannot_pick_someone_who_is_not_its_member(cast, ledger):
    response = client_for(cast.liaison).post(
        reverse("evaluations:consultation_new"), {"person": cast.foreign_person.pk, "purpose": "award"}
    )
    assert response.status_code == 200 and "person" in response.context["form"].errors
    assert Consultation.objects.count() == 0


def test_the_member_downloads_a_certificate_anyone_can_verify(cast, ledger):
    member = client_for(cast.member)
    page = member.get(reverse("evaluations:my_certificates"))
    assert "106.5" in page.content.decode() and "★" in page.content.decode()
    response = member.post(reverse("evaluations:my_certificates"), {"year": "2026"})
    cert = ServiceCertificate.objects.get()
    assert response["Location"] == reverse("evaluations:certificate_download", args=[cert.pk])
    assert member.get(response["Location"])["Content-Type"] == "application/pdf"

    public = Client().get(reverse("evaluations:certificate_verify"), {"no": cert.verification_no.lower()})
    html = public.content.decode()
    assert public.status_code == 200
    assert "马*" in html and "6.5" in html and "中共北街社区总支委员会" in html and "2026-12-10" in html
    assert "马明" not in html and "义诊进社区" not in html
    assert (
        "未找到" in Client().get(reverse("evaluations:certificate_verify"), {"no": "X" * 16}).content.decode()
    )
    assert client_for(cast.officer).get(response["Location"]).status_code == 404


def _workbook_rows(body: bytes) -> list[tuple]:
    import io

    from openpyxl import load_workbook

    return list(load_workbook(io.BytesIO(body), read_only=True).active.iter_rows(values_only=True))


def test_the_liaison_downloads_the_years_workbook_of_its_own_sent_sheets(cast, issued):
    from core.models import AccessLog
    from evaluations.documents.sheets import WORKBOOK_COLUMNS

    inbox = client_for(cast.liaison).get(reverse("evaluations:employer_inbox")).content.decode()
    url = reverse("evaluations:employer_inbox_xlsx")
    assert f"{url}?year=2026" in inbox

    response = client_for(cast.liaison).get(url, {"year": 2026})

    assert response.status_code == 200 and response["Content-Type"].endswith("spreadsheetml.sheet")
    title, header, *rows = _workbook_rows(response.content)
    assert list(header) == WORKBOOK_COLUMNS  # the sheet's lines, nothing off the sheet
    assert [row[3] for row in rows] == ["马明"] and rows[0][0] == issued.number
    text = str(rows)
    person = issued.person
    for secret in (person.mobile, person.id_number, person.unit_room, CONDUCT_SECRET):
        assert not secret or secret not in text
    assert AccessLog.objects.filter(what="export", description__contains="2026 年度在职党员").exists()


def test_the_liaisons_workbook_holds_no_draft_and_no_other_employers_member(
    cast, ledger, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.sheet_batch_start(community=cast.beijie, year=2026, by=cast.secretary)
    url = reverse("evaluations:employer_inbox_xlsx")

    drafts_only = client_for(cast.liaison).get(url, {"year": 2026})
    assert drafts_only.status_code == 200 and len(_workbook_rows(drafts_only.content)) == 2  # title, header

    services.sheets_issue_all(community=cast.beijie, year=2026, by=cast.secretary)
    other = client_for(cast.other_liaison).get(url, {"year": 2026})
    assert len(_workbook_rows(other.content)) == 2


@pytest.mark.parametrize("who", ["secretary", "member", "town"])
def test_only_a_liaison_opens_the_inbox_workbook(cast, issued, who):
    response = client_for(getattr(cast, who)).get(reverse("evaluations:employer_inbox_xlsx"), {"year": 2026})
    assert response.status_code == 403


def test_the_liaison_sees_and_downloads_its_members_commendations_only(cast, ledger):
    import datetime as dt

    from core.models import AccessLog
    from evaluations.models import Appraisal, Commendation, ExcellentSelection

    appraisal = Appraisal.objects.create(community=cast.beijie, year=2026, closes_on=dt.date(2026, 12, 20))
    selection = ExcellentSelection.objects.create(appraisal=appraisal, person=ledger.person)
    notice = Commendation.objects.create(
        selection=selection,
        community=cast.beijie,
        employer=cast.hospital,
        person=ledger.person,
        year=2026,
        number="2026-beijie-001",
        body="马明同志在社区表现突出，被评为优秀党员，特此通报。",
    )
    url = reverse("evaluations:commendation_download", args=[notice.pk])

    inbox = client_for(cast.liaison).get(reverse("evaluations:employer_inbox")).content.decode()
    assert "2026-beijie-001" in inbox and url in inbox
    pdf = client_for(cast.liaison).get(url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert AccessLog.objects.filter(what="print", description__contains="2026-beijie-001").exists()

    assert (
        "2026-beijie-001"
        not in client_for(cast.other_liaison).get(reverse("evaluations:employer_inbox")).content.decode()
    )
    assert client_for(cast.other_liaison).get(url).status_code == 404
