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

Caching, across processes. The table is read once per year and kept in the process, so a list of 50
cases costs at most one query per calendar year shown. Every web worker and the Celery worker keep their
own copy, and a change must reach all of them on their next request or task, not when a timer runs out
(deadlines must not depend on which worker answers). So each copy carries the version token it was read
under; the token lives in the shared cache (Django's default cache: files under var/ for the embedded
default, Redis with CACHE_URL, so every process of the site sees the same one) and is read once at the
start of every request and task (every second outside them: shell, management commands). A committed
change of the table writes a new token (`override_changed`), and a process whose copy carries another
token reads the table again. A token missing from the cache (evicted, cleared, the cache unreachable)
counts as a change, never as "nothing changed"; the copy's age limit (CACHE_SECONDS) is only a backstop.

core imports no domain app: the table (`members.WorkdayOverride`, it belongs to a town) is read through
the source that members registers at start-up (`set_override_source`), and members tells the calendar
when a row changes (`override_changed`, on every save and delete, the admin's included).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable

import chinese_calendar
from celery import signals as celery_signals
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction

CACHE_SECONDS = 300  # a backstop: the shared version token is what makes a change seen everywhere
RECHECK_SECONDS = 1.0  # outside a request or a task, how often the shared token is read again
VERSION_KEY = "core.workdays.version"
_MAX_SCAN_DAYS = 3700  # ten years: a table that marks every day as a holiday must not hang a request

logger = logging.getLogger(__name__)

_lock = threading.Lock()
# year -> (expires_at, token, {(town_id | None, date): is_working_day}, {town_id | None that have rows})
_years: dict[int, tuple[float, str, dict, frozenset]] = {}
# this process changed a row in a transaction that has not committed yet (see begin_unit)
_pending_change = False


class _Unit(threading.local):
    """The request or task this thread serves, and the shared token read for it."""

    active = False
    token: str | None = None
    checked_at = 0.0


_unit = _Unit()


def _read_shared_token() -> str:
    try:
        token = cache.get(VERSION_KEY)
        if token is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
            token = cache.get(VERSION_KEY)
    except Exception:  # the cache is down: read the table afresh for each request rather than trust a copy
        logger.warning("the calendar's version token is unreadable; reading the table afresh", exc_info=True)
        token = None
    # No token: one no copy can carry, so the table is read again (and kept for this request only).
    return token or f"unshared-{uuid.uuid4().hex}"


def _current_token() -> str:
    if _unit.token is None or (not _unit.active and time.monotonic() - _unit.checked_at >= RECHECK_SECONDS):
        _unit.token = _read_shared_token()
        _unit.checked_at = time.monotonic()
    return _unit.token


def begin_unit(*args, **kwargs) -> None:
    """A request or a task starts: the first calendar question in it reads the shared token again."""
    global _pending_change
    _unit.active = True
    _unit.token = None
    if _pending_change and not transaction.get_connection().in_atomic_block:
        # A change made here never committed (a commit clears the flag): the copy read inside that
        # transaction may hold the rolled-back row.
        _pending_change = False
        with _lock:
            _years.clear()


def end_unit(*args, **kwargs) -> None:
    _unit.active = False
    _unit.token = None


def clear_cache(*args, **kwargs) -> None:
    """Forget this process's copy (tests, a new source). Other processes learn of a change by the token."""
    global _pending_change
    with _lock:
        _years.clear()
    _pending_change = False
    _unit.token = None


def _publish_change() -> None:
    """After the commit: a new shared token, so every process reads the table again on its next request."""
    global _pending_change
    _pending_change = False
    with _lock:
        _years.clear()
    _unit.token = None
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.exception("the calendar changed but its version token could not be written to the cache")


def override_changed(*args, **kwargs) -> None:
    """Any save or delete of an override row (services, admin, shell): this process forgets its copy now
    (its own transaction sees the change), and once the transaction commits a new shared token tells the
    other processes. Not before the commit: a process that read the old rows under a new token would keep
    them."""
    global _pending_change
    with _lock:
        _years.clear()
    _pending_change = True
    transaction.on_commit(_publish_change)


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
    token = _current_token()  # before the rows: a change committed meanwhile then shows as a new token
    now = time.monotonic()
    entry = _years.get(year)
    if entry is not None and entry[0] > now and entry[1] == token:
        return entry[2], entry[3]
    rows = _source(year) if _source is not None else ()
    days = {(town_id, date): working for town_id, date, working in rows}
    owners = frozenset(town_id for town_id, _ in days)
    with _lock:
        _years[year] = (now + CACHE_SECONDS, token, days, owners)
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


# Each request and each Celery task reads the shared token once, at its first calendar question.
request_started.connect(begin_unit, dispatch_uid="core.workdays.begin_unit")
request_finished.connect(end_unit, dispatch_uid="core.workdays.end_unit")
celery_signals.task_prerun.connect(begin_unit, dispatch_uid="core.workdays.begin_unit")
celery_signals.task_postrun.connect(end_unit, dispatch_uid="core.workdays.end_unit")
