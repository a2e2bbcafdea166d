"""保存期限 — how long each kind of personal data outside the domain records is kept, and its nightly purge.

| data                                   | kept                                    | then                         |
| audit trail, access log (core.audit)   | AUDIT_RETENTION_DAYS (365, ≥ 180)       | deleted (core.audit)         |
| roster upload rows and row errors      | ROSTER_IMPORT_RETENTION_DAYS (30)       | blanked, summary kept        |
| read notifications                     | NOTIFICATION_RETENTION_DAYS (365)       | deleted                      |
| sessions                               | until they expire (SESSION_COOKIE_AGE)  | deleted                      |
| axes login attempts and logs           | AXES_LOG_RETENTION_DAYS (180)           | deleted                      |

`PERSONAL_DATA_RETENTION` is the registry of every field of the project apps that holds personal data and
the kind of retention it has (`RETENTION_KINDS`, including the domain apps' own purges: closed cases,
diary and forum lines, the love supermarket, pairings, the skills directory); `PERSONAL_DATA_KEPT` lists
the fields that look personal but are deliberately kept, each with its reason.
tests/security/test_retention_registry.py walks the models so no new personal field goes unregistered.

Each purge is one set-based statement per table (a constant number of queries whatever the number of
rows), removes only what is past its period and is idempotent. The domain apps register their kinds,
fields and purges (called with `now=`) through `register()` from their AppConfig.ready(): core imports no
domain app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from importlib import import_module
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone

from . import audit
from .models import Notification, OutboxMessage

DEFAULT_NOTIFICATION_RETENTION_DAYS = 365
DEFAULT_AXES_LOG_RETENTION_DAYS = 180


# ------------------------------------------------------------------------------------------ registry


class RetentionKind(NamedTuple):
    kept: str  # how long, and where the period is set
    then: str  # what happens to the data afterwards
    purges: tuple[Callable, ...]  # the functions that carry it out, each run by a nightly job


# Filled by `register()`: core's own entries below, each domain app's from its AppConfig.ready() (core
# imports no domain app, so it cannot name their purges or fields itself).
RETENTION_KINDS: dict[str, RetentionKind] = {}
# "app_label.Model.field" → kind. Free text (a case's content, what a diary heard) is not listed: it stays,
# with numbers masked wherever it is shown publicly.
PERSONAL_DATA_RETENTION: dict[str, str] = {}
# Fields whose names look personal but that are kept on purpose, each with the reason.
PERSONAL_DATA_KEPT: dict[str, str] = {}
# The purges `purge_all` runs every night (core's, then the apps' in registration order). Purges with a
# nightly task of their own (the audit trail's, closed cases') are not listed here.
NIGHTLY_PURGES: list[Callable] = []

# Reasons shared by the apps' PERSONAL_DATA_KEPT entries.
NOT_A_PERSON = "names a place, organisation, post, programme, item or holiday, not a person"


def register(
    *,
    kinds: dict[str, RetentionKind] | None = None,
    personal_data: dict[str, str] | None = None,
    kept: dict[str, str] | None = None,
    nightly_purges: tuple[Callable, ...] = (),
) -> None:
    """An app declares its kinds of personal data, its fields, the fields it keeps on purpose, and the
    purges `purge_all` runs for it. Idempotent (a second registration of the same entries changes nothing)."""
    RETENTION_KINDS.update(kinds or {})
    PERSONAL_DATA_RETENTION.update(personal_data or {})
    PERSONAL_DATA_KEPT.update(kept or {})
    for purge in nightly_purges:
        if purge not in NIGHTLY_PURGES:
            NIGHTLY_PURGES.append(purge)


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


def purge_outbox(*, now: dt.datetime) -> dict:
    """Delete outbox messages published more than OUTBOX_RETENTION_DAYS ago (they hold ids, not personal
    data; undelivered ones stay)."""
    days = int(getattr(settings, "OUTBOX_RETENTION_DAYS", 30))
    old = OutboxMessage.objects.filter(dispatched_at__lt=now - dt.timedelta(days=days))
    count = old._raw_delete(old.db) or 0
    return {"outbox_messages": count}


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


CORE_PURGES = (purge_notifications, purge_outbox, purge_sessions, purge_axes_logs)

register(
    kinds={
        "notification": RetentionKind(
            "NOTIFICATION_RETENTION_DAYS (365) once read", "deleted", (purge_notifications,)
        ),
        "audit": RetentionKind(
            "AUDIT_RETENTION_DAYS (365, never under 180)", "deleted", (audit.purge_expired,)
        ),
    },
    personal_data={
        "core.Notification.recipient": "notification",
        "core.AuditEvent.ip": "audit",
        "core.AccessLog.ip": "audit",
    },
    nightly_purges=CORE_PURGES,
)


def purge_all(today: dt.date | None = None) -> dict:
    """Run every nightly purge (core's, then the domain apps' registered ones); one audit summary."""
    now = _now(today)
    result: dict = {}
    for purge in NIGHTLY_PURGES:
        result.update(purge(now=now))
    audit.record(
        action="retention_purged",
        reason="个人信息超过保存期限",
        extra={**result, "as_of": now.isoformat()},
    )
    return result
