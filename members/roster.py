"""花名册 (party-member roster) import and export.

An import is two steps, so nobody writes 60 people by accident:

1. `roster_import_create` reads and checks the uploaded workbook (`parse_roster`, a pure read) and stores
   a RosterImport with the normalised rows, every problem found (row + column + message) and a summary.
2. `roster_import_commit` writes a clean preview all-or-nothing, with a constant number of queries.

`export_roster` writes the same columns back out, so an exported file re-imports cleanly.

Real rosters are typed by hand in Excel: a merged title row, the header somewhere near the top, dates in
half a dozen shapes, a signature line under the table, and ID numbers that Excel may have turned into
floats (`4.10822197910282e+17`, last digits gone) — those are reported, never "repaired".
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

import openpyxl
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from core import audit
from core.errors import Conflict, DomainError
from core.security import CONTROL_CHARACTER_MESSAGE, has_control_characters
from core.validators import BIRTH_DATES, JOIN_DATES
from core.xlsx import clean_text

from . import privacy
from .models import (
    Building,
    Community,
    Employer,
    Gender,
    ImportStatus,
    MemberCategory,
    PartyMembership,
    Person,
    Registration,
    RosterImport,
    Town,
    User,
)
from .roles import scope_for
from .services import PermissionDenied
from .validators import (
    birth_date_from_id,
    gender_from_id,
    id_number_problem,
    normalise_id_number,
    validate_mobile,
)

# The header of the town's 花名册, in order.
COLUMNS = [
    "序号",
    "姓名",
    "性别",
    "民族",
    "出生年月",
    "身份证号码",
    "学历",
    "入党时间",
    "党员类别",
    "工作单位",
    "职务",
    "联系电话",
    "居住社区",
    "楼栋",
    "单元/门牌",
    "专长",
    "备注",
]
# Without these a row cannot be placed or matched; the other columns may be left out of a file.
REQUIRED_COLUMNS = ["姓名", "身份证号码", "党员类别", "居住社区"]
_COLUMN_ORDER = {name: index for index, name in enumerate(COLUMNS)}

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_DATA_ROWS = 20_000
# A 5 MB xlsx can unpack to gigabytes (a zip bomb); a real 20,000-row roster unpacks to about 20 MB.
MAX_UNPACKED_BYTES = 150 * 1024 * 1024
HEADER_SCAN_ROWS = 10

FILE_COLUMN = "文件"
FLOAT_ID_MESSAGE = "身份证号码被Excel存成了数字，末几位已丢失，请把该列设为文本后重新填写"
UNKNOWN_EMPLOYER_MESSAGE = "单位不在本镇单位名录中"
NOT_YOURS_MESSAGE = "不属于您管理的社区"

# Other spellings of our column names seen in community offices' files.
_HEADER_ALIASES = {
    "编号": "序号",
    "出生日期": "出生年月",
    "出生年月日": "出生年月",
    "身份证号": "身份证号码",
    "身份证": "身份证号码",
    "公民身份号码": "身份证号码",
    "文化程度": "学历",
    "入党日期": "入党时间",
    "入党年月": "入党时间",
    "类别": "党员类别",
    "人员类别": "党员类别",
    "单位": "工作单位",
    "手机": "联系电话",
    "手机号": "联系电话",
    "手机号码": "联系电话",
    "联系方式": "联系电话",
    "社区": "居住社区",
    "所在社区": "居住社区",
    "楼号": "楼栋",
    "楼栋号": "楼栋",
    "单元门牌": "单元/门牌",
    "门牌号": "单元/门牌",
    "特长": "专长",
}
# Lines under the table: 填表人：… 审核人：… 填表日期：…, notes and totals.
_FOOTER_RE = re.compile(
    r"^(填表人|审核人|制表人|填报人|负责人|联系人|填表日期|制表日期|填报日期|单位盖章|盖章|注[:：]|说明|备注[:：]|合计|总计|共计)"
)

_CATEGORY_BY_LABEL = {label: value for value, label in MemberCategory.choices}
_CATEGORY_BY_LABEL["大中专毕业学生党员"] = MemberCategory.GRADUATE  # the manual's spelling
_GENDER_BY_LABEL = {"男": Gender.MALE, "女": Gender.FEMALE, "男性": Gender.MALE, "女性": Gender.FEMALE}
_GENDER_LABEL = {Gender.MALE: "男", Gender.FEMALE: "女"}
_SPECIALTY_SEPARATORS = re.compile(r"[、，,;；\s]+")
_SCIENTIFIC_RE = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)

# Longest value each text column may hold (the model's max_length).
_MAX_LENGTHS = {"姓名": 50, "民族": 20, "学历": 20, "职务": 50, "楼栋": 50, "单元/门牌": 50, "备注": 200}


# ------------------------------------------------------------------------------------------------- dates


class DateCellError(ValueError):
    """A date cell nobody can read with confidence; the message is shown to the user."""


def parse_date_cell(value, *, column: str = "日期") -> tuple[dt.date, bool] | None:
    """Read a roster date cell. Returns (date, month_only) or None for a blank cell.

    Accepts real dates, Excel serial numbers, and text shaped like 1985.03, 1985年3月, 1985-03-09,
    1985/03/09, 198503 or 20160812. A month without a day becomes the first of the month
    (month_only=True). Anything else raises DateCellError — a date is never guessed.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date(), False
    if isinstance(value, dt.date):
        return value, False
    if isinstance(value, bool):
        raise DateCellError(f"{column}无法识别")
    if isinstance(value, int | float):
        return _date_from_number(value, column)
    text = _squash(str(value)).rstrip(".。")
    if not text:
        return None
    return _date_from_text(text, column, original=str(value).strip())


