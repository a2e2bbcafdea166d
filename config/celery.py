"""The Celery app. Every periodic schedule of the product is declared here, in one place."""

import os

from celery import Celery, signals
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("minqing")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
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
}


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
