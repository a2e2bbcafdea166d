"""The cases section of a member's activity ledger (活动台账): the 民情 cases they handled that year.

Registered with volunteering's ledger from CasesConfig.ready(), so volunteering never imports cases.
"""

from django.utils import timezone

from volunteering.ledger import LedgerSection

from .models import Case


def ledger_cases_section(*, person, year: int, viewer) -> LedgerSection | None:
    """Cases assigned to the member's login and received in `year`, as far as `viewer` may see them."""
    if person.user_id is None:
        return None
    cases = (
        Case.objects.visible_to(viewer)
        .filter(assignee_id=person.user_id, received_at__year=year)
        .order_by("received_at", "pk")
        .only("tracking_no", "received_at", "category", "handling_type", "state", "resolved_at")
    )
    rows = [
        [
            case.tracking_no,
            f"{timezone.localtime(case.received_at):%Y-%m-%d}",
            case.get_category_display(),
            case.get_handling_type_display() or "—",
            case.get_state_display(),
            f"{timezone.localtime(case.resolved_at):%Y-%m-%d}" if case.resolved_at else "—",
        ]
        for case in cases
    ]
    return LedgerSection(
        key="cases",
        title="承办的民情件",
        columns=["受理编号", "受理日期", "类别", "办件类型", "状态", "办结日期"],
        rows=rows,
        empty_text="本年度没有承办民情件",
        order=50,
    )
