"""The cases section of a member's activity ledger (活动台账): the 民情 cases they handled that year.

Registered with volunteering's ledger from CasesConfig.ready(), so volunteering never imports cases.
`cases_sections` builds the section of many members at once (the feedback-sheet batch: one query per chunk
of members, never one per member); `ledger_cases_section` is the one-member provider, on the same code.
"""

from collections.abc import Iterable

from django.utils import timezone

from volunteering.ledger import LedgerSection

from .models import Case

COLUMNS = ["受理编号", "受理日期", "类别", "办件类型", "状态", "办结日期"]


def _section(rows: list[list]) -> LedgerSection:
    return LedgerSection(
        key="cases",
        title="承办的民情件",
        columns=list(COLUMNS),
        rows=rows,
        empty_text="本年度没有承办民情件",
        order=50,
    )


def _row(case: Case) -> list:
    return [
        case.tracking_no,
        f"{timezone.localtime(case.received_at):%Y-%m-%d}",
        case.get_category_display(),
        case.get_handling_type_display() or "—",
        case.get_state_display(),
        f"{timezone.localtime(case.resolved_at):%Y-%m-%d}" if case.resolved_at else "—",
    ]


def cases_sections(*, user_ids: Iterable[int], year: int, viewer) -> dict[int, LedgerSection]:
    """user id → the cases section of that member's ledger (cases assigned to the login and received in
    `year`, as far as `viewer` may see them); one query whatever the number of members. Every user id
    given gets a section, empty when they handled none."""
    user_ids = list(user_ids)
    sections = {user_id: _section([]) for user_id in user_ids}
    if not user_ids:
        return sections
    cases = (
        Case.objects.visible_to(viewer)
        .filter(assignee_id__in=user_ids, received_at__year=year)
        .order_by("assignee_id", "received_at", "pk")
        .only(
            "assignee_id", "tracking_no", "received_at", "category", "handling_type", "state", "resolved_at"
        )
    )
    for case in cases.iterator(chunk_size=500):
        sections[case.assignee_id].rows.append(_row(case))
    return sections


def ledger_cases_section(*, person, year: int, viewer) -> LedgerSection | None:
    """Cases assigned to the member's login and received in `year`, as far as `viewer` may see them."""
    if person.user_id is None:
        return None
    return cases_sections(user_ids=[person.user_id], year=year, viewer=viewer)[person.user_id]
