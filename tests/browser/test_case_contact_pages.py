"""Issue 12 in the browser, at an office screen (1366×900) and a phone (390×844): the assignee reveals the
resident's number with one tap and gets a tel: link; the tracking page says a wrong code once and the
notice's QR link opens the case; the public form starts on the first screen of a phone. Screenshots go to
$BROWSER_SCREENSHOTS (or a pytest tmp folder) for a person to look at."""

import os
import re

import pytest
from playwright.sync_api import expect

from cases import services
from cases.states import CaseState
from tests.cases.factories import make_case

from .support import horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OFFICE = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
VIEWPORTS = {"office": OFFICE, "phone": PHONE}


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    folder = os.environ.get("BROWSER_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        return folder
    return str(tmp_path_factory.mktemp("screenshots"))


@pytest.mark.parametrize("screen", VIEWPORTS)
def test_the_assignee_reveals_the_number_and_can_call(open_page, cast, screenshots, screen):
    case = make_case(cast.beijie, by=cast.secretary, state=CaseState.RESOLVED, worker=cast.officer)
    page, console = open_page(cast.officer, viewport=VIEWPORTS[screen])
    page.goto(f"/cases/{case.pk}/")
    expect(page.get_by_text("139****5678")).to_be_visible()

    page.get_by_role("button", name="电话反馈办理结果").click()

    link = page.get_by_role("link", name="13912345678")
    expect(link).to_have_attribute("href", "tel:13912345678")
    expect(page.get_by_role("status")).to_contain_text("查看原因已记录")
    assert horizontal_overflow(page) <= 0
    page.screenshot(
        path=os.path.join(screenshots, f"case-detail-assignee-revealed-{screen}.png"), full_page=True
    )
    console.assert_clean()


@pytest.mark.parametrize("screen", VIEWPORTS)
def test_the_tracking_page_says_a_wrong_code_once_and_the_qr_link_opens_the_case(
    open_page, cast, screenshots, screen
):
    case = make_case(cast.beijie, by=cast.secretary, state=CaseState.WAITING_DOCUMENTS, worker=cast.officer)
    code = services.case_reissue_access_code(case=case, by=cast.officer)
    page, console = open_page(viewport=VIEWPORTS[screen])
    page.goto("/cases/public/track/")
    page.get_by_label("受理编号").fill(case.tracking_no)
    page.get_by_label("查询码").fill("WRONG123")
    page.get_by_role("button", name="查询").click()

    expect(page.get_by_text("受理编号或查询码不正确")).to_have_count(1)
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=os.path.join(screenshots, f"public-track-wrong-code-{screen}.png"), full_page=True)

    page.goto(f"/cases/public/track/?no={case.tracking_no}&code={code}")  # what the notice's QR code holds
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.tracking_no)
    page.screenshot(path=os.path.join(screenshots, f"public-case-{screen}.png"), full_page=True)
    console.assert_clean()


def test_the_public_form_starts_on_the_first_phone_screen(open_page, cast, screenshots):
    page, console = open_page(viewport=PHONE)
    page.goto("/cases/public/submit/")

    notice = page.locator("details#privacy-notice")
    assert notice.get_attribute("open") is None  # folded; one tap opens it
    box = page.get_by_label("反映内容").bounding_box()
    assert box is not None and box["y"] < PHONE["height"]
    expect(page.get_by_label("联系电话")).to_have_attribute("inputmode", "tel")
    page.screenshot(path=os.path.join(screenshots, "public-submit-phone.png"), full_page=False)

    notice.locator("summary").click()
    expect(notice.get_by_text("谁处理")).to_be_visible()
    page.get_by_label("所在社区").select_option(label="北街社区")
    page.get_by_label("问题类别").select_option(index=1)
    page.get_by_label("反映内容").fill("3号楼楼道灯坏了，晚上看不见")
    page.get_by_label("联系电话").fill("13912345678")
    page.get_by_label(re.compile("同意按说明处理")).check()
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("已受理")
    assert horizontal_overflow(page) <= 0
    console.assert_clean()
