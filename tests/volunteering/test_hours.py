"""Hours per the national volunteer-record rules: on-the-spot, organiser-marked, self-reported and
back-filled records; approval, rejection, evaluation and cancellation (注销)."""

import pytest
import time_machine

from core.errors import Conflict, DomainError
from core.models import Notification
from members.services import PermissionDenied
from volunteering import services
from volunteering.models import Evaluation, RecordSource, RecordStatus, ServiceRecord, SignUpStatus

from .factories import ItemFactory, RecordFactory, SignUpFactory, at, registered_member

pytestmark = pytest.mark.django_db

START, END = at(2026, 3, 14, 9), at(2026, 3, 14, 11)


@pytest.fixture
def item(cast):
    return ItemFactory(community=cast.beijie, starts_at=START, ends_at=END, organiser=cast.staff)


def test_organiser_marks_attendance_on_the_day_and_it_counts_at_once(cast, item, registered):
    SignUpFactory(item=item, person=cast.member_person, status=SignUpStatus.CONFIRMED)
    with time_machine.travel(at(2026, 3, 14, 11, 30), tick=False):
        record = services.attendance_mark(
            item=item,
            person=cast.member_person,
            by=cast.staff,
            started_at=at(2026, 3, 14, 9, 15),
            ended_at=at(2026, 3, 14, 10, 45),
            content="为独居老人打扫卫生",
            evaluation=Evaluation.EXCELLENT,
        )
    assert record.minutes == 90 and record.status == RecordStatus.APPROVED
    assert record.source == RecordSource.ORGANISER and record.recorded_by == cast.staff
    assert record.content == "为独居老人打扫卫生" and record.get_evaluation_display() == "优秀"
    signup = item.signups.get()
    assert signup.checked_in_at == at(2026, 3, 14, 9, 15) and signup.check_in_method == "organiser"


def test_hours_outside_the_items_window_are_refused_and_nothing_is_saved(cast, item, registered):
    with time_machine.travel(at(2026, 3, 14, 12), tick=False):
        for started, ended in [
            (at(2026, 3, 14, 8, 30), at(2026, 3, 14, 10)),  # travel before the start
            (at(2026, 3, 14, 10), at(2026, 3, 14, 11, 30)),  # after the end
            (at(2026, 3, 14, 10), at(2026, 3, 14, 9, 30)),
        ]:  # backwards
            with pytest.raises(DomainError):
                services.attendance_mark(
                    item=item, person=cast.member_person, by=cast.staff, started_at=started, ended_at=ended
                )
    assert not ServiceRecord.objects.exists()


def test_hours_in_the_future_cannot_be_recorded(cast, item, registered):
    with time_machine.travel(at(2026, 3, 14, 10), tick=False), pytest.raises(DomainError):
        services.attendance_mark(
            item=item, person=cast.member_person, by=cast.staff, started_at=START, ended_at=END
        )


def test_hours_marked_days_later_are_back_filled_and_wait_for_approval(cast, item, registered):
    with time_machine.travel(at(2026, 3, 20, 9), tick=False):
        record = services.attendance_mark(
            item=item, person=cast.member_person, by=cast.director, started_at=START, ended_at=END
        )
    assert record.source == RecordSource.BACK_FILLED and record.status == RecordStatus.PENDING
    assert record.is_unverified and record.approved_by is None
    services.record_approve(record=record, by=cast.staff)
    record.refresh_from_db()
    assert record.status == RecordStatus.APPROVED and record.approved_by == cast.staff
    assert record.source == RecordSource.BACK_FILLED  # stays marked as back-filled


def test_member_self_reports_hours_and_the_organiser_approves_them(cast, item, registered):
    cast.staff.email = "staff@example.org"
    cast.staff.save()
    with time_machine.travel(at(2026, 3, 15, 20), tick=False):
        record = services.record_self_report(
            item=item,
            person=cast.member_person,
            by=cast.member,
            started_at=START,
            ended_at=at(2026, 3, 14, 10),
            content="发放宣传单",
        )
    assert record.source == RecordSource.SELF_REPORTED and record.status == RecordStatus.PENDING
    assert record.recorded_by == cast.member
    assert Notification.objects.filter(recipient=cast.staff, kind="volunteering.record_pending").exists()
    services.record_approve(record=record, by=cast.staff, evaluation=Evaluation.GOOD)
    record.refresh_from_db()
    assert record.status == RecordStatus.APPROVED and record.evaluation == Evaluation.GOOD


