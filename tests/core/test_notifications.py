from pathlib import Path

import pytest
from django.core import mail

from core import notifications
from core.models import Notification
from tests import factories as f
from tests.conftest import wait_for


def test_notify_with_the_same_dedupe_key_creates_one_notification(db):
    user = f.UserFactory()
    first = notifications.notify(recipient=user, kind="test", title="一", dedupe_key="k-1")
    second = notifications.notify(recipient=user, kind="test", title="二", dedupe_key="k-1")
    assert first is not None and second is None
    assert Notification.objects.filter(recipient=user).count() == 1


def test_email_goes_out_after_commit_and_only_once(db, django_capture_on_commit_callbacks):
    user = f.UserFactory(email="member@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        note = notifications.notify(
            recipient=user, kind="test", title="候补转正通知", body="您已转为正式报名"
        )
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "候补转正通知"
    # A repeat from the crash window between send and commit carries the same id, so mail clients fold it
    assert mail.outbox[0].extra_headers["Message-ID"] == f"<notification-{note.pk}@minqing.local>"
    # A redelivered task must not send it again.
    assert notifications.deliver_email(note.pk) is False
    assert len(mail.outbox) == 1


def test_nothing_is_emailed_when_the_transaction_rolls_back(db, django_capture_on_commit_callbacks):
    user = f.UserFactory(email="member@example.cn")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notifications.notify(recipient=user, kind="test", title="x")
    assert len(callbacks) == 1  # queued for after commit, not sent inline
    assert mail.outbox == []


def test_mark_read_only_touches_the_users_own_notifications(db):
    me, other = f.UserFactory(), f.UserFactory()
    mine = notifications.notify(recipient=me, kind="t", title="a")
    theirs = notifications.notify(recipient=other, kind="t", title="b")
    assert notifications.mark_read(user=me, ids=[mine.pk, theirs.pk]) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_email_exactly_once_even_when_the_task_is_redelivered(celery_worker):
    from core.tasks import send_notification_email

    user = f.UserFactory(email="member@example.cn")
    note = notifications.notify(
        recipient=user, kind="test", title="真实队列"
    )  # autocommit: on_commit runs now
    wait_for(lambda: Notification.objects.filter(pk=note.pk, emailed_at__isnull=False).exists())
    # Redeliver the same task twice more: the effect stays single.
    redelivered = [send_notification_email.delay(note.pk).id for _ in range(2)]

    def finished() -> list[str]:
        """The worker's log lines of both redelivered tasks, once both have run (celery.app.trace)."""
        log = Path(celery_worker.log).read_text(errors="replace").splitlines()
        lines = {task_id: line for line in log for task_id in redelivered if f"[{task_id}] succeeded" in line}
        return list(lines.values()) if len(lines) == len(redelivered) else []

    assert all(line.endswith(": False") for line in wait_for(finished))  # each found the email sent
    sent = list(celery_worker.mail_dir.glob("*.log"))
    assert len(sent) == 1, [p.name for p in sent]
