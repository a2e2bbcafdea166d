"""The 花名册's columns, the labels its cells use, and how a cell's text is read (shared by the parsing,
the checks, the import service and the export)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

from ..models import Gender, MemberCategory

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
