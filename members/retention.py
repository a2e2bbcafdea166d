"""How long the members app keeps personal data it only needed for a while (core.retention runs it nightly).

- `purge_roster_imports()`: a 花名册 upload keeps every row it parsed (full ID numbers, phones, addresses)
  and the row errors (which quote them). After ROSTER_IMPORT_RETENTION_DAYS both are blanked; the summary
  (counts, columns) stays for the record, and `purged_at` marks the upload — it can no longer be committed.
  One set-based UPDATE and one audit summary, whatever the number of uploads; idempotent.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction

from core import audit

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
            rows=[], errors=[], purged_at=now
        )
    if count:
        audit.record(
            action="bulk_roster_imports_purged",
            object_type="members.RosterImport",
            reason=f"花名册上传明细超过保存期限（{days} 天）",
            extra={"roster_imports": count, "cutoff": cutoff.isoformat()},
        )
    return {"roster_imports": count}
