"""How long the members app keeps personal data it only needed for a while (core.retention runs it nightly).

- `purge_roster_imports()`: a 花名册 upload keeps every row it parsed (full ID numbers, phones, addresses)
  and the row errors (which quote them). After ROSTER_IMPORT_RETENTION_DAYS both are blanked; the summary
  (counts, columns) stays for the record, and `purged_at` marks the upload — it can no longer be committed.
  One set-based UPDATE and one audit summary, whatever the number of uploads; idempotent.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction

from core import audit, retention

from .models import RosterImport

DEFAULT_ROSTER_IMPORT_RETENTION_DAYS = 30


def roster_import_retention_days() -> int:
    return int(getattr(settings, "ROSTER_IMPORT_RETENTION_DAYS", DEFAULT_ROSTER_IMPORT_RETENTION_DAYS))


@transaction.atomic
def purge_roster_imports(*, now: dt.datetime) -> dict:
    """Blank `rows` and `errors` of uploads made more than ROSTER_IMPORT_RETENTION_DAYS before `now`."""
    days = roster_import_retention_days()
    cutoff = now - dt.timedelta(days=days)
    with audit.bulk_operation():
        count = RosterImport.objects.filter(created_at__lt=cutoff, purged_at__isnull=True).update(
            rows=[], errors=[], source={}, purged_at=now
        )
    if count:
        audit.record(
            action="bulk_roster_imports_purged",
            object_type="members.RosterImport",
            reason=f"花名册上传明细超过保存期限（{days} 天）",
            extra={"roster_imports": count, "cutoff": cutoff.isoformat()},
        )
    return {"roster_imports": count}


_ROSTER = (
    "a resident's own record on the community roster (花名册), kept while they are on it; the office corrects "
    "or removes it (members.services), and the records above that point to it drop the link in their turn"
)
_ACCOUNT = "an account holder's own login details, kept while the account exists (the office deactivates it)"


def register() -> None:
    """The members app's entries in core.retention's registry (MembersConfig.ready)."""
    retention.register(
        kinds={
            "roster_import": retention.RetentionKind(
                "ROSTER_IMPORT_RETENTION_DAYS (30) after the upload",
                "blanked, summary kept",
                (purge_roster_imports,),
            ),
        },
        personal_data={
            "members.RosterImport.rows": "roster_import",
            "members.RosterImport.errors": "roster_import",
        },
        kept={
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
            "members.Town.name": retention.NOT_A_PERSON,
            "members.Community.name": retention.NOT_A_PERSON,
            "members.Compound.name": retention.NOT_A_PERSON,
            "members.Building.name": retention.NOT_A_PERSON,
            "members.ResponsibilityZone.name": retention.NOT_A_PERSON,
            "members.Employer.name": retention.NOT_A_PERSON,
            "members.Employer.party_org_name": retention.NOT_A_PERSON,
            "members.WorkdayOverride.name": retention.NOT_A_PERSON,
            "members.Community.address": "the community office's public address, shown on the public pages",
            "members.Community.phone": "the community office's public phone, shown on the public pages",
            "members.Employer.contact_phone": "the office phone of an employer's party organisation (单位党组织)",
        },
        nightly_purges=(purge_roster_imports,),
    )
