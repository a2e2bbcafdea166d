"""A task only the SIGKILL test's worker imports (`celery worker -I tests.audit.worker_tasks`).

It wraps the real service of core.tasks.send_notification_email between two pauses, so a worker killed
mid-batch is caught both before a task's effect (nothing happened yet) and after it (the email went out,
the message was not yet acknowledged) — the second case is where only idempotency prevents a duplicate.

The test can hold the batch (SLOW_TASK_HOLD_FILE exists): no new delivery starts, and the ones under way
are visible as marker files in SLOW_TASK_BUSY_DIR until their transaction committed. It kills the worker
only when none is under way, because no program can make "send the email, then commit that it was sent"
atomic: a kill between the two is the one window where a redelivery sends again (see deliver_email).
"""

import os
import time
from pathlib import Path

from celery import shared_task

from core import notifications

PAUSE_SECONDS = float(os.environ.get("SLOW_TASK_PAUSE_SECONDS", "0.6"))


def _deliver_unless_held(notification_id: int) -> bool:
    hold = os.environ.get("SLOW_TASK_HOLD_FILE")
    busy_dir = os.environ.get("SLOW_TASK_BUSY_DIR")
    if not (hold and busy_dir):
        return notifications.deliver_email(notification_id)
    marker = Path(busy_dir) / f"{os.getpid()}-{notification_id}"
    while True:
        marker.touch()  # first say we are about to deliver, then look at the hold: the test reads in the other order
        if not Path(hold).exists():
            break
        marker.unlink()
        time.sleep(0.02)
    try:
        return notifications.deliver_email(notification_id)
    finally:
        marker.unlink()


@shared_task(name="tests.audit.slow_send_notification_email", acks_late=True)
def slow_send_notification_email(notification_id: int) -> bool:
    time.sleep(PAUSE_SECONDS)
    sent = _deliver_unless_held(notification_id)
    time.sleep(PAUSE_SECONDS)
    return sent
