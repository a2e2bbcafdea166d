"""The transactional outbox: every background side effect of a write is a row written in that write's
transaction, then handed to the broker by a relay.

    outbox.enqueue(generate_feedback_sheets, batch.pk, key=f"feedback-sheets:{batch.pk}")

replaces `transaction.on_commit(lambda: generate_feedback_sheets.delay(batch.pk))`. What it buys:

- A rolled-back write leaves no message; a committed one always has its message, even when the broker is
  down at that moment (the old `.delay()` on commit raised, the request answered 500 after its write was
  committed, and the side effect was lost).
- After commit the message is published at once (`dispatch`). A broker error is logged and recorded on the
  row, never raised to the request; for the next `OUTBOX_BREAKER_SECONDS` this process then leaves new
  messages to the relay instead of waiting on a dead broker in each request.
- `relay()` (the `core.tasks.relay_outbox` beat job, or `manage.py relay_outbox`) publishes what is still
  undelivered, oldest first, with exponential backoff per row. On PostgreSQL the rows are taken with
  `SELECT … FOR UPDATE SKIP LOCKED`, so two relays (or a relay and a request) never publish one row twice
  at the same time.

Delivery is at least once: a process that dies after publishing and before its commit leaves the row to
be published again. The tasks are idempotent for that reason (a unique key on each effect, e.g.
`Notification.emailed_at` under a row lock). `key` makes the enqueue itself idempotent: a second
`enqueue` with a key already recorded adds nothing.

With `CELERY_TASK_ALWAYS_EAGER` (the unit tests) the task runs on commit in the caller's process, as
`.delay()` did: the row is claimed first, then the task runs and its errors propagate.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from functools import partial
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import KombuError

from .models import OutboxMessage

logger = logging.getLogger(__name__)

RELAY_BATCH = 200
FIRST_RETRY = dt.timedelta(seconds=15)
LAST_RETRY = dt.timedelta(hours=1)
# The broker is unreachable: connection refused, timed out, reset (kombu wraps most as OperationalError).
BROKER_ERRORS: tuple[type[BaseException], ...] = (KombuError, OSError)

_broker_down_until = 0.0  # time.monotonic() before which this process leaves publishing to the relay


def enqueue(
    task: Any, *args: Any, key: str | None = None, task_kwargs: dict | None = None
) -> OutboxMessage | None:
    """Record `task(*args, **task_kwargs)` in the current transaction and publish it after commit.

    `task` is a Celery task (or its registered name); arguments must be JSON (ids, ISO dates).
    `key` names the effect (e.g. `notification-email:42`); a key already recorded adds nothing and
    returns None. Without a key each call is its own message.
    """
    name = task if isinstance(task, str) else task.name
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                task=name,
                args=list(args),
                kwargs=task_kwargs or {},
                key=key or f"{name}:{uuid.uuid4().hex}",
            )
    except IntegrityError:
        return None  # recorded already (the same effect asked for twice)
    transaction.on_commit(partial(dispatch, message.pk))
    return message


def dispatch(message_id: int) -> bool:
    """Publish one message now, unless it was published already (by the relay) or this process saw the
    broker down moments ago. Never raises a broker error: the message stays for the relay."""
    if _eager():
        return _run_eagerly(message_id)
    if time.monotonic() < _broker_down_until:
        return False
    try:
        with transaction.atomic():
            message = (
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(pk=message_id, dispatched_at__isnull=True)
                .first()
            )
            if message is None:
                return False  # published already, or a relay holds it right now
            with _broker() as connection:
                _publish(message, connection)
            OutboxMessage.objects.filter(pk=message.pk).update(
                dispatched_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
            )
        return True
    except Exception as exc:  # noqa: BLE001 - whatever the broker raised, the request must not fail
        _failed(message_id, exc)
        return False


def relay(*, limit: int = RELAY_BATCH, now: dt.datetime | None = None) -> dict:
    """Publish undelivered messages that are due (oldest first, at most `limit`). A broker error stops the
    run (the rest wait for the next one); a message that fails for its own reason (an unknown task) is put
    back with backoff and the run goes on. Returns counts."""
    global _broker_down_until
    now = now or timezone.now()
    published: list[int] = []
    failed = 0
    with transaction.atomic(), _broker() as connection:
        due = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(dispatched_at__isnull=True, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")[:limit]
        )
        for message in due:
            try:
                _publish(message, connection)
            except BROKER_ERRORS as exc:
                _record_failure(message.pk, exc)
                failed += 1
                break
            except Exception as exc:  # noqa: BLE001 - one bad message must not hold up the others
                _record_failure(message.pk, exc)
                failed += 1
                continue
            published.append(message.pk)
        if published:
            OutboxMessage.objects.filter(pk__in=published).update(
                dispatched_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
            )
    if published:
        _broker_down_until = 0.0
    waiting = len(due) - len(published) - failed
    if published or failed:
        logger.info(
            "outbox relay: %d published, %d failed, %d left for later", len(published), failed, waiting
        )
    return {"published": len(published), "failed": failed, "waiting": waiting}


def undelivered() -> int:
    return OutboxMessage.objects.filter(dispatched_at__isnull=True).count()


def reset_breaker() -> None:
    """Forget that the broker was seen down (tests; a relay that published resets it too)."""
    global _broker_down_until
    _broker_down_until = 0.0


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try after `attempts` failed ones: 15 s, 30 s, 1 min, … up to an hour."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LAST_RETRY)


# ------------------------------------------------------------------------------------------ internals


def _eager() -> bool:
    return bool(current_app.conf.task_always_eager)


def _task(name: str):
    tasks = current_app.tasks
    if name not in tasks:
        current_app.loader.import_default_modules()  # a process that has not imported every tasks module
    return tasks[name]


def _broker():
    """A connection that fails at once when the broker is down. Kombu's default would retry connecting
    for `broker_connection_timeout` (about 6 s measured) inside the request; retrying is the relay's job."""
    return current_app.connection_for_write(transport_options={"max_retries": 0})


