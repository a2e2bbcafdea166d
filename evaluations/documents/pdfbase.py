"""The PDF base of this app's documents: fpdf2 with Noto Sans SC cut down to the characters used, converted
to TrueType outlines (members.letters explains why), so the Chinese renders in every viewer and extracts
with `pdftotext`."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from members.letters import _truetype_subset

FONT = "NotoSansSC"
# Every character the fixed labels, digits and punctuation may need, besides the variable text.
BASE_CHARS = (
    "0123456789-:：./()（）、，。；★☆%·—年月日第版页共号项小时 "
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)


def chinese_date(value: dt.date | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return f"{value.year}年{value.month}月{value.day}日"


class TextCollector:
    """The drawing calls of CJKDocument that only note the text: a first pass over a document tells which
    characters the font subset needs, so no glyph is ever missing from the second, real pass."""

    def __init__(self):
        self.parts: list[str] = []

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def _note(self, *texts) -> None:
        self.parts.extend(str(t) for t in texts)

    def page(self) -> None:
        pass

    def ln(self, height: float = 4) -> None:
        pass

    def title(self, text: str, size: float = 18) -> None:
        self._note(text)

    def line(self, text: str, **kwargs) -> None:
        self._note(text)

    def field(self, label: str, value: str, **kwargs) -> None:
        self._note(label, value or "—")

    def table(self, columns, rows, **kwargs) -> None:
        self._note(*columns, *(v for row in rows for v in row))


def render_pdf(render, objects, *, title: str, subject: str = "") -> bytes:
    """`render(doc, obj)` for each object, twice: once to collect the text, once to draw it."""
    objects = list(objects)
    collector = TextCollector()
    for obj in objects:
        render(collector, obj)
    with CJKDocument(collector.text + title, title=title, subject=subject) as doc:
        for obj in objects:
            render(doc, obj)
        if not objects:
            doc.page()
            doc.line(f"{title}：无")
        return doc.output()


class CJKDocument:
    """An A4 FPDF with the subset font registered; use as a context manager (the font file is temporary)."""

    def __init__(self, text: str, *, title: str, subject: str = ""):
        self._folder = tempfile.TemporaryDirectory()
        font_file = Path(self._folder.name) / f"{FONT}-subset.ttf"
        font_file.write_bytes(_truetype_subset("".join(sorted(set(BASE_CHARS + text)))))
        pdf = FPDF(orientation="P", unit="mm", format="A4")
        pdf.set_title(title)
        pdf.set_subject(subject or title)
        pdf.set_creator("民情流水线")
        pdf.set_lang("zh-CN")
        pdf.set_auto_page_break(True, margin=18)
        pdf.set_margins(18, 16, 18)
        pdf.add_font(FONT, "", font_file)
        self.pdf = pdf

    def __enter__(self) -> CJKDocument:
        return self

    def __exit__(self, *exc) -> None:
        self._folder.cleanup()

    def output(self) -> bytes:
        return bytes(self.pdf.output())

    # ---- drawing helpers (TextCollector mirrors each one that writes text)

    def page(self) -> None:
        self.pdf.add_page()

    def ln(self, height: float = 4) -> None:
        self.pdf.ln(height)

    def font(self, size: float) -> None:
        self.pdf.set_font(FONT, size=size)

    def title(self, text: str, size: float = 18) -> None:
        self.font(size)
        self.pdf.cell(0, 12, text, align="C", new_x="LMARGIN", new_y="NEXT")

    def line(self, text: str, *, size: float = 10.5, height: float = 6.5, align: str = "L") -> None:
        self.font(size)
        self.pdf.multi_cell(0, height, text, align=align, wrapmode="CHAR", new_x="LMARGIN", new_y="NEXT")

    def field(self, label: str, value: str, *, label_width: float = 38) -> None:
        """A bordered two-column row: label | value (the value wraps)."""
        pdf = self.pdf
        self.font(10.5)
        width = pdf.w - pdf.l_margin - pdf.r_margin
        x, y = pdf.get_x(), pdf.get_y()
        lines = pdf.multi_cell(
            width - label_width, 7, value or "—", wrapmode="CHAR", dry_run=True, output="LINES"
        )
        height = 7 * max(1, len(lines))
        if y + height > pdf.h - pdf.b_margin:
            pdf.add_page()
            x, y = pdf.get_x(), pdf.get_y()
        pdf.rect(x, y, label_width, height)
        pdf.rect(x + label_width, y, width - label_width, height)
        pdf.set_xy(x + 1, y)
        pdf.multi_cell(label_width - 2, 7, label, wrapmode="CHAR")
        pdf.set_xy(x + label_width + 1, y)
        pdf.multi_cell(width - label_width - 2, 7, value or "—", wrapmode="CHAR")
        pdf.set_xy(x, y + height)

    def table(self, columns: list[str], rows: list[list[str]], *, widths: list[float] | None = None) -> None:
        pdf = self.pdf
        self.font(9.5)
        headings = FontFace(emphasis=None, fill_color=(235, 235, 235))
        with pdf.table(
            col_widths=widths, text_align="LEFT", line_height=6, headings_style=headings, wrapmode="CHAR"
        ) as t:
            t.row([str(c) for c in columns])
            for row in rows:
                t.row([str(v) for v in row])
