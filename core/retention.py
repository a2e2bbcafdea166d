"""保存期限 — how long each kind of personal data outside the domain records is kept, and its nightly purge.

| data                                   | kept                                    | then                         |
| audit trail, access log (core.audit)   | AUDIT_RETENTION_DAYS (365, ≥ 180)       | deleted (core.audit)         |
| roster upload rows and row errors      | ROSTER_IMPORT_RETENTION_DAYS (30)       | blanked, summary kept        |
| read notifications                     | NOTIFICATION_RETENTION_DAYS (365)       | deleted                      |
| sessions                               | until they expire (SESSION_COOKIE_AGE)  | deleted                      |
| axes login attempts and logs           | AXES_LOG_RETENTION_DAYS (180)           | deleted                      |

Each purge is one set-based statement per table (a constant number of queries whatever the number of
rows), removes only what is past its period and is idempotent. Purges of the domain apps are named in
settings.RETENTION_PURGES (dotted paths, called with `now=`): core imports no domain app.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from . import audit
from .models import Notification

DEFAULT_NOTIFICATION_RETENTION_DAYS = 365
DEFAULT_AXES_LOG_RETENTION_DAYS = 180


def _now(today: dt.date | None) -> dt.datetime:
    """Midnight (local) at the start of `today`, or now: periods are counted back from there."""
    if today is None:
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(today, dt.time.min))


def purge_notifications(*, now: dt.datetime) -> dict:
    """Delete notifications read and created more than NOTIFICATION_RETENTION_DAYS ago (unread ones stay)."""
    days = int(getattr(settings, "NOTIFICATION_RETENTION_DAYS", DEFAULT_NOTIFICATION_RETENTION_DAYS))
    cutoff = now - dt.timedelta(days=days)
    old = Notification.objects.filter(read_at__isnull=False, created_at__lt=cutoff)
    # No cascades and no signals to honour: the raw delete is one statement.
    count = old._raw_delete(old.db) or 0
    return {"notifications": count}


def purge_sessions(*, now: dt.datetime) -> dict:
    """What `manage.py clearsessions` does: expired sessions leave the session store."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    return {"sessions": "cleared"}


def purge_axes_logs(*, now: dt.datetime) -> dict:
    """Delete axes' login attempts, access logs and failure logs older than AXES_LOG_RETENTION_DAYS."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    days = int(getattr(settings, "AXES_LOG_RETENTION_DAYS", DEFAULT_AXES_LOG_RETENTION_DAYS))
    cutoff = now - dt.timedelta(days=days)
    result = {}
    for key, model in (
        ("axes_attempts", AccessAttempt),
        ("axes_access_logs", AccessLog),
        ("axes_failure_logs", AccessFailureLog),
    ):
        old = model.objects.filter(attempt_time__lt=cutoff)
        result[key] = old._raw_delete(old.db) or 0
    return result


CORE_PURGES = (purge_notifications, purge_sessions, purge_axes_logs)


def purge_all(today: dt.date | None = None) -> dict:
    """Run every purge (core's, then the domain apps' from settings.RETENTION_PURGES); one audit summary."""
    now = _now(today)
    result: dict = {}
    for purge in (*CORE_PURGES, *(import_string(path) for path in settings.RETENTION_PURGES)):
        result.update(purge(now=now))
    audit.record(
        action="retention_purged",
        reason="个人信息超过保存期限",
        extra={**result, "as_of": now.isoformat()},
    )
    return result
