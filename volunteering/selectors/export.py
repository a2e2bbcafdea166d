"""The community's activity ledger as an Excel workbook."""

import datetime as dt
import io
from collections import defaultdict

from django.db.models import Q, Sum
from django.utils import timezone

from core.xlsx import append_row
from members import permissions
from members.models import Community

from .. import periods
from ..models import (
    ConductNote,
    Pairing,
    PostClaim,
    RecordStatus,
    ServiceRecord,
    TeamMember,
)
from .requirement import (
    hours_of,
    requirement_rows,
    star_level,
)

# ----------------------------------------------------------------------------------------- Excel export


def _autosize(sheet, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width


def _local(moment: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(moment).strftime(fmt) if moment else ""


def ledger_workbook(*, community: Community, year: int, viewer) -> bytes:
    """The community's 活动台账 for a year as .xlsx: a summary row per registered in-service member, every
    service record, the pairings, and — for the community's office only — the 八小时以外 notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    rows = requirement_rows(community_ids=[community.pk], year=year)
    person_ids = [r.person_id for r in rows]
    claims = defaultdict(list)
    for claim in PostClaim.objects.filter(person_id__in=person_ids, year=year).select_related("post"):
        claims[claim.person_id].append(f"{claim.post.name}（{claim.get_status_display()}）")
    team = set(
        TeamMember.objects.filter(community=community, person_id__in=person_ids).values_list(
            "person_id", flat=True
        )
    )
    cumulative = dict(
        ServiceRecord.objects.filter(person_id__in=person_ids, status=RecordStatus.APPROVED)
        .values_list("person_id")
        .annotate(m=Sum("minutes"))
        .values_list("person_id", "m")
    )
    bold = Font(bold=True)
    wb = Workbook()
    summary = wb.active
    summary.title = "台账汇总"
    header = [
        "姓名",
        "工作单位",
        "报到确认日期",
        "认领岗位",
        "志愿服务队",
        "服务事项（项）",
        "服务时长（小时）",
        "年度要求",
        "完成情况",
        "累计时长（小时）",
        "星级",
    ]
    append_row(summary, header)
    for row in rows:
        total = hours_of(cumulative.get(row.person_id, 0))
        append_row(
            summary,
            [
                row.name,
                row.employer_name,
                row.registered_on.isoformat() if row.registered_on else "",
                "；".join(claims.get(row.person_id, [])),
                "是" if row.person_id in team else "否",
                row.items,
                float(row.hours),
                row.requirement_text,
                row.status_label,
                float(total),
                "★" * star_level(float(total)),
            ],
        )
    _autosize(summary, [10, 18, 13, 22, 10, 14, 16, 34, 10, 16, 8])

    records_sheet = wb.create_sheet("服务记录")
    append_row(
        records_sheet,
        [
            "姓名",
            "服务事项",
            "服务岗位",
            "特色载体",
            "地点",
            "服务对象",
            "服务开始",
            "服务结束",
            "时长（小时）",
            "服务内容",
            "服务评价",
            "记录方式",
            "状态",
            "记录人",
            "审核人",
        ],
    )
    start, end = periods.year_bounds(year)
    for rec in (
        ServiceRecord.objects.filter(item__community=community, started_at__gte=start, started_at__lt=end)
        .select_related("person", "item__post", "item__programme", "recorded_by", "approved_by")
        .order_by("started_at", "pk")
    ):
        append_row(
            records_sheet,
            [
                rec.person.name,
                rec.item.title,
                rec.item.post.name if rec.item.post else "",
                rec.item.programme.name if rec.item.programme else "",
                rec.item.place,
                rec.item.recipients,
                _local(rec.started_at),
                _local(rec.ended_at),
                float(hours_of(rec.minutes)),
                rec.content,
                rec.get_evaluation_display(),
                rec.get_source_display(),
                rec.get_status_display(),
                rec.recorded_by.display_name if rec.recorded_by else "",
                rec.approved_by.display_name if rec.approved_by else "",
            ],
        )
    _autosize(records_sheet, [10, 24, 12, 14, 16, 14, 17, 17, 12, 30, 9, 11, 8, 12, 12])

    pair_sheet = wb.create_sheet("结对帮扶")
    append_row(pair_sheet, ["党员", "特色载体", "结对对象", "地址", "结对日期", "结束日期", "状态"])
    for p in (
        Pairing.objects.filter(programme__community=community, started_on__lt=dt.date(year + 1, 1, 1))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=dt.date(year, 1, 1)))
        .select_related("person", "programme", "building")
    ):
        append_row(
            pair_sheet,
            [
                p.person.name,
                p.programme.name,
                p.household,
                f"{p.building.name if p.building else ''}{p.address}",
                p.started_on.isoformat(),
                p.ended_on.isoformat() if p.ended_on else "",
                p.get_status_display(),
            ],
        )
    _autosize(pair_sheet, [10, 18, 22, 18, 12, 12, 8])

    if permissions.runs_office(viewer, community.pk):
        notes_sheet = wb.create_sheet("八小时以外（仅党总支）")
        append_row(notes_sheet, ["姓名", "日期", "类别", "情况", "记录人"])
        for note in (
            ConductNote.objects.filter(community=community, noted_on__year=year)
            .select_related("person", "recorded_by")
            .order_by("person__name", "noted_on")
        ):
            append_row(
                notes_sheet,
                [
                    note.person.name,
                    note.noted_on.isoformat(),
                    note.get_kind_display(),
                    note.note,
                    note.recorded_by.display_name if note.recorded_by else "",
                ],
            )
        _autosize(notes_sheet, [10, 12, 10, 50, 12])

    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
