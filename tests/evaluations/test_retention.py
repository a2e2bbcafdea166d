"""Retention of what the evaluations app says about a member (evaluations/retention.py): a feedback sheet's
content and opinion go after its year and five more; a consultation's question, reasons and attached
ledger go two years after the answer or the withdrawal. The register stays; a rerun changes nothing."""

import datetime as dt

import pytest
import time_machine
from django.db import connection

from core import retention
from core.models import AuditEvent
from evaluations import services
from evaluations.documents.sheets import sheet_pdf
from evaluations.models import (
    Consultation,
    ConsultationEvent,
    ConsultationOpinion,
    ConsultationPurpose,
    ConsultationState,
    FeedbackSheet,
    SheetState,
)
from evaluations.retention import purge_consultations, purge_feedback_sheets
from tests.evaluations.employer_world import build_ledger
from tests.volunteering.factories import at, register

pytestmark = pytest.mark.django_db

QUESTION = "拟提拔为科室副主任，请社区提供意见"
REASONS = "参加活动较少，建议加强"


@pytest.fixture(autouse=True)
def _calendar_cache():
    from core import workdays

    workdays.clear_cache()
    yield
    workdays.clear_cache()


@pytest.fixture
def sheet_of(cast, django_capture_on_commit_callbacks):
    """A sent sheet of `year`: the year's batch, the branch's opinion, issued."""

    def make(year: int, *, opinion: str = "表现积极") -> FeedbackSheet:
        with time_machine.travel(at(year, 12, 10, 10), tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                services.sheet_batch_start(community=cast.beijie, year=year, by=cast.secretary)
            sheet = FeedbackSheet.objects.get(person=cast.member_person, year=year, is_current=True)
            services.sheet_set_opinion(sheet=sheet, opinion=opinion, by=cast.secretary)
            services.sheet_issue(sheet=sheet, by=cast.secretary)
        sheet.refresh_from_db()
        return sheet

    return make


def test_a_sheet_keeps_its_text_for_its_year_and_five_more_then_only_the_register(cast, sheet_of):
    with time_machine.travel(at(2020, 3, 1, 9), tick=False):
        register(cast.member_person, cast.beijie)
    old, kept = sheet_of(2020), sheet_of(2021)
    assert old.content["person_name"] == cast.member_person.name and old.opinion == "表现积极"

    # 2020's sheets were kept through 2025 (the year and five more); in 2026 their text goes
    result = purge_feedback_sheets(now=at(2026, 12, 31, 23))

    old.refresh_from_db()
    kept.refresh_from_db()
    assert result == {"feedback_sheets": 1}
    assert old.content == {} and old.opinion == ""
    assert (old.state, old.issued_on, old.year, old.person_id) == (
        SheetState.ISSUED,
        dt.date(2020, 12, 10),
        2020,
        cast.member_person.pk,
    )
    assert kept.content["person_name"] == cast.member_person.name and kept.opinion == "表现积极"
    summary = AuditEvent.objects.get(action="bulk_feedback_sheets_purged")
    assert summary.extra == {"sheets": 1, "years_up_to": 2020}
    # a purged sheet still prints (its register), without the member's lines
    assert sheet_pdf(old).startswith(b"%PDF")

    assert purge_feedback_sheets(now=at(2026, 12, 31, 23)) == {"feedback_sheets": 0}
    assert AuditEvent.objects.filter(action="bulk_feedback_sheets_purged").count() == 1

    # on 1 January 2027 the 2021 sheets' period is over too
    assert purge_feedback_sheets(now=at(2027, 1, 1, 1)) == {"feedback_sheets": 1}


def ask_and_end(cast, *, on: dt.datetime, answer: bool) -> Consultation:
    with time_machine.travel(on, tick=False):
        consultation = services.consultation_ask(
            employer=cast.hospital,
            person=cast.member_person,
            purpose=ConsultationPurpose.PROMOTION,
            question=QUESTION,
            by=cast.liaison,
        )
        if answer:
            services.consultation_answer(
                consultation=consultation,
                opinion=ConsultationOpinion.RESERVATIONS,
                reasons=REASONS,
                by=cast.secretary,
            )
        else:
            services.consultation_withdraw(consultation=consultation, by=cast.liaison)
    consultation.refresh_from_db()
    return consultation


def test_a_consultation_keeps_its_text_two_years_after_the_answer_or_withdrawal(cast):
    with time_machine.travel(at(2024, 3, 1, 9), tick=False):
        build_ledger(cast)
    answered = ask_and_end(cast, on=at(2024, 3, 4, 10), answer=True)
    withdrawn = ask_and_end(cast, on=at(2024, 3, 5, 10), answer=False)
    recent = ask_and_end(cast, on=at(2025, 6, 2, 10), answer=True)
    with time_machine.travel(at(2024, 3, 6, 10), tick=False):
        still_open = services.consultation_ask(
            employer=cast.hospital,
            person=cast.member_person,
            purpose=ConsultationPurpose.AWARD,
            question=QUESTION,
            by=cast.liaison,
        )
    assert answered.ledger and answered.reasons == REASONS

    result = purge_consultations(now=at(2026, 3, 10, 2))

    assert result == {"consultations": 2, "consultation_events": 0}
    for consultation in (answered, withdrawn):
        consultation.refresh_from_db()
        assert (consultation.question, consultation.reasons, consultation.ledger) == ("", "", {})
    answered.refresh_from_db()
    # the register stays: who asked about whom, for what, when, and the answer
    assert answered.state == ConsultationState.ANSWERED
    assert answered.opinion == ConsultationOpinion.RESERVATIONS
    assert answered.employer == cast.hospital and answered.person == cast.member_person
    for consultation in (recent, still_open):
        consultation.refresh_from_db()
        assert consultation.question == QUESTION
    recent.refresh_from_db()
    assert recent.reasons == REASONS and recent.ledger
    # the question is not copied into the append-only event rows
    assert not ConsultationEvent.objects.filter(note__contains="科室副主任").exists()

    assert purge_consultations(now=at(2026, 3, 10, 2)) == {"consultations": 0, "consultation_events": 0}
    assert AuditEvent.objects.filter(action="bulk_consultations_purged").count() == 1


def test_an_opening_event_that_copied_the_question_is_blanked_with_its_consultation(cast):
    register(cast.member_person, cast.beijie)
    consultation = ask_and_end(cast, on=at(2024, 3, 4, 10), answer=False)
    # an event written before the question stopped being copied there (the ORM refuses to edit events)
    opening = ConsultationEvent.objects.get(consultation=consultation, to_state=ConsultationState.OPEN)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {ConsultationEvent._meta.db_table} SET note = %s WHERE id = %s", [QUESTION, opening.pk]
        )

    assert purge_consultations(now=at(2026, 3, 10, 2)) == {"consultations": 1, "consultation_events": 1}
    opening.refresh_from_db()
    assert opening.note == ""


def test_the_purges_are_registered_and_run_nightly():
    assert retention.PERSONAL_DATA_RETENTION["evaluations.FeedbackSheet.content"] == "feedback_sheet"
    assert retention.PERSONAL_DATA_RETENTION["evaluations.Consultation.reasons"] == "consultation"
    assert purge_feedback_sheets in retention.NIGHTLY_PURGES
    assert purge_consultations in retention.NIGHTLY_PURGES
