"""Thematic replies, the one-time notice PDF, duplicates, the daily supervision task, attachments, pages."""

import datetime as dt
import io
import zoneinfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfReader

from cases import pdf, services, tasks
from cases.models import FeedbackMethod
from cases.selectors import likely_duplicates, suggest_assignees
from cases.states import CaseState
from core.errors import Conflict
from core.models import Notification
from members.models import ZoneAssignment
from tests import factories as f
from tests.cases.factories import make_case

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_thematic_reply_answers_every_case_of_the_group_and_each_records_it(cast):
    lamp = "3号楼前路灯不亮，晚上出行不安全"
    a = make_case(cast.beijie, by=cast.secretary, state=CaseState.CLASSIFIED, content=lamp, building=cast.b1)
    b = make_case(
        cast.beijie, by=cast.secretary, state=CaseState.IN_PROGRESS, content=lamp + "！", worker=cast.officer
    )
    c = make_case(cast.beijie, by=cast.secretary, state=CaseState.WAITING_DOCUMENTS, content="路灯不亮")
    unrelated = make_case(cast.beijie, by=cast.secretary, content="低保申请材料咨询")
    # the system suggests the likely duplicates
    found = [d["case"].pk for d in likely_duplicates(a)]
    assert b.pk in found and unrelated.pk not in found
    group = services.group_create(community=cast.beijie, by=cast.secretary, title="路灯", cases=[a, b, c])
    result = services.group_reply(
        group=group, by=cast.secretary, reply="已联系供电所，本周修复", method=FeedbackMethod.ONLINE
    )
    assert set(result["answered"]) == {a.tracking_no, b.tracking_no}
    assert result["skipped"] == [{"tracking_no": c.tracking_no, "state": CaseState.WAITING_DOCUMENTS}]
    for case in (a, b):
        case.refresh_from_db()
        assert case.state == CaseState.FEEDBACK_GIVEN and case.feedback_text == "已联系供电所，本周修复"
        assert (
            case.group == group and case.events.filter(action="give_feedback", data__group=group.pk).exists()
        )
    group.refresh_from_db()
    assert group.replied_at is not None


def test_a_case_cannot_be_in_two_groups_and_foreign_cases_are_refused(cast):
    a = make_case(cast.beijie, by=cast.secretary)
    foreign = make_case(cast.changcheng, by=cast.other_secretary)
    services.group_create(community=cast.beijie, by=cast.secretary, title="一", cases=[a])
    with pytest.raises(Conflict):
        services.group_create(community=cast.beijie, by=cast.secretary, title="二", cases=[a])
    with pytest.raises(Exception):  # noqa: B017 - DomainError, and nothing saved
        services.group_create(community=cast.beijie, by=cast.secretary, title="三", cases=[foreign])


def test_one_time_notice_is_a_pdf_listing_every_missing_document(cast):
    case = make_case(cast.beijie, by=cast.secretary, state=CaseState.WAITING_DOCUMENTS, worker=cast.officer)
    body = pdf.one_time_notice_pdf(case)
    assert body.startswith(b"%PDF")
    text = "".join(PdfReader(io.BytesIO(body)).pages[0].extract_text().replace("\x00", "").split())
    assert (
        "一次性告知书" in text
        and "户口本复印件" in text
        and "身份证复印件" in text
        and case.tracking_no in text
    )
    assert b"/FontFile" in body  # the CJK font is embedded (a subset), not referenced
    # over the API and the page
    client = Client()
    client.force_login(cast.officer)
    page = client.post(f"/cases/{case.pk}/notice.pdf")
    assert page.status_code == 200 and page["Content-Type"] == "application/pdf"
    plain = make_case(cast.beijie, by=cast.secretary)
    with pytest.raises(Conflict):
        pdf.one_time_notice_pdf(plain)


def test_suggestions_by_zone_compound_officer_and_staff(cast):
    zone = f.ZoneFactory(community=cast.beijie, name="一号责任区")
    zone.buildings.add(cast.b1)
    ZoneAssignment.objects.create(zone=zone, person=cast.member_person)
    case = make_case(cast.beijie, by=cast.secretary, building=cast.b1)
    suggestions = suggest_assignees(case)
    assert suggestions[0].user_id == cast.member.pk and "一号责任区" in suggestions[0].reason
    kinds = [s.kind for s in suggestions]
    assert "officer" in kinds and "staff" in kinds
    assert cast.other_secretary.pk not in [s.user_id for s in suggestions]


@time_machine.travel(dt.datetime(2026, 3, 10, 10, tzinfo=SH), tick=False)
def test_members_holding_the_matching_post_are_suggested_before_everyone_else(cast):
    """cases asks volunteering directly (`volunteering.selectors.on_duty_for_case`): a member with this
    year's approved claim on the post that fits the category comes before zones, officers and staff."""
    from tests.volunteering.factories import ClaimFactory, PostFactory, registered_member
    from volunteering.models import ClaimStatus

    patrol = PostFactory(community=cast.beijie, name="治安巡逻岗", specialties=["治安巡逻"])
    guard = registered_member(cast.beijie, name="巡逻员")
    ClaimFactory(post=patrol, person=guard, status=ClaimStatus.APPROVED)
    case = make_case(cast.beijie, by=cast.secretary, category="security")
    first = suggest_assignees(case)[0]
    assert (first.user_id, first.kind, first.reason) == (guard.user_id, "member", "认领治安巡逻岗")


