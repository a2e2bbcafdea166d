"""The evaluations pages people open on a phone: the evaluator's ballot (a personal link, no account) and
the employer liaison's inbox. At 390 px each fits the screen (no sideways scrolling), has no console
error or CSP violation (the open_page fixture checks), and works: the ballot is cast, the sheet is
acknowledged."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from evaluations import services
from evaluations.models import Evaluator, FeedbackSheet, SheetState
from tests.evaluations.appraisal_support import open_appraisal
from tests.evaluations.employer_world import build_ledger

from .support import horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_the_ballot_fits_a_phone_and_is_cast_from_it(cast, open_page):
    world = open_appraisal(cast, closes_on=timezone.localdate() + timezone.timedelta(days=10))
    evaluator = world.residents[0]
    token = services.evaluator_issue_link(evaluator=evaluator, by=cast.secretary)
    page, console = open_page(viewport=PHONE)

    page.goto(f"/evaluations/ballot/?t={token}")

    expect(page.get_by_text(cast.member_person.name).first).to_be_visible()
    assert horizontal_overflow(page) <= 0
    for radio in page.get_by_label("合格", exact=True).all():  # every subject, as the form requires
        radio.check()
    page.get_by_role("button", name="提交选票").click()
    expect(page.get_by_text("提交成功")).to_be_visible()
    assert horizontal_overflow(page) <= 0
    assert Evaluator.objects.get(pk=evaluator.pk).voted_at is not None
    console.assert_clean()


def test_the_liaison_inbox_fits_a_phone_and_acknowledges(cast, open_page):
    build_ledger(cast)
    year = timezone.localdate().year
    services.sheet_batch_run(
        batch_id=services.sheet_batch_start(community=cast.beijie, year=year, by=cast.secretary).pk
    )
    services.sheets_issue_all(community=cast.beijie, year=year, by=cast.secretary)
    page, console = open_page(cast.liaison, viewport=PHONE)

    page.goto("/evaluations/inbox/")

    expect(page.get_by_text(cast.member_person.name).first).to_be_visible()
    expect(page.get_by_role("link", name="下载 PDF").first).to_be_visible()
    expect(page.get_by_role("link", name=f"{year} 年度")).to_be_visible()
    assert horizontal_overflow(page) <= 0
    page.get_by_role("button", name="签收").first.click()
    expect(page.get_by_text("已签收").first).to_be_visible()
    assert horizontal_overflow(page) <= 0
    sheet = FeedbackSheet.objects.get(person=cast.member_person, year=year, is_current=True)
    assert sheet.state == SheetState.ACKNOWLEDGED
    console.assert_clean()
