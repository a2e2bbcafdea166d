"""The yearly requirement (每十二个月完成1-2项志愿服务事项): counting per Shanghai calendar year, the
community's own policy, who is behind by employer, and the last-quarter reminders."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from core.errors import DomainError
from core.models import Notification
from members.services import PermissionDenied
from tests import factories as f
from volunteering import selectors, services, tasks
from volunteering.models import RecordStatus

from .factories import ItemFactory, RecordFactory, at, registered_member

pytestmark = pytest.mark.django_db


def record(person, start, hours=2, status=RecordStatus.APPROVED):
    item = ItemFactory(community=person.community, starts_at=start, ends_at=start + dt.timedelta(hours=hours))
    return RecordFactory(item=item, person=person, status=status)


def row_of(person, year):
    return next(
        r
        for r in selectors.requirement_rows(community_ids=[person.community_id], year=year)
        if r.person_id == person.pk
    )


def test_new_years_eve_counts_for_the_old_year_in_shanghai_time(cast, registered):
    person = cast.member_person
    # 23:00 on 31 December in Shanghai is 15:00 UTC: still 2025
    record(person, at(2025, 12, 31, 23, 0), hours=0.5)
    # 00:30 on 1 January in Shanghai is 16:30 UTC on 31 December: already 2026
    record(person, at(2026, 1, 1, 0, 30), hours=1)
    assert dt.datetime(2026, 1, 1, 0, 30, tzinfo=dt.UTC) > at(
        2026, 1, 1, 0, 30
    )  # the UTC date would say 2025
    assert (row_of(person, 2025).items, row_of(person, 2025).minutes) == (1, 30)
    assert (row_of(person, 2026).items, row_of(person, 2026).minutes) == (1, 60)


def test_only_approved_records_count_and_each_item_once(cast, registered):
    person = cast.member_person
    record(person, at(2026, 5, 1, 9))
    record(person, at(2026, 6, 1, 9), status=RecordStatus.PENDING)
    record(person, at(2026, 7, 1, 9), status=RecordStatus.CANCELLED)
    row = row_of(person, 2026)
    assert (row.items, row.hours) == (1, Decimal("2.0"))
    assert row.behind is False and row.met_target is False and row.status_label == "已达标"


def test_default_policy_is_one_item_minimum_and_two_target(cast, registered):
    person = cast.member_person
    assert row_of(person, 2026).behind
    record(person, at(2026, 5, 1, 9))
    assert not row_of(person, 2026).behind and not row_of(person, 2026).met_target
    record(person, at(2026, 8, 1, 9))
    assert row_of(person, 2026).met_target and row_of(person, 2026).status == "target"


def test_a_community_may_require_hours_instead_of_or_as_well_as_items(cast, registered):
    person = cast.member_person
    record(person, at(2026, 5, 1, 9), hours=3)
    services.policy_set(
        community=cast.beijie,
        by=cast.secretary,
        min_items=0,
        target_items=0,
        min_hours=Decimal(4),
        target_hours=Decimal(8),
    )
    assert row_of(person, 2026).behind
    record(person, at(2026, 6, 1, 9), hours=1)
    assert not row_of(person, 2026).behind
    services.policy_set(
        community=cast.beijie,
        by=cast.secretary,
        min_items=3,
        target_items=4,
        min_hours=Decimal(4),
        target_hours=Decimal(8),
    )
    assert row_of(person, 2026).behind  # both required now
    assert "且" in row_of(person, 2026).requirement_text


def test_policy_validation(cast):
    with pytest.raises(DomainError):
        services.policy_set(community=cast.beijie, by=cast.secretary, min_items=0, target_items=0)
    with pytest.raises(DomainError):
        services.policy_set(community=cast.beijie, by=cast.secretary, min_items=3, target_items=2)
    with pytest.raises(PermissionDenied):
        services.policy_set(community=cast.beijie, by=cast.town, min_items=1, target_items=2)


def test_who_is_behind_is_grouped_by_employer(cast, registered):
    school = f.EmployerFactory(town=cast.town_obj, name="县第一中学")
    teacher_ok = registered_member(cast.beijie, employer=school, name="张老师")
    teacher_behind = registered_member(cast.beijie, employer=school, name="李老师")
    record(teacher_ok, at(2026, 4, 1, 9))
    rows = selectors.requirement_rows(community_ids=[cast.beijie.pk], year=2026)
    groups = selectors.requirement_by_employer(rows)
    assert {g.employer_name: g.behind for g in groups} == {"县人民医院": 1, "县第一中学": 1}
    behind_only = selectors.requirement_by_employer(rows, only_behind=True)
    names = [r.name for g in behind_only for r in g.rows]
    assert teacher_behind.name in names and teacher_ok.name not in names and cast.member_person.name in names


def test_members_registered_elsewhere_or_not_confirmed_are_not_counted_here(cast, registered):
    f.RegistrationFactory(person=f.PersonFactory(community=cast.beijie))  # submitted only
    registered_member(cast.changcheng)
    rows = selectors.requirement_rows(community_ids=[cast.beijie.pk], year=2026)
    assert [r.person_id for r in rows] == [cast.member_person.pk]


def test_members_behind_get_one_reminder_per_quarter_in_the_last_quarter(cast, registered):
    done = registered_member(cast.beijie)
    record(done, at(2026, 9, 1, 9))
    with time_machine.travel(at(2026, 9, 30, 9, 30), tick=False):
        assert tasks.remind_members_behind_requirement.delay().get() == 0  # Q3: nothing
    with time_machine.travel(at(2026, 10, 1, 9, 30), tick=False):
        assert tasks.remind_members_behind_requirement.delay().get() == 1
    with time_machine.travel(at(2026, 10, 15, 9, 30), tick=False):
        assert tasks.remind_members_behind_requirement.delay().get() == 0  # idempotent within the quarter
    notes = Notification.objects.filter(kind="volunteering.requirement_reminder")
    assert [n.recipient for n in notes] == [cast.member]
    assert notes.get().dedupe_key == f"vol-reminder:{cast.member_person.pk}:2026:4"
    assert "至少 1 项" in notes.get().body


def test_the_reminder_quarter_follows_shanghai_time(cast, registered):
    # 30 September 16:30 UTC is 1 October 00:30 in Shanghai: the last quarter has begun
    with time_machine.travel(dt.datetime(2026, 9, 30, 16, 30, tzinfo=dt.UTC), tick=False):
        assert services.requirement_reminders_send() == 1


def test_the_beat_schedule_runs_the_reminder_in_the_last_quarter():
    from config.celery import DEFAULT_PERIODIC_TASKS

    entry = DEFAULT_PERIODIC_TASKS["volunteering-requirement-reminders"]
    assert entry["task"] == "volunteering.tasks.remind_members_behind_requirement"
    assert entry["schedule"].month_of_year == {10, 11, 12}


def test_member_progress_for_the_my_page(cast, registered):
    record(cast.member_person, at(2026, 4, 1, 9))
    progress = selectors.member_progress(cast.member_person.pk, cast.beijie.pk, 2026)
    assert progress["items"] == 1 and progress["percent"] == 50 and not progress["behind"]
