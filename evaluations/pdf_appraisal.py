"""通报表彰: the commendation notice to an excellent member's employer, as a one-page A4 PDF. Reuses the
CJK machinery of members/letters.py (Noto Sans SC subset to the notice's characters, TrueType outlines),
so the Chinese renders in every viewer and extracts with pdftotext."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.utils import timezone
from fpdf import FPDF

from members.letters import BLACK, RED, _truetype_subset, chinese_date

from .models import Commendation


def commendation_pdf(notice: Commendation) -> bytes:
    title = "通报表彰"
    number = f"编号：{notice.number}"
    issued = chinese_date(timezone.localtime(notice.issued_at).date())
    lines = notice.body.split("\n")
    texts = [title, number, issued, *lines]
    with tempfile.TemporaryDirectory() as folder:
        font_file = Path(folder) / "NotoSansSC-subset.ttf"
        font_file.write_bytes(_truetype_subset("".join(texts)))
        pdf = FPDF(orientation="P", unit="mm", format="A4")
        pdf.set_title(f"通报表彰 {notice.number}")
        pdf.set_creator("民情流水线")
        pdf.set_lang("zh-CN")
        pdf.set_auto_page_break(False)
        pdf.add_font("NotoSansSC", "", font_file)
        pdf.add_page()
        pdf.set_font("NotoSansSC", size=10)
        pdf.set_text_color(*BLACK)
        pdf.set_xy(25, 20)
        pdf.cell(160, 6, number, align="R")
        pdf.set_font("NotoSansSC", size=30)
        pdf.set_text_color(*RED)
        pdf.set_xy(25, 35)
        pdf.cell(160, 16, title, align="C")
        pdf.set_draw_color(*RED)
        pdf.set_line_width(0.8)
        pdf.line(25, 56, 185, 56)
        pdf.set_text_color(*BLACK)
        pdf.set_font("NotoSansSC", size=14)
        pdf.set_xy(25, 66)
        *paragraphs, signature = lines
        for paragraph in paragraphs:
            pdf.set_x(25)
            pdf.multi_cell(160, 10, paragraph, wrapmode="CHAR")
            pdf.set_y(pdf.get_y() + 2)
        pdf.set_xy(25, pdf.get_y() + 20)
        pdf.cell(160, 9, signature, align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.set_x(25)
        pdf.cell(160, 9, issued, align="R")
        return bytes(pdf.output())
