"""What the settings make of the environment, read from config/settings.py imported in a fresh process.

A served site (make run, gunicorn, Celery) never runs in test mode unless asked, is served over HTTPS
unless told otherwise when DEBUG is off, refuses to start without a SECRET_KEY, and opens SQLite so that
a whole office can write at once.
"""

import json
import os
import secrets
import stat
import subprocess
import sys

import pytest

from .server import ROOT, product_env

KEY = secrets.token_urlsafe(50)
READ = """
import json, sys
{before}
from config import settings as s
names = sys.argv[1:]
print(json.dumps({{n: getattr(s, n, None) for n in names}}, default=str))
"""


def settings_of(tmp_path, *names, before="", **env):
    """The named settings, as a served process with this environment (and nothing of pytest's) sees them."""
    environ = product_env(tmp_path, **env)
    result = subprocess.run(
        [sys.executable, "-c", READ.format(before=before), *names],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


SECURE = ["SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS"]


def test_with_debug_off_the_site_is_served_over_https_unless_told_otherwise(tmp_path):
    s = settings_of(tmp_path, "DEBUG", "HTTPS", *SECURE, SECRET_KEY=KEY)
    assert s == {
        "DEBUG": False,
        "HTTPS": True,
        "SECURE_SSL_REDIRECT": True,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000,
    }


def test_plain_http_is_configuration_and_keeps_debug_off(tmp_path):
    """make run on http://127.0.0.1: no redirect to https, cookies that come back over http, no HSTS."""
    s = settings_of(tmp_path, "DEBUG", "HTTPS", *SECURE, SECRET_KEY=KEY, DJANGO_HTTPS="0")
    assert s == {
        "DEBUG": False,
        "HTTPS": False,
        "SECURE_SSL_REDIRECT": False,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_HSTS_SECONDS": 0,
    }


def test_https_does_not_follow_debug(tmp_path):
    assert settings_of(tmp_path, "HTTPS", "SESSION_COOKIE_SECURE", DJANGO_DEBUG="1") == {
        "HTTPS": False,
        "SESSION_COOKIE_SECURE": False,
    }
    assert settings_of(tmp_path, "HTTPS", "SESSION_COOKIE_SECURE", DJANGO_DEBUG="1", DJANGO_HTTPS="1") == {
        "HTTPS": True,
        "SESSION_COOKIE_SECURE": True,
    }


def test_importing_pytest_does_not_switch_test_mode_on(tmp_path):
    s = settings_of(
        tmp_path,
        "TESTING",
        "CELERY_TASK_ALWAYS_EAGER",
        "PASSWORD_HASHERS",
        "CACHES",
        before="import pytest",
        SECRET_KEY=KEY,
    )
    assert s["TESTING"] is False
    assert s["CELERY_TASK_ALWAYS_EAGER"] is False
    assert s["PASSWORD_HASHERS"] is None  # Django's default (PBKDF2), not the tests' MD5
    assert s["CACHES"]["default"]["BACKEND"].endswith("FileBasedCache")


def test_importing_pytest_does_not_excuse_a_missing_secret_key(tmp_path):
    environ = product_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", "import pytest\nfrom config import settings"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_test_mode_is_asked_for(tmp_path):
    assert settings_of(tmp_path, "TESTING", DJANGO_TESTING="1") == {"TESTING": True}
    # the module pytest loads (pyproject) asks for it, so a bare `pytest` needs no variable
    s = settings_of(tmp_path, "TESTING", before="import config.test_settings")
    assert s == {"TESTING": True}


def test_manage_py_does_not_turn_debug_on_without_a_secret_key(tmp_path):
    environ = product_env(tmp_path)
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings; print(settings.DEBUG)",
        ],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0, result.stdout
    assert "SECRET_KEY" in result.stderr
    assert "True" not in result.stdout


def test_sqlite_is_opened_for_several_writers(tmp_path):
    s = settings_of(tmp_path, "DATABASES", SECRET_KEY=KEY)
    options = s["DATABASES"]["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20
    # and each new connection really gets them
    probe = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "c = connection.cursor()\n"
        "print(*[c.execute(f'PRAGMA {p}').fetchone()[0] for p in ('journal_mode', 'synchronous', 'busy_timeout')])"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=product_env(tmp_path, SECRET_KEY=KEY),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "1", "20000"]  # synchronous 1 = NORMAL; busy timeout in ms


def test_a_server_database_gets_none_of_the_sqlite_options(tmp_path):
    s = settings_of(tmp_path, "DATABASES", SECRET_KEY=KEY, DATABASE_URL="postgres://u@127.0.0.1:5432/x")
    assert "transaction_mode" not in s["DATABASES"]["default"].get("OPTIONS", {})


@pytest.mark.parametrize("given", [{}, {"SECRET_KEY": KEY}])
def test_make_run_keeps_one_secret_key_in_var_unless_given_one(tmp_path, given):
    """scripts/embedded-env.sh (run.sh and the Makefile): generated once, private, the same next time."""
    script = '. scripts/embedded-env.sh && echo "${SECRET_KEY_FILE:-none}"'
    env = {**product_env(tmp_path, **given), "BIN": os.path.dirname(sys.executable)}
    first = subprocess.run(
        ["sh", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    key_file = tmp_path / "secret_key"
    if given:
        assert first.stdout.strip() == "none" and not key_file.exists()
        return
    assert first.stdout.strip() == str(key_file)
    key = key_file.read_text()
    assert len(key.strip()) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    subprocess.run(["sh", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert key_file.read_text() == key