@time_machine.travel(dt.datetime(2026, 10, 12, 7, 30, tzinfo=SH), tick=False)
def test_daily_task_tells_secretaries_about_overdue_cases_and_unopened_mailboxes_once(cast):
    with time_machine.travel(dt.datetime(2026, 9, 1, 10, tzinfo=SH), tick=False):
        late = make_case(cast.beijie, by=cast.secretary, state=CaseState.IN_PROGRESS)
        box = services.mailbox_save(
            community=cast.beijie, by=cast.secretary, location="1号院", keeper=cast.member
        )
    result = tasks.daily_supervision_alerts.delay().get()
    assert result["overdue"] == 1 and result["missed_mailboxes"] == 1
    notes = Notification.objects.filter(recipient=cast.secretary)
    assert {n.kind for n in notes} == {"cases_overdue", "mailbox_missed"}
    assert (
        late.tracking_no in notes.get(kind="cases_overdue").body
        and box.location in notes.get(kind="mailbox_missed").body
    )
    assert Notification.objects.filter(recipient=cast.director).count() == 2
    assert not Notification.objects.filter(recipient=cast.staff).exists()
    # idempotent: a rerun (retry, second beat) sends nothing new
    assert tasks.daily_supervision_alerts.delay().get()["notified"] == 0
    assert Notification.objects.count() == 4


@time_machine.travel(dt.datetime(2026, 10, 3, 7, 30, tzinfo=SH), tick=False)
def test_daily_task_does_nothing_on_a_holiday(cast):
    assert tasks.daily_supervision_alerts.delay().get()["notified"] == 0


def test_attachments_are_served_only_to_people_who_see_the_case(cast, django_capture_on_commit_callbacks):
    photo = SimpleUploadedFile("a.jpg", b"\xff\xd8\xff\xe0" + b"1" * 50, content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_register(
            community=cast.beijie, by=cast.staff, channel="hall_window", content="x", attachments=[photo]
        )
    attachment = case.attachments.get()
    url = f"/cases/attachments/{attachment.pk}/"
    for user, expected in [
        (cast.secretary, 200),
        (cast.town, 200),
        (cast.other_secretary, 404),
        (cast.member, 404),
    ]:
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == expected
    assert Client().get(url).status_code == 302  # to the login page
    assert not attachment.file.url.startswith("/cases/public")


@pytest.mark.parametrize(
    "path",
    [
        "/cases/",
        "/cases/new/",
        "/cases/overdue/",
        "/cases/my/",
        "/cases/mailboxes/",
        "/cases/receptions/",
        "/cases/forums/",
        "/cases/groups/",
    ],
)
def test_staff_pages_render(cast, path):
    make_case(cast.beijie, by=cast.secretary, state=CaseState.ASSIGNED, worker=cast.officer)
    client = Client()
    client.force_login(cast.secretary)
    assert client.get(path).status_code == 200


def test_case_page_shows_the_timeline_and_acts_through_services(cast):
    case = make_case(cast.beijie, by=cast.secretary)
    client = Client()
    client.force_login(cast.secretary)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert case.tracking_no in page and "分类（五件式）" in page
    client.post(
        f"/cases/{case.pk}/act/classify/",
        {"classify-handling_type": "promised", "classify-time_limit_days": "5"},
    )
    client.post(f"/cases/{case.pk}/act/assign/", {"assign-assignee": str(cast.officer.pk)})
    case.refresh_from_db()
    assert case.state == CaseState.ASSIGNED and case.assignee == cast.officer
    # the assignee's phone page lists it; they can start it but not classify
    officer = Client()
    officer.force_login(cast.officer)
    assert case.tracking_no in officer.get("/cases/my/").content.decode()
    officer.post(f"/cases/{case.pk}/act/escalate/", {"escalate-to_unit": "镇"})
    officer.post(f"/cases/{case.pk}/act/start/", {})
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS
    assert officer.get(f"/cases/{cast.changcheng.pk + 10_000}/").status_code == 404


def test_intake_page_registers_a_case(cast):
    client = Client()
    client.force_login(cast.staff)
    response = client.post(
        "/cases/new/",
        {
            "community": cast.beijie.pk,
            "channel": "hotline",
            "category": "property",
            "content": "电梯坏了",
        },
    )
    assert response.status_code == 302
    outsider = Client()
    outsider.force_login(cast.member)
    assert outsider.get("/cases/new/").status_code == 403


def test_officer_diary_page(cast):
    client = Client()
    client.force_login(cast.officer)
    response = client.post(
        "/cases/diary/", {"visited_on": "2026-11-20", "household": "2号楼", "heard": "噪音扰民"}
    )
    assert response.status_code == 302
    page = client.get("/cases/diary/").content.decode()
    assert "噪音扰民" in page and "登记为民情件" in page
