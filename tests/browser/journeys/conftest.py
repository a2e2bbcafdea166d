"""The `journey` fixture: journey(name, user=None, viewport=OFFICE) → a Journey (support.py) in a fresh
browser context of the live server; `user` is logged in with a session cookie (journeys that show the login
form log in through it themselves)."""

from __future__ import annotations

import pytest

from .support import OFFICE, Journey


@pytest.fixture
def journey(open_page):
    def make(name, user=None, viewport=OFFICE, **kwargs):
        page, console = open_page(user, viewport=viewport, **kwargs)
        return Journey(name, page, console)

    return make
