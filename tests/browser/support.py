"""Helpers of the browser tests (fixtures are in conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1100, "height": 800}
PASSWORD = "pass-1234-word"  # tests/factories.py UserFactory

CSP_MESSAGE = re.compile(r"Content[ -]Security[ -]Policy", re.IGNORECASE)


class Console:
    """The console messages and uncaught errors of one page; `problems` are the ones that fail a test."""

    def __init__(self, page):
        self.messages: list[str] = []
        self.problems: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.problems.append(f"JS error on {page.url}: {error}"))

    def _on_console(self, message):
        text = f"[{message.type}] {message.text}"
        self.messages.append(text)
        if CSP_MESSAGE.search(message.text):
            self.problems.append(f"CSP violation: {message.text}")
        elif message.type == "error" and not (message.location or {}).get("url", "").endswith("/favicon.ico"):
            # (the browser's own favicon request is not the page's)
            self.problems.append(f"console error: {message.text} at {message.location}")

    def assert_clean(self):
        assert not self.problems, "\n".join(self.problems)


def session_cookie(user, url):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": url,
    }


def login_through_form(page, username, password=PASSWORD):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


OFFICE_1366 = {"width": 1366, "height": 900}
PHONE_390 = {"width": 390, "height": 844}


def overflows_sideways(page) -> bool:
    """The page scrolls sideways: its scrolling element is wider than the window."""
    return page.evaluate("document.scrollingElement.scrollWidth > window.innerWidth")


def menu_link(page, name: str):
    """The link `name` of the main menu, opened to: the phone's menu button, then its group (a closed
    <details> hides its links from the accessibility tree, so they are found by their text)."""
    nav = page.locator("nav.menu")
    toggle = nav.locator(".nav-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    text = re.compile(rf"^\s*{re.escape(name)}\s*$")
    link = nav.locator("a", has_text=text).first
    if not link.is_visible():
        # `has` is relative to each group: a bare locator of the link, not one rooted at the menu
        nav.locator("details.nav-group", has=page.locator("a", has_text=text)).locator("summary").click()
    return link
