"""报到登记: submit → confirm / return / withdraw, transfer on a move; one active registration per member."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from core.errors import Conflict, DomainError
from members import services
from members.models import (
    MemberCategory,
    Person,
    Registration,
    RegistrationChannel,
    RegistrationEvent,
    RegistrationStatus,
    User,
)
from members.roles import Role, forget_scope, scope_for
from tests import factories as f

S = RegistrationStatus


def submit(cast, by=None):
    """马明 (in-service, lives in 北街) registers online for himself."""
    return services.registration_submit(
        person=cast.member_person, community=cast.beijie, by=by or cast.member
    )


def in_state(cast, status: str) -> Registration:
    """A registration of 马明 brought to `status` through the services, as it would be in real life."""
    registration = submit(cast)
    if status == S.CONFIRMED:
        services.registration_confirm(registration=registration, by=cast.secretary)
    elif status == S.RETURNED:
        services.registration_return(registration=registration, by=cast.secretary, reason="资料不全")
    elif status == S.WITHDRAWN:
        services.registration_withdraw(registration=registration, by=cast.member)
    elif status == S.TRANSFERRED:
        services.registration_transfer(
            registration=registration, to_community=cast.changcheng, by=cast.secretary
        )
    registration.refresh_from_db()
    assert registration.status == status
    return registration


def events(registration) -> list[tuple[str, str, int | None]]:
    return [(e.from_status, e.to_status, e.by_id) for e in registration.events.order_by("at", "pk")]


# ------------------------------------------------------------------------------------------------ submit


def test_member_submitting_for_themself_registers_online_in_their_home_community(cast):
    registration = submit(cast)

    assert registration.status == S.SUBMITTED
    assert registration.channel == RegistrationChannel.ONLINE
    assert registration.community == cast.beijie
    assert registration.submitted_by == cast.member
    assert registration.specialties == ["法律咨询"]  # taken from the roster when the form leaves them out
    assert events(registration) == [("", S.SUBMITTED, cast.member.pk)]


def test_staff_submitting_for_the_member_at_the_window_records_channel_window(cast):
    registration = services.registration_submit(
        person=cast.member_person,
        community=cast.beijie,
        by=cast.staff,
        channel=RegistrationChannel.ONLINE,  # staff cannot claim the member did it online
        specialties=["义诊"],
        desired_posts="健康服务岗",
    )

    assert registration.channel == RegistrationChannel.WINDOW
    assert registration.submitted_by == cast.staff
    assert registration.specialties == ["义诊"]
    assert registration.desired_posts == "健康服务岗"
    assert events(registration) == [("", S.SUBMITTED, cast.staff.pk)]


def test_town_supervisor_may_register_a_member_at_the_window(cast):
    registration = submit(cast, by=cast.town)
    assert registration.channel == RegistrationChannel.WINDOW


@pytest.mark.parametrize("category", [MemberCategory.RETIRED, MemberCategory.FLOATING, None])
def test_only_in_service_members_register(cast, category):
    # Given a resident of 北街 who is a retired or floating member, or no member at all
    person = f.PersonFactory(community=cast.beijie)
    if category:
        f.RetiredMembershipFactory(person=person, category=category)

    # When the secretary tries to register them / Then the person field is refused
    with pytest.raises(DomainError) as excinfo:
        services.registration_submit(person=person, community=cast.beijie, by=cast.secretary)
    assert excinfo.value.status_code == 400
    assert "person" in excinfo.value.fields
    assert not Registration.objects.filter(person=person).exists()


def test_member_must_register_in_the_community_where_they_live(cast):
    # 马明 lives in 北街; the town supervisor (who manages both) tries to register him in 长城
    with pytest.raises(DomainError) as excinfo:
        services.registration_submit(person=cast.member_person, community=cast.changcheng, by=cast.town)
    assert excinfo.value.status_code == 400
    assert "community" in excinfo.value.fields
    assert not Registration.objects.exists()


def test_member_cannot_register_themself_in_another_community(cast):
    with pytest.raises(DomainError) as excinfo:
        services.registration_submit(person=cast.member_person, community=cast.changcheng, by=cast.member)
    assert "community" in excinfo.value.fields


@pytest.mark.parametrize("actor", ["other_secretary", "liaison", "officer", "deputy", "outsider"])
def test_only_the_member_or_the_community_office_can_submit(cast, actor):
    with pytest.raises(DomainError) as excinfo:
        submit(cast, by=getattr(cast, actor))
    assert excinfo.value.status_code == 403
    assert not Registration.objects.exists()


@pytest.mark.parametrize("status", [S.SUBMITTED, S.CONFIRMED])
def test_second_submission_while_one_is_active_is_a_conflict(cast, status):
    in_state(cast, status)

    with pytest.raises(Conflict) as excinfo:
        submit(cast, by=cast.secretary)

    assert excinfo.value.status_code == 409
    assert excinfo.value.code == "already_registered"
    assert Registration.objects.filter(person=cast.member_person).count() == 1


@pytest.mark.parametrize("status", [S.RETURNED, S.WITHDRAWN])
def test_member_may_submit_again_after_a_return_or_a_withdrawal(cast, status):
    old = in_state(cast, status)

    new = submit(cast)

    assert new.pk != old.pk
    assert new.status == S.SUBMITTED
    assert Registration.objects.active().get(person=cast.member_person) == new


def test_database_refuses_a_second_active_registration(cast):
    # Given an active registration written by the service
    submit(cast)

    # When code that bypasses the service writes another active row / Then the partial unique index refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        Registration.objects.create(
            person=cast.member_person, community=cast.beijie, channel=RegistrationChannel.WINDOW
        )
    assert Registration.objects.filter(person=cast.member_person).count() == 1


def test_database_allows_any_number_of_closed_registrations(cast):
    for status in [S.RETURNED, S.WITHDRAWN, S.TRANSFERRED]:
        Registration.objects.create(
            person=cast.member_person, community=cast.beijie, channel="online", status=status
        )
    Registration.objects.create(person=cast.member_person, community=cast.beijie, channel="online")
    assert Registration.objects.filter(person=cast.member_person).count() == 4


# --------------------------------------------------------------------------------- confirm / return / withdraw


def test_secretary_confirms_a_submitted_registration(cast):
    registration = submit(cast)

    services.registration_confirm(registration=registration, by=cast.secretary)

    registration.refresh_from_db()
    assert registration.status == S.CONFIRMED
    assert registration.decided_by == cast.secretary
    assert registration.decided_at is not None
    assert events(registration)[-1] == (S.SUBMITTED, S.CONFIRMED, cast.secretary.pk)


def test_town_supervisor_may_confirm_for_a_community_of_the_town(cast):
    registration = submit(cast)
    services.registration_confirm(registration=registration, by=cast.town)
    assert Registration.objects.get(pk=registration.pk).status == S.CONFIRMED


@pytest.mark.parametrize("actor", ["other_secretary", "other_town", "member", "liaison", "officer"])
def test_only_the_office_of_the_registration_community_confirms(cast, actor):
    registration = submit(cast)

    with pytest.raises(DomainError) as excinfo:
        services.registration_confirm(registration=registration, by=getattr(cast, actor))

    assert excinfo.value.status_code == 403
    assert Registration.objects.get(pk=registration.pk).status == S.SUBMITTED


def test_returning_a_registration_records_the_reason(cast):
    registration = submit(cast)

    services.registration_return(registration=registration, by=cast.staff, reason="  单位名称填写有误  ")

    registration.refresh_from_db()
    assert registration.status == S.RETURNED
    assert registration.return_reason == "单位名称填写有误"
    assert registration.decided_by == cast.staff
    last = registration.events.last()
    assert (last.from_status, last.to_status, last.by, last.note) == (
        S.SUBMITTED,
        S.RETURNED,
        cast.staff,
        "单位名称填写有误",
    )


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_returning_without_a_reason_is_refused(cast, reason):
    registration = submit(cast)

    with pytest.raises(DomainError) as excinfo:
        services.registration_return(registration=registration, by=cast.secretary, reason=reason)

    assert excinfo.value.status_code == 400
    assert list(excinfo.value.fields) == ["reason"]
    assert Registration.objects.get(pk=registration.pk).status == S.SUBMITTED
    assert registration.events.count() == 1


@pytest.mark.parametrize("actor", ["member", "secretary"])
def test_the_member_or_the_office_may_withdraw_a_submitted_registration(cast, actor):
    registration = submit(cast)
    by = getattr(cast, actor)

    services.registration_withdraw(registration=registration, by=by)

    registration.refresh_from_db()
    assert registration.status == S.WITHDRAWN
    assert events(registration)[-1] == (S.SUBMITTED, S.WITHDRAWN, by.pk)


@pytest.mark.parametrize("actor", ["liaison", "other_secretary", "officer"])
def test_nobody_else_may_withdraw_a_registration(cast, actor):
    registration = submit(cast)
    with pytest.raises(DomainError) as excinfo:
        services.registration_withdraw(registration=registration, by=getattr(cast, actor))
    assert excinfo.value.status_code == 403


# ------------------------------------------------------------------------------------- illegal transitions


def _act(cast, action, registration):
    if action == "confirm":
        return services.registration_confirm(registration=registration, by=cast.secretary)
    if action == "return":
        return services.registration_return(registration=registration, by=cast.secretary, reason="再核实")
    if action == "withdraw":
        return services.registration_withdraw(registration=registration, by=cast.secretary)
    if action == "transfer":
        return services.registration_transfer(
            registration=registration, to_community=cast.changcheng, by=cast.secretary
        )
    raise AssertionError(action)


@pytest.mark.parametrize(
    ("status", "action", "allowed"),
    [
        (S.RETURNED, "confirm", []),
        (S.RETURNED, "transfer", []),
        (S.RETURNED, "return", []),
        (S.CONFIRMED, "return", ["transfer"]),
        (S.CONFIRMED, "confirm", ["transfer"]),
        (S.CONFIRMED, "withdraw", ["transfer"]),
        (S.WITHDRAWN, "confirm", []),
        (S.WITHDRAWN, "withdraw", []),
        (S.TRANSFERRED, "confirm", []),
        (S.TRANSFERRED, "return", []),
    ],
)
def test_illegal_transition_is_a_conflict_listing_the_legal_next_steps(cast, status, action, allowed):
    registration = in_state(cast, status)
    before = registration.events.count()

    with pytest.raises(Conflict) as excinfo:
        _act(cast, action, registration)

    assert excinfo.value.status_code == 409
    assert excinfo.value.code == "illegal_transition"
    assert excinfo.value.allowed == allowed
    registration.refresh_from_db()
    assert registration.status == status
    assert registration.events.count() == before


def test_a_submitted_registration_lists_all_four_moves_as_allowed(cast):
    """The transition table itself: a stale client asking for an illegal move learns every legal one."""
    assert sorted(services._ACTION_LABELS[s] for s in services.REGISTRATION_TRANSITIONS[S.SUBMITTED]) == [
        "confirm",
        "return",
        "transfer",
        "withdraw",
    ]


@pytest.mark.parametrize(
    ("start", "action", "to"),
    [
        (S.SUBMITTED, "confirm", S.CONFIRMED),
        (S.SUBMITTED, "return", S.RETURNED),
        (S.SUBMITTED, "withdraw", S.WITHDRAWN),
        (S.SUBMITTED, "transfer", S.TRANSFERRED),
        (S.CONFIRMED, "transfer", S.TRANSFERRED),
    ],
)
def test_every_transition_writes_exactly_one_event_with_from_to_and_by(cast, start, action, to):
    registration = in_state(cast, start)
    before = list(RegistrationEvent.objects.filter(registration=registration).values_list("pk", flat=True))

    _act(cast, action, registration)

    new_events = RegistrationEvent.objects.filter(registration=registration).exclude(pk__in=before)
    assert [(e.from_status, e.to_status, e.by_id) for e in new_events] == [(start, to, cast.secretary.pk)]


# ---------------------------------------------------------------------------------------------- transfer


@pytest.mark.parametrize("start", [S.SUBMITTED, S.CONFIRMED])
def test_transfer_closes_the_old_registration_and_opens_one_in_the_new_community(cast, start):
    # Given 马明's registration in 北街, and a building in 长城 he moves into
    old = in_state(cast, start)

    new = services.registration_transfer(
        registration=old,
        to_community=cast.changcheng,
        by=cast.secretary,
        building=cast.cc1,
        unit_room="3单元",
    )

    old.refresh_from_db()
    assert old.status == S.TRANSFERRED
    assert (new.status, new.community, new.transferred_from) == (S.SUBMITTED, cast.changcheng, old)
    assert old.transferred_to == new
    assert (new.channel, new.specialties) == (old.channel, old.specialties)
    person = cast.member_person
    person.refresh_from_db()
    assert (person.community, person.building, person.unit_room) == (cast.changcheng, cast.cc1, "3单元")
    # The history is kept on both rows
    assert [e[:2] for e in events(old)][-1] == (start, S.TRANSFERRED)
    assert events(old)[0][:2] == ("", S.SUBMITTED)
    assert events(new) == [("", S.SUBMITTED, cast.secretary.pk)]
    assert "北街" in new.events.get().note
    assert Registration.objects.active().get(person=person) == new


def test_new_community_confirms_the_transferred_registration(cast):
    old = in_state(cast, S.CONFIRMED)
    new = services.registration_transfer(registration=old, to_community=cast.changcheng, by=cast.member)

    # The old community no longer decides; the new one does
    with pytest.raises(DomainError) as excinfo:
        services.registration_confirm(registration=new, by=cast.secretary)
    assert excinfo.value.status_code == 403
    services.registration_confirm(registration=new, by=cast.other_secretary)
    assert Registration.objects.get(pk=new.pk).status == S.CONFIRMED


def test_member_may_transfer_their_own_registration_on_a_move(cast):
    old = in_state(cast, S.CONFIRMED)
    new = services.registration_transfer(registration=old, to_community=cast.changcheng, by=cast.member)
    assert new.submitted_by == cast.member
    assert events(new) == [("", S.SUBMITTED, cast.member.pk)]


def test_transfer_moves_the_members_login_role_to_the_new_community(cast):
    # Given 马明 holds the member role in 北街
    old = in_state(cast, S.CONFIRMED)

    services.registration_transfer(registration=old, to_community=cast.changcheng, by=cast.secretary)

    # Then his member role follows him to 长城, so he sees 长城's posts and zones, not 北街's
    roles = set(cast.member.role_assignments.values_list("role", "community_id"))
    assert roles == {(Role.MEMBER, cast.changcheng.pk)}
    forget_scope(cast.member)
    assert scope_for(cast.member).community_ids == {cast.changcheng.pk}


def test_transfer_to_the_same_community_is_refused(cast):
    registration = submit(cast)
    with pytest.raises(DomainError) as excinfo:
        services.registration_transfer(registration=registration, to_community=cast.beijie, by=cast.secretary)
    assert excinfo.value.status_code == 400
    assert "to_community" in excinfo.value.fields
    assert Registration.objects.get(pk=registration.pk).status == S.SUBMITTED


def test_transfer_to_a_community_of_another_town_is_refused(cast):
    registration = submit(cast)
    with pytest.raises(DomainError) as excinfo:
        services.registration_transfer(
            registration=registration, to_community=cast.dongguan, by=cast.secretary
        )
    assert excinfo.value.status_code == 400
    assert "to_community" in excinfo.value.fields
    cast.member_person.refresh_from_db()
    assert cast.member_person.community == cast.beijie


def test_transfer_into_a_building_of_another_community_is_refused(cast):
    registration = submit(cast)
    with pytest.raises(DomainError) as excinfo:
        services.registration_transfer(
            registration=registration, to_community=cast.changcheng, by=cast.secretary, building=cast.b2
        )
    assert "building" in excinfo.value.fields


def test_transfer_by_someone_outside_the_community_office_is_refused(cast):
    registration = submit(cast)
    with pytest.raises(DomainError) as excinfo:
        services.registration_transfer(
            registration=registration, to_community=cast.changcheng, by=cast.other_secretary
        )
    assert excinfo.value.status_code == 403


def test_transferred_registration_cannot_be_transferred_again(cast):
    old = in_state(cast, S.SUBMITTED)
    services.registration_transfer(registration=old, to_community=cast.changcheng, by=cast.secretary)
    old.refresh_from_db()
    with pytest.raises(Conflict) as excinfo:
        services.registration_transfer(registration=old, to_community=cast.changcheng, by=cast.town)
    assert excinfo.value.allowed == []


# ------------------------------------------------------------------------------------------------- races


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_register_the_member_once(cast):
    # Given the member pressing 报到 on his phone while staff register him at the window
    barrier = threading.Barrier(2)
    outcomes = []

    def press_submit(user_pk):
        try:
            by = User.objects.get(pk=user_pk)
            person = Person.objects.get(pk=cast.member_person.pk)
            barrier.wait(timeout=10)
            services.registration_submit(person=person, community=cast.beijie, by=by)
            outcomes.append("submitted")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=press_submit, args=(u.pk,)) for u in (cast.member, cast.staff)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then exactly one registration exists and the other caller is told so
    assert sorted(outcomes) == ["already_registered", "submitted"]
    assert Registration.objects.filter(person=cast.member_person).count() == 1
