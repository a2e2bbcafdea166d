"""民情信息员: appointment (聘用), the roster numbers, ending, vacancies and the manual's penalty ladder."""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from core.errors import Conflict, DomainError
from members import selectors, services
from members.models import (
    Community,
    InformationOfficer,
    OfficerEndReason,
    OfficerRecordKind,
    OfficerSource,
    OfficerStatus,
    RoleAssignment,
    User,
)
from members.roles import Role
from tests import factories as f

K = OfficerRecordKind
SPRING = dt.date(2026, 3, 1)


def appoint(cast, person=None, *, by=None, source=OfficerSource.ACTIVIST, on=SPRING, community=None, **kw):
    return services.officer_appoint(
        community=community or cast.beijie,
        person=person or f.PersonFactory(community=cast.beijie),
        by=by or cast.secretary,
        source=source,
        appointed_on=on,
        **kw,
    )


def record(cast, officer, kind, **kw):
    kw.setdefault("reason", "走访日志未按时填写")
    if kind == K.ECONOMIC_PENALTY:
        kw.setdefault("amount_yuan", Decimal("50.00"))
    return services.officer_record(officer=officer, by=cast.secretary, kind=kind, on=SPRING, **kw)


# --------------------------------------------------------------------------------------------- appoint


def test_activist_who_is_not_a_party_member_can_be_appointed(cast):
    # Given a resident of 北街 with no party membership
    person = f.PersonFactory(community=cast.beijie, name="积极分子")

    officer = appoint(cast, person)

    assert officer.status == OfficerStatus.ACTIVE
    assert officer.person == person
    assert officer.source == OfficerSource.ACTIVIST
    assert officer.appointed_by == cast.secretary
    assert officer.appointment_no == "BEIJIE-2026-001"
    assert officer.term_end == dt.date(2029, 2, 28)  # three years, the day before the anniversary


def test_retired_member_can_be_appointed_from_the_member_sources(cast):
    person = f.PersonFactory(community=cast.beijie)
    f.RetiredMembershipFactory(person=person)
    officer = appoint(cast, person, source=OfficerSource.RETIRED)
    assert officer.source == OfficerSource.RETIRED


def test_appointment_on_29_february_ends_on_28_february(cast):
    officer = appoint(cast, on=dt.date(2028, 2, 29), term_years=1)
    assert officer.term_end == dt.date(2029, 2, 28)


@pytest.mark.parametrize("source", [OfficerSource.ACTIVIST, OfficerSource.RETIRED])
def test_in_service_member_is_refused_whatever_the_source_says(cast, source):
    # Given 马明, an in-service member (he claims service posts instead; officers come from the others)
    with pytest.raises(DomainError) as excinfo:
        appoint(cast, cast.member_person, source=source)

    assert excinfo.value.status_code == 400
    assert "person" in excinfo.value.fields
    assert not InformationOfficer.objects.filter(person=cast.member_person).exists()


@pytest.mark.parametrize("source", sorted(s.value for s in services.MEMBER_SOURCES))
def test_member_source_for_a_non_member_is_refused(cast, source):
    with pytest.raises(DomainError) as excinfo:
        appoint(cast, source=source)
    assert "source" in excinfo.value.fields


def test_person_from_another_community_is_refused(cast):
    # The town supervisor manages both communities, so only the residence rule can refuse this
    with pytest.raises(DomainError) as excinfo:
        appoint(cast, f.PersonFactory(community=cast.changcheng), by=cast.town)
    assert "person" in excinfo.value.fields


def test_compound_of_another_community_is_refused(cast):
    with pytest.raises(DomainError) as excinfo:
        appoint(cast, compound=f.CompoundFactory(community=cast.changcheng))
    assert "compound" in excinfo.value.fields


@pytest.mark.parametrize("actor", ["other_secretary", "other_town", "member", "officer", "liaison", "deputy"])
def test_only_the_community_office_appoints(cast, actor):
    with pytest.raises(DomainError) as excinfo:
        appoint(cast, by=getattr(cast, actor))
    assert excinfo.value.status_code == 403


def test_town_supervisor_may_appoint_in_a_community_of_the_town(cast):
    officer = appoint(
        cast, f.PersonFactory(community=cast.changcheng), by=cast.town, community=cast.changcheng
    )
    assert officer.appointment_no == "CHANGCHENG-2026-001"


