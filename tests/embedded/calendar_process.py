"""One served process of the site, driven line by line over stdin, for test_calendar_across_processes.py.

    python -m tests.embedded.calendar_process      (cwd: the project; environment: a served site's)

Each command runs the way a web request (or a Celery task) would, between the signals Django (Celery)
sends around it, and prints one line:
    schema                  create the tables (from the models, without running the migrations)
    ask 2026-12-01          "1" if a working day, "0" if not        (a request)
    task-ask 2026-12-01     the same inside a Celery task
    holiday 2026-12-01      enter a nationwide holiday (a row saved, as the admin or a service does)
    remove 2026-12-01       delete that row
"""

import datetime as dt
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from celery import signals as celery_signals  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402

from core import workdays  # noqa: E402
from members.models import WorkdayOverride  # noqa: E402


def as_request(work, *args, **kwargs):
    request_started.send(sender=None)
    try:
        return work(*args, **kwargs)
    finally:
        request_finished.send(sender=None)


def as_task(work, *args, **kwargs):
    celery_signals.task_prerun.send(sender=None, task_id="t", task=None, args=(), kwargs={})
    try:
        return work(*args, **kwargs)
    finally:
        celery_signals.task_postrun.send(sender=None, task_id="t", task=None, args=(), kwargs={})


class _NoMigrations(dict):
    def __contains__(self, app_label):
        return True

    def __getitem__(self, app_label):
        return None


def create_tables() -> None:
    """Every table straight from the models (as pytest-django's --nomigrations): seconds, not a minute."""
    settings.MIGRATION_MODULES = _NoMigrations()
    call_command("migrate", run_syncdb=True, verbosity=0)


def remove(day: dt.date) -> None:
    for row in WorkdayOverride.objects.filter(date=day):
        row.delete()  # one by one, as the admin and the service do: each sends post_delete


def main() -> None:
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        day = dt.date.fromisoformat(arg) if arg else None
        if command == "schema":
            create_tables()
            out = "ok"
        elif command == "ask":
            out = "1" if as_request(workdays.is_working_day, day) else "0"
        elif command == "task-ask":
            out = "1" if as_task(workdays.is_working_day, day) else "0"
        elif command == "holiday":
            as_request(WorkdayOverride.objects.create, date=day, is_working_day=False, name="测试")
            out = "ok"
        elif command == "remove":
            as_request(remove, day)
            out = "ok"
        else:
            out = f"unknown command {command!r}"
        print(out, flush=True)


if __name__ == "__main__":
    main()
