"""One table for the one masking module (core.masking): what counts as a phone or ID number, and how each
strength masks it. The log filter, the audit trail, the public pages and members.privacy all call it."""

import pytest

from core.masking import mask_id_number, mask_mobile, mask_text

ID = "410821198503090011"

# text, staff-facing (logs, audit trail), public pages
CASES = [
    ("电话13912345678", "电话139****5678", "电话139****5678"),
    ("身份证410821198503090011", "身份证4108**********0011", "身份证******************"),
    ("身份证41082119850309001X", "身份证4108**********001X", "身份证******************"),
    ("座机 6261234", "座机 6261234", "座机 *******"),
    ("座机 62612345", "座机 62612345", "座机 ********"),
    ("区号 037162612345", "区号 037162612345", "区号 ************"),
    # 12x is not a mobile number: staff text keeps it, public pages hide any long run of digits
    ("编号 12012345678", "编号 12012345678", "编号 ***********"),
    # glued to other digits or letters: not a number of its own
    ("订单139123456789", "订单139123456789", "订单************"),
    ("A410821198503090011B", "A410821198503090011B", "A410821198503090011B"),
    ("楼道灯坏了", "楼道灯坏了", "楼道灯坏了"),
    ("", "", ""),
]


@pytest.mark.parametrize(("text", "staff", "public"), CASES)
def test_mask_text_by_strength(text, staff, public):
    assert mask_text(text) == staff
    assert mask_text(text, public=True) == public


@pytest.mark.parametrize(
    ("value", "mobile", "id_number"),
    [
        ("13812341234", "138****1234", "1381**********1234"),
        (ID, "410****0011", "4108**********0011"),
        ("123", "****", "****"),
        ("", "", ""),
        (None, "", ""),
    ],
)
def test_mask_values(value, mobile, id_number):
    assert mask_mobile(value) == mobile
    assert mask_id_number(value) == id_number


def test_every_user_of_masking_goes_through_core_masking():
    from cases.security import mask_text as public_mask
    from core.security import mask_personal_numbers
    from members import validators

    assert mask_personal_numbers(f"call 13812341234 id {ID}") == mask_text(f"call 13812341234 id {ID}")
    assert public_mask(f"call 13812341234 id {ID}") == mask_text(f"call 13812341234 id {ID}", public=True)
    assert validators.mask_mobile is mask_mobile and validators.mask_id_number is mask_id_number
