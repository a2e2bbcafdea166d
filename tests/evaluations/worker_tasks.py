"""Imported only by the worker of the batch SIGKILL test (`celery worker -I tests.evaluations.worker_tasks`).

It slows the generation of each sheet and makes the batch's chunks small, so a worker killed mid-batch is
caught with some chunks committed, one in flight (rolled back with the process) and others not started.
"""

import os
import time

from evaluations.selectors import sheets as selectors

PAUSE_SECONDS = float(os.environ.get("SLOW_SHEET_PAUSE_SECONDS", "0.15"))
selectors.CHUNK = 4

_real_sheet_content = selectors.sheet_content


def _slow_sheet_content(**kwargs):
    time.sleep(PAUSE_SECONDS)
    return _real_sheet_content(**kwargs)


selectors.sheet_content = _slow_sheet_content
