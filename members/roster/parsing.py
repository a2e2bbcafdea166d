"""Reading a 花名册 workbook: find the header, read the person rows under it, hand each to the checks.
A pure read: writes nothing."""

from __future__ import annotations

import datetime as dt
import warnings
import zipfile
from dataclasses import dataclass, field

import openpyxl

from core.errors import DomainError

from ..models import Town
from .checks import _RowChecker
from .columns import (
    _FOOTER_RE,
    _HEADER_ALIASES,
    COLUMNS,
    FILE_COLUMN,
    HEADER_SCAN_ROWS,
    MAX_DATA_ROWS,
    MAX_UNPACKED_BYTES,
    REQUIRED_COLUMNS,
    _is_blank,
    _squash,
)


@dataclass
class ParsedRoster:
    """What a roster file says, checked against the town: rows ready to write, and every problem."""

    rows: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    # the file as it was typed: its header and every person row's cells (JSON-ready), so the problems can
    # be handed back as the same sheet with the bad cells marked (members.roster.problems)
    source: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


class _FileProblem(Exception):
    pass


_DAMAGED_MESSAGE = "Excel文件已损坏或格式不受支持，请用Excel打开后重新保存为.xlsx再上传"


def parse_roster(
    fileobj, *, town: Town, allowed_community_ids: set[int] | None, max_rows: int | None = None
) -> ParsedRoster:
    """Read and check a 花名册 workbook. Pure read: writes nothing.

    `allowed_community_ids=None` means every community of `town`. Each row of `rows` is JSON-ready and
    carries its spreadsheet row number; each error is {"row", "column", "message"}. Every bad row is
    reported, not just the first. Raises DomainError only for files over the size limits (more than
    `max_rows` people, default MAX_DATA_ROWS).
    """
    result = ParsedRoster(summary=_empty_summary())
    try:
        workbook = _open_workbook(fileobj)
    except _FileProblem as problem:
        result.errors.append({"row": 0, "column": FILE_COLUMN, "message": str(problem)})
        return result
    try:
        table = _read_table(workbook, max_rows=MAX_DATA_ROWS if max_rows is None else max_rows)
    except DomainError:
        raise
    except Exception:  # a damaged sheet fails while streaming, not when opened
        result.errors.append({"row": 0, "column": FILE_COLUMN, "message": _DAMAGED_MESSAGE})
        return result
    finally:
        workbook.close()

    result.summary.update(
        sheet=table.sheet,
        header_row=table.header_row,
        columns=table.columns,
        ignored_lines=table.ignored_lines,
    )
    if table.header_row is not None:
        result.source = {"header": table.raw_header, "rows": table.raw_rows}
    if table.header_row is None:
        result.errors.append(
            {
                "row": 0,
                "column": "表头",
                "message": f"前{HEADER_SCAN_ROWS}行中没有找到表头：表头须包含“姓名”和“身份证号码”两列",
            }
        )
        return result
    missing = [c for c in REQUIRED_COLUMNS if c not in table.columns]
    if missing:
        result.errors.append(
            {
                "row": table.header_row,
                "column": "、".join(missing),
                "message": f"缺少必需的列：{'、'.join(missing)}",
            }
        )
        return result

    if not table.rows:
        result.errors.append(
            {"row": 0, "column": FILE_COLUMN, "message": "表头下面没有人员，请检查是否选错了文件"}
        )
        return result
    checker = _RowChecker(town=town, allowed_community_ids=allowed_community_ids, table=table)
    for rownum, cells in table.rows:
        row, errors = checker.check(rownum, cells)
        result.errors.extend(errors)
        if not errors:
            result.rows.append(row)
    result.summary.update(checker.summary(valid_rows=result.rows))
    return result


def _empty_summary() -> dict:
    return {
        "sheet": "",
        "header_row": None,
        "columns": [],
        "rows": 0,
        "valid_rows": 0,
        "error_rows": 0,
        "new_people": 0,
        "updated_people": 0,
        "new_buildings": 0,
        "ignored_lines": 0,
        "communities": {},
    }


def _open_workbook(fileobj):
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise _FileProblem(
            "这是旧版Excel（.xls）或设了密码的文件，请在Excel中“另存为”.xlsx格式（不设密码）后再上传"
        )
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _FileProblem("文件不是Excel（.xlsx）文件，请用Excel打开花名册后“另存为”.xlsx格式再上传")
    if "xl/workbook.xml" not in names:
        raise _FileProblem("文件不是Excel（.xlsx）文件，请用Excel打开花名册后“另存为”.xlsx格式再上传")
    if unpacked > MAX_UNPACKED_BYTES:
        raise DomainError(
            "文件内容过大，请分批导入", code="file_too_large", fields={"file": ["文件内容过大"]}
        )
    fileobj.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it ignores
            return openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    except Exception:  # openpyxl raises a zoo of errors on damaged files
        raise _FileProblem(_DAMAGED_MESSAGE)


@dataclass
class _Table:
    sheet: str = ""
    header_row: int | None = None
    columns: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict]] = field(default_factory=list)
    ignored_lines: int = 0
    raw_header: list = field(default_factory=list)
    raw_rows: list = field(default_factory=list)


def _json_cell(value):
    """A cell as typed, JSON-ready: text and numbers as they are, dates as ISO text."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dt.datetime):  # Excel keeps every date as a datetime
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _canonical_header(value) -> str:
    text = _squash(str(value)) if value is not None else ""
    return _HEADER_ALIASES.get(text, text)


def _read_table(workbook, *, max_rows: int) -> _Table:
    """Find the sheet and row holding the header, then read every person row under it."""
    for sheet in workbook.worksheets:
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # some writers store a wrong <dimension>; read what is there
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        for rownum, values in rows:
            if rownum > HEADER_SCAN_ROWS:
                break
            names = [_canonical_header(v) for v in values]
            if "姓名" in names and "身份证号码" in names:
                positions = {}
                for index, name in enumerate(names):
                    if name in COLUMNS and name not in positions:
                        positions[name] = index
                table = _Table(
                    sheet=sheet.title,
                    header_row=rownum,
                    columns=[c for c in COLUMNS if c in positions],
                    raw_header=[_json_cell(v) for v in values],
                )
                _read_rows(rows, positions, table, max_rows=max_rows)
                return table
    return _Table(sheet=workbook.worksheets[0].title if workbook.worksheets else "")


def _read_rows(rows, positions: dict[str, int], table: _Table, *, max_rows: int) -> None:
    for rownum, values in rows:
        cells = {name: (values[i] if i < len(values) else None) for name, i in positions.items()}
        if all(_is_blank(v) for name, v in cells.items() if name != "序号"):
            if not all(_is_blank(v) for v in values):
                table.ignored_lines += 1  # a signature or note written in the 序号 column or beyond
            continue
        first = next((v for v in values if not _is_blank(v)), None)
        if _is_blank(cells.get("身份证号码")) and isinstance(first, str) and _FOOTER_RE.match(first.strip()):
            table.ignored_lines += 1
            continue
        if len(table.rows) >= max_rows:
            raise DomainError(
                f"花名册超过{max_rows}行，请分批导入", code="too_many_rows", fields={"file": ["行数过多"]}
            )
        table.rows.append((rownum, cells))
        table.raw_rows.append([rownum, [_json_cell(v) for v in values]])
