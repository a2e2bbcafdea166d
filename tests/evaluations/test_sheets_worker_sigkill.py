"""The sheet batch on a real worker and Redis: SIGKILLed (with its pool children) in the middle of a
community's batch, the redelivered task resumes and every member ends with exactly one sheet of that batch
and one current sheet.

Run by scripts/test-postgres.sh (PostgreSQL + Redis + a real worker); skipped on SQLite.
"""

import os
import signal
import time

import pytest
from django.db import transaction

from evaluations import services
from evaluations.models import FeedbackSheet, SheetBatch, SheetBatchState
from tests.audit.test_worker_sigkill import alive_in_group, broker_holds_nothing_for
from tests.conftest import wait_for
from tests.volunteering.factories import registered_member

MEMBERS = 24
VISIBILITY_TIMEOUT = 3


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_leaves_every_sheet_written_exactly_once(cast, celery_worker):
    slow = ["-I", "tests.evaluations.worker_tasks"]
    env = {"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)}
    celery_worker.restart(slow, env)
    try:
        # Given 24 registered in-service members of 北街
        members = [registered_member(cast.beijie, employer=cast.hospital, user=False) for _ in range(MEMBERS)]

        # When the secretary starts the batch (enqueued on commit) and the worker is SIGKILLed with some
        # chunks of four written and the next one in flight
        with transaction.atomic():
            batch = services.sheet_batch_start(community=cast.beijie, year=2025, by=cast.secretary)
        wait_for(lambda: SheetBatch.objects.get(pk=batch.pk).done >= 8, timeout=90, interval=0.05)
        group = celery_worker.process.pid
        os.killpg(group, signal.SIGKILL)
        celery_worker.process.wait(timeout=10)
        wait_for(lambda: not alive_in_group(group), timeout=10)
        written_when_killed = FeedbackSheet.objects.filter(batch=batch).count()
        assert 8 <= written_when_killed < MEMBERS
        assert SheetBatch.objects.get(pk=batch.pk).state == SheetBatchState.RUNNING

        # ... and a new worker starts once the unacknowledged message is visible again
        time.sleep(VISIBILITY_TIMEOUT + 1)
        celery_worker.restart(slow, env)
        wait_for(
            lambda: SheetBatch.objects.get(pk=batch.pk).state == SheetBatchState.FINISHED,
            timeout=120,
            interval=0.2,
        )
        wait_for(lambda: broker_holds_nothing_for(celery_worker.queue), timeout=60, interval=0.5)

        # Then every member has exactly one sheet of the batch, one current sheet, and no second version
        finished = SheetBatch.objects.get(pk=batch.pk)
        assert finished.done == finished.total == MEMBERS
        per_member = {m.pk: FeedbackSheet.objects.filter(person=m, year=2025).count() for m in members}
        assert set(per_member.values()) == {1}
        assert FeedbackSheet.objects.filter(batch=batch).count() == MEMBERS
        assert FeedbackSheet.objects.filter(year=2025, is_current=True).count() == MEMBERS
        print(
            f"\nkilled with {written_when_killed}/{MEMBERS} sheets written; resumed to {MEMBERS}, none twice"
        )
    finally:
        celery_worker.restart()
