"""Background tasks with side effects are enqueued after commit, acknowledged late and idempotent: a real
worker on Redis, SIGKILLed (with its pool children) in the middle of a batch of 30 notification emails,
leaves every email sent exactly once after Redis redelivers what was not acknowledged.

Run by scripts/test-postgres.sh (PostgreSQL + Redis + a real worker); skipped on SQLite.
"""

import email
import json
import os
import signal
import time
from email.header import decode_header, make_header
from functools import partial
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import transaction

from core.models import Notification
from tests import factories as f
from tests.audit.worker_tasks import slow_send_notification_email
from tests.conftest import wait_for

BATCH = 30
VISIBILITY_TIMEOUT = 3  # seconds; production keeps the default hour (CELERY_VISIBILITY_TIMEOUT)


def subjects(mail_dir: Path) -> list[str]:
    """Every message the file backend wrote (one file per connection, messages separated by a rule)."""
    found = []
    for path in mail_dir.glob("*.log"):
        for chunk in path.read_bytes().split(b"-" * 79):
            message = email.message_from_bytes(chunk.strip())
            if message["Subject"]:
                found.append(str(make_header(decode_header(message["Subject"]))))
    return found


def alive_in_group(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, _ppid, group = (entry / "stat").read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue
        if int(group) == pgid and state != "Z":
            pids.append(int(entry.name))
    return pids


def broker_holds_nothing_for(queue: str) -> bool:
    """No message waiting in the queue and none delivered-but-unacknowledged (kombu's `unacked` hash)."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    unacked = [json.loads(v) for v in client.hvals("unacked")]
    return client.llen(queue) == 0 and not any(routing_key == queue for _, _, routing_key in unacked)


def emailed() -> int:
    return Notification.objects.filter(emailed_at__isnull=False).count()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_every_email_sent_exactly_once(celery_worker, tmp_path):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    slow = ["-I", "tests.audit.worker_tasks"]
    hold, busy = tmp_path / "hold", tmp_path / "busy"
    busy.mkdir()
    env = {
        "EMAIL_FILE_PATH": str(mail_dir),
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "SLOW_TASK_HOLD_FILE": str(hold),
        "SLOW_TASK_BUSY_DIR": str(busy),
    }
    celery_worker.restart(slow, env)
    try:
        # Given 30 notifications whose emails are enqueued only once their transaction commits
        user = f.UserFactory(email="secretary@example.cn")
        with transaction.atomic():
            notes = [
                Notification.objects.create(recipient=user, kind="test", title=f"民情通知 第{i:02d}号")
                for i in range(BATCH)
            ]
            for note in notes:
                transaction.on_commit(partial(slow_send_notification_email.delay, note.pk))

        # When the worker is SIGKILLed mid-batch, right after an email was committed as sent — its task is
        # still running (not acknowledged) — while another task waits to send (held, so that no send is
        # between the SMTP call and its commit: that window is at-least-once by nature, see deliver_email)
        wait_for(lambda: emailed() >= 4, timeout=60, interval=0.05)
        before = emailed()
        wait_for(lambda: emailed() > before, timeout=30, interval=0.01)
        hold.touch()
        wait_for(lambda: not any(busy.iterdir()), timeout=30, interval=0.005)
        group = celery_worker.process.pid
        os.killpg(group, signal.SIGKILL)
        celery_worker.process.wait(timeout=10)
        wait_for(lambda: not alive_in_group(group), timeout=10)
        sent_when_killed = emailed()
        assert 4 < sent_when_killed < BATCH

        # ... and a new worker starts once the unacknowledged messages are visible again
        time.sleep(VISIBILITY_TIMEOUT + 1)
        hold.unlink()
        celery_worker.restart(slow, env)
        wait_for(lambda: emailed() == BATCH, timeout=120, interval=0.2)
        wait_for(lambda: broker_holds_nothing_for(celery_worker.queue), timeout=60, interval=0.5)

        # Then every notification was emailed exactly once
        sent = subjects(mail_dir)
        assert len(sent) == BATCH, sorted(sent)
        assert sorted(sent) == sorted(n.title for n in notes)
        assert Notification.objects.filter(emailed_at__isnull=True).count() == 0
        # ... and the task killed after its effect really ran again and found nothing left to do
        log = Path(celery_worker.log).read_text(errors="replace")
        skipped = [
            line
            for line in log.splitlines()
            if "slow_send_notification_email[" in line and "succeeded" in line and line.endswith(": False")
        ]
        assert skipped, "no redelivered task was seen skipping an email already sent"
        print(
            f"\nkilled after {sent_when_killed}/{BATCH} emails; "
            f"{len(skipped)} redelivered task(s) found the email already sent; {len(sent)} emails in total"
        )
    finally:
        celery_worker.restart()  # the ordinary worker for the rest of the session
