"""The one working-day calendar: the library for known years, the town's table on top, weekends + a
warning for a year nobody has entered yet. "N working days after D" never counts D."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import workdays
from members.models import WorkdayOverride
from tests import factories as f

D = dt.date


def test_national_day_and_the_saturday_make_up_day_are_known_from_the_library(db):
    assert not workdays.is_working_day(D(2026, 10, 1))
    assert not workdays.is_working_day(D(2026, 10, 7))
    assert workdays.is_working_day(D(2026, 10, 10))  # Saturday, 调休上班
    assert not workdays.is_working_day(D(2026, 10, 11))  # Sunday


def test_five_working_days_after_30_september_2026_is_13_october(db):
    # 1–7 Oct holiday; 8, 9, 10 (Saturday make-up), 12, 13 → the fifth is Tuesday 13 October.
    assert workdays.add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 13)


def test_three_working_days_after_13_february_2026_is_25_february(db):
    # 14 Feb is a make-up Saturday (1), 15–23 Feb Spring Festival, 24 (2), 25 (3).
    assert workdays.add_working_days(D(2026, 2, 13), 3) == D(2026, 2, 25)


def test_the_start_day_is_not_counted_and_zero_days_is_the_same_day(db):
    assert workdays.add_working_days(D(2026, 11, 25), 1) == D(2026, 11, 26)
    assert workdays.add_working_days(D(2026, 11, 25), 0) == D(2026, 11, 25)


def test_working_days_between_is_the_inverse_of_add(db):
    for start in [D(2026, 9, 30), D(2026, 2, 13), D(2026, 4, 30)]:
        for n in range(0, 12):
            end = workdays.add_working_days(start, n)
            assert workdays.working_days_between(start, end) == n
            assert workdays.working_days_between(end, start) == -n


def test_next_and_previous_working_day(db):
    assert workdays.next_working_day(D(2026, 10, 1)) == D(2026, 10, 8)
    assert workdays.next_working_day(D(2026, 10, 8)) == D(2026, 10, 8)
    assert workdays.next_working_day(D(2026, 10, 8), include_self=False) == D(2026, 10, 9)
    assert workdays.previous_working_day(D(2026, 10, 8)) == D(2026, 9, 30)


def test_a_year_the_library_does_not_know_falls_back_to_weekends_with_a_warning(db):
    assert not workdays.library_knows(2027)
    assert workdays.calendar_warning(2027) is not None
    assert workdays.calendar_warning(2026) is None
    assert workdays.is_working_day(D(2027, 1, 1))  # a Friday: without the table it looks like a working day
    assert not workdays.is_working_day(D(2027, 1, 2))  # Saturday
    assert workdays.add_working_days(D(2027, 1, 1), 1) == D(2027, 1, 4)


def test_in_an_unknown_year_the_entered_table_is_the_calendar_and_the_warning_goes_away(db):
    # Given next year's notice entered as nationwide rows (New Year's Day off, a make-up Sunday)
    WorkdayOverride.objects.create(date=D(2027, 1, 1), is_working_day=False, name="元旦")
    WorkdayOverride.objects.create(date=D(2027, 2, 7), is_working_day=True, name="春节调休上班")
    workdays.clear_cache()
    # Then the table decides those days, weekends the rest, and there is no warning
    assert workdays.calendar_warning(2027) is None
    assert not workdays.is_working_day(D(2027, 1, 1))
    assert workdays.is_working_day(D(2027, 2, 7))
    assert workdays.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_a_town_row_beats_the_nationwide_row_and_the_library(db):
    town = f.TownFactory()
    other = f.TownFactory()
    WorkdayOverride.objects.create(date=D(2026, 11, 27), is_working_day=False, name="镇庆", town=town)
    assert not workdays.is_working_day(D(2026, 11, 27), town=town)
    assert workdays.is_working_day(D(2026, 11, 27), town=other)
    assert workdays.is_working_day(D(2026, 11, 27))
    # a town's own rows for an unknown year silence the warning for that town only
    WorkdayOverride.objects.create(date=D(2027, 1, 1), is_working_day=False, town=town)
    assert workdays.calendar_warning(2027, town=town) is None
    assert workdays.calendar_warning(2027, town=other) is not None


def test_the_table_is_read_once_per_year_not_once_per_question(db):
    workdays.clear_cache()
    with CaptureQueriesContext(connection) as ctx:
        for n in range(50):
            workdays.add_working_days(D(2026, 3, 2), n % 10)
    assert len(ctx.captured_queries) == 1


def test_saving_a_row_clears_the_cache(db):
    assert workdays.is_working_day(D(2026, 12, 1))
    WorkdayOverride.objects.create(date=D(2026, 12, 1), is_working_day=False, name="test")
    assert not workdays.is_working_day(D(2026, 12, 1))


def test_negative_days_are_refused(db):
    with pytest.raises(ValueError):
        workdays.add_working_days(D(2026, 1, 5), -1)