def test_appointment_numbers_count_up_per_community_and_year(cast):
    numbers = [appoint(cast).appointment_no for _ in range(3)]
    next_year = appoint(cast, on=dt.date(2027, 1, 4)).appointment_no
    elsewhere = appoint(
        cast, f.PersonFactory(community=cast.changcheng), by=cast.other_secretary, community=cast.changcheng
    ).appointment_no

    assert numbers == ["BEIJIE-2026-001", "BEIJIE-2026-002", "BEIJIE-2026-003"]
    assert next_year == "BEIJIE-2027-001"
    assert elsewhere == "CHANGCHENG-2026-001"


def test_numbering_continues_after_the_highest_number_not_the_count(cast):
    appoint(cast, appointment_no="BEIJIE-2026-007")
    assert appoint(cast).appointment_no == "BEIJIE-2026-008"


def test_hand_written_number_already_used_is_a_conflict(cast):
    appoint(cast, appointment_no="BJ-1")
    with pytest.raises(Conflict) as excinfo:
        appoint(cast, appointment_no="BJ-1")
    assert "appointment_no" in excinfo.value.fields


def test_second_active_appointment_of_the_same_person_is_a_conflict(cast):
    with pytest.raises(Conflict) as excinfo:
        appoint(cast, cast.officer_person)
    assert excinfo.value.status_code == 409
    assert excinfo.value.code == "already_appointed"
    assert InformationOfficer.objects.filter(person=cast.officer_person).count() == 1


def test_person_can_be_appointed_again_after_their_appointment_ended(cast):
    services.officer_end(officer=cast.officer_row, by=cast.secretary, reason=OfficerEndReason.TERM_ENDED)
    again = appoint(cast, cast.officer_person)
    assert again.status == OfficerStatus.ACTIVE
    assert InformationOfficer.objects.filter(person=cast.officer_person).count() == 2


def test_appointing_a_resident_with_a_login_gives_them_the_officer_role(cast):
    user = f.UserFactory(username="newofficer")
    person = f.PersonFactory(community=cast.beijie, user=user)

    appoint(cast, person)

    assert RoleAssignment.objects.filter(user=user, role=Role.OFFICER, community=cast.beijie).exists()


# ------------------------------------------------------------------------------------------------ end


def test_ending_an_appointment_records_date_and_reason_and_removes_the_role(cast):
    officer = services.officer_end(
        officer=cast.officer_row, by=cast.secretary, reason=OfficerEndReason.RESIGNED, on=SPRING
    )

    assert (officer.status, officer.ended_on, officer.end_reason) == (
        OfficerStatus.ENDED,
        SPRING,
        OfficerEndReason.RESIGNED,
    )
    assert not RoleAssignment.objects.filter(user=cast.officer, role=Role.OFFICER).exists()


def test_ending_without_a_date_uses_todays_date_in_china(cast):
    # 00:30 on National Day in Beijing is still 30 September in UTC
    with time_machine.travel(dt.datetime(2026, 9, 30, 16, 30, tzinfo=dt.UTC), tick=False):
        officer = services.officer_end(
            officer=cast.officer_row, by=cast.secretary, reason=OfficerEndReason.MOVED
        )
        rec_officer = appoint(cast)
        record_ = services.officer_record(
            officer=rec_officer, by=cast.secretary, kind=K.COMMENDATION, reason="好"
        )
    assert officer.ended_on == dt.date(2026, 10, 1)
    assert record_.on == dt.date(2026, 10, 1)


def test_ending_twice_is_a_conflict(cast):
    services.officer_end(officer=cast.officer_row, by=cast.secretary, reason=OfficerEndReason.RESIGNED)
    with pytest.raises(Conflict) as excinfo:
        services.officer_end(officer=cast.officer_row, by=cast.secretary, reason=OfficerEndReason.RESIGNED)
    assert excinfo.value.code == "already_ended"


def test_unknown_end_reason_is_refused(cast):
    with pytest.raises(DomainError) as excinfo:
        services.officer_end(officer=cast.officer_row, by=cast.secretary, reason="fired")
    assert "reason" in excinfo.value.fields
    cast.officer_row.refresh_from_db()
    assert cast.officer_row.status == OfficerStatus.ACTIVE


def test_officer_cannot_end_their_own_appointment_through_the_office_action(cast):
    with pytest.raises(DomainError) as excinfo:
        services.officer_end(officer=cast.officer_row, by=cast.officer, reason=OfficerEndReason.RESIGNED)
    assert excinfo.value.status_code == 403


# ------------------------------------------------------------------------------------------- vacancies


def strength_of(community):
    (row,) = selectors.officer_strength(Community.objects.filter(pk=community.pk))
    return row


