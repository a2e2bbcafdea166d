"""The one working-day calendar of the product (法定节假日 and 调休), used by every app.

Where a day's status comes from, first match wins:
  1. a `WorkdayOverride` row for the case's town (a local change),
  2. a nationwide `WorkdayOverride` row (town left empty; e.g. next year's State Council notice),
  3. the `chinesecalendar` library, for the years it knows (2004–2026 in 1.11),
  4. plain weekends (Monday–Friday working) — and `calendar_warning(year)` says so, so pages can show
     that deadlines in that year are provisional until someone enters the official calendar.

Counting rule (fixed by the manual's examples, see tests/core/test_workdays.py): "N working days after
day D" does **not** count D itself. A 承诺件 of 5 working days registered on Wed 2026-09-30 is due on
Tue 2026-10-13 (1–7 Oct National Day, Sat 10 Oct a make-up working day); an escalated case whose higher
level answered on Fri 2026-02-13 is due on Wed 2026-02-25 (Sat 14 Feb make-up day, 15–23 Feb Spring
Festival). `add_working_days(d, 0)` is d itself (即办件: settled the same day).

The table is read once per year and kept in-process for a few minutes, so a list of 50 cases costs at
most one query per calendar year shown; writes through the admin or the services clear the cache.

core imports no domain app: the table (`members.WorkdayOverride`, it belongs to a town) is read through
the source that members registers at start-up (`set_override_source`), and members clears the cache when
a row changes (`override_changed`).
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
import time
from collections.abc import Callable, Iterable

import chinese_calendar
from django.db import transaction

CACHE_SECONDS = 300
_MAX_SCAN_DAYS = 3700  # ten years: a table that marks every day as a holiday must not hang a request

_lock = threading.Lock()
# year -> (expires_at, {(town_id | None, date): is_working_day}, {town_id | None that have rows})
_cache: dict[int, tuple[float, dict, frozenset]] = {}


def clear_cache(*args, **kwargs) -> None:
    with _lock:
        _cache.clear()


def override_changed(*args, **kwargs) -> None:
    """Any save or delete of an override row (services, admin, shell): clear now, and again once the
    transaction commits, so a request that reloaded the old rows in between does not keep them."""
    clear_cache()
    transaction.on_commit(clear_cache)


# (town_id | None, date, is_working_day) rows of one year; no source (a bare core) means no overrides.
OverrideSource = Callable[[int], Iterable[tuple[int | None, dt.date, bool]]]
_source: OverrideSource | None = None


def set_override_source(source: OverrideSource | None) -> None:
    """Where the hand-entered days come from (members registers its table from AppConfig.ready())."""
    global _source
    _source = source
    clear_cache()


def _town_id(town) -> int | None:
    if town is None:
        return None
    return town if isinstance(town, int) else town.pk


@functools.lru_cache(maxsize=64)
def library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _year(year: int) -> tuple[dict, frozenset]:
    now = time.monotonic()
    entry = _cache.get(year)
    if entry is not None and entry[0] > now:
        return entry[1], entry[2]
    rows = _source(year) if _source is not None else ()
    days = {(town_id, date): working for town_id, date, working in rows}
    owners = frozenset(town_id for town_id, _ in days)
    with _lock:
        _cache[year] = (now + CACHE_SECONDS, days, owners)
    return days, owners


def is_working_day(day: dt.date, *, town=None) -> bool:
    town_id = _town_id(town)
    days, _ = _year(day.year)
    if town_id is not None and (town_id, day) in days:
        return days[(town_id, day)]
    if (None, day) in days:
        return days[(None, day)]
    if library_knows(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def calendar_warning(year: int, *, town=None) -> str | None:
    """A visible warning when `year`'s calendar is only a guess (weekends), else None."""
    if library_knows(year):
        return None
    _, owners = _year(year)
    if None in owners or (town is not None and _town_id(town) in owners):
        return None
    return (
        f"{year} 年的法定节假日和调休安排尚未录入，暂按周一至周五计算工作日，相关期限可能不准确；"
        f"请在「工作日调整」中录入国务院公布的安排。"
    )


def add_working_days(start: dt.date, n: int, *, town=None) -> dt.date:
    """The n-th working day after `start` (start itself not counted); n=0 gives start."""
    if n < 0:
        raise ValueError("n must be >= 0")
    day, found = start, 0
    for _ in range(_MAX_SCAN_DAYS):
        if found == n:
            return day
        day += dt.timedelta(days=1)
        if is_working_day(day, town=town):
            found += 1
    raise ValueError("no working days found in the calendar table")


def working_days_between(start: dt.date, end: dt.date, *, town=None) -> int:
    """Working days in (start, end]; negative when end is before start. Inverse of add_working_days."""
    if end == start:
        return 0
    sign, lo, hi = (1, start, end) if end > start else (-1, end, start)
    count, day = 0, lo
    while day < hi:
        day += dt.timedelta(days=1)
        if is_working_day(day, town=town):
            count += 1
    return sign * count


def next_working_day(day: dt.date, *, town=None, include_self: bool = True) -> dt.date:
    """The first working day on or after `day` (strictly after when include_self is False)."""
    if include_self and is_working_day(day, town=town):
        return day
    return add_working_days(day, 1, town=town)


def previous_working_day(day: dt.date, *, town=None) -> dt.date:
    """The last working day strictly before `day`."""
    for _ in range(_MAX_SCAN_DAYS):
        day -= dt.timedelta(days=1)
        if is_working_day(day, town=town):
            return day
    raise ValueError("no working days found in the calendar table")
