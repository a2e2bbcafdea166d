"""Browser tests: Playwright drives Debian's chromium (/usr/bin/chromium, never a downloaded browser)
against pytest-django's `live_server`.

Every page a test opens is watched: a Content-Security-Policy violation (an inline script, handler or
style attribute the browser refused) or a JavaScript error fails the test. The policy is the one in
settings.CONTENT_SECURITY_POLICY, sent by core.middleware.SecurityHeadersMiddleware.

Data comes from the `cast` (tests/conftest.py) and the real factories/services; tests are
`django_db(transaction=True)` because the live server reads the database from another thread.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .support import CHROMIUM, LAUNCH_ARGS, PHONE, Console, session_cookie


def pytest_collection_modifyitems(config, items):
    """Without the browser the tests here are skipped, with the reason in the report (not errors)."""
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing (apt-get install chromium)")
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _local_cache(settings):
    """The default cache is a file cache shared by every test process; rate limits and lockouts of the
    public pages must not leak between tests."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(scope="module")
def chromium():
    """One browser per test module. Playwright's sync API keeps an event loop running in this thread, so
    Django's async-safety check must be off while it lives (the ORM calls are still synchronous)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_api.sync_playwright().start()
    browser = manager.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
    try:
        yield browser
    finally:
        browser.close()
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_page(chromium, live_server, transactional_db):
    """open_page(user=None, viewport=PHONE, javascript=True) → (page, console) in a fresh browser context;
    `user` is logged in with a session cookie (only the login test goes through the form). The console is
    checked again when the test ends."""
    opened = []

    def make(user=None, viewport=PHONE, javascript=True):
        context = chromium.new_context(
            viewport=viewport,
            base_url=live_server.url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            java_script_enabled=javascript,
        )
        context.set_default_timeout(10_000)
        if user is not None:
            context.add_cookies([session_cookie(user, live_server.url)])
        page = context.new_page()
        console = Console(page)
        opened.append((context, console))
        return page, console

    yield make
    for context, console in opened:
        context.close()
        console.assert_clean()