def test_community_below_its_quota_shows_vacancies(cast):
    # 北街's quota is 2 and only 欧兰 is in post
    row = strength_of(cast.beijie)
    assert (row.quota, row.active, row.vacancies, row.short) == (2, 1, 1, True)
    assert [s.community_id for s in selectors.communities_short_of_officers(Community.objects.all())] == [
        cast.beijie.pk
    ]


def test_filling_the_vacancy_clears_the_alert(cast):
    appoint(cast)
    row = strength_of(cast.beijie)
    assert (row.active, row.vacancies, row.short) == (2, 0, False)


def test_ended_officers_do_not_count_towards_strength(cast):
    services.officer_end(officer=cast.officer_row, by=cast.secretary, reason=OfficerEndReason.MOVED)
    assert (strength_of(cast.beijie).active, strength_of(cast.beijie).vacancies) == (0, 2)


def test_more_officers_than_quota_is_not_a_negative_vacancy(cast):
    appoint(cast)
    appoint(cast)
    assert (strength_of(cast.beijie).active, strength_of(cast.beijie).vacancies) == (3, 0)


def test_community_without_a_quota_is_never_short(cast):
    assert (strength_of(cast.changcheng).quota, strength_of(cast.changcheng).short) == (0, False)


def test_strength_of_many_communities_takes_one_query(cast, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.officer_strength(Community.objects.all())


# ------------------------------------------------------------------------------------- rewards/penalties


def test_penalties_climb_the_ladder_one_rung_at_a_time_and_dismissal_ends_the_appointment(cast):
    officer = cast.officer_row

    for kind in [K.CRITICISM, K.PUBLIC_CRITICISM, K.ECONOMIC_PENALTY]:
        assert services.next_penalty(officer) == kind
        record(cast, officer, kind)
    assert services.next_penalty(officer) == K.DISMISSAL
    dismissal = record(cast, officer, K.DISMISSAL, reason="多次不报民情")

    officer.refresh_from_db()
    assert list(officer.records.values_list("kind", flat=True)) == [
        K.CRITICISM,
        K.PUBLIC_CRITICISM,
        K.ECONOMIC_PENALTY,
        K.DISMISSAL,
    ]
    assert (officer.status, officer.end_reason, officer.ended_on) == (
        OfficerStatus.ENDED,
        OfficerEndReason.DISMISSED,
        dismissal.on,
    )
    assert not RoleAssignment.objects.filter(user=cast.officer, role=Role.OFFICER).exists()


@pytest.mark.parametrize(
    ("already", "kind", "expected"),
    [
        ([], K.PUBLIC_CRITICISM, K.CRITICISM),
        ([], K.ECONOMIC_PENALTY, K.CRITICISM),
        ([], K.DISMISSAL, K.CRITICISM),
        ([K.CRITICISM], K.ECONOMIC_PENALTY, K.PUBLIC_CRITICISM),
        ([K.CRITICISM, K.PUBLIC_CRITICISM], K.DISMISSAL, K.ECONOMIC_PENALTY),
    ],
)
def test_skipping_a_rung_without_a_reason_is_refused_naming_the_next_rung(cast, already, kind, expected):
    officer = cast.officer_row
    for k in already:
        record(cast, officer, k)

    with pytest.raises(DomainError) as excinfo:
        record(cast, officer, kind)

    assert excinfo.value.status_code == 400
    assert list(excinfo.value.fields) == ["skip_reason"]
    assert excinfo.value.allowed == [expected]
    assert officer.records.count() == len(already)
    officer.refresh_from_db()
    assert officer.status == OfficerStatus.ACTIVE


def test_skipping_a_rung_with_a_written_reason_is_allowed_and_kept_with_the_record(cast):
    officer = cast.officer_row

    rec = record(cast, officer, K.PUBLIC_CRITICISM, skip_reason="造成群众集体投诉")

    assert rec.kind == K.PUBLIC_CRITICISM
    assert "造成群众集体投诉" in rec.reason
    assert services.next_penalty(officer) == K.ECONOMIC_PENALTY


def test_dismissal_straight_away_with_a_reason_ends_the_appointment(cast):
    record(cast, cast.officer_row, K.DISMISSAL, skip_reason="伪造走访记录")
    cast.officer_row.refresh_from_db()
    assert cast.officer_row.status == OfficerStatus.ENDED


def test_a_rung_may_be_repeated_and_a_milder_penalty_follow_a_harsher_one(cast):
    officer = cast.officer_row
    record(cast, officer, K.CRITICISM)
    record(cast, officer, K.CRITICISM)
    record(cast, officer, K.PUBLIC_CRITICISM)
    record(cast, officer, K.CRITICISM)
    assert services.next_penalty(officer) == K.ECONOMIC_PENALTY


def test_commendation_does_not_move_the_ladder(cast):
    officer = cast.officer_row
    record(cast, officer, K.COMMENDATION, reason="及时上报火情")

    assert services.next_penalty(officer) == K.CRITICISM
    with pytest.raises(DomainError):
        record(cast, officer, K.PUBLIC_CRITICISM)
    record(cast, officer, K.CRITICISM)
    record(cast, officer, K.COMMENDATION, reason="调解邻里纠纷")
    assert services.next_penalty(officer) == K.PUBLIC_CRITICISM


@pytest.mark.parametrize("amount", [None, Decimal("0")])
def test_economic_penalty_needs_an_amount(cast, amount):
    officer = cast.officer_row
    record(cast, officer, K.CRITICISM)
    record(cast, officer, K.PUBLIC_CRITICISM)

    with pytest.raises(DomainError) as excinfo:
        record(cast, officer, K.ECONOMIC_PENALTY, amount_yuan=amount)

    assert "amount_yuan" in excinfo.value.fields
    assert officer.records.count() == 2


def test_economic_penalty_keeps_its_amount(cast):
    officer = cast.officer_row
    record(cast, officer, K.CRITICISM)
    record(cast, officer, K.PUBLIC_CRITICISM)
    rec = record(cast, officer, K.ECONOMIC_PENALTY, amount_yuan=Decimal("100.00"))
    assert rec.amount_yuan == Decimal("100.00")


@pytest.mark.parametrize("reason", ["", "   "])
def test_record_needs_a_reason(cast, reason):
    with pytest.raises(DomainError) as excinfo:
        services.officer_record(
            officer=cast.officer_row, by=cast.secretary, kind=K.COMMENDATION, reason=reason
        )
    assert "reason" in excinfo.value.fields


def test_unknown_record_kind_is_refused(cast):
    with pytest.raises(DomainError) as excinfo:
        services.officer_record(officer=cast.officer_row, by=cast.secretary, kind="bonus", reason="x")
    assert "kind" in excinfo.value.fields


@pytest.mark.parametrize("kind", [K.COMMENDATION, K.CRITICISM])
def test_records_on_an_ended_officer_are_refused(cast, kind):
    services.officer_end(officer=cast.officer_row, by=cast.secretary, reason=OfficerEndReason.TERM_ENDED)

    with pytest.raises(Conflict) as excinfo:
        record(cast, cast.officer_row, kind)

    assert excinfo.value.status_code == 409
    assert excinfo.value.code == "officer_ended"
    assert cast.officer_row.records.count() == 0


@pytest.mark.parametrize("actor", ["other_secretary", "officer", "member"])
def test_only_the_community_office_records_rewards_and_penalties(cast, actor):
    with pytest.raises(DomainError) as excinfo:
        services.officer_record(
            officer=cast.officer_row, by=getattr(cast, actor), kind=K.COMMENDATION, reason="好"
        )
    assert excinfo.value.status_code == 403


# ------------------------------------------------------------------------------------------------- races


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_appointments_get_consecutive_numbers(cast, monkeypatch):
    # Given two staff appointing two activists at the same moment, each slow between reading the highest
    # number and writing the next one
    people = [f.PersonFactory(community=cast.beijie) for _ in range(2)]
    numbering = services.next_appointment_no

    def slow_numbering(*args, **kwargs):
        number = numbering(*args, **kwargs)
        time.sleep(0.3)
        return number

    monkeypatch.setattr(services.officers, "next_appointment_no", slow_numbering)
    barrier = threading.Barrier(2)
    outcomes = []

    def press_appoint(person, user_pk):
        try:
            by = User.objects.get(pk=user_pk)
            barrier.wait(timeout=10)
            officer = services.officer_appoint(
                community=Community.objects.get(pk=cast.beijie.pk),
                person=person,
                by=by,
                source=OfficerSource.ACTIVIST,
                appointed_on=SPRING,
            )
            outcomes.append(officer.appointment_no)
        except Exception as exc:  # noqa: BLE001 — the test reports whatever went wrong
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=press_appoint, args=(person, user.pk))
        for person, user in zip(people, [cast.secretary, cast.staff], strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then both are appointed, with the next two numbers, instead of one failing on the unique number
    assert sorted(outcomes) == ["BEIJIE-2026-001", "BEIJIE-2026-002"]