def test_a_member_cannot_approve_their_own_hours(cast, item, registered):
    from members.roles import Role, forget_scope
    from tests import factories as f

    f.RoleFactory(user=cast.member, role=Role.STAFF, community=cast.beijie)  # a member who also works there
    with time_machine.travel(at(2026, 3, 15, 20), tick=False):
        record = services.record_self_report(
            item=item,
            person=cast.member_person,
            by=cast.member,
            started_at=START,
            ended_at=END,
            content="巡逻",
        )
    forget_scope(cast.member)  # the staff role above was granted after the scope was cached
    with pytest.raises(PermissionDenied):
        services.record_approve(record=record, by=cast.member)


def test_self_report_needs_content_and_is_only_for_oneself(cast, item, registered):
    other = registered_member(cast.beijie)
    with time_machine.travel(at(2026, 3, 15), tick=False):
        with pytest.raises(DomainError):
            services.record_self_report(
                item=item,
                person=cast.member_person,
                by=cast.member,
                started_at=START,
                ended_at=END,
                content=" ",
            )
        with pytest.raises(PermissionDenied):
            services.record_self_report(
                item=item, person=other, by=cast.member, started_at=START, ended_at=END, content="巡逻"
            )


def test_one_live_record_per_member_and_item(cast, item, registered):
    with time_machine.travel(at(2026, 3, 14, 12), tick=False):
        services.attendance_mark(
            item=item, person=cast.member_person, by=cast.staff, started_at=START, ended_at=END
        )
        with pytest.raises(Conflict):
            services.record_self_report(
                item=item,
                person=cast.member_person,
                by=cast.member,
                started_at=START,
                ended_at=END,
                content="巡逻",
            )


def test_rejected_hours_need_a_reason_and_can_be_reported_again(cast, item, registered):
    with time_machine.travel(at(2026, 3, 15), tick=False):
        record = services.record_self_report(
            item=item,
            person=cast.member_person,
            by=cast.member,
            started_at=START,
            ended_at=END,
            content="巡逻",
        )
        with pytest.raises(DomainError):
            services.record_reject(record=record, by=cast.staff, reason="")
        services.record_reject(record=record, by=cast.staff, reason="当天未见到本人")
        again = services.record_self_report(
            item=item,
            person=cast.member_person,
            by=cast.member,
            started_at=START,
            ended_at=at(2026, 3, 14, 10),
            content="巡逻一小时",
        )
    assert again.pk != record.pk
    told = Notification.objects.get(recipient=cast.member, kind="volunteering.record_rejected")
    assert "当天未见到本人" in told.body


def test_false_hours_are_cancelled_not_deleted_and_only_by_the_office(cast, item):
    record = RecordFactory(item=item)
    with pytest.raises(PermissionDenied):
        services.record_cancel(record=record, by=cast.town, reason="虚假")
    services.record_cancel(record=record, by=cast.secretary, reason="经核实未参加")
    record.refresh_from_db()
    assert record.status == RecordStatus.CANCELLED and record.status_reason == "经核实未参加"
    with pytest.raises(Conflict):
        services.record_approve(record=record, by=cast.secretary)


def test_the_organiser_evaluates_approved_records(cast, item):
    record = RecordFactory(item=item)
    services.record_evaluate(
        record=record, by=cast.staff, evaluation=Evaluation.PASS, evaluation_note="按时到岗"
    )
    record.refresh_from_db()
    assert (record.evaluation, record.evaluation_note) == ("pass", "按时到岗")
    pending = RecordFactory(item=item, status=RecordStatus.PENDING, source=RecordSource.SELF_REPORTED)
    with pytest.raises(Conflict):
        services.record_evaluate(record=pending, by=cast.staff, evaluation=Evaluation.PASS)
    with pytest.raises(DomainError):
        services.record_evaluate(record=record, by=cast.staff, evaluation="superb")


def test_only_the_organiser_or_the_office_approves(cast, item):
    record = RecordFactory(item=item, status=RecordStatus.PENDING, source=RecordSource.SELF_REPORTED)
    for who in (cast.town, cast.officer, cast.deputy, cast.other_secretary):
        with pytest.raises(PermissionDenied):
            services.record_approve(record=record, by=who)


def test_attendance_for_someone_outside_the_community_is_refused(cast, item):
    with time_machine.travel(at(2026, 3, 14, 12), tick=False), pytest.raises(DomainError):
        services.attendance_mark(
            item=item, person=cast.foreign_person, by=cast.staff, started_at=START, ended_at=END
        )


def test_item_times_cannot_move_once_hours_are_recorded(cast, item):
    RecordFactory(item=item)
    with pytest.raises(Conflict) as exc:
        services.item_update(item=item, by=cast.secretary, starts_at=at(2026, 3, 14, 8))
    assert exc.value.code == "item_has_records"
