"""Roster date cells: 出生年月 and 入党时间 as offices type them — read with confidence, or refused."""

from __future__ import annotations

import datetime as dt
import re

from openpyxl.utils.datetime import from_excel

from .columns import _number_text, _squash


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
