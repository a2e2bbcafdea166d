"""Validation of Chinese personal identifiers: GB 11643 resident ID numbers and mobile numbers."""

import datetime as dt

from django.core.exceptions import ValidationError

from core.masking import ID_NUMBER_RE, MOBILE_RE, mask_id_number, mask_mobile  # noqa: F401  (re-exported for callers)
from core.validators import BIRTH_DATES

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalise_id_number(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def id_number_problem(value: str) -> str | None:
    """Why `value` is not a valid 18-digit resident ID number, or None if it is."""
    value = normalise_id_number(value)
    if not ID_NUMBER_RE.match(value):
        return "身份证号码应为18位（前17位数字，末位数字或X）"
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "身份证号码中的出生日期无效"
    if BIRTH_DATES.problem(birth):
        return "身份证号码中的出生日期超出合理范围"
    if id_check_digit(value[:17]) != value[17]:
        return "身份证号码校验位错误"
    return None


def birth_date_from_id(value: str) -> dt.date:
    value = normalise_id_number(value)
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def gender_from_id(value: str) -> str:
    return "M" if int(normalise_id_number(value)[16]) % 2 else "F"


def validate_id_number(value: str) -> None:
    problem = id_number_problem(value)
    if problem:
        raise ValidationError(problem, code="id_number")


def validate_mobile(value: str) -> None:
    if value and not MOBILE_RE.match(value):
        raise ValidationError("手机号码应为以1开头的11位数字", code="mobile")
