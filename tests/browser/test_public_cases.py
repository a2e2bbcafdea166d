"""A resident on a phone, without a login: reports a concern and looks it up by its tracking number."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_submits_a_concern_and_looks_it_up(open_page, cast):
    page, console = open_page()
    page.goto("/cases/public/")
    page.get_by_role("link", name=re.compile("我要反映")).click()

    # When the resident fills in the form, ticks the consent box and submits
    page.get_by_label("所在社区").select_option(label="北街社区")
    page.get_by_label("问题类别").select_option(index=1)
    page.get_by_label("反映内容").fill("3号楼楼道灯坏了，晚上看不见")
    page.get_by_label(re.compile("同意按说明处理")).check()
    page.get_by_role("button", name="提交").click()

    # Then a tracking number and an access code are shown, once
    expect(page.get_by_role("heading", level=1)).to_have_text("已受理")
    card = page.locator(".card")
    tracking_no = card.locator("p", has_text="受理编号").locator("b").inner_text()
    access_code = card.locator("p", has_text="查询码").locator("b").inner_text()
    assert Case.objects.filter(tracking_no=tracking_no, community=cast.beijie).exists()

    # and with them the resident finds the concern again
    page.get_by_role("link", name="查询进度").click()
    page.get_by_label("受理编号").fill(tracking_no)
    page.get_by_label("查询码").fill(access_code)
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(tracking_no)
    expect(page.locator(".card").first).to_contain_text("楼道灯")
    console.assert_clean()
