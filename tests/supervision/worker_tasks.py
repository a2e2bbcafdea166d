"""A task only the supervision SIGKILL test's worker imports (`celery worker -I tests.supervision.worker_tasks`).

The sweep's issuing step with a pause the test can kill the worker in: inside the transaction that writes
the orders (SWEEP_PAUSE=inside: nothing is committed yet), or after it committed and before anyone was told
(SWEEP_PAUSE=after). A marker file in SWEEP_MARK_DIR says the worker reached the pause.
"""

import datetime as dt
import os
import time
from pathlib import Path

from celery import shared_task
from django.db import transaction

from supervision import services


def _pause(where: str) -> None:
    if os.environ.get("SWEEP_PAUSE") != where:
        return
    Path(os.environ["SWEEP_MARK_DIR"], f"{where}-{os.getpid()}").touch()
    time.sleep(float(os.environ.get("SWEEP_PAUSE_SECONDS", "30")))


@shared_task(name="tests.supervision.slow_sweep", acks_late=True)
def slow_sweep(day: str) -> int:
    today = dt.date.fromisoformat(day)
    with transaction.atomic():
        issued = services.issue_orders(today=today)
        _pause("inside")
    _pause("after")
    services.notify_issued(today=today)
    return issued
