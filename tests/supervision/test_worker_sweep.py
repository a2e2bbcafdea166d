"""A real Celery worker on Redis runs the 督办 sweep; SIGKILLed mid-run (inside the transaction that writes
the orders, or after it committed and before anyone was told), the redelivered task leaves each order
issued exactly once and each addressee told exactly once.

Run by scripts/test-postgres.sh (PostgreSQL + Redis + a real worker); skipped on SQLite.
"""

import os
import signal
import time
from collections import Counter

import pytest
from django.db.models import Count

from core.models import Notification
from supervision.models import SupervisionOrder, SupervisionOrderEvent
from supervision.tasks import supervision_sweep
from tests.audit.test_worker_sigkill import alive_in_group, broker_holds_nothing_for
from tests.conftest import wait_for
from tests.supervision.support import D, promised_case
from tests.supervision.worker_tasks import slow_sweep

CASES = 6
SWEEP_DAY = "2026-10-12"  # a Monday, a working day
VISIBILITY_TIMEOUT = 3


def overdue_cases(cast):
    # two communities, so two addressees: 北街's office director and 长城's secretary
    return [
        promised_case(community, registered=D(2026, 9, 21), days=5, by=by, worker=by)
        for i in range(CASES)
        for community, by in [((cast.beijie, cast.secretary), (cast.changcheng, cast.other_secretary))[i % 2]]
    ]


def assert_exactly_once(cases):
    per_case = Counter(SupervisionOrder.objects.values_list("case_id", flat=True))
    assert per_case == Counter({case.pk: 1 for case in cases})
    events = SupervisionOrderEvent.objects.values("order_id").annotate(n=Count("pk"))
    assert sorted(e["n"] for e in events) == [1] * len(cases)
    notes = Notification.objects.filter(kind="supervision_order")
    assert notes.count() == 2, list(notes.values_list("recipient__username", "title"))


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_sweep(celery_worker, cast):
    cases = overdue_cases(cast)
    supervision_sweep.delay(SWEEP_DAY)
    wait_for(
        lambda: (
            SupervisionOrder.objects.count() == CASES
            and Notification.objects.filter(kind="supervision_order").count() == 2
        ),
        timeout=60,
    )
    supervision_sweep.delay(SWEEP_DAY)  # a second run the same day
    wait_for(lambda: broker_holds_nothing_for(celery_worker.queue), timeout=60, interval=0.5)
    time.sleep(1)
    assert_exactly_once(cases)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("where", ["inside", "after"])
def test_a_worker_killed_mid_sweep_leaves_each_order_issued_exactly_once(
    celery_worker, cast, tmp_path, where
):
    marks = tmp_path / "marks"
    marks.mkdir()
    env = {
        "SWEEP_PAUSE": where,
        "SWEEP_MARK_DIR": str(marks),
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    }
    slow = ["-I", "tests.supervision.worker_tasks"]
    celery_worker.restart(slow, env)
    try:
        # Given overdue cases of two communities
        cases = overdue_cases(cast)
        # When the worker is SIGKILLed (with its pool) while the sweep pauses
        slow_sweep.delay(SWEEP_DAY)
        wait_for(lambda: any(marks.iterdir()), timeout=60, interval=0.05)
        group = celery_worker.process.pid
        os.killpg(group, signal.SIGKILL)
        celery_worker.process.wait(timeout=10)
        wait_for(lambda: not alive_in_group(group), timeout=10)
        committed = SupervisionOrder.objects.count()
        assert committed == (0 if where == "inside" else CASES)
        assert not Notification.objects.filter(kind="supervision_order").exists()

        # ... and a new worker picks the unacknowledged message up once it is visible again
        time.sleep(VISIBILITY_TIMEOUT + 1)
        celery_worker.restart(slow, {**env, "SWEEP_PAUSE": ""})
        wait_for(lambda: Notification.objects.filter(kind="supervision_order").count() == 2, timeout=120)
        wait_for(lambda: broker_holds_nothing_for(celery_worker.queue), timeout=60, interval=0.5)
        # ... and the real task runs once more that day for good measure
        supervision_sweep.delay(SWEEP_DAY)
        wait_for(lambda: broker_holds_nothing_for(celery_worker.queue), timeout=60, interval=0.5)
        time.sleep(1)

        # Then each case has exactly one order with one event, and each addressee one notice
        assert_exactly_once(cases)
    finally:
        celery_worker.restart()
