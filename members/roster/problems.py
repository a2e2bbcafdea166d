"""An import's problems, for people: grouped on screen ("52 行：居住社区 不属于您管理的社区") and handed
back as the uploaded sheet itself with a 问题 column and the bad cells marked, to fix and upload again."""

from __future__ import annotations

from openpyxl.styles import Font, PatternFill

from core.xlsx import write_table

from ..selectors import ProblemGroup, group_problems  # noqa: F401 (re-exported for the package)
from .columns import _HEADER_ALIASES, _squash

BAD_FILL = PatternFill("solid", fgColor="FFC7CE")  # Excel's own "bad" red
ROW_FILL = PatternFill("solid", fgColor="FFF2CC")  # the rest of a bad row, pale yellow
PROBLEM_HEADER = "问题"


def _canonical(value) -> str:
    text = _squash(str(value)) if value is not None else ""
    return _HEADER_ALIASES.get(text, text)


def problems_workbook(roster_import):
    """The uploaded sheet as typed (its columns, every person row), a 问题 column naming each row's
    problems, the bad cells red and the rest of a bad row pale yellow, and 原行号 (the row in the uploaded
    file). File-level problems (no header, a missing column) are listed in the title row. Returns a
    temporary file (core.xlsx.write_table)."""
    source = roster_import.source or {}
    header = list(source.get("header") or [])
    while header and header[-1] in (None, ""):
        header.pop()
    by_row: dict[int, list[dict]] = {}
    file_level = []
    for e in roster_import.errors or []:
        if e.get("row") and source.get("rows"):
            by_row.setdefault(e["row"], []).append(e)
        else:
            file_level.append(e)
    index_of = {}
    for index, name in enumerate(header):
        index_of.setdefault(_canonical(name), index)
    width = len(header)
    headers = [str(h) if h is not None else "" for h in header] + [PROBLEM_HEADER, "原行号"]

    def lines():
        for rownum, values in source.get("rows") or []:
            values = list(values[:width]) + [None] * (width - len(values[:width]))
            problems = by_row.get(rownum, [])
            bad_columns = {index_of[e["column"]] for e in problems if e.get("column") in index_of}
            text = "；".join(f"{e['column']}：{e['message']}" for e in problems)
            yield values + [text, rownum], (bad_columns, bool(problems))

    heading = f"{roster_import.filename} 的问题（{len(by_row)} 行有问题，已标红）"
    if file_level:
        heading += "；" + "；".join(f"{e.get('column')}：{e.get('message')}" for e in file_level)
    return write_table(
        sheet_title="问题",
        heading=heading,
        headers=headers,
        rows=lines(),
        widths=[12] * width + [60, 8],
        style=_mark,
    )


def _mark(cells, marks) -> None:
    bad_columns, bad_row = marks
    if not bad_row:
        return
    for index, cell in enumerate(cells[:-2]):
        cell.fill = BAD_FILL if index in bad_columns else ROW_FILL
    cells[-2].fill = BAD_FILL
    cells[-2].font = Font(color="9C0006", bold=True)
