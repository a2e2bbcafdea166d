"""The feedback sheet (反馈单): its numbers against a known ledger, versions, issue and acknowledgement,
the batch's idempotency, the PDF and the workbook."""

import datetime as dt
import io
import subprocess
from dataclasses import dataclass

import pytest
import time_machine
from openpyxl import load_workbook

from core.errors import Conflict, DomainError, PermissionDenied
from core.models import Notification
from evaluations import services
from evaluations.documents.sheets import employer_workbook, sheet_pdf, sheets_pdf
from evaluations.models import FeedbackSheet, SheetBatch, SheetBatchState, SheetEvent, SheetState
from evaluations.selectors import sheets as sheet_selectors
from tests.evaluations.employer_world import CONDUCT_SECRET, build_ledger
from tests.volunteering.factories import at, registered_member

pytestmark = pytest.mark.django_db

NOW = at(2026, 12, 10, 10)  # Thursday


@pytest.fixture
def ledger(cast):
    with time_machine.travel(NOW, tick=False):
        return build_ledger(cast)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@dataclass
class Result:
    grade: str
    grade_label: str
    counts: dict
    excellent: bool
    excellent_reason: str = ""


@pytest.fixture
def generate(django_capture_on_commit_callbacks):
    """Start the year's batch as the secretary and run the task enqueued on commit (eagerly)."""

    def run(cast, *, by=None, year=2026):
        with django_capture_on_commit_callbacks(execute=True):
            batch = services.sheet_batch_start(community=cast.beijie, year=year, by=by or cast.secretary)
        batch.refresh_from_db()
        return batch

    return run


def current(person, year=2026):
    return FeedbackSheet.objects.get(person=person, year=year, is_current=True)


# ------------------------------------------------------------------------------------------- numbers


def test_the_sheet_carries_the_ledgers_numbers_exactly(cast, ledger, generate):
    generate(cast)

    sheet = current(ledger.person)
    c = sheet.content
    assert sheet.employer == cast.hospital and sheet.community == cast.beijie and sheet.version == 1
    assert c["person_name"] == "马明"
    assert c["employer_name"] == "县人民医院"
    assert c["community_name"] == "北街社区"
    assert c["zones"] == ["东片责任区"]
    assert c["registered_on"] == "2026-01-10"
    assert c["posts"] == ["法律咨询岗"]
    assert [(i["title"], i["date"], i["hours"]) for i in c["items"]] == [
        ("义诊进社区", "2026-03-14", "2.0"),
        ("法律咨询日", "2026-05-20", "1.5"),
        ("垃圾分类宣传", "2026-09-06", "3.0"),
    ]
    assert c["done"] == {"items": 3, "hours": "6.5", "status": "达到目标", "behind": False}
    assert c["required"]["min_items"] == 1 and c["required"]["target_items"] == 2
    assert c["cumulative_hours"] == "106.5" and c["stars"] == 1
    assert [row[0] for row in c["cases"]["rows"]] == [ledger.case.tracking_no]
    assert c["evaluation"] is None


def test_conduct_notes_never_reach_the_sheet(cast, ledger, generate):
    generate(cast)
    sheet = current(ledger.person)

    assert CONDUCT_SECRET not in str(sheet.content)
    text = pdftotext(sheet_pdf(sheet))
    assert CONDUCT_SECRET not in text


def test_the_evaluation_result_appears_with_both_groups_counts(cast, ledger, monkeypatch, generate):
    result = Result(
        "excellent",
        "优秀",
        {"resident_rep": {"excellent": 5, "competent": 2}, "member_rep": {"excellent": 3}},
        True,
        "",
    )
    monkeypatch.setattr(
        sheet_selectors,
        "_evaluation_results",
        lambda community_id, year, person_ids=None: {ledger.person.pk: result},
    )
    generate(cast)

    sheet = current(ledger.person)
    assert sheet.content["evaluation"] == {
        "grade": "excellent",
        "grade_label": "优秀",
        "counts": {"resident": {"excellent": 5, "competent": 2}, "member": {"excellent": 3}},
        "excellent": True,
        "excellent_reason": "",
    }
    text = pdftotext(sheet_pdf(sheet))
    assert "优秀" in text and "居民群众代表：优秀 5 票，合格 2 票" in text and "党员代表：优秀 3 票" in text


