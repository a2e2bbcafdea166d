"""The secretary at a desktop (1100 px): filters that submit themselves, and the ledger's print button.

None of these may rely on inline handlers (onchange=, onclick=): the Content-Security-Policy blocks them,
so static/js/app.js wires up `data-autosubmit` and `data-print` instead."""

import re

import pytest
from playwright.sync_api import expect

from tests.volunteering.factories import register

from .support import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_roster_filter_applies_when_a_choice_changes(open_page, cast):
    # Given the roster of 北街: 马明 (a member) and 欧兰 (an officer, not a party member)
    page, console = open_page(cast.secretary, viewport=DESKTOP)
    page.goto("/roster/")
    roster = page.locator("table.roster tbody")
    expect(roster).to_contain_text("马明")
    expect(roster).to_contain_text("欧兰")

    # When she picks 非党员 in the category filter (no button pressed)
    with page.expect_navigation():
        page.locator("form.filters select[name=category]").select_option("none")

    # Then the page reloads with the filter applied
    expect(page).to_have_url(re.compile(r"category=none"))
    expect(roster).to_contain_text("欧兰")
    expect(roster).not_to_contain_text("马明")
    console.assert_clean()


def test_requirement_year_select_reloads_the_page_for_that_year(open_page, cast):
    register(cast.member_person, cast.beijie)
    page, console = open_page(cast.secretary, viewport=DESKTOP)
    page.goto("/volunteering/requirement/")
    this_year = int(page.locator("select[name=year]").input_value())
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{this_year}年")

    with page.expect_navigation():
        page.locator("select[name=year]").select_option(str(this_year - 1))

    expect(page).to_have_url(re.compile(rf"year={this_year - 1}"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{this_year - 1}年")
    expect(page.locator("select[name=year]")).to_have_value(str(this_year - 1))
    console.assert_clean()


def test_ledger_print_button_prints(open_page, cast):
    register(cast.member_person, cast.beijie)
    page, console = open_page(cast.secretary, viewport=DESKTOP)
    # The harness (not the page) replaces window.print so the test sees the call without a print dialog.
    page.add_init_script("window.print = () => { window.__printed = true; };")
    page.goto(f"/volunteering/ledger/{cast.member_person.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("马明")

    button = page.get_by_role("button", name="打印")
    expect(button).to_be_visible()
    button.click()

    assert page.evaluate("window.__printed === true")
    console.assert_clean()


def test_filters_still_work_without_javascript(open_page, cast):
    # Without scripts nothing submits itself: the form keeps a button (in <noscript>) that does.
    register(cast.member_person, cast.beijie)
    page, console = open_page(cast.secretary, viewport=DESKTOP, javascript=False)
    page.goto("/volunteering/requirement/")
    this_year = int(page.locator("select[name=year]").input_value())
    page.locator("select[name=year]").select_option(str(this_year - 1))
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{this_year - 1}年")
    # and the print button, which needs a script, stays hidden
    page.goto(f"/volunteering/ledger/{cast.member_person.pk}/")
    expect(page.get_by_role("button", name="打印")).to_be_hidden()
    console.assert_clean()
