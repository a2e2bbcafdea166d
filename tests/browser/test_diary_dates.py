"""The browser accepts the dates the server fills in: an <input type=date> drops any value that is not ISO
(zh-hans rendered 2026/12/03), so the officer's diary form opened with an empty date."""

import pytest
from django.utils import timezone

from .support import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_diary_form_opens_with_todays_date_filled_in(open_page, cast):
    page, console = open_page(cast.officer, viewport=PHONE)
    page.goto("/cases/diary/")

    date_input = page.get_by_label("走访日期")
    assert date_input.get_attribute("type") == "date"
    assert date_input.input_value() == timezone.localdate().isoformat()
    console.assert_clean()
