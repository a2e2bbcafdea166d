"""Six journeys, each one person's first real use of the product, proven in a browser (issue 12).

Each page a journey reaches is checked by `Journey.check` (support.py): a full-page screenshot under
test-artifacts/journeys/, no console error, no CSP violation, no sideways scrolling, no serious or critical
axe-core violation. Offices work at 1366×900, members, officers and residents on a 390×844 phone.

Selectors are the ones a person reads: roles, labels and visible Chinese text; people move through the
grouped menu (on a phone behind its 菜单 button), which must show every entry without scrolling sideways.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case
from cases.states import CaseState
from members.models import RegistrationStatus
from members.validators import id_check_digit
from tests import factories as f
from tests.cases.factories import make_case, step
from tests.members.roster_files import SAMPLE_COMMUNITIES, complete_sample_town, sample_path
from tests.volunteering.factories import ItemFactory, PostFactory, RecordFactory, SignUpFactory, register
from volunteering import checkin
from volunteering.models import RecordStatus

from ..support import login_through_form
from .support import OFFICE, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MISTAKES = "roster-with-mistakes.xlsx"  # the shared sample (tests/members/data/)

MENU_MUST_FIT = True  # the grouped menu: no entry hidden behind the menu's own sideways scrolling

SIX = list(SAMPLE_COMMUNITIES)  # the manual's six communities of 城关镇, as the sample roster names them


def sample_town(cast):
    """城关镇 as the sample roster knows it: its six communities and eight employers."""
    return complete_sample_town(cast)["communities"]


def fixed_roster(folder: Path, *, only: str | None = None) -> Path:
    """The sample with its mistakes corrected as a secretary would in Excel (`only`: keep one community's rows)."""
    book = openpyxl.load_workbook(sample_path(MISTAKES))
    sheet = book.active
    first17 = str(sheet["F6"].value)[:17]
    sheet["F6"] = first17 + id_check_digit(first17)  # the check digit was wrong
    sheet["J10"] = "县人民医院"  # an employer the town does not know
    sheet["F14"] = "41082219791028021" + id_check_digit("41082219791028021")  # Excel kept it as a number
    sheet["E17"] = "1975.07"  # 八五年三月: nobody can read it (the ID number says 1975-07)
    sheet.delete_rows(43)  # the same person as row 5
    if only:
        for row in range(sheet.max_row, 2, -1):
            community = sheet.cell(row, 13).value
            if community and community != only:
                sheet.delete_rows(row)
    path = folder / ("花名册-已改正.xlsx" if not only else f"花名册-{only}.xlsx")
    book.save(path)
    return path


def png(folder: Path) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), "#8d99ae")
    ImageDraw.Draw(image).rectangle((40, 60, 280, 200), fill="#2b2d42")
    path = folder / "楼道.png"
    image.save(path)
    return path


def go(page, path, *, group=None, link=None):
    """To a page through the grouped menu (on a phone its 菜单 button first); by its address without `group`."""
    if not group:
        page.goto(path)
        return
    nav = page.get_by_role("navigation", name="主菜单")
    toggle = nav.get_by_role("button", name="菜单")
    if toggle.is_visible():
        toggle.click()
    nav.locator("summary", has_text=group).click()
    nav.get_by_role("link", name=link, exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(path)))


def act(page, action, *, select=None, fill=None):
    """On a case page: open the action's fold, fill its form by the labels, submit; the page says 已保存."""
    page.locator("details > summary", has_text=re.compile("^" + action)).click()
    form = page.locator("details[open] form")
    for label, option in (select or {}).items():
        control = form.get_by_label(label)
        control.select_option(control.locator("option", has_text=option).first.get_attribute("value"))
    for label, value in (fill or {}).items():
        form.get_by_label(label).fill(value)
    form.get_by_role("button", name="提交").click()
    expect(page.locator(".messages")).to_contain_text("已保存")


# ------------------------------------------------------------------------------------------------ 1. secretary


