"""The `journey` fixture: journey(name, user=None, viewport=OFFICE) → a Journey (support.py) in a fresh
browser context of the live server; `user` is logged in with a session cookie (journeys that show the login
form log in through it themselves). When a journey fails, each of its pages is photographed as it was left
(`…-failed.png`), beside the steps that passed."""

from __future__ import annotations

import pytest

from .support import OFFICE, Journey


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.journey_failed = report.failed
    return report


@pytest.fixture
def journey(request, open_page):
    journeys = []

    # a module says whether its menu must fit without inner scrolling (MENU_MUST_FIT, the grouped menu)
    menu_must_fit = getattr(request.module, "MENU_MUST_FIT", False)

    def make(name, user=None, viewport=OFFICE, **kwargs):
        page, console = open_page(user, viewport=viewport, **kwargs)
        journeys.append(Journey(name, page, console, menu_must_fit=menu_must_fit))
        return journeys[-1]

    yield make
    if getattr(request.node, "journey_failed", False):
        for j in journeys:
            j.page.screenshot(path=str(j.folder / f"{j.steps + 1:02d}-failed.png"), full_page=True)
