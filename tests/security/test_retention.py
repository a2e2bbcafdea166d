"""Each kind of personal data has a retention period (core.retention, members.retention).

Every purge removes only what is past its period, is idempotent, and runs a constant number of queries
whatever the number of rows.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import retention
from core.models import AuditEvent, Notification
from core.tasks import purge_expired_personal_data
from members.models import ImportStatus, RosterImport
from members.retention import purge_roster_imports
from tests import factories as f

SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 11, 26)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SH)


def days_ago(n: int) -> dt.datetime:
    return at(TODAY - dt.timedelta(days=n))


def upload(town, community, *, days: int) -> RosterImport:
    with time_machine.travel(days_ago(days), tick=False):
        return RosterImport.objects.create(
            town=town,
            community=community,
            filename="花名册.xlsx",
            status=ImportStatus.PREVIEW,
            rows=[{"id_number": f.make_id_number(901), "name": "导入人员"}],
            errors=[{"row": 2, "column": "身份证号码", "message": "110101199001019012 重复"}],
            summary={"rows": 1, "errors": 1},
        )


def notification(user, *, days: int, read: bool, key: str) -> Notification:
    with time_machine.travel(days_ago(days), tick=False):
        return Notification.objects.create(
            recipient=user, kind="test", title=key, dedupe_key=key, read_at=days_ago(days) if read else None
        )


def attempt(model, *, days: int, username: str = "alice"):
    with time_machine.travel(days_ago(days), tick=False):
        extra = {"failures_since_start": 1} if model is AccessAttempt else {}
        return model.objects.create(
            username=username, ip_address="10.0.0.1", user_agent="ua", path_info="/login/", **extra
        )


@pytest.fixture
def place(db):
    community = f.CommunityFactory()
    return community.town, community


@pytest.fixture(autouse=True)
def _on_today():
    with time_machine.travel(at(TODAY, 3), tick=False):
        yield


def test_roster_uploads_older_than_thirty_days_lose_their_rows_and_errors_but_keep_the_summary(
    place, settings
):
    # Given an upload 31 days old and one 29 days old
    settings.ROSTER_IMPORT_RETENTION_DAYS = 30
    old, recent = upload(*place, days=31), upload(*place, days=29)

    # When the nightly purge runs
    result = retention.purge_all(today=TODAY)

    # Then only the old one is blanked and marked
    old.refresh_from_db()
    recent.refresh_from_db()
    assert result["roster_imports"] == 1
    assert (old.rows, old.errors, old.summary) == ([], [], {"rows": 1, "errors": 1})
    assert old.purged_at is not None
    assert recent.rows and recent.errors and recent.purged_at is None


def test_a_purged_roster_upload_can_no_longer_be_committed(place):
    from core.errors import Conflict
    from members.roster import roster_import_commit

    old = upload(*place, days=40)
    retention.purge_all(today=TODAY)
    old.refresh_from_db()
    with pytest.raises(Conflict):
        roster_import_commit(roster_import=old, by=f.UserFactory(is_superuser=True))


def test_read_notifications_past_their_period_are_deleted_unread_ones_stay(place, settings):
    settings.NOTIFICATION_RETENTION_DAYS = 365
    user = f.UserFactory()
    old_read = notification(user, days=366, read=True, key="old-read")
    old_unread = notification(user, days=400, read=False, key="old-unread")
    recent_read = notification(user, days=300, read=True, key="recent-read")

    result = retention.purge_all(today=TODAY)

    assert result["notifications"] == 1
    assert set(Notification.objects.values_list("pk", flat=True)) == {old_unread.pk, recent_read.pk}
    assert not Notification.objects.filter(pk=old_read.pk).exists()


def test_expired_sessions_are_cleared(db):
    Session.objects.create(session_key="expired", session_data="x", expire_date=at(TODAY, 1))
    Session.objects.create(session_key="live", session_data="x", expire_date=at(TODAY, 5))

    retention.purge_all(today=TODAY)

    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]


def test_axes_attempts_and_logs_older_than_180_days_are_deleted(db, settings):
    settings.AXES_LOG_RETENTION_DAYS = 180
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        attempt(model, days=181, username="old")
        attempt(model, days=179, username="recent")

    result = retention.purge_all(today=TODAY)

    assert (result["axes_attempts"], result["axes_access_logs"], result["axes_failure_logs"]) == (1, 1, 1)
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        assert list(model.objects.values_list("username", flat=True)) == ["recent"]


def test_the_purge_is_idempotent_and_leaves_one_audit_summary_per_run(place):
    user = f.UserFactory()
    upload(*place, days=60)
    notification(user, days=500, read=True, key="n")
    attempt(AccessLog, days=200)

    first = retention.purge_all(today=TODAY)
    second = retention.purge_all(today=TODAY)

    assert (first["roster_imports"], first["notifications"], first["axes_access_logs"]) == (1, 1, 1)
    assert (second["roster_imports"], second["notifications"], second["axes_access_logs"]) == (0, 0, 0)
    assert AuditEvent.objects.filter(action="retention_purged").count() == 2
    assert AuditEvent.objects.filter(action="bulk_roster_imports_purged").count() == 1


def _queries(today) -> int:
    with CaptureQueriesContext(connection) as ctx:
        retention.purge_all(today=today)
    return len(ctx)


def test_the_number_of_queries_does_not_depend_on_the_number_of_rows(place):
    user = f.UserFactory()

    def fill(n, tag):
        for i in range(n):
            upload(*place, days=60)
            notification(user, days=500, read=True, key=f"{tag}-{i}")
            for model in (AccessAttempt, AccessLog, AccessFailureLog):
                attempt(model, days=200, username=f"{tag}-{i}")

    fill(1, "a")
    one = _queries(TODAY)
    fill(8, "b")
    many = _queries(TODAY)

    assert one == many
    assert RosterImport.objects.filter(purged_at__isnull=True).count() == 0


def test_the_roster_purge_alone_is_one_update(place):
    upload(*place, days=60)
    upload(*place, days=60)
    with CaptureQueriesContext(connection) as ctx:
        assert purge_roster_imports(now=at(TODAY, 0))["roster_imports"] == 2
    updates = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1


def test_the_nightly_task_runs_every_purge(place):
    upload(*place, days=60)
    result = purge_expired_personal_data.delay().get()
    assert result["roster_imports"] == 1
    assert AuditEvent.objects.filter(action="retention_purged", actor_label__contains="celery").exists()


def test_the_nightly_purge_is_on_the_beat_schedule():
    from config.celery import DEFAULT_PERIODIC_TASKS

    tasks = {entry["task"] for entry in DEFAULT_PERIODIC_TASKS.values()}
    assert "core.tasks.purge_expired_personal_data" in tasks
