"""The case 台账 as an .xlsx (a selector: a read that yields a file), as community offices file it each
month: one row per case with its channel, content, handling type, deadline, result, feedback and rating.

Streamed: the rows come from a queryset iterator and go into openpyxl's write-only workbook in a temporary
file (core.xlsx.write_table), so a year of cases costs little memory and a constant number of queries.
The resident's phone is masked as on the list page (lists show every number masked, to everyone).
"""

from __future__ import annotations

from django.utils import timezone

from core.masking import mask_mobile
from core.xlsx import write_table

from .selectors import case_queryset_for_list

LEDGER_HEADERS = [
    "序号",
    "受理编号",
    "社区",
    "受理时间",
    "受理渠道",
    "类别",
    "反映人",
    "联系电话",
    "楼栋",
    "反映内容",
    "办件类型",
    "时限（工作日）",
    "办理期限",
    "承办人",
    "状态",
    "是否超期",
    "办结时间",
    "办理结果",
    "反馈方式",
    "反馈时间",
    "满意度",
    "评价意见",
]
LEDGER_WIDTHS = [6, 18, 10, 17, 12, 10, 10, 14, 10, 40, 10, 8, 12, 10, 12, 8, 17, 30, 10, 17, 10, 24]


def _row(index: int, case, today) -> list:
    return [
        index,
        case.tracking_no,
        case.community.name,
        case.received_at,
        case.get_channel_display(),
        case.get_category_display(),
        "匿名" if case.anonymous else case.resident_name,
        "" if case.anonymous else mask_mobile(case.resident_phone),
        case.building.name if case.building_id else "",
        case.content,
        case.get_handling_type_display() if case.handling_type else "",
        case.time_limit_days,
        case.due_on,
        case.assignee.display_name if case.assignee_id else "",
        case.get_state_display(),
        "是" if case.is_overdue(today) else "",
        case.resolved_at,
        case.resolution or case.explanation,
        case.get_feedback_method_display() if case.feedback_method else "",
        case.feedback_at,
        case.get_rating_display() if case.rating else "",
        case.rating_comment,
    ]


def case_ledger_workbook(cases, *, title: str = ""):
    """The 台账 of `cases` (already scoped and filtered) as a temporary .xlsx file, in received order."""
    today = timezone.localdate()
    rows = case_queryset_for_list(cases).order_by("received_at", "pk").iterator(chunk_size=2000)
    return write_table(
        sheet_title="民情台账",
        heading=title or f"民情办理台账（{today:%Y-%m-%d}导出）",
        headers=LEDGER_HEADERS,
        rows=(_row(i, case, today) for i, case in enumerate(rows, start=1)),
        widths=LEDGER_WIDTHS,
    )
