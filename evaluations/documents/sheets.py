"""在职党员小区活动情况反馈单 as a PDF (one sheet, or every sheet of a community and year in one file) and
as an Excel workbook per employer. Everything printed comes from the sheet's stored `content` (taken from
the ledger at generation), its opinion and its issue data: an issued sheet prints the same every time."""

from __future__ import annotations

import io
from collections.abc import Iterable

from openpyxl import Workbook

from core.xlsx import append_row

from ..models import FeedbackSheet, Grade, SheetState
from .pdfbase import chinese_date, render_pdf

TITLE = "在职党员小区活动情况反馈单"
# Grades are stored by code (evaluations.models.Grade); printed by their label, never the code.
GRADE_LABELS = dict(Grade.choices)
GROUPS = (("resident", "居民群众代表"), ("member", "党员代表"))


def _counts_text(counts: dict) -> str:
    """Grades from best to worst, whatever order the stored JSON kept (PostgreSQL's jsonb sorts keys)."""
    order = [g for g in GRADE_LABELS if g in counts] + [g for g in counts if g not in GRADE_LABELS]
    return "，".join(f"{GRADE_LABELS.get(grade, grade)} {counts[grade]} 票" for grade in order) or "无"


def evaluation_lines(content: dict) -> tuple[str, str]:
    """(result, excellent) as printed: the grade with both groups' counts, and 评为优秀 or not."""
    evaluation = content.get("evaluation")
    if not evaluation:
        return "尚未评议", "否"
    counts = evaluation.get("counts") or {}
    groups = "；".join(f"{label}：{_counts_text(counts.get(key) or {})}" for key, label in GROUPS)
    result = f"{evaluation.get('grade_label') or evaluation.get('grade') or '—'}（{groups}）"
    excellent = "是" if evaluation.get("excellent") else "否"
    if evaluation.get("excellent") and evaluation.get("excellent_reason"):
        excellent += f"（{evaluation['excellent_reason']}）"
    return result, excellent


def issuer_of(sheet: FeedbackSheet) -> str:
    return f"中共{sheet.community.name}总支委员会"


def _render(doc, sheet: FeedbackSheet) -> None:
    c = sheet.content
    doc.page()
    doc.line(f"编号：{sheet.number}　第 {sheet.version} 版", size=9, height=5, align="R")
    doc.title(TITLE)
    doc.line(f"（{sheet.year}年度）", align="C")
    if sheet.state == SheetState.DRAFT:
        doc.line("草稿（未发出）", align="C", size=9)
    doc.ln(2)
    if not c:  # past its retention period (evaluations.retention): only the register is left
        doc.line("本反馈单内容已超过保存期限，已删除；发出与签收记录仍保留。", align="C")
        doc.line(f"出具单位：{issuer_of(sheet)}", align="R")
        doc.line(f"日期：{chinese_date(sheet.issued_on) or '（未发出）'}", align="R")
        return
    doc.field("姓名", c.get("person_name", ""))
    doc.field("工作单位及党组织", f"{c.get('employer_name', '')}　{c.get('party_org_name', '')}")
    doc.field("报到社区、责任区", "　".join([c.get("community_name", ""), *c.get("zones", [])]))
    doc.field("报到日期", chinese_date(c.get("registered_on")) or "—")
    team = f"志愿服务队入队：{chinese_date(c['team_joined_on'])}" if c.get("team_joined_on") else ""
    doc.field("认领岗位", "　".join(part for part in ("、".join(c.get("posts", [])), team) if part) or "—")
    done, required = c.get("done", {}), c.get("required", {})
    doc.field(
        "年度要求与完成情况",
        f"要求：{required.get('text', '')}；完成 {done.get('items', 0)} 项、{done.get('hours', '0')} 小时"
        f"（{done.get('status', '')}）；累计服务 {c.get('cumulative_hours', '0')} 小时",
    )
    result, excellent = evaluation_lines(c)
    doc.field("民主评议结果", result)
    doc.field("评为优秀党员", excellent)
    doc.ln(3)
    doc.line(f"志愿服务事项（{len(c.get('items', []))} 项）", size=11)
    items = c.get("items", [])
    if items:
        doc.table(
            ["服务事项", "日期", "时长（小时）"],
            [[i["title"], i["date"], i["hours"]] for i in items],
            widths=[110, 34, 30],
        )
    else:
        doc.line("无记录")
    doc.ln(2)
    cases = c.get("cases") or {}
    doc.line(f"承办的民情件（{len(cases.get('rows', []))} 件）", size=11)
    if cases.get("rows"):
        # the tracking number (MQ-20261113-001-0001) on one line; the page is 174 mm wide
        widths = [44, 24, 26, 22, 34, 24] if len(cases["columns"]) == 6 else None
        doc.table(cases["columns"], cases["rows"], widths=widths)
    else:
        doc.line("本年度没有承办民情件")
    doc.ln(3)
    doc.field("社区党组织意见", sheet.opinion or "—")
    doc.ln(8)
    doc.line(f"出具单位：{issuer_of(sheet)}（盖章）", align="R")
    doc.line(f"日期：{chinese_date(sheet.issued_on) or '（未发出）'}", align="R")


def sheet_pdf(sheet: FeedbackSheet) -> bytes:
    return render_pdf(_render, [sheet], title=f"{TITLE} {sheet.number}")


def sheets_pdf(sheets: Iterable[FeedbackSheet], *, title: str) -> bytes:
    """Every sheet in one file, each from a new page; one font subset for all of them."""
    return render_pdf(_render, sheets, title=title)


WORKBOOK_COLUMNS = [
    "编号", "版本", "年度", "姓名", "工作单位", "单位党组织", "报到社区", "责任区", "报到日期", "认领岗位",
    "服务事项数", "服务时长（小时）", "年度要求", "完成情况", "服务事项明细", "承办民情件数", "民主评议结果",
    "评为优秀", "社区党组织意见", "状态", "发出日期",
]  # fmt: skip


def employer_workbook(sheets: Iterable[FeedbackSheet], *, title: str) -> bytes:
    """One row per sheet (the employer's members), every column from the stored content."""
    book = Workbook()
    ws = book.active
    ws.title = "反馈单"
    append_row(ws, [title])
    append_row(ws, WORKBOOK_COLUMNS)
    for sheet in sheets:
        c = sheet.content
        result, excellent = evaluation_lines(c)
        append_row(
            ws,
            [
                sheet.number,
                sheet.version,
                sheet.year,
                c.get("person_name", ""),
                c.get("employer_name", ""),
                c.get("party_org_name", ""),
                c.get("community_name", ""),
                "、".join(c.get("zones", [])),
                c.get("registered_on", ""),
                "、".join(c.get("posts", [])),
                c.get("done", {}).get("items", 0),
                c.get("done", {}).get("hours", "0"),
                c.get("required", {}).get("text", ""),
                c.get("done", {}).get("status", ""),
                "；".join(f"{i['date']} {i['title']} {i['hours']}小时" for i in c.get("items", [])),
                len((c.get("cases") or {}).get("rows", [])),
                result,
                excellent,
                sheet.opinion,
                sheet.get_state_display(),
                sheet.issued_on.isoformat() if sheet.issued_on else "",
            ],
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
