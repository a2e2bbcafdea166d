"""The main pages on a 375 px phone: each renders with no Content-Security-Policy violation or script
error, and nothing is wider than the screen (no sideways scrolling). Full-page screenshots go to
$BROWSER_SCREENSHOTS, or a pytest tmp folder, for a person to look at."""

import datetime as dt
import os

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.states import CaseState
from tests import factories as f
from tests.cases.factories import make_case
from tests.volunteering.factories import (
    ClaimFactory,
    ItemFactory,
    PostFactory,
    ProgrammeFactory,
    SignUpFactory,
    register,
    registered_member,
)
from volunteering.models import ClaimStatus

from .support import PHONE, horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# (who, path, a text the page shows). `{member_pk}` is the member's person id.
PAGES = [
    ("secretary", "/", "工作概览"),
    ("secretary", "/roster/", "花名册"),
    ("secretary", "/registrations/", "报到登记"),
    ("secretary", "/officers/", "民情信息员"),
    ("secretary", "/zones/", "责任区"),
    ("secretary", "/volunteering/dashboard/", "党员志愿服务"),
    ("secretary", "/volunteering/posts/", "服务岗位"),
    ("secretary", "/volunteering/items/", "志愿服务事项"),
    ("secretary", "/volunteering/requirement/", "完成情况"),
    ("secretary", "/volunteering/ledger/{member_pk}/", "活动台账"),
    ("secretary", "/cases/", "民情件"),
    ("staff", "/cases/my/", "民情件"),
    ("member", "/", "我的报到"),
    ("member", "/volunteering/me/", "我的志愿服务"),
    ("member", "/volunteering/items/", "志愿服务事项"),
    ("anonymous", "/cases/public/", "民声我听"),
    ("anonymous", "/cases/public/submit/", "我要反映"),
]


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    folder = os.environ.get("BROWSER_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        return folder
    return str(tmp_path_factory.mktemp("screenshots"))


@pytest.fixture
def busy_community(cast):
    """北街 with a bit of everything, long names included, so the pages are not empty."""
    register(cast.member_person, cast.beijie)
    patrol = PostFactory(community=cast.beijie, name="治安巡逻岗", capacity=4)
    PostFactory(community=cast.beijie, name="政策宣传与法律咨询服务岗", capacity=6)
    ClaimFactory(post=patrol, person=cast.member_person, year=timezone.localdate().year)
    ClaimFactory(
        post=patrol,
        person=registered_member(cast.beijie),
        year=timezone.localdate().year,
        status=ClaimStatus.APPROVED,
    )
    starts = timezone.now() + dt.timedelta(days=2)
    programme = ProgrammeFactory(community=cast.beijie, name="爱心超市")
    for title in ("楼道清扫", "防范电信网络诈骗进小区宣传活动（第二场）"):
        item = ItemFactory(
            community=cast.beijie,
            title=title,
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
            organiser=cast.staff,
            post=patrol,
            programme=programme,
            required_skills=["政策宣传"],
        )
        SignUpFactory(item=item, person=cast.member_person)
    f.ZoneFactory(community=cast.beijie, name="第一网格（1号楼至6号楼）")
    make_case(cast.beijie, by=cast.secretary, state=CaseState.IN_PROGRESS, worker=cast.staff)
    make_case(
        cast.beijie,
        by=cast.secretary,
        content="小区东门外的人行道上长期堆放建筑垃圾，老人带孩子出门只能走机动车道，很不安全，希望尽快清理。",
    )
    return cast


@pytest.mark.parametrize(("who", "path", "shows"), PAGES, ids=[f"{w}:{p}" for w, p, _ in PAGES])
def test_page_fits_a_phone_without_csp_violations(open_page, busy_community, screenshots, who, path, shows):
    cast = busy_community
    user = None if who == "anonymous" else getattr(cast, who)
    url = path.format(member_pk=cast.member_person.pk)
    page, console = open_page(user, viewport=PHONE)

    response = page.goto(url)

    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    expect(page.locator("main")).to_contain_text(shows)
    page.wait_for_load_state("load")
    name = f"{who}{url.replace('/', '_').rstrip('_') or '_home'}.png"
    page.screenshot(path=os.path.join(screenshots, name), full_page=True)
    assert horizontal_overflow(page) <= 1, f"{url} is {horizontal_overflow(page)} px wider than the phone"
    console.assert_clean()
