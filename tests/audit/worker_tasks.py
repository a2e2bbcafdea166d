"""A task only the SIGKILL test's worker imports (`celery worker -I tests.audit.worker_tasks`).

It wraps the real service of core.tasks.send_notification_email between two pauses, so a worker killed
mid-batch is caught both before a task's effect (nothing happened yet) and after it (the email went out,
the message was not yet acknowledged) — the second case is where only idempotency prevents a duplicate.
"""

import os
import time

from celery import shared_task

from core import notifications

PAUSE_SECONDS = float(os.environ.get("SLOW_TASK_PAUSE_SECONDS", "0.6"))


@shared_task(name="tests.audit.slow_send_notification_email", acks_late=True)
def slow_send_notification_email(notification_id: int) -> bool:
    time.sleep(PAUSE_SECONDS)
    sent = notifications.deliver_email(notification_id)
    time.sleep(PAUSE_SECONDS)
    return sent
