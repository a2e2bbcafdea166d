"""The Celery app, and the default of every periodic job of the product, declared here in one place.

The jobs run from django-celery-beat's DatabaseScheduler (settings.CELERY_BEAT_SCHEDULER): the schedule lives
in the database, where an administrator sees, pauses and re-times each job in the admin (周期任务). The
table below is only the default: `seed_periodic_tasks` (after every `migrate`) creates the jobs that are
missing — a crontab in Asia/Shanghai — and keeps the task path and description of existing ones up to date,
but never resets a schedule or an on/off switch an administrator changed. It is deliberately not
`app.conf.beat_schedule`: django-celery-beat writes that dict over the database on every start of beat.

After downtime each missed job runs once: beat keeps each job's `last_run_at` in the database, and a crontab
whose last run is older than its latest due time is due at once — one run, however many were missed; then
it is back on its times. Every job is idempotent per day (dedupe keys, unique keys), so that run, a
redelivered message or a second run the same day changes nothing more.
"""

import os

from celery import Celery, signals
from celery.schedules import crontab
from django.db.models.signals import post_migrate

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("minqing")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

DEFAULT_PERIODIC_TASKS = {
    # members
    "officer-vacancy-alerts": {
        "task": "members.tasks.alert_officer_vacancies",
        "schedule": crontab(hour=8, minute=0),
    },
    # volunteering, cases and evaluations add their schedules below.
    # cases: overdue cases and mailboxes not opened on the previous working day → secretaries, each morning
    "cases-daily-supervision": {
        "task": "cases.tasks.daily_supervision_alerts",
        "schedule": crontab(hour=7, minute=30),
    },
    # cases: residents' name, phone, address and photos leave cases closed longer than the community's
    # retention period (PIPL); one set-based update per community, idempotent.
    "cases-retention-anonymise": {
        "task": "cases.tasks.anonymise_closed_cases",
        "schedule": crontab(hour=2, minute=30),
    },
    # core: the outbox relay publishes side effects a broker outage held back (core.outbox); each message
    # is published once it is due (backoff per message), under a row lock.
    "core-outbox-relay": {
        "task": "core.tasks.relay_outbox",
        "schedule": 30.0,
    },
    # core: audit trail and access log rows older than AUDIT_RETENTION_DAYS (at least 180 days).
    "core-audit-purge": {
        "task": "core.tasks.purge_expired_audit_rows",
        "schedule": crontab(hour=3, minute=15),
    },
    # core: roster upload rows, read notifications, expired sessions and axes logs past their retention period
    # (core.retention), and the domain apps' purges listed in settings.RETENTION_PURGES: diary and forum lines
    # that never became a case, love supermarket names, ended pairings, withdrawn skill listings' phones.
    "core-retention-purge": {
        "task": "core.tasks.purge_expired_personal_data",
        "schedule": crontab(hour=3, minute=45),
    },
    # volunteering: remind members behind the yearly requirement in the last quarter (the task sends at most
    # one reminder per member per quarter, so the 1st and 15th runs only catch members who fell behind since).
    "volunteering-requirement-reminders": {
        "task": "volunteering.tasks.remind_members_behind_requirement",
        "schedule": crontab(hour=9, minute=30, day_of_month="1,15", month_of_year="10-12"),
    },
    # evaluations (appraisal): 民主评议 past their closing date are closed, just after midnight.
    "evaluations-close-past-due-appraisals": {
        "task": "evaluations.tasks.close_past_due_appraisals",
        "schedule": crontab(hour=0, minute=20),
    },
    # employer: remind employer liaisons of feedback sheets not acknowledged within 10 working days (one
    # reminder per liaison, community, year and employer ever: the dedupe key)
    "evaluations-sheet-ack-reminders": {
        "task": "evaluations.tasks.remind_unacknowledged_sheets",
        "schedule": crontab(hour=9, minute=0),
    },
    # supervision: 督办单 — orders of resolved cases closed, overdue orders escalated, overdue cases ordered,
    # addressees told; each working morning of the town's calendar (the task checks), idempotent per day.
    "supervision-daily-sweep": {
        "task": "supervision.tasks.supervision_sweep",
        "schedule": crontab(hour=7, minute=45),
    },
    # supervision: the working day before a case's deadline its assignee is reminded (once per day).
    "supervision-due-soon-reminders": {
        "task": "supervision.tasks.due_soon_reminders",
        "schedule": crontab(hour=8, minute=15),
    },
}
DESCRIPTIONS = {
    "officer-vacancy-alerts": "民情信息员缺额提醒（书记、办公室主任）",
    "cases-daily-supervision": "超期民情件与未开箱信箱晨间提醒（书记、办公室主任）",
    "cases-retention-anonymise": "归档民情件到期删除反映人个人信息",
    "core-audit-purge": "清理过期审计日志与访问日志",
    "core-retention-purge": "清理过期个人信息（花名册上传、已读通知等）",
    "volunteering-requirement-reminders": "第四季度提醒未达年度志愿服务要求的党员",
    "evaluations-close-past-due-appraisals": "关闭已过截止日期的民主评议",
    "evaluations-sheet-ack-reminders": "提醒单位党组织签收反馈单",
    "supervision-daily-sweep": "督办单：下发、升级、销号并通知承办人",
    "supervision-due-soon-reminders": "民情件到期前一个工作日提醒承办人",
    "core-outbox-relay": "投递因消息队列中断而暂存的后台任务（发件箱）",
}


