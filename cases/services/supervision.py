"""督办: the morning alert to each community's secretary and office director."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from core import workdays
from core.notifications import notify
from members.models import Community, RoleAssignment
from members.roles import Role

from ..models import Case
from ..selectors import missed_openings


def daily_supervision_alerts(*, today: dt.date | None = None) -> dict:
    """The secretary's (and office director's) morning alert: overdue cases, and mailboxes not opened on
    the previous working day. Idempotent: each alert has a dedupe key, so a rerun sends nothing twice."""
    today = today or timezone.localdate()
    if not workdays.is_working_day(today):
        return {"skipped": "not a working day", "notified": 0}
    missed_day = workdays.previous_working_day(today)
    overdue: dict[int, list[str]] = {}
    for community_id, tracking_no in Case.objects.overdue(today).values_list("community_id", "tracking_no"):
        overdue.setdefault(community_id, []).append(tracking_no)
    missed: dict[int, list[str]] = {}
    for box in missed_openings(Community.objects.values("pk"), on=missed_day):
        missed.setdefault(box.community_id, []).append(box.location)
    recipients = RoleAssignment.objects.filter(
        community_id__in=set(overdue) | set(missed), role__in=[Role.SECRETARY, Role.OFFICE_DIRECTOR]
    ).select_related("user")
    sent = 0
    for ra in recipients:
        with transaction.atomic():
            numbers = overdue.get(ra.community_id, [])
            if numbers and notify(
                recipient=ra.user,
                kind="cases_overdue",
                title=f"{len(numbers)} 件民情超期未办结",
                body="、".join(numbers[:50]),
                url="/cases/?overdue=true",
                dedupe_key=f"cases-overdue:{ra.community_id}:{today}:{ra.user_id}",
            ):
                sent += 1
            boxes = missed.get(ra.community_id, [])
            if boxes and notify(
                recipient=ra.user,
                kind="mailbox_missed",
                title=f"{missed_day:%m月%d日} 有 {len(boxes)} 个民情信箱未开箱",
                body="、".join(boxes),
                url="/cases/mailboxes/",
                dedupe_key=f"mailbox-missed:{ra.community_id}:{missed_day}:{ra.user_id}",
            ):
                sent += 1
    return {
        "overdue": sum(map(len, overdue.values())),
        "missed_mailboxes": sum(map(len, missed.values())),
        "notified": sent,
    }
