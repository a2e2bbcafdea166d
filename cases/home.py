"""The cases app's part of the home pages (members.home), as selectors: per-community figures of the
office (overdue, due soon, waiting to be classified, mailboxes not yet opened today), the assignee's open
cases with their deadlines, and the officer's diary of the week and report-back. Constant queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from core import workdays
from members.home import Figure, HomeSection

from .models import Case, DiaryEntry, Mailbox, MailboxOpening
from .states import OPEN_STATES, CaseState

# "due soon": an open case whose deadline falls within this many working days from today
DUE_SOON_WORKING_DAYS = 2


def due_soon_until(today: dt.date) -> dt.date:
    return workdays.add_working_days(today, DUE_SOON_WORKING_DAYS)


def due_soon_q(today: dt.date) -> Q:
    """Open, due today or within DUE_SOON_WORKING_DAYS working days (not yet overdue)."""
    return Q(state__in=OPEN_STATES, due_on__gte=today, due_on__lte=due_soon_until(today))


def community_figures(*, community_ids, today) -> dict[int, list[Figure]]:
    counts = {
        row["community"]: row
        for row in Case.objects.filter(community_id__in=community_ids)  # 1 query
        .order_by()
        .values("community")
        .annotate(
            overdue=Count("pk", filter=Q(state__in=OPEN_STATES, due_on__lt=today)),
            due_soon=Count("pk", filter=due_soon_q(today)),
            unclassified=Count("pk", filter=Q(state=CaseState.REGISTERED)),
        )
    }
    unopened: dict[int, int] = {}
    if workdays.is_working_day(today):  # mailboxes are opened every working day (1 query)
        unopened = dict(
            Mailbox.objects.filter(community_id__in=community_ids, active=True)
            .filter(Q(installed_on__isnull=True) | Q(installed_on__lte=today))
            .exclude(pk__in=MailboxOpening.objects.filter(opened_on=today).values("mailbox_id"))
            .order_by()
            .values("community")
            .annotate(n=Count("pk"))
            .values_list("community", "n")
        )
    result = {}
    for cid in community_ids:
        row = counts.get(cid, {})
        result[cid] = [
            Figure(
                "overdue",
                "超期未办结",
                row.get("overdue", 0),
                "cases:list",
                {"community": cid, "overdue": "true"},
                alert=True,
                order=20,
            ),
            Figure(
                "due_soon",
                f"{DUE_SOON_WORKING_DAYS}个工作日内到期",
                row.get("due_soon", 0),
                "cases:list",
                {"community": cid, "due_soon": "true"},
                alert=True,
                order=21,
            ),
            Figure(
                "unclassified",
                "待分类交办",
                row.get("unclassified", 0),
                "cases:list",
                {"community": cid, "state": CaseState.REGISTERED},
                alert=True,
                order=22,
            ),
            Figure(
                "mailboxes_unopened",
                "信箱今日未开箱",
                unopened.get(cid, 0),
                "cases:mailboxes",
                {"community": cid},
                alert=True,
                order=30,
            ),
        ]
    return result


def my_cases_section(*, user, scope, person, today) -> HomeSection | None:
    """承办的民情件: the open cases assigned to the user, soonest deadline first (2 queries)."""
    if not scope.community_ids:  # cases are assigned within a community: nobody else has any
        return None
    mine = Case.objects.filter(assignee=user, state__in=OPEN_STATES)
    count = mine.count()
    if not count and not scope.officer_community_ids:
        return None
    cases = list(mine.select_related("community").order_by("due_on", "pk")[:5])
    return HomeSection(
        "my_cases",
        "我承办的民情件",
        "cases/home/_my_cases.html",
        {"count": count, "cases": cases, "today": today, "soon": due_soon_until(today)},
        order=10,
    )


def officer_section(*, user, scope, person, today) -> HomeSection | None:
    """The officer's week: visits in the diary this week, and the report-back on the concerns they
    reported (state, result), newest first (3 queries)."""
    if not scope.officer_community_ids or person is None:
        return None
    week_start = today - dt.timedelta(days=today.weekday())
    week = DiaryEntry.objects.filter(
        officer__person=person, visited_on__gte=week_start, visited_on__lte=today
    )
    week_count = week.count()
    reported = Case.objects.filter(Q(reported_by_officer__person=person) | Q(received_by=user)).exclude(
        community_id__in=scope.managed_community_ids
    )
    tally = reported.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(state__in=OPEN_STATES)),
        answered=Count("pk", filter=~Q(state__in=OPEN_STATES)),
    )
    latest = list(reported.order_by("-updated_at", "-pk")[:5])
    return HomeSection(
        "officer",
        "民情日志与反馈",
        "cases/home/_officer.html",
        {
            "week_start": week_start,
            "week_count": week_count,
            "tally": tally,
            "latest": latest,
            "today": today,
        },
        order=15,
    )
