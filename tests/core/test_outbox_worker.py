"""A broker outage loses nothing and fails no request: with the web side's broker unreachable, assignments
made through the API answer 200 and their emails wait in the outbox; once the broker is back the relay
hands them to a real worker on Redis, and each assignee gets exactly one email.

Run by scripts/test-postgres.sh (PostgreSQL + Redis + a real worker); skipped on SQLite. The shared Redis
is never stopped: the web side (this process) is pointed at a closed port, as if its Redis were down.
"""

import datetime as dt
import socket
import time
from contextlib import contextmanager

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cases.states import CaseState
from config.celery import app
from core import outbox
from core.models import Notification, OutboxMessage
from tests.audit.test_worker_sigkill import subjects
from tests.cases.factories import make_case
from tests.conftest import wait_for

CASES = 6


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _forget_broker_connections():
    """The app keeps a connection pool and a producer pool per broker URL; drop them so the next publish
    connects to the URL now configured (what Celery itself does after a fork)."""
    app._pool = None
    app.__dict__.get("amqp") and setattr(app.amqp, "_producer_pool", None)


@contextmanager
def broker_unreachable():
    """Publishing from this process goes to a closed port. (`broker_write_url`: the environment's
    CELERY_BROKER_URL, which the PostgreSQL run sets, takes precedence over `broker_url` in the conf.)"""
    real = app.conf.broker_write_url if "broker_write_url" in app.conf.changes else None
    app.conf.broker_write_url = f"redis://127.0.0.1:{closed_port()}/0"
    _forget_broker_connections()
    try:
        yield
    finally:
        app.conf.broker_write_url = real
        _forget_broker_connections()
        outbox.reset_breaker()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_assignments_made_while_the_broker_is_down_answer_200_and_each_email_goes_out_once(
    celery_worker, cast, tmp_path
):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    celery_worker.restart(extra_env={"EMAIL_FILE_PATH": str(mail_dir)})
    try:
        # Given an officer with an email and cases waiting to be assigned
        cast.officer.email = "olga@example.cn"
        cast.officer.save(update_fields=["email"])
        cases = [make_case(cast.beijie, by=cast.secretary, state=CaseState.CLASSIFIED) for _ in range(CASES)]
        client = APIClient()
        client.force_authenticate(cast.secretary)

        # When the broker is unreachable from the web side, every assignment still answers 200
        with broker_unreachable():
            took = []
            for case in cases:
                started = time.monotonic()
                response = client.post(
                    f"/api/v1/cases/{case.pk}/assign/", {"assignee": cast.officer.pk}, format="json"
                )
                took.append(time.monotonic() - started)
                assert response.status_code == 200, response.content
        notes = list(Notification.objects.filter(recipient=cast.officer, kind="case_assigned"))
        assert len(notes) == CASES  # the assignments and their notifications are committed
        waiting = OutboxMessage.objects.filter(
            key__in=[f"notification-email:{n.pk}" for n in notes], dispatched_at__isnull=True
        )
        assert waiting.count() == CASES  # ... and each email waits in the outbox
        assert waiting.filter(attempts__gte=1).exclude(last_error="").exists()
        time.sleep(1)
        assert subjects(mail_dir) == []  # nothing reached the worker

        # Then, the broker back, the relay hands them over and the worker sends each once
        assert outbox.relay(now=timezone.now() + dt.timedelta(hours=2))["published"] == CASES
        wait_for(lambda: len(subjects(mail_dir)) >= CASES, timeout=60)
        assert outbox.relay(now=timezone.now() + dt.timedelta(hours=2))["published"] == 0
        time.sleep(2)  # room for a duplicate to show up, if there were one
        sent = subjects(mail_dir)
        assert sorted(sent) == sorted(n.title for n in notes)
        assert len(set(sent)) == CASES
        assert not Notification.objects.filter(pk__in=[n.pk for n in notes], emailed_at__isnull=True).exists()
        print(
            f"\n{CASES} assignments during the outage, all 200, in "
            + ", ".join(f"{t:.2f}" for t in took)
            + f" s; {len(sent)} emails after it"
        )
    finally:
        celery_worker.restart()  # the ordinary worker for the rest of the session