def _publish(message: OutboxMessage, connection=None) -> None:
    _task(message.task).apply_async(
        args=message.args, kwargs=message.kwargs, retry=False, connection=connection
    )


def _run_eagerly(message_id: int) -> bool:
    """Eager mode: claim the row (so a relay does not run it again), then run the task here, as
    `.delay()` on commit did. Its exceptions propagate (CELERY_TASK_EAGER_PROPAGATES)."""
    message = OutboxMessage.objects.filter(pk=message_id, dispatched_at__isnull=True).first()
    if message is None:
        return False
    claimed = OutboxMessage.objects.filter(pk=message_id, dispatched_at__isnull=True).update(
        dispatched_at=timezone.now(), attempts=F("attempts") + 1
    )
    if claimed:
        _publish(message)
    return bool(claimed)


def _failed(message_id: int, exc: BaseException) -> None:
    global _broker_down_until
    if isinstance(exc, BROKER_ERRORS):
        _broker_down_until = time.monotonic() + float(getattr(settings, "OUTBOX_BREAKER_SECONDS", 30))
    try:
        _record_failure(message_id, exc)
    except Exception:  # noqa: BLE001 - the database failing too: the row is still there for the relay
        logger.exception("outbox: could not record the failure of message %s", message_id)


def _record_failure(message_id: int, exc: BaseException) -> None:
    logger.warning("outbox: message %s not published: %s: %s", message_id, type(exc).__name__, exc)
    message = OutboxMessage.objects.filter(pk=message_id).only("attempts").first()
    if message is None:
        return
    attempts = message.attempts + 1
    OutboxMessage.objects.filter(pk=message_id).update(
        attempts=attempts,
        last_error=f"{type(exc).__name__}: {exc}"[:2000],
        next_attempt_at=timezone.now() + backoff(attempts),
    )