def test_secretary_imports_the_roster_confirms_a_registration_and_appoints_an_officer(
    journey, cast, tmp_path
):
    sample_town(cast)
    waiting = f.RegistrationFactory(
        person=cast.member_person, community=cast.beijie, status=RegistrationStatus.SUBMITTED
    )
    j = journey("1 书记：花名册、报到、信息员", viewport=OFFICE)
    page = j.page

    # She logs in through the form and lands on her home page
    login_through_form(page, cast.secretary.username)
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")
    j.check("首页")

    # She uploads the town's roster as it came, mistakes and all
    go(page, "/roster/", group="花名册与报到", link="花名册")
    page.get_by_role("link", name="导入", exact=True).click()
    j.check("导入花名册")
    page.get_by_label(re.compile("文件")).set_input_files(sample_path(MISTAKES))
    page.get_by_role("button", name="上传并检查").click()
    problems = page.locator("table.errors")
    expect(page.get_by_role("alert")).to_contain_text("本次不能导入")
    # identical problems grouped; each row under them
    expect(page.locator("table.problems")).to_contain_text("不属于您管理的社区")
    page.locator("summary", has_text="逐行明细").click()
    for row in ("6", "10", "14", "17", "43"):
        expect(
            problems.locator("td[data-label=行号]", has_text=re.compile(rf"^{row}$")).first
        ).to_be_visible()
    j.check("导入的错误")

    # She downloads them: her own sheet back, each bad row with its problem
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("下载问题表")).click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    cells = [str(c) for r in openpyxl.load_workbook(saved).active.iter_rows(values_only=True) for c in r if c]
    assert any("校验位" in c for c in cells) and any("县城乡规划设计研究院" in c for c in cells)

    # She fixes them in Excel and uploads again; only her community's rows are hers to import
    fixed = fixed_roster(tmp_path)
    page.get_by_role("link", name="重新上传").click()
    page.get_by_label(re.compile("文件")).set_input_files(fixed)
    page.get_by_role("button", name="上传并检查").click()
    # the town's file: she may import her community's rows only, all or nothing
    expect(page.get_by_role("status")).to_contain_text("属于其他社区")
    j.check("只导入本社区")
    page.get_by_role("button", name=re.compile("只导入本社区")).click()
    expect(page.get_by_text("导入完成")).to_be_visible()
    j.check("导入完成")
    page.get_by_role("link", name="查看花名册").click()
    expect(page.locator("table.roster")).to_contain_text("薛洋")
    j.check("花名册")

    # She confirms a member's registration
    go(page, "/registrations/", group="花名册与报到", link="报到登记")
    page.get_by_role("link", name=re.compile("待确认")).first.click()
    row = page.locator("tr", has_text="马明")
    j.check("报到待确认")
    row.get_by_role("button", name="确认").click()
    expect(page.locator(".messages")).to_be_visible()
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CONFIRMED
    j.check("报到已确认")

    # She appoints 薛洋 (laid off, now living in 北街) as an information officer, and opens the letter
    go(page, "/officers/", group="花名册与报到", link="信息员")
    page.get_by_role("link", name=re.compile("聘用")).first.click()
    person = page.get_by_label(re.compile(r"^人员[:：]?$"))
    person.select_option(person.locator("option", has_text="薛洋").first.get_attribute("value"))
    appointed_on = page.get_by_label("聘用日期")
    expect(appointed_on).to_have_value(timezone.localdate().isoformat())  # a date the browser accepts
    j.check("聘用信息员")
    page.get_by_role("button", name="聘用").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("薛洋")
    j.check("信息员")
    letter = page.get_by_role("link", name=re.compile("聘书"))
    response = page.request.get(letter.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")

    # Her home shows what waits for her
    page.get_by_role("link", name="首页").click()
    expect(page.get_by_role("heading", name="今日待办")).to_be_visible()
    j.check("首页：待办")


# ---------------------------------------------------------------------------------------------- 2. member (phone)


def test_member_on_a_phone_claims_a_post_signs_up_checks_in_and_sees_the_year(journey, cast):
    register(cast.member_person, cast.beijie)
    PostFactory(community=cast.beijie, name="治安巡逻岗", capacity=4)
    soon = timezone.now() + dt.timedelta(minutes=10)
    today = ItemFactory(
        community=cast.beijie,
        title="楼道清扫",
        starts_at=soon,
        ends_at=soon + dt.timedelta(hours=2),
        capacity=5,
        organiser=cast.staff,
    )
    later = timezone.now() + dt.timedelta(days=2)
    full = ItemFactory(
        community=cast.beijie,
        title="助老送餐",
        starts_at=later,
        ends_at=later + dt.timedelta(hours=2),
        capacity=1,
        organiser=cast.staff,
    )
    SignUpFactory(item=full)
    j = journey("2 党员（手机）：岗位、报名、签到、台账", viewport=PHONE)
    page = j.page

    login_through_form(page, cast.member.username)
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")
    expect(page.get_by_role("main")).to_contain_text("下一项服务")  # what he does today
    j.check("首页")

    # He claims a post
    go(page, "/volunteering/posts/", group="志愿服务", link="服务岗位")
    page.locator("tr, li, .card, article", has_text="治安巡逻岗").get_by_role(
        "button", name="认领此岗位"
    ).first.click()
    expect(page.locator(".messages")).to_be_visible()
    j.check("认领岗位")

    # He signs up for an item that is full: the waitlist
    go(page, "/volunteering/items/", group="志愿服务", link="服务事项")
    j.check("服务事项")
    page.get_by_role("link", name=re.compile("助老送餐")).click()
    page.get_by_role("button", name="名额已满，加入候补").click()
    expect(page.get_by_text(re.compile("候补第 1 位"))).to_be_visible()
    j.check("候补")

    # and for one that starts in ten minutes, then checks in there with the code on the organiser's screen
    page.goto("/volunteering/items/")
    page.get_by_role("link", name=re.compile("楼道清扫")).click()
    page.get_by_role("button", name="报名参加").click()
    expect(page.get_by_text("您已报名")).to_be_visible()
    j.check("已报名")
    page.get_by_label(re.compile("签到码")).fill(checkin.make_code(today))
    page.get_by_role("button", name="签到").click()
    expect(page.get_by_text(re.compile(r"签到 \d\d:\d\d"))).to_be_visible()
    j.check("已签到")

    # His year: progress against the requirement, and the ledger
    go(page, "/volunteering/me/", group="志愿服务", link="我的志愿服务")
    expect(page.locator("progress.meter")).to_be_visible()
    j.check("我的志愿服务")
    page.get_by_role("link", name="我的活动台账").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("马明")
    j.check("活动台账")


# -------------------------------------------------------------------------------------------- 3. resident (phone)


def test_resident_reports_with_a_photo_follows_it_reads_the_reply_and_rates_it(journey, cast, tmp_path):
    j = journey("3 居民（手机，免登录）：反映、查询、评价", viewport=PHONE)
    page = j.page

    page.goto("/cases/public/")
    j.check("民声我听")
    page.get_by_role("link", name=re.compile("我要反映")).click()
    expect(page.get_by_label("所在社区")).to_be_in_viewport()  # the privacy text is folded
    page.get_by_label("所在社区").select_option(label="北街社区")
    page.get_by_label("问题类别").select_option(index=1)
    page.get_by_label("反映内容").fill("3号楼楼道灯坏了，晚上看不见，老人上下楼不安全")
    page.get_by_label(re.compile("联系电话")).fill("13912345678")
    page.get_by_label(re.compile("图片")).set_input_files(png(tmp_path))
    page.get_by_label(re.compile("同意按说明处理")).check()
    j.check("我要反映")
    page.get_by_role("button", name="提交").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("已受理")
    card = page.locator(".card")
    tracking_no = card.locator("p", has_text="受理编号").locator("b").inner_text()
    access_code = card.locator("p", has_text="查询码").locator("b").inner_text()
    j.check("编号和查询码")
    case = Case.objects.get(tracking_no=tracking_no)
    assert case.attachments.count() == 1

    def follow():
        page.goto("/cases/public/track/")
        page.get_by_label("受理编号").fill(tracking_no)
        page.get_by_label("查询码").fill(access_code)
        page.get_by_role("button", name="查询").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(tracking_no)

    follow()
    j.check("办理进度")

    # The community handles it and answers (the office's side is journey 4)
    for name in ("classify", "assign", "start", "resolve", "feedback"):
        step(case, name, by=cast.secretary, worker=cast.staff)
    follow()
    expect(page.get_by_text("答复")).to_be_visible()
    j.check("答复")

    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_text(re.compile("您的评价：满意"))).to_be_visible()
    j.check("已评价")
    case.refresh_from_db()
    assert case.state == CaseState.RATED


