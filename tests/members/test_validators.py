"""GB 11643 resident ID numbers, mobile numbers and the masks shown to people outside the office."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from members.validators import (
    birth_date_from_id,
    gender_from_id,
    id_check_digit,
    id_number_problem,
    mask_id_number,
    mask_mobile,
    normalise_id_number,
    validate_id_number,
    validate_mobile,
)
from tests.factories import make_id_number

# The standard's own sample (check character X) and ordinary numbers with a digit check character.
VALID_IDS = [
    "11010519491231002X",  # GB 11643-1999 appendix example: X check digit
    "110101199003074477",
    "410821198503090019",
]


@pytest.mark.parametrize("value", VALID_IDS)
def test_valid_id_numbers_pass(value):
    # Given a correct 18-digit number / When validated / Then there is no problem
    assert id_number_problem(value) is None
    validate_id_number(value)


def test_check_digit_ten_is_written_as_x():
    # Given the first 17 digits of the standard's example whose weighted sum mod 11 is 2
    # Then the check character is X (the value 10), not a digit
    assert id_check_digit("11010519491231002") == "X"


def test_lower_case_x_is_accepted_after_normalising():
    assert normalise_id_number(" 11010519491231002x ") == "11010519491231002X"
    assert id_number_problem("11010519491231002x") is None


@pytest.mark.parametrize("n", range(0, 1000, 37))
def test_factory_numbers_carry_a_correct_check_digit(n):
    assert id_number_problem(make_id_number(n)) is None


def test_wrong_check_digit_is_refused():
    # Given a valid number with its last character changed
    valid = "110101199003074477"
    wrong = valid[:17] + ("8" if valid[17] != "8" else "9")
    # When validated / Then the check digit is named as the problem
    assert id_number_problem(wrong) == "身份证号码校验位错误"
    with pytest.raises(ValidationError) as excinfo:
        validate_id_number(wrong)
    assert excinfo.value.code == "id_number"


@pytest.mark.parametrize(
    "birth",
    ["19900230", "19901301", "19900001", "19900100"],
    ids=["30-february", "month-13", "month-0", "day-0"],
)
def test_impossible_birth_date_is_refused(birth):
    first17 = f"110101{birth}447"
    value = first17 + id_check_digit(first17)  # a correct check digit, so only the date is wrong
    assert id_number_problem(value) == "身份证号码中的出生日期无效"


@pytest.mark.parametrize("birth", ["18991231", "29990101"], ids=["before-1900", "in-the-future"])
def test_out_of_range_birth_date_is_refused(birth):
    first17 = f"110101{birth}447"
    value = first17 + id_check_digit(first17)
    assert id_number_problem(value) == "身份证号码中的出生日期超出合理范围"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "11010519491231002",
        "11010519491231002X1",
        "110105194912310",
        "1101051949123100XX",
        "A10105194912310020",
    ],
    ids=["empty", "17-chars", "19-chars", "15-digit-old-format", "two-x", "letter-inside"],
)
def test_wrong_length_or_characters_is_refused(value):
    assert id_number_problem(value) == "身份证号码应为18位（前17位数字，末位数字或X）"
    with pytest.raises(ValidationError):
        validate_id_number(value)


def test_birth_date_and_gender_are_read_from_the_number():
    assert birth_date_from_id("11010519491231002X") == dt.date(1949, 12, 31)
    assert gender_from_id("11010519491231002X") == "F"  # 17th digit 2: even → female
    assert gender_from_id("110101199003074477") == "M"  # 17th digit 7: odd → male


@pytest.mark.parametrize("value", ["13912345678", "19800001111", "15000000000", ""])
def test_valid_mobile_numbers_pass(value):
    validate_mobile(value)  # blank is allowed: the field is optional


@pytest.mark.parametrize(
    "value",
    ["12912345678", "1391234567", "139123456789", "23912345678", "139-1234-5678", "+8613912345678"],
    ids=["second-digit-2", "10-digits", "12-digits", "not-starting-1", "dashes", "country-code"],
)
def test_invalid_mobile_numbers_are_refused(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_mobile(value)
    assert excinfo.value.code == "mobile"


def test_mobile_mask_keeps_first_three_and_last_four_digits():
    assert mask_mobile("13912345678") == "139****5678"
    assert mask_mobile("") == ""
    assert mask_mobile(None) == ""
    assert mask_mobile("12345") == "****"


def test_id_number_mask_keeps_first_four_and_last_four_characters():
    masked = mask_id_number("11010519491231002X")
    assert masked == "1101**********002X"
    assert "19491231" not in masked  # the birth date never shows
    assert mask_id_number(None) == ""
    assert mask_id_number("") == ""
