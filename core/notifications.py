"""The one notification service: an in-app list plus an email backend (SMS can be plugged in later).

Call `notify(...)` inside the business transaction; the email goes out after commit.
"""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notification


def notify(*, recipient, kind: str, title: str, body: str = "", url: str = "", dedupe_key: str | None = None):
    """Create the notification unless one with the same dedupe_key exists. Returns it, or None if a duplicate."""
    if recipient is None:
        return None
    if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    try:
        with transaction.atomic():
            note = Notification.objects.create(
                recipient=recipient, kind=kind, title=title, body=body, url=url, dedupe_key=dedupe_key
            )
    except IntegrityError:
        return None  # a concurrent sender won the race on dedupe_key
    if recipient.email:
        transaction.on_commit(lambda: _send_email(note.pk))
    return note


def _send_email(notification_id: int) -> None:
    from .tasks import send_notification_email

    send_notification_email.delay(notification_id)


def deliver_email(notification_id: int) -> bool:
    """Send the email for one notification once (idempotent under redelivery).

    The row is locked, sent, stamped and committed: a redelivered task finds the stamp and sends nothing. A
    worker killed between the SMTP call and the commit cannot be told apart from one killed before the call,
    so that one case is sent again (at-least-once: a lost notice is worse than a repeated one). The repeat
    carries the same Message-ID, which mail clients and MTAs use to fold duplicates.
    """
    with transaction.atomic():
        note = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if note is None or note.emailed_at is not None or not note.recipient.email:
            return False
        EmailMessage(
            note.title,
            note.body or note.title,
            settings.DEFAULT_FROM_EMAIL,
            [note.recipient.email],
            headers={"Message-ID": f"<notification-{note.pk}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"},
        ).send()
        note.emailed_at = timezone.now()
        note.save(update_fields=["emailed_at"])
        return True


def mark_read(*, user, ids=None) -> int:
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
