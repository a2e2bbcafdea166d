"""The Celery app. Every periodic schedule of the product is declared here, in one place."""

import os

from celery import Celery
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
}


@app.on_after_configure.connect
def _ensure_filesystem_folders(sender, **kwargs):
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)
