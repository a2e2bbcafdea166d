"""督办 pages in the browser: the office director's list on a phone (390 px) and on a desktop, an order
with its answer form, the town office's escalations; no CSP violation, nothing wider than the screen.
Screenshots go to $BROWSER_SCREENSHOTS (or a pytest tmp folder) for a person to look at."""

import os

import pytest
import time_machine

from supervision import services
from supervision.models import SupervisionOrder
from tests.supervision.support import D, at, promised_case

from .support import horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def screenshots(tmp_path_factory):
    folder = os.environ.get("BROWSER_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        return folder
    return str(tmp_path_factory.mktemp("screenshots"))


@pytest.fixture
def orders(cast):
    for _ in range(3):
        promised_case(cast.beijie, registered=D(2026, 9, 21), days=5, by=cast.secretary, worker=cast.staff)
    with time_machine.travel(at(D(2026, 9, 30)), tick=False):
        services.daily_sweep(today=D(2026, 9, 30))
    first = SupervisionOrder.objects.order_by("pk").first()
    services.order_escalate(order=first, note="社区答复不及时", by=cast.town)
    return list(SupervisionOrder.objects.order_by("pk"))


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_directors_orders_and_the_answer_form(open_page, cast, orders, screenshots, viewport):
    page, _ = open_page(user=cast.director, viewport=viewport)
    page.goto("/supervision/orders/?mine=1")
    assert "督办单" in page.inner_text("h1")
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=f"{screenshots}/supervision-orders-{viewport['width']}.png", full_page=True)
    page.goto(f"/supervision/orders/{orders[1].pk}/")
    assert page.get_by_role("button", name="提交答复").is_visible()
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=f"{screenshots}/supervision-order-{viewport['width']}.png", full_page=True)
    page.fill("textarea[name=answer]", "已督促承办人本周内办结并回复居民")
    page.get_by_role("button", name="提交答复").click()
    page.wait_for_load_state()
    assert "已答复" in page.inner_text("main")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_town_office_page(open_page, cast, orders, screenshots, viewport):
    page, _ = open_page(user=cast.town, viewport=viewport)
    page.goto("/supervision/town/")
    assert "升级督办" in page.inner_text("h1")
    assert horizontal_overflow(page) <= 0
    page.screenshot(path=f"{screenshots}/supervision-town-{viewport['width']}.png", full_page=True)
