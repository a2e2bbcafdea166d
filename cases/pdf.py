"""The printable one-time notice (一次性告知书) of a 补办件, with an embedded, subset CJK font.

fpdf2 embeds only the glyphs used from Noto Sans SC (pylopdf_fonts_zh_cn), so every viewer — a phone, a
plain Debian poppler — renders the Chinese text (see PITFALLS: reportlab's STSong-Light is not embedded).
"""

import io
import logging

import segno
from django.utils import timezone
from fpdf import FPDF
from pylopdf_fonts_zh_cn import sans_path

from core.errors import Conflict

from .models import Case, HandlingType

logging.getLogger("fontTools").setLevel(logging.WARNING)  # the subsetter logs every glyph at INFO


def tracking_qr_png(url: str) -> io.BytesIO:
    """The QR code of the tracking page (with the number and code filled in), as a PNG for the PDF."""
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    buffer.seek(0)
    return buffer


def one_time_notice_pdf(case: Case, *, access_code: str = "", track_url: str = "", qr_url: str = "") -> bytes:
    """The notice; with `access_code` and `track_url` (the public tracking page) it also tells the resident
    how to follow the case: the number, the code, the address, and a QR code to `qr_url` (or the address)."""
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
    if access_code and track_url:
        pdf.ln(4)
        top = pdf.get_y()
        qr_size = 36
        text_width = width - qr_size - 6
        pdf.set_font("zh", size=13)
        pdf.multi_cell(text_width, 8, "查询办理进度", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("zh", size=12)
        pdf.multi_cell(text_width, 8, f"受理编号：{case.tracking_no}", new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(text_width, 8, f"查询码：{access_code}", new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(text_width, 8, f"查询网址：{track_url}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("zh", size=10)
        pdf.multi_cell(
            text_width,
            6,
            "用手机扫描右侧二维码，或打开查询网址并输入受理编号和查询码。请妥善保管查询码。",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.image(tracking_qr_png(qr_url or track_url), x=pdf.l_margin + width - qr_size, y=top, w=qr_size)
        pdf.set_y(max(pdf.get_y(), top + qr_size + 2))
        pdf.set_font("zh", size=12)
    else:
        pdf.multi_cell(
            width,
            8,
            f"查询进度：凭受理编号 {case.tracking_no} 和查询码在网上查询",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(10)
    pdf.cell(width, 8, f"{case.community.name}（盖章）", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(width, 8, f"{requested:%Y年%m月%d日}", align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def printed_notice(case: Case, *, by, request) -> bytes:
    """The notice as handed to the resident: a fresh 查询码 (the service logs it), the public tracking
    address of this site, and a QR code that opens the case with the number and code filled in."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from . import services

    one_time_notice_pdf(case)  # refuse a case that has no notice before issuing a new code
    code = services.case_reissue_access_code(case=case, by=by)
    track_url = request.build_absolute_uri(reverse("cases:public_track"))
    qr_url = f"{track_url}?{urlencode({'no': case.tracking_no, 'code': code})}"
    return one_time_notice_pdf(case, access_code=code, track_url=track_url, qr_url=qr_url)