def seed_periodic_tasks(**kwargs) -> dict:
    """Create the missing default jobs (crontab in the project's time zone) and refresh the task path and
    description of the existing ones; an administrator's schedule and on/off switch are left alone."""
    from django.conf import settings
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    created = updated = 0
    for name, entry in DEFAULT_PERIODIC_TASKS.items():
        schedule = entry["schedule"]
        task = PeriodicTask.objects.filter(name=name).first()
        if task is None and isinstance(schedule, int | float):  # every N seconds (the outbox relay)
            interval, _ = IntervalSchedule.objects.get_or_create(
                every=int(schedule), period=IntervalSchedule.SECONDS
            )
            PeriodicTask.objects.create(
                name=name, task=entry["task"], interval=interval, description=DESCRIPTIONS.get(name, "")
            )
            created += 1
        elif task is None:
            crontab_row, _ = CrontabSchedule.objects.get_or_create(
                minute=_field(schedule._orig_minute),
                hour=_field(schedule._orig_hour),
                day_of_week=_field(schedule._orig_day_of_week),
                day_of_month=_field(schedule._orig_day_of_month),
                month_of_year=_field(schedule._orig_month_of_year),
                timezone=settings.CELERY_TIMEZONE,
            )
            PeriodicTask.objects.create(
                name=name, task=entry["task"], crontab=crontab_row, description=DESCRIPTIONS.get(name, "")
            )
            created += 1
        elif task.task != entry["task"] or task.description != DESCRIPTIONS.get(name, task.description):
            task.task = entry["task"]
            task.description = DESCRIPTIONS.get(name, task.description)
            task.save(update_fields=["task", "description"])
            updated += 1
    return {"created": created, "updated": updated}


def _field(value) -> str:
    return str(value)


def _seed_after_migrate(sender, **kwargs):
    if getattr(sender, "label", None) == "django_celery_beat":
        seed_periodic_tasks()


post_migrate.connect(_seed_after_migrate, dispatch_uid="config.celery.seed_periodic_tasks")


@app.on_after_configure.connect
def _ensure_filesystem_folders(sender, **kwargs):
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)


@signals.setup_logging.connect
def _use_django_logging(**kwargs):
    """The worker and beat log through settings.LOGGING, like the web processes.

    Left to itself Celery replaces the root logger's handlers with its own, and with them the filters
    that mask phone and ID numbers and tag the request id (core.security): a task that logged a
    resident's number would write it to var/log/worker.log in full. A receiver here makes Celery skip
    its own set-up.
    """
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
