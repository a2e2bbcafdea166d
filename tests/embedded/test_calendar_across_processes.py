"""A working-day entry reaches every web worker and the Celery worker on their next request or task.

Each process keeps its own copy of the calendar table (core.workdays); the copy carries a version token
kept in the shared cache, which a committed change replaces. Two real processes of a served site (product
settings: the file cache under VAR_DIR, one SQLite file) stand for two gunicorn workers.
"""

import datetime as dt
import secrets
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from core import workdays
from members.models import WorkdayOverride

from .server import ROOT, product_env

TUESDAY = "2026-12-01"  # an ordinary working day in the library's calendar


class Process:
    def __init__(self, env):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.embedded.calendar_process"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def __call__(self, command: str) -> str:
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        out = self.proc.stdout.readline().strip()
        if not out:
            raise AssertionError(f"{command!r}: no answer\n{self.proc.stderr.read()}")
        return out

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@pytest.fixture
def two_workers(tmp_path):
    env = product_env(tmp_path, SECRET_KEY=secrets.token_urlsafe(50))
    a, b = Process(env), Process(env)
    assert a("schema") == "ok"
    yield a, b
    a.close()
    b.close()


def test_a_holiday_entered_through_one_worker_is_seen_by_the_other_on_its_next_request(two_workers):
    a, b = two_workers
    # Given both workers have answered for the Tuesday, so both hold the year's copy
    assert a(f"ask {TUESDAY}") == "1"
    assert b(f"ask {TUESDAY}") == "1"
    # When worker B enters the Tuesday as a holiday
    assert b(f"holiday {TUESDAY}") == "ok"
    # Then worker A's next request, and the Celery worker's next task, already count it as a holiday
    assert a(f"ask {TUESDAY}") == "0"
    assert a(f"task-ask {TUESDAY}") == "0"
    assert b(f"ask {TUESDAY}") == "0"
    # And its removal reaches them the same way
    assert a(f"remove {TUESDAY}") == "ok"
    assert b(f"ask {TUESDAY}") == "1"
    assert a(f"ask {TUESDAY}") == "1"


# In one process (the test database, the test's local-memory cache): how the token is read and written.


def test_a_change_is_published_only_when_its_transaction_commits(db, django_capture_on_commit_callbacks):
    workdays.clear_cache()
    workdays.begin_unit()
    before = cache.get(workdays.VERSION_KEY) or workdays._current_token()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        WorkdayOverride.objects.create(date=dt.date(2026, 12, 1), is_working_day=False, name="测试")
    # this process sees its own change at once; the shared token is unchanged until the commit
    assert not workdays.is_working_day(dt.date(2026, 12, 1))
    assert cache.get(workdays.VERSION_KEY) == before
    for callback in callbacks:
        callback()
    assert cache.get(workdays.VERSION_KEY) not in (None, before)
    workdays.end_unit()


def test_a_token_missing_from_the_shared_cache_counts_as_a_change(db):
    workdays.clear_cache()
    workdays.begin_unit()
    assert workdays.is_working_day(dt.date(2026, 12, 1))  # the copy is read
    # A row written behind the calendar's back (no signal), and the token lost (evicted, cache cleared)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_workdayoverride (date, is_working_day, name, town_id, updated_at) "
            "VALUES (%s, %s, '', NULL, %s)",
            [dt.date(2026, 12, 1), False, timezone.now()],
        )
    cache.delete(workdays.VERSION_KEY)
    workdays.end_unit()
    # The next request reads the table again rather than trust its copy
    workdays.begin_unit()
    assert not workdays.is_working_day(dt.date(2026, 12, 1))
    workdays.end_unit()


def test_within_one_request_the_token_is_read_once(db, django_assert_num_queries):
    workdays.clear_cache()
    workdays.begin_unit()
    with django_assert_num_queries(1):  # the year's rows, once
        for n in range(30):
            workdays.add_working_days(dt.date(2026, 3, 2), n % 10)
    workdays.end_unit()
