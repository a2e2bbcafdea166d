"""`make run` is the product, and the embedded default holds an office working at once.

One live server for the module (scripts/run.sh: gunicorn, the Celery worker and beat, DEBUG off, plain
http on 127.0.0.1) on a fresh SQLite file; starting it (migrate, seed, collectstatic) takes most of the
minute these tests need, hence the `embedded` mark: `make test-embedded`, run by .ci/run.
"""

import re
import stat
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest

from . import load, server

pytestmark = pytest.mark.embedded

# Four web workers, not make run's two: on a busy two-core machine two workers rarely have writes in
# flight at the same moment, four always do. Before WAL and BEGIN IMMEDIATE this load got "database is
# locked" 500s on 36 of 156 requests (tests/embedded/load.py, 15 s); the test would catch their return.
WEB_WORKERS = 4


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    site = server.start(tmp_path_factory.mktemp("embedded"), web_workers=WEB_WORKERS)
    yield site
    site.stop()


def fetch(url: str, opener=None, data: dict | None = None, headers: dict | None = None):
    """(status, headers, body) without raising on 4xx/5xx."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})
    try:
        with (opener or urllib.request.build_opener()).open(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def test_eight_staff_registering_and_classifying_at_once_get_no_server_error(live):
    # Given eight office logins of two communities, each with an API token
    tokens = list(live.tokens.values())
    assert len(tokens) == 8
    # When all eight register a case and classify it as a 承诺件, again and again, for eight seconds
    tally = load.run(live.base, tokens, writers=8, seconds=8)
    # Then no request failed on the server, every writer got work done, and nothing waited on a lock in vain
    assert tally.server_errors == 0, f"{tally.summary()}\n{tally.errors}\n{live.log()}"
    assert tally.statuses[201] >= 8, tally.summary()
    assert "database is locked" not in live.log()


def test_the_database_file_is_in_wal_mode(live):
    import sqlite3

    with sqlite3.connect(live.var_dir / "db.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_unknown_address_gets_the_products_404_page_not_the_debug_page(live):
    status, headers, body = fetch(live.base + "/no/such/page/")
    page = body.decode()
    assert status == 404
    assert "页面不存在" in page
    assert "URLconf" not in page and "DEBUG = True" not in page  # Django's technical 404 lists every route


def test_the_favicon_and_the_style_sheet_are_served(live):
    status, headers, body = fetch(live.base + "/favicon.ico")
    assert status == 200 and body[:4] == b"\x00\x00\x01\x00"  # an ICO file
    status, headers, _ = fetch(live.base + "/static/css/app.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")


def test_a_secretary_logs_in_over_plain_http(live):
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    status, headers, body = fetch(live.base + "/accounts/login/", opener)
    assert status == 200
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body.decode()).group(1)
    status, headers, body = fetch(
        live.base + "/accounts/login/",
        opener,
        data={"csrfmiddlewaretoken": csrf, "username": "beijie_secretary0", "password": server.PASSWORD},
        headers={"Referer": live.base + "/accounts/login/", "Origin": live.base},
    )
    # (urllib follows the redirect to the home page)
    assert status == 200, body.decode()[:2000]
    assert "首页" in body.decode()
    session = next(c for c in jar if c.name == "sessionid")
    assert not session.secure  # a Secure cookie would never come back over http


def test_the_secret_key_is_generated_once_into_var_and_kept_private(live):
    key_file = live.var_dir / "secret_key"
    assert len(key_file.read_text().strip()) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_the_admin_says_the_products_name(live):
    status, headers, body = fetch(live.base + "/admin/login/")
    page = body.decode()
    assert status == 200
    assert "民情流水线" in page and "Django" not in page
