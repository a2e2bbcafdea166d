"""The bell and the inbox in a real browser, on a phone and a desktop: no CSP violation or script error,
nothing wider than the screen, the bell's count, and opening a notification marks it read and goes to its
object. Screenshots go to $BROWSER_SCREENSHOTS (or a pytest tmp folder) for a person to look at."""

import os

import pytest

from core import notifications
from core.models import Notification

from .support import horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    folder = os.environ.get("BROWSER_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        return folder
    return str(tmp_path_factory.mktemp("screenshots"))


def inbox_of(user):
    titles = [
        (
            "case_assigned",
            "新交办民情 MQ-20261203-0007",
            "3号楼楼道灯坏了，晚上看不见，请尽快处理",
            "/cases/",
        ),
        (
            "registration_returned",
            "您在北街社区的报到登记被退回",
            "退回原因：住址不在本社区。请核对后重新提交。",
            "/me/registration/",
        ),
        (
            "waitlist_promoted",
            "候补转正：周六社区义诊",
            "您已由候补转为正式报名，请按时参加。",
            "/volunteering/items/",
        ),
    ]
    notes = [
        notifications.notify(recipient=user, kind=kind, title=title, body=body, url=url)
        for kind, title, body, url in titles
    ]
    notifications.mark_read(user=user, ids=[notes[2].pk])
    return notes


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_bell_and_the_inbox_on_a_phone_and_a_desktop(open_page, cast, viewport, screenshots):
    notes = inbox_of(cast.member)
    page, console = open_page(user=cast.member, viewport=viewport)
    tag = "phone" if viewport is PHONE else "desktop"

    page.goto("/")
    bell = page.locator("header a.bell")
    assert bell.get_attribute("aria-label") == "我的通知，2 条未读"
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=f"{screenshots}/bell-{tag}.png")

    bell.click()
    page.wait_for_url("**/inbox/")
    assert page.locator(".inbox-item").count() == 3
    assert page.locator(".inbox-item.unread").count() == 2
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=f"{screenshots}/inbox-{tag}.png", full_page=True)

    page.locator(".inbox-link", has_text="报到登记被退回").click()
    page.wait_for_url("**/me/registration/")
    assert Notification.objects.get(pk=notes[1].pk).read_at is not None
    assert page.locator("header a.bell").get_attribute("aria-label") == "我的通知，1 条未读"

    page.goto("/inbox/settings/")
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=f"{screenshots}/preferences-{tag}.png", full_page=True)
    console.assert_clean()
