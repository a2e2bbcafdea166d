"""监督咨询: the employer asks about its own member only; the branch answers within 10 working days on the
official calendar, with the ledger attached; overdue requests are listed."""

import datetime as dt

import pytest
import time_machine

from core.errors import Conflict, DomainError, PermissionDenied
from evaluations import services
from evaluations.models import (
    Consultation,
    ConsultationEvent,
    ConsultationOpinion,
    ConsultationPurpose,
    ConsultationState,
)
from tests.evaluations.employer_world import CONDUCT_SECRET, build_ledger
from tests.volunteering.factories import at, register

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _calendar_cache():
    from core import workdays

    workdays.clear_cache()
    yield
    workdays.clear_cache()


def ask(cast, person=None, *, by=None, employer=None, purpose=ConsultationPurpose.PROMOTION):
    return services.consultation_ask(
        employer=employer or cast.hospital,
        person=person or cast.member_person,
        purpose=purpose,
        question="拟提拔为科室副主任",
        by=by or cast.liaison,
    )


def test_asked_the_day_before_national_day_it_is_due_ten_working_days_later(cast):
    register(cast.member_person, cast.beijie)
    with time_machine.travel(at(2026, 9, 30, 15), tick=False):
        consultation = ask(cast)

    # 1–7 Oct National Day; Thu 8, Fri 9 and the make-up Saturday 10 Oct are working days; then
    # Mon 12 … Tue 20 Oct: the 10th working day after Wed 30 Sep (the day itself not counted).
    assert consultation.due_on == dt.date(2026, 10, 20)
    assert consultation.community == cast.beijie and consultation.state == ConsultationState.OPEN
    assert ConsultationEvent.objects.filter(consultation=consultation, to_state="open").count() == 1


def test_asking_about_someone_who_is_not_its_member_is_refused_naming_the_field(cast):
    register(cast.foreign_person, cast.changcheng)
    with pytest.raises(DomainError) as refused:
        ask(cast, cast.foreign_person)  # works at 县财政局, not the hospital
    assert refused.value.fields == {"person": ["不是本单位的在职党员"]}
    assert Consultation.objects.count() == 0


def test_only_the_employers_liaison_may_ask(cast):
    register(cast.member_person, cast.beijie)
    with pytest.raises(PermissionDenied):
        ask(cast, by=cast.secretary)
    with pytest.raises(PermissionDenied):
        ask(cast, by=cast.other_liaison)


def test_a_member_who_never_registered_cannot_be_asked_about(cast):
    with pytest.raises(DomainError) as refused:
        ask(cast)
    assert "person" in refused.value.fields


def test_the_secretary_answers_with_the_ledger_attached_but_no_conduct_note(cast):
    with time_machine.travel(at(2026, 11, 2, 9), tick=False):
        build_ledger(cast)
        consultation = ask(cast)
        services.consultation_answer(
            consultation=consultation,
            opinion=ConsultationOpinion.RESERVATIONS,
            reasons="参加活动较少，建议加强",
            by=cast.secretary,
        )

    consultation.refresh_from_db()
    assert consultation.state == ConsultationState.ANSWERED
    assert consultation.ledger["2026"]["done"]["items"] == 3
    assert consultation.ledger["2026"]["done"]["hours"] == "6.5"
    assert set(consultation.ledger) == {"2025", "2026"}
    assert CONDUCT_SECRET not in str(consultation.ledger)
    assert consultation.answered_by == cast.secretary


def test_an_opinion_other_than_agree_needs_reasons(cast):
    register(cast.member_person, cast.beijie)
    consultation = ask(cast)
    with pytest.raises(DomainError) as refused:
        services.consultation_answer(
            consultation=consultation, opinion=ConsultationOpinion.DISAGREE, reasons="", by=cast.secretary
        )
    assert "reasons" in refused.value.fields
    with pytest.raises(DomainError) as bad:
        services.consultation_answer(
            consultation=consultation, opinion="maybe", reasons="", by=cast.secretary
        )
    assert "opinion" in bad.value.fields
    consultation.refresh_from_db()
    assert consultation.state == ConsultationState.OPEN


def test_only_the_communitys_office_answers_and_only_once(cast):
    register(cast.member_person, cast.beijie)
    consultation = ask(cast)
    for outsider in (cast.town, cast.other_secretary, cast.liaison):
        with pytest.raises(PermissionDenied):
            services.consultation_answer(
                consultation=consultation, opinion=ConsultationOpinion.AGREE, reasons="", by=outsider
            )
    services.consultation_answer(
        consultation=consultation, opinion=ConsultationOpinion.AGREE, reasons="", by=cast.secretary
    )
    with pytest.raises(Conflict):
        services.consultation_answer(
            consultation=consultation, opinion=ConsultationOpinion.AGREE, reasons="", by=cast.secretary
        )


def test_overdue_requests_are_listed_for_the_secretary_and_the_town_not_another_community(cast):
    register(cast.member_person, cast.beijie)
    with time_machine.travel(at(2026, 9, 30, 15), tick=False):
        consultation = ask(cast)

    def overdue(user, today):
        return list(Consultation.objects.visible_to(user).overdue(today))

    assert overdue(cast.secretary, dt.date(2026, 10, 20)) == []  # due that day: not late yet
    assert overdue(cast.secretary, dt.date(2026, 10, 21)) == [consultation]
    assert overdue(cast.town, dt.date(2026, 10, 21)) == [consultation]
    assert overdue(cast.other_secretary, dt.date(2026, 10, 21)) == []
    assert overdue(cast.other_liaison, dt.date(2026, 10, 21)) == []


def test_the_liaison_withdraws_its_own_request(cast):
    register(cast.member_person, cast.beijie)
    consultation = ask(cast)
    with pytest.raises(PermissionDenied):
        services.consultation_withdraw(consultation=consultation, by=cast.other_liaison)
    services.consultation_withdraw(consultation=consultation, by=cast.liaison)
    assert consultation.state == ConsultationState.WITHDRAWN
