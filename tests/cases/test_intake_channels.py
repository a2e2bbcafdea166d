"""Every channel ends as a registered case: staff intake, mailboxes, diaries, reception days, forums."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from cases import services
from cases.models import Case, Channel, ForumItem, Mailbox, MailboxOpening, ReceptionKind
from cases.selectors import missed_openings
from cases.states import CaseState
from core.errors import Conflict, DomainError
from members.services import PermissionDenied

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("channel", [c for c in Channel.values])
def test_staff_register_a_case_from_every_channel(cast, channel):
    case = services.case_register(
        community=cast.beijie,
        by=cast.staff,
        channel=channel,
        content="楼道堆放杂物",
        category="environment",
        building=cast.b1,
        resident_name="王大妈",
        resident_phone="13900001111",
    )
    assert case.state == CaseState.REGISTERED
    assert case.tracking_no.startswith(f"MQ-{timezone.localdate():%Y%m%d}-")
    assert len(case.access_code) == 8 and case.access_code not in case.access_code_hash
    assert case.received_by == cast.staff and case.channel == channel
    assert case.events.get().action == "register"


def test_tracking_numbers_count_up_per_community_and_day(cast):
    a = services.case_register(community=cast.beijie, by=cast.staff, channel="hotline", content="一")
    b = services.case_register(community=cast.beijie, by=cast.staff, channel="hotline", content="二")
    c = services.case_register(
        community=cast.changcheng, by=cast.other_secretary, channel="hotline", content="三"
    )
    assert (
        a.tracking_no.endswith("-0001")
        and b.tracking_no.endswith("-0002")
        and c.tracking_no.endswith("-0001")
    )
    assert len({a.tracking_no, b.tracking_no, c.tracking_no}) == 3


def test_empty_content_or_foreign_building_is_refused_and_nothing_is_saved(cast):
    with pytest.raises(DomainError) as exc:
        services.case_register(community=cast.beijie, by=cast.staff, channel="hotline", content="  ")
    assert "content" in exc.value.fields
    with pytest.raises(DomainError):
        services.case_register(
            community=cast.beijie, by=cast.staff, channel="hotline", content="x", building=cast.cc1
        )
    assert not Case.objects.exists()


def test_only_the_office_registers_cases(cast):
    for who in [cast.officer, cast.member, cast.other_secretary, cast.outsider]:
        with pytest.raises(PermissionDenied):
            services.case_register(community=cast.beijie, by=who, channel="hotline", content="x")


def test_anonymous_case_keeps_no_name_or_phone(cast):
    case = services.case_register(
        community=cast.beijie,
        by=cast.staff,
        channel="mailbox",
        content="举报",
        anonymous=True,
        resident_name="张三",
        resident_phone="13900000000",
    )
    assert case.resident_name == "" and case.resident_phone == "" and case.resident_display == "匿名"


@time_machine.travel(dt.datetime(2026, 10, 12, 9, tzinfo=SH), tick=False)
def test_mailbox_opening_registers_each_letter_and_a_missed_working_day_is_visible(cast):
    box = services.mailbox_save(
        community=cast.beijie, by=cast.secretary, location="1号院门口", keeper=cast.member
    )
    other = services.mailbox_save(
        community=cast.beijie, by=cast.secretary, location="2号院门口", keeper=cast.member
    )
    Mailbox.objects.update(installed_on=dt.date(2026, 9, 1))  # a box installed today was not missed before
    # Saturday 10 October 2026 is a make-up working day: the keeper opens box 1 only.
    opening = services.mailbox_open(
        mailbox=box,
        by=cast.member,
        opened_on=dt.date(2026, 10, 10),
        letters=[{"content": "路灯坏了"}, {"content": "垃圾没人清", "category": "environment"}],
    )
    assert opening.letters == 2
    cases = list(Case.objects.filter(mailbox_opening=opening))
    assert {c.channel for c in cases} == {Channel.MAILBOX} and len(cases) == 2
    # Monday morning: the previous working day is the Saturday, and box 2 was not opened then.
    assert [m.pk for m in missed_openings([cast.beijie.pk])] == [other.pk]
    with pytest.raises(Conflict):
        services.mailbox_open(mailbox=box, by=cast.member, opened_on=dt.date(2026, 10, 10))
    with pytest.raises(PermissionDenied):
        services.mailbox_open(mailbox=box, by=cast.officer)


def test_a_bad_letter_refuses_the_whole_opening(cast):
    box = services.mailbox_save(
        community=cast.beijie, by=cast.secretary, location="1号院", keeper=cast.member
    )
    with pytest.raises(DomainError):
        services.mailbox_open(mailbox=box, by=cast.member, letters=[{"content": "好"}, {"content": ""}])
    assert not MailboxOpening.objects.exists() and not Case.objects.exists()


def test_officer_diary_entry_becomes_a_case_in_one_step(cast):
    entry = services.diary_add(
        by=cast.officer,
        visited_on=timezone.localdate(),
        household="1号楼201 张家",
        heard="老人腿脚不便，希望有人送药",
        building=cast.b1,
    )
    case = services.diary_to_case(entry=entry, by=cast.officer, category="elderly")
    assert case.channel == Channel.OFFICER_VISIT and case.reported_by_officer == cast.officer_row
    assert case.received_by == cast.officer and case.content == entry.heard
    with pytest.raises(Conflict):
        services.diary_to_case(entry=entry, by=cast.officer)
    with pytest.raises(PermissionDenied):
        services.diary_add(by=cast.member, visited_on=timezone.localdate(), household="x", heard="y")


@time_machine.travel(dt.datetime(2026, 11, 26, 9, tzinfo=SH), tick=False)
def test_reception_days_move_to_the_next_working_day_and_items_become_cases(cast):
    # 15 November 2026 is a Sunday → held on Monday 16 November; 25 November is a Wednesday.
    deputies = services.reception_schedule(
        community=cast.beijie,
        by=cast.secretary,
        kind=ReceptionKind.DEPUTIES,
        year=2026,
        month=11,
        host_name="人大代表 周明",
        host_user=cast.deputy,
    )
    leaders = services.reception_schedule(
        community=cast.beijie,
        by=cast.secretary,
        kind=ReceptionKind.LEADERS,
        year=2026,
        month=11,
        host_name="孙海",
    )
    october = services.reception_schedule(
        community=cast.beijie,
        by=cast.secretary,
        kind=ReceptionKind.DEPUTIES,
        year=2026,
        month=10,
        host_name="周明",
    )
    assert (deputies.nominal_date, deputies.held_on) == (dt.date(2026, 11, 15), dt.date(2026, 11, 16))
    assert leaders.held_on == dt.date(2026, 11, 25) and not leaders.moved
    assert october.held_on == dt.date(2026, 10, 15)
    # the deputy records a visitor on their own day; the item becomes a case
    item = services.reception_item_record(
        reception=deputies,
        by=cast.deputy,
        visitor_name="吴阿姨",
        visitor_phone="13812345678",
        content="小区门口路面破损",
        category="property",
    )
    assert item.case.channel == Channel.DEPUTY_RECEPTION and item.case.resident_name == "吴阿姨"
    # the leaders' day needs one of the six priority subjects, and deputies cannot record it
    with pytest.raises(DomainError):
        services.reception_item_record(reception=leaders, by=cast.secretary, visitor_name="郑", content="x")
    with pytest.raises(PermissionDenied):
        services.reception_item_record(
            reception=leaders,
            by=cast.deputy,
            visitor_name="郑",
            content="x",
            priority_subject="many_residents",
        )
    lead = services.reception_item_record(
        reception=leaders,
        by=cast.town,
        visitor_name="郑师傅",
        content="多户漏水",
        priority_subject="many_residents",
    )
    assert lead.case.channel == Channel.LEADER_RECEPTION and lead.priority_subject == "many_residents"


def test_a_reception_day_in_the_future_takes_no_visitors(cast):
    future = timezone.localdate() + dt.timedelta(days=70)
    day = services.reception_schedule(
        community=cast.beijie,
        by=cast.secretary,
        kind="deputies",
        year=future.year,
        month=future.month,
        host_name="周明",
    )
    with pytest.raises(Conflict):
        services.reception_item_record(reception=day, by=cast.deputy, visitor_name="x", content="y")


def test_forum_items_answered_on_the_spot_are_recorded_the_rest_become_cases(cast):
    forum = services.forum_record(
        community=cast.beijie,
        by=cast.secretary,
        held_on=timezone.localdate(),
        title="11月恳谈会",
        attendees=[{"name": "孙海", "role": "镇领导"}, {"name": "王桂兰", "role": "居民代表"}],
        minutes="纪要",
        items=[
            {
                "raised_by": "王桂兰",
                "content": "活动室开放时间",
                "answered_on_spot": True,
                "answer": "延长到八点",
            },
            {"raised_by": "医院代表", "content": "门口停车乱", "category": "security"},
        ],
    )
    answered, open_item = list(forum.items.order_by("pk"))
    assert answered.answered_on_spot and answered.case is None
    assert open_item.case.channel == Channel.FORUM and open_item.case.forum == forum
    with pytest.raises(DomainError):
        services.forum_record(
            community=cast.beijie,
            by=cast.secretary,
            held_on=timezone.localdate(),
            title="x",
            attendees=[],
            items=[],
        )
    assert ForumItem.objects.count() == 2
