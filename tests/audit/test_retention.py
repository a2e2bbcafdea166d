"""Retention of residents' personal data on cases: a nightly job removes name, phone, address and photos
from cases closed longer than the community's period (two years unless it publishes another), once, in a
constant number of queries per community; a resident's deletion request is carried out at once and
recorded with its reason."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import retention, services
from cases.models import Case, CaseAttachment, DiaryEntry, ReceptionDay, ReceptionItem, RetentionPolicy
from cases.states import CaseState
from cases.tasks import anonymise_closed_cases as anonymise_task
from config.celery import DEFAULT_PERIODIC_TASKS, app
from core.errors import DomainError
from members.services import PermissionDenied
from tests.audit.conftest import events, mark
from tests.cases.factories import make_case

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PHONE = "13912345678"  # tests.cases.factories.make_case's resident


def at(y, m, d, hour=10):
    return dt.datetime(y, m, d, hour, tzinfo=SHANGHAI)


def closed_case(community, by, on: dt.datetime, **extra) -> Case:
    with time_machine.travel(on, tick=False):
        return make_case(community, by=by, state=CaseState.CLOSED, received_at=on, **extra)


def identity(case: Case) -> tuple:
    case.refresh_from_db()
    return case.resident_name, case.resident_phone, case.resident_id, case.visit_address


def test_a_case_closed_two_years_ago_loses_the_residents_identity_the_next_night(cast):
    case = closed_case(cast.beijie, cast.secretary, at(2024, 9, 27))  # before the 2024 National Day

    assert retention.anonymise_closed_cases(today=dt.date(2026, 9, 27)) == 0  # 730 days: not yet past
    assert identity(case) == ("王大妈", PHONE, None, "")

    assert retention.anonymise_closed_cases(today=dt.date(2026, 9, 28)) == 1
    assert identity(case) == ("", "", None, "")
    case.refresh_from_db()
    assert case.anonymised_at is not None and case.content and case.state == CaseState.CLOSED


def test_open_cases_and_recently_closed_ones_are_untouched(cast):
    old_but_open = make_case(
        cast.beijie, by=cast.secretary, state=CaseState.RATED, received_at=at(2023, 3, 1)
    )
    recent = closed_case(cast.beijie, cast.secretary, at(2026, 5, 6))

    with time_machine.travel(at(2026, 10, 8)):
        assert retention.anonymise_closed_cases() == 0

    assert identity(old_but_open)[1] == PHONE and identity(recent)[1] == PHONE


def test_each_community_keeps_data_for_its_own_period(cast):
    RetentionPolicy.objects.create(community=cast.changcheng, retention_days=90)
    beijie = closed_case(cast.beijie, cast.secretary, at(2026, 5, 6))
    changcheng = closed_case(cast.changcheng, cast.other_secretary, at(2026, 5, 6))

    assert retention.anonymise_closed_cases(today=dt.date(2026, 10, 8)) == 1

    assert identity(beijie)[1] == PHONE and identity(changcheng)[1] == ""


def test_photos_and_the_lines_a_case_came_from_are_cleared_too(cast, django_capture_on_commit_callbacks):
    with time_machine.travel(at(2024, 3, 1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            case = make_case(
                cast.beijie,
                by=cast.secretary,
                state=CaseState.CLOSED,
                attachments=[SimpleUploadedFile("a.png", PNG, content_type="image/png")],
            )
        day = ReceptionDay.objects.create(
            community=cast.beijie,
            kind="leaders",
            nominal_date=dt.date(2024, 2, 25),
            held_on=dt.date(2024, 2, 26),
            host_name="周书记",
        )
        item = ReceptionItem.objects.create(
            reception=day, visitor_name="王大妈", visitor_phone=PHONE, content="路灯", case=case
        )
        diary = DiaryEntry.objects.create(
            officer=cast.officer_row,
            visited_on=dt.date(2024, 2, 29),
            household="3号楼王家",
            resident=cast.member_person,
            heard="路灯",
            case=case,
        )
    photo = case.attachments.get().file.name
    assert default_storage.exists(photo)

    retention.anonymise_closed_cases(today=dt.date(2026, 10, 8))

    assert not CaseAttachment.objects.filter(case=case).exists() and not default_storage.exists(photo)
    item.refresh_from_db()
    diary.refresh_from_db()
    assert (item.visitor_name, item.visitor_phone) == ("", "")
    assert (diary.household, diary.resident_id) == ("", None)


def test_a_rerun_changes_nothing_and_records_nothing(cast):
    closed_case(cast.beijie, cast.secretary, at(2024, 3, 1))
    assert retention.anonymise_closed_cases(today=dt.date(2026, 10, 8)) == 1
    start = mark()

    assert retention.anonymise_closed_cases(today=dt.date(2026, 10, 8)) == 0
    assert retention.anonymise_closed_cases(today=dt.date(2026, 10, 9)) == 0
    assert events(start) == []


def test_one_audit_summary_per_community_and_no_row_per_case(cast):
    for _ in range(3):
        closed_case(cast.beijie, cast.secretary, at(2024, 3, 1))
    closed_case(cast.changcheng, cast.other_secretary, at(2024, 3, 1))
    start = mark()

    assert anonymise_task.delay("2026-10-08").get() == 4  # the Celery task (eager in unit tests)

    summaries = events(start, action="retention_anonymised")
    assert [(s.community_id, s.extra["cases"]) for s in summaries] == [
        (cast.beijie.pk, 3),
        (cast.changcheng.pk, 1),
    ]
    assert all(s.actor_label == "celery:anonymise_closed_cases" for s in summaries)
    assert events(start, object_type="cases.Case") == []
    assert "13912345678" not in str([s.extra for s in summaries])


def test_the_job_runs_the_same_queries_for_3_or_30_cases(cast):
    def run(n, day):
        for _ in range(n):
            closed_case(cast.beijie, cast.secretary, at(2024, 3, 1))
        with CaptureQueriesContext(connection) as captured:
            assert retention.anonymise_closed_cases(today=day) == n
        return len(captured.captured_queries)

    assert run(3, dt.date(2026, 10, 8)) == run(30, dt.date(2026, 10, 9))


def test_the_nightly_job_is_scheduled():
    entry = DEFAULT_PERIODIC_TASKS["cases-retention-anonymise"]
    assert entry["task"] == "cases.tasks.anonymise_closed_cases"
    assert "cases.tasks.anonymise_closed_cases" in app.tasks
    assert DEFAULT_PERIODIC_TASKS["core-audit-purge"]["task"] == "core.tasks.purge_expired_audit_rows"


# -------------------------------------------------------------------------------------- erasure


def test_a_deletion_request_clears_every_case_of_that_phone_in_the_community_and_is_recorded(cast):
    first = make_case(cast.beijie, by=cast.secretary, state=CaseState.ASSIGNED, worker=cast.staff)
    second = make_case(cast.beijie, by=cast.secretary, state=CaseState.CLOSED)
    stranger = services.case_register(
        community=cast.beijie,
        by=cast.secretary,
        channel="hotline",
        content="噪音",
        resident_phone="13700000000",
    )
    elsewhere = make_case(cast.changcheng, by=cast.other_secretary)
    start = mark()

    done = retention.resident_erasure(by=cast.staff, case=first, reason="居民本人 2026-11-20 到窗口书面申请")

    assert done["cases"] == 2 and done["tracking_numbers"] == sorted([first.tracking_no, second.tracking_no])
    assert identity(first)[:2] == ("", "") and identity(second)[:2] == ("", "")
    assert identity(stranger)[1] == "13700000000" and identity(elsewhere)[1] == PHONE
    [recorded] = events(start, action="resident_erasure")
    assert recorded.actor == cast.staff and recorded.reason == "居民本人 2026-11-20 到窗口书面申请"
    assert recorded.object_id == str(first.pk) and recorded.community_id == cast.beijie.pk
    assert recorded.extra["tracking_numbers"] == done["tracking_numbers"]


def test_a_deletion_request_by_tracking_number_only_reaches_the_users_own_communities(cast):
    case = make_case(cast.beijie, by=cast.secretary)
    with pytest.raises(DomainError) as refused:
        retention.resident_erasure(by=cast.other_secretary, tracking_number=case.tracking_no, reason="申请")
    assert "tracking_number" in refused.value.fields
    with pytest.raises(PermissionDenied):
        retention.resident_erasure(by=cast.officer, case=case, reason="申请")
    with pytest.raises(DomainError) as no_reason:
        retention.resident_erasure(by=cast.secretary, tracking_number=case.tracking_no, reason=" ")
    assert "reason" in no_reason.value.fields
    assert identity(case)[1] == PHONE

    retention.resident_erasure(by=cast.secretary, tracking_number=case.tracking_no.lower(), reason="电话申请")
    assert identity(case)[1] == ""


def test_the_office_carries_out_a_deletion_request_through_the_api(cast, as_user):
    case = make_case(cast.beijie, by=cast.secretary)
    url = f"/api/v1/cases/{case.pk}/erase/"

    assert as_user("officer").post(url, {"reason": "x"}).status_code == 404  # cannot see the case
    assert as_user("secretary").post(url, {"reason": ""}).status_code == 400
    response = as_user("secretary").post(url, {"reason": "居民来电申请删除"})

    assert response.status_code == 200 and response.json()["cases"] == 1
    assert identity(case)[1] == ""
    detail = as_user("secretary").get(f"/api/v1/cases/{case.pk}/").json()
    assert detail["resident_phone"] == "" and detail["resident_display"] == ""