# ------------------------------------------------------------------------------- 4. window staff and an officer


def test_hall_case_is_promised_assigned_handled_on_a_phone_and_closed_by_the_rating(journey, cast):
    desk = journey("4a 窗口：登记、承诺件、交办", cast.staff, viewport=OFFICE)
    page = desk.page
    page.goto("/")
    go(page, "/cases/new/", group="民情办理", link="民情受理")
    page.get_by_label(re.compile(r"^社区[:：]?$")).select_option(label="北街社区")
    page.get_by_label("受理渠道").select_option(label="服务大厅窗口")
    page.get_by_label("类别").select_option(index=1)
    page.get_by_label("反映内容").fill("2号楼下水道堵塞，污水漫到楼道口")
    page.get_by_label("反映人").fill("王大妈")
    page.get_by_label("联系电话").fill("13912345678")
    desk.check("登记民情")
    page.get_by_role("button", name="登记").click()
    message = page.locator(".messages").inner_text()
    tracking_no, access_code = re.search(r"已登记 (\S+)，居民查询码 (\w+)", message).groups()
    desk.check("已登记")

    # 承诺件 with its promise, then to the officer of the compound
    act(page, "分类", select={"办件类型": "承诺件"}, fill={"承诺时限": "5"})
    expect(page.get_by_role("heading", level=1)).to_contain_text("承诺件")
    desk.check("承诺件")
    act(page, "交办", select={"承办人": "欧兰"})
    expect(page.locator(".card").first).to_contain_text(f"承办人：{cast.officer.display_name}")
    desk.check("已交办")
    case = Case.objects.get(tracking_no=tracking_no)

    # The officer, on her phone, finds it on her list
    field = journey("4b 信息员（手机）：办结、电话、约定上门", cast.officer, viewport=PHONE)
    phone = field.page
    phone.goto("/")
    expect(phone.get_by_role("main")).to_contain_text(tracking_no)  # her home: what she was given, when due
    field.check("首页")
    go(phone, "/cases/my/", group="民情办理", link="我的民情件")
    field.check("我的民情件")
    phone.get_by_role("link", name=re.compile(tracking_no)).click()
    field.check("民情件")
    act(phone, "开始办理")
    act(phone, "办结", fill={"办理结果": "已联系物业疏通下水道，污水已清理"})
    field.check("已办结")
    # she reveals the resident's number with a one-tap reason, and calls from the page
    phone.locator("form.reveal").get_by_role("button", name="约定上门时间").click()
    expect(phone.get_by_role("link", name="13912345678")).to_have_attribute("href", "tel:13912345678")
    field.check("完整号码")
    visit = timezone.localtime() + dt.timedelta(days=1)
    act(phone, "约定上门", fill={"约定上门时间": visit.strftime("%Y-%m-%dT10:00"), "地点": "2号楼1单元"})
    field.check("约定上门")
    act(phone, "反馈居民", select={"反馈方式": "约定上门通知"}, fill={"反馈内容": "已上门告知处理结果"})
    field.check("已反馈")

    # The resident rates it on the public page; the office archives it
    home = journey("4c 居民（手机）：评价", viewport=PHONE)
    resident = home.page
    resident.goto("/cases/public/track/")
    resident.get_by_label("受理编号").fill(tracking_no)
    resident.get_by_label("查询码").fill(access_code)
    resident.get_by_role("button", name="查询").click()
    resident.get_by_label("满意", exact=True).check()
    resident.get_by_role("button", name="提交评价").click()
    expect(resident.get_by_text(re.compile("您的评价：满意"))).to_be_visible()
    home.check("评价")

    page.reload()
    act(page, "归档")
    expect(page.get_by_role("heading", level=1)).to_contain_text("已归档")
    desk.check("已归档")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED and case.rating