_FULL_DATE_RES = [
    re.compile(r"^(\d{4})[.\-/](\d{1,2})[.\-/](\d{1,2})(?:T?00:00(?::00)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_MONTH_RES = [
    re.compile(r"^(\d{4})[.\-/](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
]


def _date_from_text(text: str, column: str, *, original: str) -> tuple[dt.date, bool]:
    for pattern in _FULL_DATE_RES:
        match = pattern.match(text)
        if match:
            return _make_date(*map(int, match.groups()), column=column, original=original), False
    for pattern in _MONTH_RES:
        match = pattern.match(text)
        if match:
            year, month = map(int, match.groups())
            return _make_date(year, month, 1, column=column, original=original), True
    raise DateCellError(f"{column}「{original}」无法识别，请写成1985.03、1985年3月或1985-03-09")


def _date_from_number(value: int | float, column: str) -> tuple[dt.date, bool]:
    shown = _number_text(value)
    if float(value).is_integer():
        number = int(value)
        digits = str(number)
        if len(digits) == 6:  # 198503 typed into a number cell
            return _make_date(int(digits[:4]), int(digits[4:]), 1, column=column, original=shown), True
        if len(digits) == 8:  # 20160812
            return (
                _make_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]), column=column, original=shown),
                False,
            )
        if 1900 <= number <= 2100:
            raise DateCellError(f"{column}「{shown}」只有年份，请写明年月，如1985.03")
        if 1 <= number <= 73050:  # an Excel serial number up to 2099-12-31
            return from_excel(number).date(), False
        raise DateCellError(f"{column}「{shown}」无法识别，请写成1985.03、1985年3月或1985-03-09")
    if 1900 < value < 2101:
        # 1985.03 typed into a number cell. Excel keeps 1985.03 but shows 1985.10 as 1985.1, so a
        # one-digit ".1" may be January or October: ask rather than guess.
        year_text, fraction = shown.split(".")
        if fraction == "1":
            raise DateCellError(
                f"{column}被Excel存成了数字{shown}，分不清是1月还是10月，请把该列设为文本后重新填写"
            )
        if len(fraction) > 2:
            raise DateCellError(f"{column}「{shown}」无法识别，请写成1985.03、1985年3月或1985-03-09")
        return _make_date(int(year_text), int(fraction), 1, column=column, original=shown), True
    if 1 <= value < 73051:  # a serial number with a time of day
        return from_excel(value).date(), False
    raise DateCellError(f"{column}「{shown}」无法识别，请写成1985.03、1985年3月或1985-03-09")


def _make_date(year: int, month: int, day: int, *, column: str, original: str) -> dt.date:
    if not 1900 <= year <= 2100:
        raise DateCellError(f"{column}「{original}」的年份不合理")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateCellError(f"{column}「{original}」不是有效的日期")


def format_birth_month(value: dt.date | None) -> str:
    """出生年月 as rosters write it: 1985.03."""
    return f"{value.year}.{value.month:02d}" if value else ""


# -------------------------------------------------------------------------------------------- parsing


@dataclass
class ParsedRoster:
    """What a roster file says, checked against the town: rows ready to write, and every problem."""

    rows: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)
    summary: dict = field(default_factory=dict)

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
                    sheet=sheet.title, header_row=rownum, columns=[c for c in COLUMNS if c in positions]
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


