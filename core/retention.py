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
rows), removes only what is past its period and is idempotent. Purges of the domain apps are named in
settings.RETENTION_PURGES (dotted paths, called with `now=`): core imports no domain app.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from . import audit
from .models import Notification

DEFAULT_NOTIFICATION_RETENTION_DAYS = 365
DEFAULT_AXES_LOG_RETENTION_DAYS = 180


# ------------------------------------------------------------------------------------------ registry


class RetentionKind(NamedTuple):
    kept: str  # how long, and where the period is set
    then: str  # what happens to the data afterwards
    purges: tuple[str, ...]  # the functions that carry it out (dotted paths), each run by a nightly job


RETENTION_KINDS: dict[str, RetentionKind] = {
    "closed_case": RetentionKind(
        "the community's period after the case is closed (cases.RetentionPolicy, default 730 days)",
        "anonymised; photos deleted",
        ("cases.retention.anonymise_closed_cases",),
    ),
    "visit_line": RetentionKind(
        "linked to a case: as the case; otherwise the community's period after the visit or forum",
        "anonymised",
        ("cases.retention.anonymise_closed_cases", "cases.retention.anonymise_unlinked_visits"),
    ),
    "love_supermarket": RetentionKind(
        "HANDOUT_RETENTION_DAYS (730) after the hand-out, or after the goods were received",
        "blanked",
        ("volunteering.retention.purge_love_supermarket_names",),
    ),
    "ended_pairing": RetentionKind(
        "while the pairing lasts, then PAIRING_RETENTION_DAYS (730) after it ended",
        "blanked",
        ("volunteering.retention.purge_ended_pairings",),
    ),
    "withdrawn_skill": RetentionKind(
        "while listed, then SKILL_PHONE_RETENTION_DAYS (30) after the listing is withdrawn",
        "blanked",
        ("volunteering.retention.purge_withdrawn_skill_phones",),
    ),
    "roster_import": RetentionKind(
        "ROSTER_IMPORT_RETENTION_DAYS (30) after the upload",
        "blanked, summary kept",
        ("members.retention.purge_roster_imports",),
    ),
    "notification": RetentionKind(
        "NOTIFICATION_RETENTION_DAYS (365) once read", "deleted", ("core.retention.purge_notifications",)
    ),
    "audit": RetentionKind(
        "AUDIT_RETENTION_DAYS (365, never under 180)", "deleted", ("core.audit.purge_expired",)
    ),
}

# "app_label.Model.field" → kind. Free text (a case's content, what a diary heard) is not listed: it stays,
# with numbers masked wherever it is shown publicly.
PERSONAL_DATA_RETENTION: dict[str, str] = {
    "cases.Case.resident": "closed_case",
    "cases.Case.resident_name": "closed_case",
    "cases.Case.resident_phone": "closed_case",
    "cases.Case.visit_address": "closed_case",
    "cases.CaseAttachment.original_name": "closed_case",  # the photo row and file are deleted
    "cases.ReceptionItem.visitor_name": "closed_case",  # every reception line becomes a case
    "cases.ReceptionItem.visitor_phone": "closed_case",
    "cases.DiaryEntry.household": "visit_line",
    "cases.DiaryEntry.resident": "visit_line",
    "cases.ForumItem.raised_by": "visit_line",
    "volunteering.GoodHandout.recipient_name": "love_supermarket",
    "volunteering.GoodHandout.recipient": "love_supermarket",
    "volunteering.GoodHandout.note": "love_supermarket",
    "volunteering.DonatedGood.donor": "love_supermarket",
    "volunteering.Pairing.household": "ended_pairing",
    "volunteering.Pairing.recipient": "ended_pairing",
    "volunteering.Pairing.address": "ended_pairing",
    "volunteering.Pairing.note": "ended_pairing",
    "volunteering.SkillListing.contact_phone": "withdrawn_skill",
    "members.RosterImport.rows": "roster_import",
    "members.RosterImport.errors": "roster_import",
    "core.Notification.recipient": "notification",
    "core.AuditEvent.ip": "audit",
    "core.AccessLog.ip": "audit",
}

_ROSTER = (
    "a resident's own record on the community roster (花名册), kept while they are on it; the office corrects "
    "or removes it (members.services), and the records above that point to it drop the link in their turn"
)
_ACCOUNT = "an account holder's own login details, kept while the account exists (the office deactivates it)"
_NOT_A_PERSON = "names a place, organisation, post, programme, item or holiday, not a person"

# Fields whose names look personal but that are kept on purpose, each with the reason.
PERSONAL_DATA_KEPT: dict[str, str] = {
    "members.Person.name": _ROSTER,
    "members.Person.mobile": _ROSTER,
    "members.Person.id_number": _ROSTER,
    "members.Person.birth_date": _ROSTER,
    "members.Person.unit_room": _ROSTER,
    "members.User.username": _ACCOUNT,
    "members.User.first_name": _ACCOUNT,
    "members.User.last_name": _ACCOUNT,
    "members.User.email": _ACCOUNT,
    "members.User.mobile": _ACCOUNT,
    "members.Town.name": _NOT_A_PERSON,
    "members.Community.name": _NOT_A_PERSON,
    "members.Compound.name": _NOT_A_PERSON,
    "members.Building.name": _NOT_A_PERSON,
    "members.ResponsibilityZone.name": _NOT_A_PERSON,
    "members.Employer.name": _NOT_A_PERSON,
    "members.Employer.party_org_name": _NOT_A_PERSON,
    "volunteering.ServicePost.name": _NOT_A_PERSON,
    "volunteering.Programme.name": _NOT_A_PERSON,
    "volunteering.DonatedGood.name": _NOT_A_PERSON,
    "core.WorkdayOverride.name": _NOT_A_PERSON,
    "members.Community.address": "the community office's public address, shown on the public pages",
    "members.Community.phone": "the community office's public phone, shown on the public pages",
    "members.Employer.contact_phone": "the office phone of an employer's party organisation (单位党组织)",
    "volunteering.ServiceItem.recipients": "the group an activity serves (如：小区老人), published with it",
    "cases.ReceptionDay.host_name": "the official hosting a reception day, in that public role (the rota "
    "is published)",
    "cases.Forum.attendees": "who attended a 民情恳谈会 in which role (党员、代表、居民代表): the minutes of "
    "the branch's meeting, kept with it; what a resident raised there is ForumItem.raised_by (above)",
}


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
