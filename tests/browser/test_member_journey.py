"""A member on a phone: logs in through the real form, registers (报到), signs up for a service item."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from members import services as member_services
from members.models import Registration, RegistrationStatus
from tests.volunteering.factories import ItemFactory

from .support import login_through_form, menu_link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_logs_in_registers_and_signs_up_for_an_item(open_page, cast):
    # Given an upcoming service item in 北街 and 马明, a member of 北街 who has not registered yet
    starts = timezone.now() + dt.timedelta(days=3)
    ItemFactory(
        community=cast.beijie,
        title="楼道清扫",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        organiser=cast.staff,
    )
    page, console = open_page()

    # When he logs in through the login form, he lands on his home page
    login_through_form(page, cast.member.username)
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")
    expect(page.locator("#me-title")).to_have_text("我的报到")

    # and registers (报到) from 我的报到
    menu_link(page, "我的报到").click()
    expect(page).to_have_url(re.compile(r"/me/registration/$"))
    page.get_by_role("button", name="提交报到").click()
    expect(page.locator(".messages")).to_contain_text("报到已提交")
    expect(page.locator(".status-card")).to_contain_text("待确认")
    registration = Registration.objects.get(person=cast.member_person)
    assert registration.status == RegistrationStatus.SUBMITTED

    # Then once the secretary has confirmed it, he signs up for the item
    member_services.registration_confirm(registration=registration, by=cast.secretary)
    menu_link(page, "服务事项").click()
    page.get_by_role("link", name=re.compile("楼道清扫")).click()
    page.get_by_role("button", name="报名参加").click()
    expect(page.locator(".messages")).to_contain_text("报名成功")

    # and his page of volunteering shows it
    menu_link(page, "我的志愿服务").click()
    signed_up = page.locator("a.item-card", has_text="楼道清扫")
    expect(signed_up).to_contain_text("已报名")
    console.assert_clean()