class _RowChecker:
    """Checks one row at a time against the town's communities, employers, buildings and people,
    loaded once up front (a constant number of queries whatever the size of the file)."""

    def __init__(self, *, town: Town, allowed_community_ids: set[int] | None, table: _Table):
        self.town = town
        self.today = timezone.localdate()
        communities = list(Community.objects.filter(town=town).values_list("pk", "name"))
        self.community_by_key = {_key(name): (pk, name) for pk, name in communities}
        self.town_community_ids = {pk for pk, _ in communities}
        self.allowed = (
            self.town_community_ids if allowed_community_ids is None else set(allowed_community_ids)
        )
        self.employer_by_key = {
            _key(name): (pk, name)
            for pk, name in Employer.objects.filter(town=town).values_list("pk", "name")
        }
        ids = {
            normalise_id_number(_squash(v))
            for _, cells in table.rows
            if isinstance(v := cells.get("身份证号码"), str) and v.strip()
        }
        self.existing = {
            p["id_number"]: p
            for p in Person.objects.filter(id_number__in=ids).values("pk", "id_number", "community_id")
        }
        self.active_registration_community = dict(
            Registration.objects.active()
            .filter(person_id__in=[p["pk"] for p in self.existing.values()])
            .values_list("person_id", "community__name")
        )
        building_keys = {_key(_text(cells.get("楼栋"))) for _, cells in table.rows} - {""}
        self.building_by_key = {
            (cid, _key(name)): pk
            for pk, cid, name in Building.objects.filter(
                community_id__in=self.town_community_ids, name__in=building_keys
            ).values_list("pk", "community_id", "name")
        }
        self.first_row_of_id: dict[str, int] = {}
        self.new_buildings: set[tuple[int, str]] = set()
        self.data_rows = 0
        self.error_rows = 0

    # -- one row ----------------------------------------------------------------------------------------

    def check(self, rownum: int, cells: dict) -> tuple[dict, list[dict]]:
        self.data_rows += 1
        errors: list[dict] = []

        def error(column: str, message: str) -> None:
            errors.append({"row": rownum, "column": column, "message": message})

        # The forms and the API refuse these too; stored, they break the export. An .xlsx can carry DEL
        # as it is (C0 characters make the XML unreadable: the file is reported as damaged).
        for column, value in cells.items():
            if isinstance(value, str) and has_control_characters(value):
                error(column, f"{column}{CONTROL_CHARACTER_MESSAGE}")

        texts = {column: _text(cells.get(column)) for column in _MAX_LENGTHS}
        texts["姓名"] = re.sub(r"\s+", "", texts["姓名"])  # two-character names get padded: “王  芳”
        texts["楼栋"] = _squash(texts["楼栋"])
        for column, value in texts.items():
            if len(value) > _MAX_LENGTHS[column]:
                error(column, f"{column}不能超过{_MAX_LENGTHS[column]}个字")
        if not texts["姓名"]:
            error("姓名", "姓名不能为空")

        id_number, id_ok = self._id_number(rownum, cells.get("身份证号码"), error)
        birth_date, gender = self._birth_and_gender(cells, id_number if id_ok else "", error)
        joined_on = self._joined_on(cells.get("入党时间"), birth_date, error)
        category, employer_id, employer_name = self._category_and_employer(cells, error)
        mobile = self._mobile(cells.get("联系电话"), error)
        community_id, community_name = self._community(cells.get("居住社区"), error)
        person_id = self._existing_person(id_number if id_ok else "", community_id, error)
        building_name = texts["楼栋"]
        building_id = self.building_by_key.get((community_id, _key(building_name))) if building_name else None

        if errors:
            self.error_rows += 1
            errors.sort(key=lambda e: _COLUMN_ORDER.get(e["column"], len(COLUMNS)))
        elif building_name and building_id is None:
            self.new_buildings.add((community_id, _key(building_name)))
        row = {
            "row": rownum,
            "name": texts["姓名"],
            "gender": gender,
            "ethnicity": texts["民族"],
            "birth_date": birth_date.isoformat() if birth_date else None,
            "id_number": id_number,
            "education": texts["学历"],
            "joined_on": joined_on.isoformat() if joined_on else None,
            "category": category,
            "employer_id": employer_id,
            "employer": employer_name,
            "position": texts["职务"],
            "mobile": mobile,
            "community_id": community_id,
            "community": community_name,
            "building_id": building_id,
            "building": building_name,
            "unit_room": texts["单元/门牌"],
            "specialties": _split_specialties(cells.get("专长")),
            "note": texts["备注"],
            "person_id": person_id,
            "action": "update" if person_id else "create",
        }
        return row, errors

    def _id_number(self, rownum: int, value, error) -> tuple[str, bool]:
        if _is_blank(value):
            error("身份证号码", "身份证号码不能为空")
            return "", False
        if isinstance(value, int | float) and not isinstance(value, bool):
            error("身份证号码", FLOAT_ID_MESSAGE)
            return "", False
        text = normalise_id_number(_squash(str(value)))
        if _SCIENTIFIC_RE.match(text):  # the number Excel showed, pasted back as text
            error("身份证号码", FLOAT_ID_MESSAGE)
            return "", False
        problem = id_number_problem(text)
        if problem:
            error("身份证号码", problem)
            return text, False
        earlier = self.first_row_of_id.get(text)
        if earlier is not None:
            error("身份证号码", f"与第{earlier}行是同一人（身份证号码相同）")
            return text, False
        self.first_row_of_id[text] = rownum
        return text, True

    def _birth_and_gender(self, cells, valid_id: str, error) -> tuple[dt.date | None, str]:
        birth = None
        try:
            parsed = parse_date_cell(cells.get("出生年月"), column="出生年月")
        except DateCellError as exc:
            error("出生年月", str(exc))
            parsed = None
        if parsed is not None and (problem := BIRTH_DATES.problem(parsed[0], today=self.today)):
            # the API and the person form refuse it too (core.validators); a date cell bypasses the year check
            error("出生年月", f"出生年月{problem}")
            parsed = None
        if valid_id:
            birth = birth_date_from_id(valid_id)
            if parsed is not None:
                written, month_only = parsed
                differs = (written.year, written.month) != (birth.year, birth.month) or (
                    not month_only and written != birth
                )
                if differs:
                    error("出生年月", f"出生年月与身份证号码不符（身份证为{birth:%Y.%m.%d}）")
        elif parsed is not None:
            birth = parsed[0]

        label = _squash(_text(cells.get("性别")))
        gender = ""
        if label:
            gender = _GENDER_BY_LABEL.get(label, "")
            if not gender:
                error("性别", "性别应填“男”或“女”")
        if valid_id:
            from_id = gender_from_id(valid_id)
            if gender and gender != from_id:
                error("性别", f"性别与身份证号码不符（身份证为{_GENDER_LABEL[from_id]}）")
            gender = from_id
        return birth, str(gender)

    def _joined_on(self, value, birth: dt.date | None, error) -> dt.date | None:
        try:
            parsed = parse_date_cell(value, column="入党时间")
        except DateCellError as exc:
            error("入党时间", str(exc))
            return None
        if parsed is None:
            return None
        joined, month_only = parsed
        problem = JOIN_DATES.problem(joined, today=self.today)  # as the API and the person form
        if problem:
            error("入党时间", f"入党时间{problem}")
        elif birth is not None:
            # Members join at 18 or older; compare by month when only the month is written.
            if month_only:
                too_young = (joined.year, joined.month) < (birth.year + 18, birth.month)
            else:
                too_young = (joined.year - birth.year, joined.month, joined.day) < (
                    18,
                    birth.month,
                    birth.day,
                )
            if too_young:
                error("入党时间", "入党时间早于年满18周岁，请核对入党时间和出生年月")
        return joined

    def _category_and_employer(self, cells, error) -> tuple[str, int | None, str]:
        label = _squash(_text(cells.get("党员类别")))
        category = _CATEGORY_BY_LABEL.get(label, "")
        if not label:
            error("党员类别", "党员类别不能为空")
        elif not category:
            error("党员类别", f"党员类别应为：{'、'.join(MemberCategory.labels)}")
        employer_name = _squash(_text(cells.get("工作单位")))
        employer_id, known_name = self.employer_by_key.get(_key(employer_name), (None, employer_name))
        if category == MemberCategory.IN_SERVICE:
            if not employer_name:
                error("工作单位", "在职党员须填写工作单位")
            elif employer_id is None:
                error("工作单位", UNKNOWN_EMPLOYER_MESSAGE)
        # Other categories may name a former employer; it is kept only when the town knows it.
        return str(category), employer_id, known_name

    def _mobile(self, value, error) -> str:
        if _is_blank(value):
            return ""
        text = _number_text(value) if isinstance(value, int | float) else _squash(str(value))
        text = re.sub(r"[-－—]", "", text)
        if text.startswith("+86"):
            text = text[3:]
        try:
            validate_mobile(text)
        except ValidationError as exc:
            error("联系电话", exc.messages[0])
        return text

    def _community(self, value, error) -> tuple[int | None, str]:
        name = _squash(_text(value))
        if not name:
            error("居住社区", "居住社区不能为空")
            return None, ""
        found = self.community_by_key.get(_key(name)) or self.community_by_key.get(_key(name) + "社区")
        if found is None:
            error("居住社区", f"「{name}」不是{self.town.name}的社区")
            return None, name
        community_id, community_name = found
        if community_id not in self.allowed:
            error("居住社区", NOT_YOURS_MESSAGE)
        return community_id, community_name

    def _existing_person(self, valid_id: str, community_id: int | None, error) -> int | None:
        if not valid_id:
            return None
        existing = self.existing.get(valid_id)
        if existing is None:
            return None
        if existing["community_id"] not in self.allowed:
            # Do not say where: the other community's roster is not this user's to see.
            error("身份证号码", "此人已在其他社区登记，不属于您管理的社区；如已搬入，请原社区办理转移")
            return None
        registered_at = self.active_registration_community.get(existing["pk"])
        if community_id and existing["community_id"] != community_id and registered_at:
            error(
                "居住社区",
                f"此人已在{registered_at}报到，搬家请办理报到转移，不能通过花名册修改居住社区",
            )
        return existing["pk"]

    # -- whole file -------------------------------------------------------------------------------------

    def summary(self, *, valid_rows: list[dict]) -> dict:
        names = {pk: name for pk, name in self.community_by_key.values()}
        per_community: dict[str, dict] = {}
        for row in valid_rows:
            entry = per_community.setdefault(
                row["community"], {"rows": 0, "new_people": 0, "updated_people": 0, "new_buildings": 0}
            )
            entry["rows"] += 1
            entry["updated_people" if row["person_id"] else "new_people"] += 1
        for community_id, _ in self.new_buildings:
            per_community[names[community_id]]["new_buildings"] += 1
        return {
            "rows": self.data_rows,
            "valid_rows": len(valid_rows),
            "error_rows": self.error_rows,
            "new_people": sum(1 for r in valid_rows if not r["person_id"]),
            "updated_people": sum(1 for r in valid_rows if r["person_id"]),
            "new_buildings": len(self.new_buildings),
            "communities": per_community,
        }


