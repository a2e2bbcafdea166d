"""聘书: the appointment letter of a 民情信息员 (民情信息员管理制度 §1: 聘用、登记造册、颁发聘书).

Chinese text needs an embedded CJK font, or viewers without one show empty boxes (PITFALLS.md). We use
Noto Sans SC (OFL) from the `pylopdf_fonts_zh_cn` package, cut down to the characters of this one letter.

That font is CID-keyed CFF. fpdf2 embeds such a font with a custom /Encoding CMap stream, which pypdf
and other simple extractors do not read (they return "\\x00聘\\x00书"). So the subset is converted to
TrueType outlines first; fpdf2 then writes the standard Identity-H encoding with a ToUnicode map, and the
text extracts, searches and copies correctly everywhere.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import tempfile
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from fpdf import FPDF
from pylopdf_fonts_zh_cn import sans_path

from .models import InformationOfficer

# 民情信息员管理制度 §4, in standard wording (the manual's text was machine-converted: 反应→反映,
# 立即→及时, 主动→积极, 提议→建议, 经过→通过, 小区→社区).
DUTIES = [
    "积极宣传党的路线、方针、政策，动员、引导、组织居民参与社区公益活动，做好群众思想工作，"
    "发挥社区与居民之间的桥梁纽带作用。",
    "定期走访群众，记好民情日志，及时反映民情信息，把群众的困难、意见和建议及时反映到社区，"
    "由社区按照“民情流水线”工作法运行程序办理并向信息员反馈。",
    "协助社区调解邻里纠纷。",
]
_NUMERALS = "一二三四五六七八九十"

# The subsetter reports every table it touches at INFO; that is noise in the server log.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)

RED = (178, 34, 34)
BLACK = (30, 30, 30)


def chinese_date(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def appointment_letter_pdf(officer: InformationOfficer) -> bytes:
    """The 聘书 of one information officer as a one-page A4 PDF with the font subset embedded."""
    community = officer.community.name
    name = officer.person.name
    body = (
        f"兹聘请 {name} 同志为 {community} 民情信息员，"
        f"聘期自 {chinese_date(officer.appointed_on)} 至 {chinese_date(officer.term_end)}。"
    )
    duties = [f"{_NUMERALS[i]}、{duty}" for i, duty in enumerate(DUTIES)]
    signature = f"中共{community}总支委员会"
    issued = chinese_date(officer.appointed_on)
    number = f"聘书编号：{officer.appointment_no}"
    texts = ["聘书", number, body, "民情信息员职责", *duties, signature, issued, "（盖章）"]

    with tempfile.TemporaryDirectory() as folder:
        font_file = Path(folder) / "NotoSansSC-subset.ttf"
        font_file.write_bytes(_truetype_subset("".join(texts)))

        pdf = FPDF(orientation="P", unit="mm", format="A4")
        pdf.set_title(f"民情信息员聘书 {officer.appointment_no}")
        pdf.set_subject(f"{community} 民情信息员聘书")
        pdf.set_creator("民情流水线")
        pdf.set_lang("zh-CN")
        pdf.set_auto_page_break(False)
        pdf.add_font("NotoSansSC", "", font_file)
        pdf.add_page()

        # A double red frame, as printed 聘书 have.
        pdf.set_draw_color(*RED)
        pdf.set_line_width(1.2)
        pdf.rect(12, 12, 186, 273)
        pdf.set_line_width(0.4)
        pdf.rect(15, 15, 180, 267)

        pdf.set_font("NotoSansSC", size=10)
        pdf.set_text_color(*BLACK)
        pdf.set_xy(25, 22)
        pdf.cell(160, 6, number, align="R")

        pdf.set_font("NotoSansSC", size=40)
        pdf.set_text_color(*RED)
        pdf.set_xy(25, 45)
        pdf.cell(160, 20, "聘书", align="C")

        pdf.set_text_color(*BLACK)
        pdf.set_font("NotoSansSC", size=16)
        pdf.set_xy(30, 85)
        pdf.multi_cell(150, 11, body)  # breaks at the spaces around the name and dates, not inside them

        pdf.set_font("NotoSansSC", size=13)
        pdf.set_xy(30, pdf.get_y() + 10)
        pdf.cell(150, 9, "民情信息员职责", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("NotoSansSC", size=11)
        for duty in duties:
            pdf.set_x(30)
            pdf.multi_cell(150, 7.5, duty, wrapmode="CHAR")
            pdf.set_y(pdf.get_y() + 1.5)

        pdf.set_font("NotoSansSC", size=14)
        pdf.set_xy(30, 212)
        pdf.cell(150, 9, signature, align="R")
        pdf.set_xy(30, 222)
        pdf.cell(150, 9, issued, align="R")
        pdf.set_font("NotoSansSC", size=10)
        pdf.set_text_color(120, 120, 120)
        pdf.set_xy(30, 232)
        pdf.cell(150, 6, "（盖章）", align="R")
        return bytes(pdf.output())


def _truetype_subset(text: str) -> bytes:
    """Noto Sans SC cut down to the glyphs of `text`, with its CFF outlines turned into TrueType ones."""
    font = TTFont(str(sans_path()), lazy=True)
    options = subset.Options()
    options.layout_features = []  # Chinese needs no shaping; keeps the subset tiny
    options.hinting = False
    options.desubroutinize = True
    options.notdef_outline = True
    options.name_IDs = ["*"]  # keep the copyright and licence strings
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    _cff_to_truetype(font)
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def _cff_to_truetype(font: TTFont) -> None:
    """Replace the CFF table with quadratic `glyf` outlines (after fontTools' otf2ttf snippet)."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for glyph_name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[glyph_name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[glyph_name] = pen.glyph()

    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    glyf.compile(font)

    hmtx = font["hmtx"]
    for glyph_name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            hmtx[glyph_name] = (hmtx[glyph_name][0], glyph.xMin)

    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    maxp.maxTwilightPoints = 0
    maxp.maxStorage = 0
    maxp.maxFunctionDefs = 0
    maxp.maxInstructionDefs = 0
    maxp.maxStackElements = 0
    maxp.maxSizeOfInstructions = 0
    maxp.maxComponentElements = 0
    maxp.compile(font)

    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = glyph_order
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
