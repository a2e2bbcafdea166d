"""The ranges a date entered by a user may fall in, defined once for every way in: the API serializers, the
page forms and the roster import all name one of these by what the date means.

An audit found a birth date of 2999-01-01, an officer appointed on 1900-01-01 (appointment no.
BEIJIE-1900-001), a forum held on 0001-01-01, a reception rota for the year 9999 and a working-day override
on 1900-01-01, all accepted. Each range is a validator (a Django ValidationError, which DRF turns into a 400
under the field's name and a form shows under the field); the validation happens at input, so the model
fields and migrations stay as they are.

Nothing the product records goes back before 2000 (the roster, the cases and the volunteering ledger all
start with the system): an older business date is a typo (1900 for 2019) or a probe of the server.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

OUT_OF_RANGE = "out_of_range"


def _local_date(value: dt.date | dt.datetime) -> dt.date:
    """The calendar day of `value` where the product is (an aware datetime is read in the local zone)."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            # within hours of year 1 or 9999 the conversion overflows: far outside every range in any zone
            with contextlib.suppress(OverflowError, ValueError):
                value = timezone.localtime(value)
        return value.date()
    return value


@dataclass(frozen=True)
class DateRange:
    """Dates from `earliest` up to today (`years_ahead` None: the date says what has happened), or up to the
    end of the year `years_ahead` years from now (a date that may be planned). Works on dates and datetimes;
    as a validator it raises ValidationError(code="out_of_range")."""

    earliest: dt.date
    years_ahead: int | None = None

    def bounds(self, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
        today = today or timezone.localdate()
        if self.years_ahead is None:
            return self.earliest, today
        return self.earliest, dt.date(today.year + self.years_ahead, 12, 31)

    def problem(self, value: dt.date | dt.datetime, today: dt.date | None = None) -> str | None:
        """Why `value` is out of this range ("不能早于2000-01-01", "不能晚于今天"), or None."""
        earliest, latest = self.bounds(today)
        day = _local_date(value)
        if day < earliest:
            return f"不能早于{earliest.isoformat()}"
        if day > latest:
            return "不能晚于今天" if self.years_ahead is None else f"不能晚于{latest.isoformat()}"
        return None

    def __call__(self, value: dt.date | dt.datetime) -> None:
        problem = self.problem(value)
        if problem:
            raise ValidationError(f"日期{problem}", code=OUT_OF_RANGE)


@dataclass(frozen=True)
class YearRange:
    """The calendar years of a DateRange, for a `year` typed as a number."""

    dates: DateRange

    def bounds(self, today: dt.date | None = None) -> tuple[int, int]:
        earliest, latest = self.dates.bounds(today)
        return earliest.year, latest.year

    def problem(self, value: int, today: dt.date | None = None) -> str | None:
        earliest, latest = self.bounds(today)
        if not earliest <= value <= latest:
            return f"年份应在{earliest}至{latest}之间"
        return None

    def __call__(self, value: int) -> None:
        problem = self.problem(value)
        if problem:
            raise ValidationError(problem, code=OUT_OF_RANGE)


# 出生日期 (a person's birth date): 1900-01-01 to today. The same bounds the ID number check applies to the
# birth date in its digits (members.validators.id_number_problem).
BIRTH_DATES = DateRange(dt.date(1900, 1, 1))

# 入党时间 (joined the Party): from the Party's founding, 1921-07-01, to today. Long-standing members joined
# well before 2000; the roster import also checks they were 18 by then.
JOIN_DATES = DateRange(dt.date(1921, 7, 1))

# What has happened, so not after today: a case received (受理时间), a visit made (走访), a mailbox opened
# (开箱), a higher level's reply (批复), a forum held (恳谈会), the hours of a service (服务时间), a conduct
# note (品行记录), goods received and handed out (接收、发放), a responsibility letter signed (签订), an
# officer's commendation or penalty (奖惩) and the end of their service (离任, which takes effect at once).
PAST_DATES = DateRange(dt.date(2000, 1, 1))

# What may be planned ahead, to the end of the fifth year from now: an officer's appointment (聘用), a home
# visit (上门), a service item (服务事项), a pairing's start and end (结对), an announcement (公告) and the
# working-day calendar (调休, published a year or so ahead).
BUSINESS_DATES = DateRange(dt.date(2000, 1, 1), years_ahead=5)

# A year on a schedule (接待日排期 `year`): the years of BUSINESS_DATES, 2000 to this year + 5.
YEARS = YearRange(BUSINESS_DATES)
