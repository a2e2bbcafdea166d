"""Calendar periods of the yearly requirement, in the community's time zone (Asia/Shanghai).

The requirement runs per calendar year: the feedback sheet to the employer goes out at year end
(双重管理制度 §6), so "every 12 months" is read as January to December, local time.
"""

import datetime as dt

from django.utils import timezone


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """[1 January 00:00, next 1 January 00:00) as aware datetimes in the current (Shanghai) time zone."""
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def quarter_of(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def require_aware(value: dt.datetime, field: str) -> dt.datetime:
    from core.errors import DomainError

    if value is None or timezone.is_naive(value):
        raise DomainError("时间须带时区（北京时间）", fields={field: ["时间须带时区"]})
    return value


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime(day.year, day.month, day.day, tzinfo=tz)
    return start, start + dt.timedelta(days=1)
