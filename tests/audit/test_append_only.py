"""The trail is append-only: the ORM refuses updates and deletes, PostgreSQL refuses them too, and the one
way out is the retention purge of rows older than AUDIT_RETENTION_DAYS (never fewer than 180)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from core import audit
from core.models import AccessLog, AuditEvent
from core.tasks import purge_expired_audit_rows
from tests.audit.conftest import events, mark

T0 = dt.datetime(2026, 10, 8, 9, 0, tzinfo=dt.UTC)  # the day after the National Day holiday


@pytest.fixture
def event(db):
    return audit.record(action="test", reason="一条记录")


def test_an_audit_row_cannot_be_changed_or_deleted_through_the_orm(event):
    event.reason = "改过"
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).update(reason="改过")
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.bulk_update([event], ["reason"])
    event.refresh_from_db()
    assert event.reason == "一条记录"


def test_an_access_log_row_cannot_be_changed_either(db):
    row = audit.record_access(what="export", description="花名册导出")
    with pytest.raises(TypeError):
        AccessLog.objects.filter(pk=row.pk).update(reason="x")
    with pytest.raises(TypeError):
        row.delete()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_refuses_raw_updates_and_deletes_of_the_trail():
    event = audit.record(action="test", reason="原文")
    access = audit.record_access(what="print", description="聘书")
    for sql, params in [
        ("UPDATE core_auditevent SET reason = 'forged' WHERE id = %s", [event.pk]),
        ("DELETE FROM core_auditevent WHERE id = %s", [event.pk]),
        ("UPDATE core_accesslog SET actor_label = 'someone' WHERE id = %s", [access.pk]),
        ("DELETE FROM core_accesslog WHERE id = %s", [access.pk]),
    ]:
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, params)
    event.refresh_from_db()
    assert event.reason == "原文" and AccessLog.objects.filter(pk=access.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_purge_switch_does_not_outlive_its_transaction():
    with time_machine.travel(T0 - dt.timedelta(days=400)):
        old = audit.record(action="test")
    with time_machine.travel(T0):
        audit.purge_expired()
    survivor = audit.record(action="test")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [survivor.pk])
    assert not AuditEvent.objects.filter(pk=old.pk).exists()


def test_the_purge_removes_only_rows_past_the_retention_period_and_records_itself(db, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    with time_machine.travel(T0 - dt.timedelta(days=366)):
        expired = audit.record(action="test", reason="一年多以前")
        expired_access = audit.record_access(what="export")
    with time_machine.travel(T0 - dt.timedelta(days=364)):
        kept = audit.record(action="test", reason="一年以内")
        kept_access = audit.record_access(what="export")

    with time_machine.travel(T0):
        start = mark()
        result = purge_expired_audit_rows.delay().get()

    assert result["audit_events"] == 1 and result["access_logs"] == 1
    assert not AuditEvent.objects.filter(pk=expired.pk).exists()
    assert not AccessLog.objects.filter(pk=expired_access.pk).exists()
    assert (
        AuditEvent.objects.filter(pk=kept.pk).exists()
        and AccessLog.objects.filter(pk=kept_access.pk).exists()
    )
    [summary] = events(start, action="audit_purged")
    assert summary.actor_label == "celery:purge_expired_audit_rows" and "365" in summary.reason


def test_a_retention_shorter_than_180_days_is_refused_at_start_up(settings):
    settings.AUDIT_RETENTION_DAYS = 179
    with pytest.raises(ImproperlyConfigured, match="180"):
        audit.check_settings()
    settings.AUDIT_RETENTION_DAYS = 180
    audit.check_settings()


def test_deleting_an_account_leaves_its_trail_untouched(cast):
    user = cast.outsider
    user_id = user.pk
    event = audit.record(action="test", actor=user)
    user.delete()
    event.refresh_from_db()
    assert event.actor_id == user_id and event.actor_label == "oscar"


def test_audit_rows_are_timestamped_by_the_server(db):
    before = timezone.now()
    event = audit.record(action="test")
    assert before <= event.at <= timezone.now()
