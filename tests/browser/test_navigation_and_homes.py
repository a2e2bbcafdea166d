"""The grouped menu (花名册与报到 / 志愿服务 / 民情办理 / 公开与统计) and each role's home, in the browser at
an office's 1366×900 and a phone's 390×844: nothing scrolls sideways, every link of the role's menu is
reachable and visible once its group is open (on a phone, after the menu button), the groups open from
the keyboard, and each home is screenshotted (BROWSER_SCREENSHOTS=dir keeps them)."""

import datetime as dt
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case
from cases.states import CaseState
from tests.cases.factories import make_case
from tests.volunteering.factories import ItemFactory, RecordFactory, SignUpFactory, register

from .support import OFFICE_1366, PHONE_390, menu_link, overflows_sideways

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ["secretary", "town", "member", "officer", "liaison"]


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    folder = os.environ.get("BROWSER_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        return folder
    return str(tmp_path_factory.mktemp("homes"))


@pytest.fixture
def busy(cast):
    """Something waiting on every home."""
    register(cast.member_person)
    now = timezone.now()
    item = ItemFactory(community=cast.beijie, title="敬老院义诊", starts_at=now + dt.timedelta(days=3))
    SignUpFactory(item=item, person=cast.member_person)
    done = ItemFactory(community=cast.beijie, title="楼道清扫", starts_at=now - dt.timedelta(days=30))
    RecordFactory(item=done, person=cast.member_person)
    late = make_case(cast.beijie, by=cast.secretary, state=CaseState.ASSIGNED, worker=cast.officer)
    Case.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - dt.timedelta(days=2))
    make_case(cast.changcheng, by=cast.other_secretary)
    return cast


@pytest.mark.parametrize("viewport", [OFFICE_1366, PHONE_390], ids=["1366", "390"])
@pytest.mark.parametrize("who", ROLES)
def test_every_menu_link_is_reachable_without_sideways_scrolling(open_page, busy, who, viewport):
    page, console = open_page(getattr(busy, who), viewport=viewport)
    page.goto("/")
    assert not overflows_sideways(page)

    names = page.locator("nav.menu a").evaluate_all("links => links.map(a => a.textContent.trim())")
    assert "首页" in names
    for name in names:
        link = menu_link(page, name)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], name
        assert not overflows_sideways(page), name
        page.keyboard.press("Escape")  # closes the open group (static/js/app.js)
    # and a link opened that way leads to its page
    with page.expect_navigation():
        menu_link(page, names[-1]).click()
    console.assert_clean()


def test_the_secretarys_menu_has_four_groups_and_the_pages_once_hidden(open_page, busy, screenshots):
    page, console = open_page(busy.secretary, viewport=OFFICE_1366)
    page.goto("/")

    summaries = page.locator("nav.menu details.nav-group > summary")
    expect(summaries).to_have_text(["花名册与报到", "志愿服务", "民情办理", "公开与统计"])
    for name in ("超期督办", "我的民情件"):  # cut off at 1366 px by the old one-row bar
        expect(menu_link(page, name)).to_be_visible()
    page.screenshot(path=os.path.join(screenshots, "menu-secretary-1366.png"))
    console.assert_clean()


def test_a_member_sees_only_a_members_menu(open_page, busy):
    page, _ = open_page(busy.member, viewport=PHONE_390)
    page.goto("/")

    names = page.locator("nav.menu a").evaluate_all("links => links.map(a => a.textContent.trim())")
    assert {"我的报到", "服务事项", "我的志愿服务", "签到", "我的民情件"} <= set(names)
    assert not {"花名册", "民情受理", "超期督办", "民主评议"} & set(names)


def test_the_groups_open_from_the_keyboard_and_escape_closes_them(open_page, busy):
    page, console = open_page(busy.secretary, viewport=OFFICE_1366)
    page.goto("/")
    group = page.locator("nav.menu details.nav-group").nth(2)  # 民情办理

    group.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(group).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("民情件")
    page.keyboard.press("Escape")
    expect(group).not_to_have_attribute("open", "")
    expect(group.locator("summary")).to_be_focused()
    console.assert_clean()


def test_the_phone_menu_opens_from_one_button(open_page, busy, screenshots):
    page, console = open_page(busy.secretary, viewport=PHONE_390)
    page.goto("/")
    toggle = page.get_by_role("button", name="菜单")

    expect(page.locator("nav.menu details.nav-group").first).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator("nav.menu details.nav-group").first).to_be_visible()
    menu_link(page, "超期督办")
    assert not overflows_sideways(page)
    page.screenshot(path=os.path.join(screenshots, "menu-secretary-390.png"))
    console.assert_clean()


def test_without_scripts_every_group_is_listed(open_page, busy):
    page, _ = open_page(busy.member, viewport=PHONE_390, javascript=False)
    page.goto("/")

    expect(page.locator("nav.menu details.nav-group").first).to_be_visible()
    assert not overflows_sideways(page)


@pytest.mark.parametrize(
    "who, viewport, shows",
    [
        ("member", PHONE_390, "下一项服务"),
        ("officer", PHONE_390, "我承办的民情件"),
        ("secretary", OFFICE_1366, "今日待办"),
        ("liaison", OFFICE_1366, "本单位在职党员报到情况"),
        ("town", OFFICE_1366, "各社区情况"),
    ],
)
def test_each_home_fits_its_screen(open_page, busy, screenshots, who, viewport, shows):
    page, console = open_page(getattr(busy, who), viewport=viewport)
    page.goto("/")

    expect(page.locator("main")).to_contain_text(shows)
    assert not overflows_sideways(page)
    page.screenshot(path=os.path.join(screenshots, f"home-{who}-{viewport['width']}.png"), full_page=True)
    console.assert_clean()