# --------------------------------------------------------------------------------------------- helpers


def _squash(text: str) -> str:
    """NFKC (full-width digits and punctuation → ASCII) and no whitespace at all."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _key(name: str | None) -> str:
    return _squash(name or "")


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number_text(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number_text(value)
    return str(value).strip()


def _split_specialties(value) -> list[str]:
    seen: list[str] = []
    for item in _SPECIALTY_SEPARATORS.split(_text(value)):
        if item and item not in seen:
            seen.append(item)
    return seen


# ------------------------------------------------------------------------------------------- services


def _file_size(fileobj) -> int:
    size = getattr(fileobj, "size", None)
    if size is not None:
        return size
    position = fileobj.tell()
    fileobj.seek(0, os.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(position)
    return size


def _import_scope(by: User) -> tuple[Town, set[int] | None, Community | None]:
    """Which town the user imports for, the communities they may write (None = all), their community."""
    scope = scope_for(by)
    if scope.town_ids:
        if len(scope.town_ids) > 1:
            raise DomainError("您负责多个镇，无法确定花名册属于哪个镇，请联系系统管理员")
        return Town.objects.get(pk=next(iter(scope.town_ids))), None, None
    if scope.managed_community_ids:
        communities = list(
            Community.objects.filter(pk__in=scope.managed_community_ids).select_related("town")
        )
        towns = {c.town_id for c in communities}
        if len(towns) > 1:
            raise DomainError("您管理的社区分属多个镇，无法确定花名册属于哪个镇，请联系系统管理员")
        community = communities[0] if len(communities) == 1 else None
        return communities[0].town, {c.pk for c in communities}, community
    raise PermissionDenied("只有镇管理人员或社区书记、工作人员、办公室主任可以导入花名册")


def roster_import_create(*, by: User, fileobj, filename: str) -> RosterImport:
    """Upload a 花名册: parse and check it, and keep the result as a preview (or as INVALID with errors).

    A town supervisor imports for the whole town; a community office only rows of its own communities.
    """
    town, allowed, community = _import_scope(by)
    if _file_size(fileobj) > MAX_FILE_BYTES:
        raise DomainError(
            "文件超过5MB，请删除多余的工作表和图片，或分批导入",
            code="file_too_large",
            fields={"file": ["文件超过5MB"]},
        )
    parsed = parse_roster(fileobj, town=town, allowed_community_ids=allowed)
    summary = {**parsed.summary, "scope_community_ids": sorted(allowed) if allowed is not None else None}
    return RosterImport.objects.create(
        uploaded_by=by,
        community=community,
        town=town,
        filename=os.path.basename(str(filename or "").replace("\\", "/"))[:200] or "花名册.xlsx",
        status=ImportStatus.INVALID if parsed.errors else ImportStatus.PREVIEW,
        rows=parsed.rows,
        errors=parsed.errors,
        summary=summary,
    )


def _require_commit_rights(roster_import: RosterImport, by: User) -> None:
    scope = scope_for(by)
    if by.pk != roster_import.uploaded_by_id:
        scope_ids = roster_import.summary.get("scope_community_ids")
        if scope_ids is None:
            allowed = scope.supervises_town(roster_import.town_id)
        else:
            allowed = all(scope.manages(c) for c in scope_ids)
        if not allowed:
            raise PermissionDenied("只有上传人或该范围的管理人员可以确认导入")
    # Rights may have changed since the upload: the committer must manage every community written now.
    row_communities = {row["community_id"] for row in roster_import.rows}
    if not all(scope.manages(c) for c in row_communities):
        raise PermissionDenied("您已不再管理花名册中的部分社区，不能确认导入")


# Person / membership fields the import always writes, and those written only when the file has the column.
_PERSON_ALWAYS = ["name", "gender", "birth_date", "community_id", "building_id"]
_PERSON_BY_COLUMN = {
    "民族": "ethnicity",
    "学历": "education",
    "联系电话": "mobile",
    "单元/门牌": "unit_room",
    "备注": "note",
}
_MEMBERSHIP_ALWAYS = ["category", "employer_id"]
_MEMBERSHIP_BY_COLUMN = {"入党时间": "joined_on", "职务": "position", "专长": "specialties"}


def _stale(what: str) -> DomainError:
    return DomainError(f"预览之后{what}，请重新上传花名册", code="stale_preview")


@transaction.atomic
def roster_import_commit(*, roster_import: RosterImport, by: User) -> RosterImport:
    """Write a previewed roster: buildings, people and memberships, all or nothing, in set-based queries.

    Only the uploader or a manager of the import's scope; only a PREVIEW import, once (the row lock makes
    a double click commit once and answer the second with Conflict). If the town's employers or
    communities, or the people matched by ID number, changed since the preview, nothing is written.
    """
    locked = RosterImport.objects.select_for_update().get(pk=roster_import.pk)
    _require_commit_rights(locked, by)
    if locked.status == ImportStatus.COMMITTED:
        raise Conflict("该花名册已经导入，不能重复导入", code="already_committed")
    if locked.status != ImportStatus.PREVIEW:
        raise Conflict("花名册有错误，不能导入；请修改后重新上传", code="import_invalid")
    if locked.purged_at is not None:
        raise Conflict("该花名册的明细已过保存期限被清除，请重新上传", code="import_purged")

    rows = locked.rows
    columns = set(locked.summary.get("columns") or COLUMNS)
    _check_still_valid(locked, rows)

    community_ids = {row["community_id"] for row in rows}
    existing = {
        p.id_number: p for p in Person.objects.filter(id_number__in=[row["id_number"] for row in rows])
    }
    for row in rows:
        person = existing.get(row["id_number"])
        if (person.pk if person else None) != row["person_id"]:
            raise _stale("人员信息有变化（有人被新增或删除）")
        if person is not None and not scope_for(by).manages(person.community_id):
            raise _stale("有人员已转到其他社区")
    moved = [
        p.pk
        for row in rows
        if (p := existing.get(row["id_number"])) and p.community_id != row["community_id"]
    ]
    if moved and Registration.objects.active().filter(person_id__in=moved).exists():
        raise _stale("有搬家人员办理了报到")

    buildings = _ensure_buildings(rows, community_ids)
    now = timezone.now()
    person_fields = _PERSON_ALWAYS + [f for c, f in _PERSON_BY_COLUMN.items() if c in columns]
    new_people, changed_people, unchanged_people = [], [], []
    for row in rows:
        person = existing.get(row["id_number"])
        values = _person_values(row, buildings)
        if person is None:
            new_people.append(Person(id_number=row["id_number"], **values))
            continue
        if "楼栋" not in columns:  # keep the building unless the person moved away from it
            values["building_id"] = person.building_id if person.community_id == row["community_id"] else None
        # Only what really changes is written: re-importing last month's file touches nothing, and a
        # new phone number rewrites one column, not twelve.
        changed = tuple(name for name in person_fields if getattr(person, name) != values[name])
        if changed:
            for name in changed:
                setattr(person, name, values[name])
            person.updated_at = now
            changed_people.append((changed, person))
        else:
            unchanged_people.append(person)
    try:
        Person.objects.bulk_create(new_people, batch_size=1000)
    except IntegrityError:
        raise Conflict("导入时有人员被同时登记，请重新上传花名册", code="concurrent_change")
    if any(p.pk is None for p in new_people):  # backends that cannot return ids from a bulk insert
        pks = dict(
            Person.objects.filter(id_number__in=[p.id_number for p in new_people]).values_list(
                "id_number", "pk"
            )
        )
        for person in new_people:
            person.pk = pks[person.id_number]
    _bulk_update_by_changed_fields(Person, changed_people, extra=["updated_at"])
    changed_people = [person for _, person in changed_people]

    person_by_id = {p.id_number: p for p in [*new_people, *changed_people, *unchanged_people]}
    memberships = {
        m.person_id: m
        for m in PartyMembership.objects.filter(
            person_id__in=[p.pk for p in [*changed_people, *unchanged_people]]
        )
    }
    membership_fields = _MEMBERSHIP_ALWAYS + [f for c, f in _MEMBERSHIP_BY_COLUMN.items() if c in columns]
    new_memberships, changed_memberships = [], []
    for row in rows:
        person = person_by_id[row["id_number"]]
        values = _membership_values(row)
        membership = memberships.get(person.pk)
        if membership is None:
            new_memberships.append(PartyMembership(person_id=person.pk, **values))
        elif changed := tuple(
            name for name in membership_fields if getattr(membership, name) != values[name]
        ):
            for name in changed:
                setattr(membership, name, values[name])
            changed_memberships.append((changed, membership))
    PartyMembership.objects.bulk_create(new_memberships, batch_size=1000)
    _bulk_update_by_changed_fields(PartyMembership, changed_memberships)

    # bulk_create/bulk_update bypass the model receivers of the audit trail: one summary row instead.
    audit.record(
        action="bulk_roster_import",
        obj=locked,
        actor=by,
        extra={
            "created_people": sorted(p.pk for p in new_people),
            "updated_people": sorted(p.pk for p in changed_people),
            "created_memberships": len(new_memberships),
            "updated_memberships": len(changed_memberships),
            "fields": [*person_fields, *membership_fields],
        },
    )
    locked.status = ImportStatus.COMMITTED
    locked.committed_at = now
    locked.summary = {
        **locked.summary,
        "committed": {"created_people": len(new_people), "updated_people": len(changed_people)},
    }
    locked.save(update_fields=["status", "committed_at", "summary"])
    roster_import.__dict__.update(
        status=locked.status, committed_at=locked.committed_at, summary=locked.summary
    )
    return locked


def _bulk_update_by_changed_fields(model, changes: list[tuple[tuple[str, ...], object]], extra=()) -> None:
    """bulk_update the changed rows, writing only the columns that changed in at least one of them.

    Django builds one CASE WHEN per column and row in Python, which dominates a large update (make bench:
    5,400 people with two changed columns took ~19 s writing all twelve, ~3 s writing the two). One
    bulk_update for all rows keeps the query count independent of the file."""
    if not changes:
        return
    fields = sorted({name for changed, _ in changes for name in changed})
    model.objects.bulk_update([obj for _, obj in changes], [*fields, *extra], batch_size=1000)


def _check_still_valid(roster_import: RosterImport, rows: list[dict]) -> None:
    employer_ids = {row["employer_id"] for row in rows if row["employer_id"]}
    employers = dict(
        Employer.objects.filter(town_id=roster_import.town_id, pk__in=employer_ids).values_list("pk", "name")
    )
    gone = sorted(
        {row["employer"] for row in rows if row["employer_id"] and employers.get(row["employer_id"]) is None}
    )
    renamed = sorted(
        {
            row["employer"]
            for row in rows
            if row["employer_id"] in employers
            and _key(employers[row["employer_id"]]) != _key(row["employer"])
        }
    )
    if gone or renamed:
        raise _stale(f"单位名录有变化（{'、'.join(gone + renamed)}）")
    communities = dict(
        Community.objects.filter(
            town_id=roster_import.town_id, pk__in={row["community_id"] for row in rows}
        ).values_list("pk", "name")
    )
    changed = sorted(
        {row["community"] for row in rows if communities.get(row["community_id"]) != row["community"]}
    )
    if changed:
        raise _stale(f"社区有变化（{'、'.join(changed)}）")


def _ensure_buildings(rows: list[dict], community_ids: set[int]) -> dict[tuple[int, str], int]:
    """(community_id, building name) → pk, creating the missing buildings in one insert."""
    wanted = {(row["community_id"], row["building"]) for row in rows if row["building"]}
    if not wanted:
        return {}
    names = {name for _, name in wanted}

    def load() -> dict[tuple[int, str], int]:
        return {
            (cid, name): pk
            for pk, cid, name in Building.objects.filter(
                community_id__in=community_ids, name__in=names
            ).values_list("pk", "community_id", "name")
        }

    found = load()
    missing = wanted - found.keys()
    if missing:
        # ignore_conflicts: another import may create the same building at the same moment.
        Building.objects.bulk_create(
            [Building(community_id=cid, name=name) for cid, name in sorted(missing)], ignore_conflicts=True
        )
        found = load()
    return found


def _person_values(row: dict, buildings: dict) -> dict:
    return {
        "name": row["name"],
        "gender": row["gender"],
        "birth_date": dt.date.fromisoformat(row["birth_date"]) if row["birth_date"] else None,
        "community_id": row["community_id"],
        "building_id": buildings.get((row["community_id"], row["building"])) if row["building"] else None,
        "ethnicity": row["ethnicity"],
        "education": row["education"],
        "mobile": row["mobile"],
        "unit_room": row["unit_room"],
        "note": row["note"],
    }


def _membership_values(row: dict) -> dict:
    return {
        "category": row["category"],
        "employer_id": row["employer_id"],
        "joined_on": dt.date.fromisoformat(row["joined_on"]) if row["joined_on"] else None,
        "position": row["position"],
        "specialties": row["specialties"],
    }


# ---------------------------------------------------------------------------------------------- export

_EXPORT_WIDTHS = [6, 10, 6, 8, 10, 22, 10, 12, 18, 22, 12, 14, 12, 10, 12, 24, 16]


def export_roster(people_qs, *, title: str | None = None, user=None) -> bytes:
    """The 花名册 of `people_qs` as an xlsx, in the import's columns, so the file re-imports cleanly.

    ID numbers and phone numbers are text cells with the text format (@), so Excel never turns them into
    floats; 出生年月 is written 1985.03 and 入党时间 yyyy-mm-dd, also as text. One query.
    The 花名册 lists party members only: residents without a membership (activists appointed as officers,
    say) are left out, since a row without 党员类别 could not be imported back.
    With `user`, phone and ID numbers are written as that user may see them (members.privacy) and a
    masked file says so in its title row; such a file is for reading, not for importing back.
    """
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("花名册")
    for index, width in enumerate(_EXPORT_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.merged_cells.add(f"A1:{get_column_letter(len(COLUMNS))}1")
    sheet.freeze_panes = "A3"

    title = title or f"党员花名册（{timezone.localdate():%Y年%m月%d日}导出）"
    people = people_qs.filter(membership__isnull=False).select_related(
        "community", "building", "membership", "membership__employer"
    )
    if user is not None:
        # Phone and ID numbers as the exporting user may see them (members.privacy); the title says so.
        community_ids = set(people.order_by().values_list("community_id", flat=True).distinct())
        if not all(privacy.can_see_full_personal_data(user, c) for c in community_ids):
            title += "（电话、身份证号已脱敏）"
    title_cell = WriteOnlyCell(sheet, value=title)
    title_cell.font = Font(size=14, bold=True)
    title_cell.alignment = Alignment(horizontal="center")
    sheet.append([title_cell])
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)

    for number, person in enumerate(people.iterator(chunk_size=2000), start=1):
        membership = getattr(person, "membership", None)
        values = [
            person.name,
            _GENDER_LABEL.get(person.gender, ""),
            person.ethnicity,
            format_birth_month(person.birth_date),
            privacy.shown_id_number(user, person, person.id_number)
            if user is not None
            else person.id_number or "",
            person.education,
            membership.joined_on.isoformat() if membership and membership.joined_on else "",
            membership.get_category_display() if membership else "",
            membership.employer.name if membership and membership.employer else "",
            membership.position if membership else "",
            privacy.shown_mobile(user, person, person.mobile) if user is not None else person.mobile,
            person.community.name,
            person.building.name if person.building else "",
            person.unit_room,
            "、".join(membership.specialties) if membership else "",
            person.note,
        ]
        sheet.append([number, *(_text_cell(sheet, value) for value in values)])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _text_cell(sheet, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=clean_text(value))  # core.xlsx: no control characters, never a formula
    cell.data_type = "s"  # openpyxl would take a leading "=" as a formula; a name is never a formula
    cell.number_format = "@"
    return cell
