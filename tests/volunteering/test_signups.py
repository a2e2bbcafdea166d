"""Service items: sign-up without overbooking, the waitlist and its promotion, capacity changes."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction

from core.errors import Conflict, DomainError
from core.models import Notification
from members.services import PermissionDenied
from volunteering import selectors, services
from volunteering.models import ItemStatus, SignUp, SignUpStatus, VolunteerEvent

from .factories import ItemFactory, SignUpFactory, at, registered_member

pytestmark = pytest.mark.django_db

NOW = at(2026, 3, 10, 9)


@pytest.fixture(autouse=True)
def _tuesday_morning():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def item(cast):
    return ItemFactory(community=cast.beijie, capacity=2, starts_at=at(2026, 3, 14, 9), organiser=cast.staff)


def members(cast, n):
    return [registered_member(cast.beijie) for _ in range(n)]


def test_sign_ups_are_confirmed_until_full_then_waitlisted(cast, item):
    a, b, c, d = members(cast, 4)
    statuses = [services.signup_create(item=item, person=p, by=p.user).status for p in (a, b, c, d)]
    assert statuses == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert SignUp.objects.filter(item=item, status=SignUpStatus.CONFIRMED).count() == item.capacity
    c_signup = SignUp.objects.get(item=item, person=c)
    d_signup = SignUp.objects.get(item=item, person=d)
    assert (selectors.waitlist_position(c_signup), selectors.waitlist_position(d_signup)) == (1, 2)


def test_signing_up_twice_is_refused_and_the_pair_is_unique_in_the_database(cast, item, registered):
    services.signup_create(item=item, person=cast.member_person, by=cast.member)
    with pytest.raises(Conflict) as exc:
        services.signup_create(item=item, person=cast.member_person, by=cast.member)
    assert exc.value.code == "already_signed_up"
    with pytest.raises(IntegrityError), transaction.atomic():
        SignUp.objects.create(
            item=item, person=cast.member_person, status=SignUpStatus.WAITLISTED, queued_at=NOW
        )


def test_cancelling_a_place_promotes_the_first_waiting_member_and_tells_them(
    cast, item, django_capture_on_commit_callbacks
):
    a, b, c, d = members(cast, 4)
    c.user.email = "c@example.org"
    c.user.save()
    signups = [services.signup_create(item=item, person=p, by=p.user) for p in (a, b, c, d)]

    with django_capture_on_commit_callbacks(execute=True):
        services.signup_cancel(signup=signups[0], by=a.user)

    assert SignUp.objects.get(pk=signups[2].pk).status == SignUpStatus.CONFIRMED  # c, first in line
    assert SignUp.objects.get(pk=signups[3].pk).status == SignUpStatus.WAITLISTED  # d still waits
    promoted = SignUp.objects.get(pk=signups[2].pk)
    assert promoted.promoted_at == NOW
    note = Notification.objects.get(recipient=c.user, kind="volunteering.waitlist_promoted")
    assert item.title in note.title and note.url.endswith(f"/volunteering/items/{item.pk}/")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["c@example.org"]
    assert not Notification.objects.filter(recipient=d.user).exists()
    assert list(VolunteerEvent.objects.filter(signup=promoted).values_list("action", flat=True)) == [
        "signup.create",
        "signup.promote",
    ]


def test_promotion_is_undone_with_the_cancellation_if_the_transaction_fails(cast, item):
    a, b, c = members(cast, 3)
    signups = [services.signup_create(item=item, person=p, by=p.user) for p in (a, b, c)]
    with pytest.raises(RuntimeError), transaction.atomic():
        services.signup_cancel(signup=signups[0], by=a.user)
        raise RuntimeError("boom")
    assert SignUp.objects.get(pk=signups[2].pk).status == SignUpStatus.WAITLISTED
    assert not Notification.objects.filter(kind="volunteering.waitlist_promoted").exists()


def test_cancelling_a_waitlisted_sign_up_promotes_nobody(cast, item):
    a, b, c, d = members(cast, 4)
    signups = [services.signup_create(item=item, person=p, by=p.user) for p in (a, b, c, d)]
    services.signup_cancel(signup=signups[2], by=c.user)
    assert SignUp.objects.get(pk=signups[3].pk).status == SignUpStatus.WAITLISTED


def test_a_cancelled_member_may_sign_up_again_and_queues_at_the_end(cast, item):
    a, b, c = members(cast, 3)
    first = services.signup_create(item=item, person=a, by=a.user)
    services.signup_create(item=item, person=b, by=b.user)
    services.signup_create(item=item, person=c, by=c.user)
    services.signup_cancel(signup=first, by=a.user)  # c promoted
    again = services.signup_create(item=item, person=a, by=a.user)
    assert again.pk == first.pk and again.status == SignUpStatus.WAITLISTED
    assert SignUp.objects.filter(item=item).count() == 3


def test_signing_up_for_a_past_item_is_refused(cast, registered):
    past = ItemFactory(community=cast.beijie, starts_at=at(2026, 3, 9, 9))
    started = ItemFactory(community=cast.beijie, starts_at=at(2026, 3, 10, 8, 30))
    for item in (past, started):
        with pytest.raises(DomainError) as exc:
            services.signup_create(item=item, person=cast.member_person, by=cast.member)
        assert exc.value.code == "item_past"
    assert not SignUp.objects.exists()


def test_signing_up_for_a_cancelled_item_is_refused(cast, item, registered):
    services.item_cancel(item=item, by=cast.secretary, reason="天气原因")
    with pytest.raises(DomainError) as exc:
        services.signup_create(item=item, person=cast.member_person, by=cast.member)
    assert exc.value.code == "item_cancelled"


def test_a_member_of_another_community_cannot_sign_up_here(cast, item):
    stranger = registered_member(cast.changcheng)
    with pytest.raises(PermissionDenied):
        services.signup_create(item=item, person=stranger, by=stranger.user)
    assert not SignUp.objects.exists()


def test_an_unregistered_member_cannot_sign_up(cast, item):
    with pytest.raises(PermissionDenied):
        services.signup_create(item=item, person=cast.member_person, by=cast.member)


def test_items_with_required_skills_need_them(cast, registered):
    item = ItemFactory(community=cast.beijie, required_skills=["医疗保健"], starts_at=at(2026, 3, 14, 9))
    with pytest.raises(DomainError) as exc:
        services.signup_create(item=item, person=cast.member_person, by=cast.member)
    assert exc.value.code == "skills_missing" and exc.value.fields == {"required_skills": ["医疗保健"]}
    legal = ItemFactory(community=cast.beijie, required_skills=["法律咨询"], starts_at=at(2026, 3, 14, 9))
    assert services.signup_create(item=legal, person=cast.member_person, by=cast.member).status == "confirmed"


def test_the_office_signs_a_member_up_at_the_window(cast, item, registered):
    signup = services.signup_create(item=item, person=cast.member_person, by=cast.staff)
    assert signup.created_by == cast.staff
    with pytest.raises(PermissionDenied):
        services.signup_create(item=item, person=registered_member(cast.beijie), by=cast.town)


def test_cancelling_after_the_start_is_refused_to_the_member(cast, item, registered):
    signup = services.signup_create(item=item, person=cast.member_person, by=cast.member)
    with time_machine.travel(at(2026, 3, 14, 9, 30), tick=False), pytest.raises(DomainError):
        services.signup_cancel(signup=signup, by=cast.member)


# ------------------------------------------------------------------------------------------- capacity


def test_reducing_capacity_below_the_sign_ups_is_refused_with_a_clear_message(cast):
    item = ItemFactory(community=cast.beijie, capacity=3, starts_at=at(2026, 3, 14, 9))
    for p in members(cast, 3):
        services.signup_create(item=item, person=p, by=p.user)
    with pytest.raises(Conflict) as exc:
        services.item_update(item=item, by=cast.secretary, capacity=1)
    assert exc.value.code == "capacity_below_signups"
    assert "已有 3 人报名" in exc.value.message and "转为候补" in exc.value.message
    item.refresh_from_db()
    assert item.capacity == 3
    assert SignUp.objects.filter(status=SignUpStatus.CONFIRMED).count() == 3


def test_reducing_capacity_explicitly_moves_the_latest_sign_ups_to_the_head_of_the_waitlist(cast):
    item = ItemFactory(community=cast.beijie, capacity=3, starts_at=at(2026, 3, 14, 9))
    people = members(cast, 4)
    for i, p in enumerate(people):
        with time_machine.travel(at(2026, 3, 10, 9, i), tick=False):
            services.signup_create(item=item, person=p, by=p.user)
    services.item_update(item=item, by=cast.secretary, capacity=2, demote_excess=True)

    status = dict(SignUp.objects.filter(item=item).values_list("person_id", "status"))
    assert [status[p.pk] for p in people] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    demoted = SignUp.objects.get(item=item, person=people[2])
    assert selectors.waitlist_position(demoted) == 1  # ahead of the one who was waiting already
    assert Notification.objects.filter(recipient=people[2].user, kind="volunteering.demoted").exists()


def test_raising_capacity_promotes_from_the_waitlist(cast, item):
    people = members(cast, 4)
    for p in people:
        services.signup_create(item=item, person=p, by=p.user)
    services.item_update(item=item, by=cast.secretary, capacity=3)
    assert SignUp.objects.filter(item=item, status=SignUpStatus.CONFIRMED).count() == 3
    assert Notification.objects.filter(
        recipient=people[2].user, kind="volunteering.waitlist_promoted"
    ).exists()


def test_cancelling_an_item_tells_everyone_signed_up_or_waiting(cast, item):
    people = members(cast, 3)
    for p in people:
        services.signup_create(item=item, person=p, by=p.user)
    services.item_cancel(item=item, by=cast.secretary, reason="暴雨预警")
    item.refresh_from_db()
    assert item.status == ItemStatus.CANCELLED
    assert Notification.objects.filter(kind="volunteering.item_cancelled").count() == 3
    with pytest.raises(Conflict):
        services.item_cancel(item=item, by=cast.secretary, reason="again")


def test_item_times_must_be_aware_and_ordered_and_post_in_the_same_community(cast):
    from .factories import PostFactory

    foreign_post = PostFactory(community=cast.changcheng)
    with pytest.raises(DomainError) as exc:
        services.item_create(
            community=cast.beijie,
            by=cast.secretary,
            title="巡逻",
            place="北门",
            starts_at=at(2026, 3, 14, 11),
            ends_at=at(2026, 3, 14, 9),
            capacity=5,
            post=foreign_post,
        )
    assert set(exc.value.fields) == {"ends_at", "post"}
    with pytest.raises(DomainError) as exc:
        services.item_create(
            community=cast.beijie,
            by=cast.secretary,
            title="巡逻",
            place="北门",
            starts_at=dt.datetime(2026, 3, 14, 9),
            ends_at=at(2026, 3, 14, 11),
            capacity=5,
        )
    assert "starts_at" in exc.value.fields


def test_the_organiser_defaults_to_the_creator_and_must_belong_to_the_community(cast):
    item = services.item_create(
        community=cast.beijie,
        by=cast.secretary,
        title="巡逻",
        place="北门",
        starts_at=at(2026, 3, 14, 9),
        ends_at=at(2026, 3, 14, 11),
        capacity=5,
    )
    assert item.organiser == cast.secretary
    with pytest.raises(DomainError):
        services.item_create(
            community=cast.beijie,
            by=cast.secretary,
            title="巡逻",
            place="北门",
            starts_at=at(2026, 3, 14, 9),
            ends_at=at(2026, 3, 14, 11),
            capacity=5,
            organiser=cast.other_secretary,
        )


def test_moving_an_item_tells_the_members_signed_up(cast, item, registered):
    services.signup_create(item=item, person=cast.member_person, by=cast.member)
    services.item_update(
        item=item, by=cast.secretary, starts_at=at(2026, 3, 15, 9), ends_at=at(2026, 3, 15, 11)
    )
    assert Notification.objects.filter(recipient=cast.member, kind="volunteering.item_changed").exists()


def test_waitlist_ordering_uses_queue_time_not_row_order(cast, item):
    a = registered_member(cast.beijie)
    b = registered_member(cast.beijie)
    SignUpFactory(item=item, status=SignUpStatus.CONFIRMED)
    SignUpFactory(item=item, status=SignUpStatus.CONFIRMED)
    late = SignUpFactory(item=item, person=a, status=SignUpStatus.WAITLISTED, queued_at=at(2026, 3, 9, 12))
    early = SignUpFactory(item=item, person=b, status=SignUpStatus.WAITLISTED, queued_at=at(2026, 3, 9, 8))
    services.signup_cancel(
        signup=SignUp.objects.filter(item=item, status="confirmed").first(), by=cast.secretary
    )
    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.status, late.status) == ("confirmed", "waitlisted")
