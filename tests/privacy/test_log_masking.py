"""No log a process of ours writes carries a full phone or ID number: the web app's handlers, the Celery
worker's (which would replace them with its own), and gunicorn's access log (which would print query
strings such as ?search=138…)."""

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from logging.config import dictConfig
from pathlib import Path

import pytest
from django.conf import settings

from core.security import PersonalDataLogFilter

ROOT = Path(__file__).resolve().parents[2]
PHONE, ID_NUMBER = "13812341234", "110101199003071234"


def test_every_configured_handler_masks_personal_numbers():
    for name, handler in settings.LOGGING["handlers"].items():
        assert "personal_data" in handler.get("filters", []), name


@pytest.fixture
def celery_logging_set_up_as_in_a_worker():
    """Run Celery's logging set-up the way `celery worker` and `celery beat` do, then put Django's back."""
    from config.celery import app

    root = logging.getLogger()
    saved = root.handlers[:], root.level
    app.log.already_setup = False
    app.log.setup_logging_subsystem(loglevel="INFO")
    yield root.handlers[:]  # taken now: pytest adds its own capturing handler for the test's call phase
    app.log.already_setup = False
    root.handlers[:], _ = saved
    root.setLevel(saved[1])
    dictConfig(settings.LOGGING)


def test_a_celery_worker_logs_through_the_masking_handlers(celery_logging_set_up_as_in_a_worker):
    handlers = celery_logging_set_up_as_in_a_worker

    assert handlers
    for handler in handlers:
        assert any(isinstance(f, PersonalDataLogFilter) for f in handler.filters), handler
    record = logging.LogRecord("cases.tasks", logging.INFO, __file__, 1, "call %s", (PHONE,), None)
    for handler in handlers:
        for f in handler.filters:
            f.filter(record)
    assert PHONE not in record.getMessage()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_gunicorn_access_log_has_no_query_strings(tmp_path):
    # the settings every served process uses (scripts/run.sh, scripts/schemathesis.sh, the README)
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "1",
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    env.pop("DJANGO_TESTING", None)
    log = tmp_path / "access.log"
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            "config/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            str(log),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/v1/people/?search={PHONE}&id_number={ID_NUMBER}"
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=2)
            except urllib.error.HTTPError:
                break  # answered (403: no login), so it was logged
            except OSError:
                time.sleep(0.1)
        for _ in range(50):
            if log.exists() and log.read_text():
                break
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=10)

    line = log.read_text()
    assert '"GET /api/v1/people/ HTTP/1.1" 403' in line
    assert PHONE not in line and ID_NUMBER not in line and "search=" not in line
    assert "rid=" in line and "rid=-" not in line  # the request id ties it to the app's log lines
