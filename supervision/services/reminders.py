"""Due-soon reminders: the working day before a case's deadline, its assignee is told (one notice per
assignee and day listing every case due next working day; the dedupe key makes a rerun send nothing).

The other reminders of the method's calendar live with what they are about and are only scheduled here
(config/celery.py, `DEFAULT_PERIODIC_TASKS`): officer vacancies (members), mailboxes not opened and the
secretary's overdue alert (cases), the yearly volunteering requirement in Q4 (volunteering), feedback sheets
not acknowledged (evaluations) — each idempotent by its own dedupe key per job, object and day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from cases.states import OPEN_STATES
from core import workdays
from core.notifications import notify
from members.models import User

from .orders import working_town_ids


def due_soon_reminders(*, today: dt.date | None = None) -> int:
    """On a working day, assignees of open cases due on the town's next working day are reminded."""
    today = today or timezone.localdate()
    towns = working_town_ids(today)
    if not towns:
        return 0
    by_next_day: dict[dt.date, list[int]] = defaultdict(list)
    for town in towns:
        by_next_day[workdays.next_working_day(today, town=town, include_self=False)].append(town)
    match = Q()
    for due_on, town_ids in by_next_day.items():
        match |= Q(due_on=due_on, community__town_id__in=town_ids)
    rows = list(
        Case.objects.filter(match, state__in=OPEN_STATES, assignee__isnull=False)
        .order_by("due_on", "pk")
        .values_list("assignee_id", "tracking_no", "due_on")
    )
    cases: dict[int, list[tuple[str, dt.date]]] = defaultdict(list)
    for user_id, tracking_no, due_on in rows:
        cases[user_id].append((tracking_no, due_on))
    users = User.objects.in_bulk(list(cases))
    sent = 0
    for user_id, items in cases.items():
        with transaction.atomic():
            note = notify(
                recipient=users.get(user_id),
                kind="case_due_soon",
                title=f"{len(items)} 件民情将于 {items[0][1]:%m月%d日} 到期",
                body="请在期限内办结并反馈居民：" + "、".join(t for t, _ in items[:50]),
                url=reverse("cases:my"),
                dedupe_key=f"case-due-soon:{user_id}:{today:%Y%m%d}",
            )
        sent += note is not None
    return sent
