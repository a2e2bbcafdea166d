"""The printable one-time notice (一次性告知书) of a 补办件, with an embedded, subset CJK font.

fpdf2 embeds only the glyphs used from Noto Sans SC (pylopdf_fonts_zh_cn), so every viewer — a phone, a
plain Debian poppler — renders the Chinese text (see PITFALLS: reportlab's STSong-Light is not embedded).
"""

import logging

from django.utils import timezone
from fpdf import FPDF
from pylopdf_fonts_zh_cn import sans_path

from core.errors import Conflict

from .models import Case, HandlingType

logging.getLogger("fontTools").setLevel(logging.WARNING)  # the subsetter logs every glyph at INFO


def one_time_notice_pdf(case: Case) -> bytes:
    if case.handling_type != HandlingType.PENDING_DOCUMENTS or not case.missing_documents:
        raise Conflict("只有补办件有一次性告知书", code="no_notice")
    requested = timezone.localtime(case.documents_requested_at or timezone.now())
    pdf = FPDF(format="A4")
    pdf.set_title(f"一次性告知书 {case.tracking_no}")
    pdf.set_creator("民情流水线")
    pdf.add_font("zh", "", sans_path())
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_font("zh", size=20)
    pdf.cell(width, 14, "一次性告知书", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("zh", size=11)
    pdf.cell(
        width,
        8,
        f"{case.community.name}  受理编号：{case.tracking_no}",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(6)

    pdf.set_font("zh", size=12)
    who = "匿名群众" if case.anonymous else (case.resident_display or "办事群众")
    pdf.multi_cell(width, 8, f"{who}：", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        width,
        8,
        f"您于 {timezone.localtime(case.received_at):%Y年%m月%d日} 反映/申请的事项：{case.content[:300]}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    pdf.multi_cell(
        width,
        8,
        "经审核，手续尚不齐全。根据“一次性告知”制度，现将需补齐的全部材料告知如下：",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    for i, item in enumerate(case.missing_documents, start=1):
        pdf.multi_cell(width, 8, f"  {i}. {item}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    days = case.time_limit_days if case.time_limit_days is not None else 5
    pdf.multi_cell(
        width,
        8,
        f"请备齐上述材料后到社区服务大厅办理。材料齐全之日起 {days} 个工作日内办结；"
        "材料补齐前办理时限暂停计算。以上为需补齐的全部材料，不再另行要求。",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(8)
    contact = case.community.phone or "社区服务大厅"
    pdf.multi_cell(width, 8, f"联系电话：{contact}", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        width, 8, f"查询进度：凭受理编号 {case.tracking_no} 和查询码在网上查询", new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(10)
    pdf.cell(width, 8, f"{case.community.name}（盖章）", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(width, 8, f"{requested:%Y年%m月%d日}", align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