# ----------------------------------------------------------------------------------------- 5. employer liaison


def test_employer_liaison_sees_its_members_year_and_the_sheets_inbox(journey, cast):
    from evaluations import services as evaluations

    register(cast.member_person, cast.beijie)
    RecordFactory(
        item=ItemFactory(community=cast.beijie, title="楼道清扫", organiser=cast.staff),
        person=cast.member_person,
        status=RecordStatus.APPROVED,
    )
    year = timezone.localdate().year
    evaluations.sheet_batch_start(community=cast.beijie, year=year, by=cast.secretary)  # eager: runs now
    evaluations.sheets_issue_all(community=cast.beijie, year=year, by=cast.secretary)
    j = journey("5 单位联络人：本单位党员、反馈单", viewport=OFFICE)
    page = j.page
    login_through_form(page, cast.liaison.username)
    members = page.get_by_role("main")
    expect(members.get_by_role("row", name=re.compile("马明"))).to_contain_text("已报到")
    expect(members.get_by_role("columnheader", name=re.compile("服务时长"))).to_be_visible()  # the year
    expect(members.get_by_role("row", name=re.compile("马明"))).to_contain_text("2.0")
    j.check("本单位党员")

    # The community's feedback sheet waits in its inbox: it downloads it and acknowledges receipt
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="单位收件箱").click()
    sheet = page.locator(".card", has_text="马明").first
    expect(sheet).to_contain_text("服务事项 1 项")
    pdf = page.request.get(sheet.get_by_role("link", name=re.compile("PDF")).get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    j.check("反馈单收件箱")
    sheet.get_by_role("button", name="签收").click()
    expect(page.locator(".card", has_text="马明").first).to_contain_text("已签收")
    j.check("已签收")


# ----------------------------------------------------------------------------------------- 6. town supervisor


def test_town_supervisor_compares_the_six_communities_and_opens_an_overdue_list(journey, cast):
    communities = sample_town(cast)
    late = make_case(
        cast.changcheng, by=cast.other_secretary, state=CaseState.ASSIGNED, worker=cast.other_secretary
    )
    Case.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    make_case(cast.beijie, by=cast.secretary, state=CaseState.ASSIGNED, worker=cast.staff)
    j = journey("6 镇督查：六个社区、超期", viewport=OFFICE)
    page = j.page
    login_through_form(page, cast.town.username)
    table = page.get_by_role("table").first
    for name in SIX:
        expect(table).to_contain_text(name)
    j.check("六个社区")

    # each figure links to its filtered list
    table.get_by_role("row", name=re.compile("长城社区")).locator("a[data-figure=overdue]").click()
    expect(page).to_have_url(re.compile(rf"community={communities['长城社区'].pk}"))
    expect(page.get_by_role("main")).to_contain_text(late.tracking_no)
    j.check("长城社区超期")
    go(page, "/cases/overdue/", group="民情办理", link="超期督办")
    expect(page.get_by_role("main")).to_contain_text(late.tracking_no)
    j.check("超期督办")