def test_the_sheet_prints_the_real_tallys_counts_in_chinese(cast, ledger, generate):
    """Through the appraisal half's own tally (its group and grade codes), not a stand-in result."""
    from evaluations.models import Grade
    from tests.evaluations.appraisal_support import open_appraisal, vote

    world = open_appraisal(cast, residents=3, members=1, closes_on=dt.date(2026, 12, 20))
    from evaluations.selectors.appraisal import subjects

    person = ledger.person.pk
    others = [pk for pk in subjects(world.appraisal).values_list("pk", flat=True) if pk != person]

    def ballot(grade):
        return {person: grade, **dict.fromkeys(others, Grade.COMPETENT)}

    for evaluator, grade in zip(
        world.residents, [Grade.COMPETENT, Grade.COMPETENT, Grade.BASIC], strict=True
    ):
        vote(cast, evaluator, ballot(grade))
    vote(cast, world.others[0], ballot(Grade.EXCELLENT))
    generate(cast)

    sheet = current(ledger.person)
    evaluation = sheet.content["evaluation"]
    assert evaluation["grade_label"] == "合格"
    assert (
        evaluation["counts"]["resident"]["competent"] == 2 and evaluation["counts"]["resident"]["basic"] == 1
    )
    assert evaluation["counts"]["member"]["excellent"] == 1
    text = pdftotext(sheet_pdf(sheet))
    assert "居民群众代表：优秀 0 票，合格 2 票，基本合格 1 票，不合格 0 票" in text
    assert "competent" not in text and "basic" not in text


def test_without_the_appraisal_module_the_adapter_gives_no_results(cast):
    assert sheet_selectors._evaluation_results(cast.beijie.pk, 2026) == {}


# ------------------------------------------------------------------------------------------------ pdf


def pdftotext(data: bytes) -> str:
    done = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode()


def test_the_pdf_text_holds_the_members_chinese_name_and_the_years_item_count(cast, ledger, generate):
    generate(cast)
    sheet = current(ledger.person)
    services.sheet_set_opinion(
        sheet=sheet, opinion="该同志积极参加社区志愿服务，表现良好。", by=cast.secretary
    )
    services.sheet_issue(sheet=sheet, by=cast.secretary)

    text = pdftotext(sheet_pdf(sheet))

    assert "在职党员小区活动情况反馈单" in text
    assert "马明" in text and "县人民医院" in text and "北街社区" in text
    assert "志愿服务事项（3 项）" in text and "完成 3 项、6.5 小时" in text
    assert "义诊进社区" in text and "该同志积极参加社区志愿服务" in text
    assert "中共北街社区总支委员会" in text and "2026年12月10日" in text


def test_the_combined_pdf_has_every_sheet(cast, ledger, generate):
    other = registered_member(cast.beijie, employer=cast.finance, name="赵静")
    generate(cast)

    text = pdftotext(
        sheets_pdf(FeedbackSheet.objects.filter(is_current=True), title="北街社区 2026 年反馈单")
    )

    assert "马明" in text and "赵静" in text and other.name == "赵静"


def test_the_employer_workbook_has_one_row_per_sheet(cast, ledger, generate):
    generate(cast)
    data = employer_workbook(FeedbackSheet.objects.filter(employer=cast.hospital), title="县人民医院")

    rows = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert rows[2][3] == "马明" and rows[2][10] == 3 and rows[2][11] == "6.5"
    assert len(rows) == 3


# ------------------------------------------------------------------------------------- batch, versions


def test_two_runs_leave_one_current_version_per_member(cast, ledger, generate):
    registered_member(cast.beijie, employer=cast.finance)
    first = generate(cast)
    second = generate(cast)

    assert first.pk != second.pk
    assert FeedbackSheet.objects.filter(is_current=True).count() == 2
    assert FeedbackSheet.objects.filter(person=ledger.person).count() == 2
    assert current(ledger.person).version == 2
    old = FeedbackSheet.objects.get(person=ledger.person, version=1)
    assert old.state == SheetState.SUPERSEDED and not old.is_current
    assert SheetBatch.objects.get(pk=second.pk).state == SheetBatchState.FINISHED


def test_a_redelivered_batch_writes_no_sheet_twice(cast, ledger, generate):
    batch = generate(cast)
    SheetBatch.objects.filter(pk=batch.pk).update(state=SheetBatchState.RUNNING)  # as if the worker died

    assert services.sheet_batch_run(batch_id=batch.pk) == 0
    assert FeedbackSheet.objects.filter(person=ledger.person).count() == 1


def test_starting_while_a_batch_is_unfinished_resumes_it(cast, ledger, generate):
    batch = services.sheet_batch_start(community=cast.beijie, year=2026, by=cast.secretary)  # task never ran
    assert batch.state == SheetBatchState.QUEUED and batch.total == 1
    again = generate(cast)
    assert again.pk == batch.pk
    assert SheetBatch.objects.get(pk=batch.pk).state == SheetBatchState.FINISHED
    assert FeedbackSheet.objects.filter(person=ledger.person).count() == 1


def test_a_batch_keeps_sent_sheets_and_regenerating_one_makes_a_new_version(cast, ledger, generate):
    generate(cast)
    sheet = current(ledger.person)
    services.sheet_issue(sheet=sheet, by=cast.secretary)

    generate(cast)
    assert current(ledger.person).pk == sheet.pk  # the batch did not take back what the employer holds

    new = services.sheet_regenerate(sheet=sheet, by=cast.secretary)
    sheet.refresh_from_db()
    assert new.version == 2 and new.state == SheetState.DRAFT and new.is_current
    assert sheet.state == SheetState.SUPERSEDED and not sheet.is_current
    assert sheet.issued_on == dt.date(2026, 12, 10)  # the issued version itself is unchanged


