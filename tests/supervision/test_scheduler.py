"""The periodic jobs live in django-celery-beat's tables: seeded after migrate, edited in the admin, a missed
run caught up once after downtime."""

import datetime as dt
import zoneinfo
from html.parser import HTMLParser

import time_machine
from django_celery_beat.models import CrontabSchedule, PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler, ModelEntry

from config.celery import DEFAULT_PERIODIC_TASKS, app, seed_periodic_tasks

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_every_default_job_is_in_the_database_on_shanghai_time(db):
    jobs = {t.name: t for t in PeriodicTask.objects.select_related("crontab")}
    assert set(DEFAULT_PERIODIC_TASKS) <= set(jobs)
    sweep = jobs["supervision-daily-sweep"]
    assert sweep.task == "supervision.tasks.supervision_sweep" and sweep.enabled
    assert (sweep.crontab.hour, sweep.crontab.minute, str(sweep.crontab.timezone)) == (
        "7",
        "45",
        "Asia/Shanghai",
    )
    q4 = jobs["volunteering-requirement-reminders"].crontab
    assert (q4.day_of_month, q4.month_of_year) == ("1,15", "10-12")
    assert app.conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    assert not app.conf.beat_schedule  # beat would write it over the administrator's changes on every start


def test_seeding_again_keeps_an_administrators_pause_and_new_time(db):
    job = PeriodicTask.objects.get(name="supervision-daily-sweep")
    job.enabled = False
    job.crontab = CrontabSchedule.objects.create(minute="30", hour="6", timezone="Asia/Shanghai")
    job.save()
    PeriodicTask.objects.filter(name="core-audit-purge").delete()
    assert seed_periodic_tasks() == {"created": 1, "updated": 0}
    job.refresh_from_db()
    assert (job.enabled, job.crontab.hour, job.crontab.minute) == (False, "6", "30")
    assert PeriodicTask.objects.filter(name="core-audit-purge").exists()


class _FormValues(HTMLParser):
    """The values a browser would submit from a page's form (inputs, selected options, textareas)."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "checkbox", "file"):
            self.data[a["name"]] = a.get("value") or ""
        elif tag == "input" and a.get("type") == "checkbox" and a.get("name") and "checked" in a:
            self.data[a["name"]] = a.get("value") or "on"
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value") or ""
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.data[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def form_values(html: str) -> dict:
    parser = _FormValues()
    parser.feed(html)
    return parser.data


def test_an_administrator_pauses_and_retimes_a_job_in_the_admin(admin_client):
    job = PeriodicTask.objects.select_related("crontab").get(name="supervision-daily-sweep")
    crontab = job.crontab
    url = f"/admin/django_celery_beat/crontabschedule/{crontab.pk}/change/"
    form = {**form_values(admin_client.get(url).content.decode()), "minute": "61"}
    refused = admin_client.post(url, form)
    assert refused.status_code == 200  # the form again, with the error
    assert refused.context["adminform"].form.errors["minute"]
    crontab.refresh_from_db()
    assert crontab.minute == "45"  # nothing saved
    assert admin_client.post(url, {**form, "minute": "5"}).status_code == 302
    crontab.refresh_from_db()
    assert (crontab.hour, crontab.minute) == ("7", "5")
    # pause it: the task's own change form, `enabled` unticked
    task_url = f"/admin/django_celery_beat/periodictask/{job.pk}/change/"
    task_form = form_values(admin_client.get(task_url).content.decode())
    task_form.pop("enabled", None)
    assert admin_client.post(task_url, task_form).status_code == 302
    job.refresh_from_db()
    assert not job.enabled
    listing = admin_client.get("/admin/django_celery_beat/periodictask/")
    assert "supervision-daily-sweep" in listing.content.decode()


def test_a_job_missed_during_downtime_runs_once_when_beat_comes_back(db):
    job = PeriodicTask.objects.get(name="supervision-daily-sweep")
    # beat last ran it on Monday 7:45; the server was down Tuesday and Wednesday
    job.last_run_at = dt.datetime(2026, 10, 12, 7, 45, tzinfo=SH)
    job.save()
    with time_machine.travel(dt.datetime(2026, 10, 14, 10, 0, tzinfo=SH), tick=False):
        entry = ModelEntry(job, app=app)
        due, _ = entry.is_due()
        assert due  # once, at start-up …
        entry = next(entry)  # what beat does after sending it (last_run_at = now)
        again, wait = entry.is_due()
        assert not again  # … then not before tomorrow 7:45
        assert 21 * 3600 - 60 <= wait <= 21 * 3600 + 60 + 45 * 60


def test_beat_reads_the_jobs_from_the_database_and_skips_a_paused_one(db):
    # (the scheduler loads the crontab jobs of the hours around now: 7:40 in Shanghai)
    with time_machine.travel(dt.datetime(2026, 10, 14, 7, 40, tzinfo=SH), tick=False):
        assert "supervision-daily-sweep" in DatabaseScheduler(app=app, lazy=True).all_as_schedule()
        PeriodicTask.objects.filter(name="supervision-daily-sweep").update(enabled=False)
        assert "supervision-daily-sweep" not in DatabaseScheduler(app=app, lazy=True).all_as_schedule()