def test_the_town_generates_for_every_community(cast, ledger, django_capture_on_commit_callbacks):
    registered_member(cast.changcheng, employer=cast.finance)
    with django_capture_on_commit_callbacks(execute=True):
        batches = services.sheet_batch_start_town(town=cast.town_obj, year=2026, by=cast.town)

    assert {b.community_id for b in batches} == {cast.beijie.pk, cast.changcheng.pk}
    assert FeedbackSheet.objects.filter(is_current=True).count() == 2
    with pytest.raises(PermissionDenied):
        services.sheet_batch_start_town(town=cast.town_obj, year=2026, by=cast.secretary)


def test_a_future_year_is_refused_naming_the_field(cast, ledger, generate):
    with pytest.raises(DomainError) as refused:
        generate(cast, year=2027)
    assert "year" in refused.value.fields


# --------------------------------------------------------------------------- opinion, issue, acknowledge


def test_the_opinion_is_written_before_issue_and_never_after(cast, ledger, generate):
    generate(cast)
    sheet = current(ledger.person)
    services.sheet_set_opinion(sheet=sheet, opinion="表现良好", by=cast.secretary)
    services.sheet_issue(sheet=sheet, by=cast.secretary)

    with pytest.raises(Conflict) as refused:
        services.sheet_set_opinion(sheet=sheet, opinion="改写", by=cast.secretary)
    assert "opinion" in refused.value.fields
    sheet.refresh_from_db()
    assert sheet.opinion == "表现良好"
    assert sheet.ack_due_on == dt.date(2026, 12, 24)  # 10 working days after Thu 10 Dec


def test_the_town_reads_but_does_not_write_the_branchs_opinion(cast, ledger, generate):
    generate(cast)
    with pytest.raises(PermissionDenied):
        services.sheet_set_opinion(sheet=current(ledger.person), opinion="x", by=cast.town)


def test_the_liaison_acknowledges_once_with_an_event(cast, ledger, generate):
    generate(cast)
    sheet = current(ledger.person)
    services.sheet_issue(sheet=sheet, by=cast.secretary)

    services.sheet_acknowledge(sheet=sheet, by=cast.liaison)

    sheet.refresh_from_db()
    assert sheet.state == SheetState.ACKNOWLEDGED and sheet.acknowledged_by == cast.liaison
    assert list(SheetEvent.objects.filter(sheet=sheet).values_list("to_state", flat=True)) == [
        "draft",
        "issued",
        "acknowledged",
    ]
    with pytest.raises(Conflict) as again:
        services.sheet_acknowledge(sheet=sheet, by=cast.liaison)
    assert "state" in again.value.fields


def test_a_draft_cannot_be_acknowledged_and_another_employer_may_not(cast, ledger, generate):
    generate(cast)
    sheet = current(ledger.person)
    with pytest.raises(Conflict):
        services.sheet_acknowledge(sheet=sheet, by=cast.liaison)
    services.sheet_issue(sheet=sheet, by=cast.secretary)
    with pytest.raises(PermissionDenied):
        services.sheet_acknowledge(sheet=sheet, by=cast.other_liaison)
    assert FeedbackSheet.objects.visible_to(cast.other_liaison).filter(pk=sheet.pk).count() == 0


def test_the_liaison_is_reminded_once_after_ten_working_days(cast, ledger, generate):
    generate(cast)
    services.sheets_issue_all(community=cast.beijie, year=2026, by=cast.secretary)
    due = current(ledger.person).ack_due_on
    assert due == dt.date(2026, 12, 24)

    assert services.acknowledgement_reminders_send(today=due) == 0  # the 10th working day: still in time
    assert services.acknowledgement_reminders_send(today=due + dt.timedelta(days=1)) == 1
    assert services.acknowledgement_reminders_send(today=due + dt.timedelta(days=2)) == 0
    notes = Notification.objects.filter(kind="sheet_ack_reminder")
    assert [n.recipient for n in notes] == [cast.liaison]


def test_no_reminder_once_acknowledged(cast, ledger, generate):
    generate(cast)
    services.sheets_issue_all(community=cast.beijie, year=2026, by=cast.secretary)
    services.sheet_acknowledge(sheet=current(ledger.person), by=cast.liaison)

    assert services.acknowledgement_reminders_send(today=dt.date(2027, 1, 30)) == 0


def test_acknowledgement_status_by_employer(cast, ledger, generate):
    registered_member(cast.beijie, employer=cast.finance)
    generate(cast)
    services.sheets_issue_all(community=cast.beijie, year=2026, by=cast.secretary)
    services.sheet_acknowledge(sheet=current(ledger.person), by=cast.liaison)

    rows = sheet_selectors.acknowledgement_by_employer(FeedbackSheet.objects.visible_to(cast.town), year=2026)

    assert [(r.employer_name, r.issued, r.acknowledged, r.complete) for r in rows] == [
        ("县财政局", 1, 0, False),
        ("县人民医院", 1, 1, True),
    ]
