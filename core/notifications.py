"""The one notification service: every notification is in the user's inbox (in-app, always), and goes out
by email and SMS as the user chose (`NotificationPreference`; by default email on, SMS off).

Call `notify(...)` inside the business transaction: the notification row and its email / SMS messages are
written in that transaction (the outbox, core/outbox.py) and leave after commit, whatever the broker's
state at that moment. The deliveries are idempotent (`emailed_at` / `smsed_at` under a row lock).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import outbox, sms
from .errors import DomainError
from .models import Notification, NotificationPreference

SMS_MAX_CHARS = 140


def notify(
    *,
    recipient,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    dedupe_key: str | None = None,
    channels: tuple[str, ...] | None = None,
):
    """Create the notification unless one with the same dedupe_key exists. Returns it, or None if a duplicate.

    `channels` limits the outside channels for this one notification (e.g. `("email",)`); by default the
    recipient's choice decides. In-app is always on.
    """
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
    choice = preferences_for(recipient)
    wanted = set(channels) if channels is not None else {"email", "sms"}
    if "email" in wanted and choice.mail_enabled and recipient.email:
        from .tasks import send_notification_email

        outbox.enqueue(send_notification_email, note.pk, key=f"notification-email:{note.pk}")
    if "sms" in wanted and choice.sms_enabled and _mobile(recipient):
        from .tasks import send_notification_sms

        outbox.enqueue(send_notification_sms, note.pk, key=f"notification-sms:{note.pk}")
    return note


# ------------------------------------------------------------------------------------ channels (通知方式)


_mobile_source: Callable[[Any], str] | None = None


def set_mobile_source(source: Callable[[Any], str]) -> None:
    """The members app tells where a user's number is when the account has none (their roster record);
    core names no domain model."""
    global _mobile_source
    _mobile_source = source


def mobile_for(user) -> str:
    """The number SMS goes to: the account's own, else the one the source finds (one query)."""
    own = str(getattr(user, "mobile", "") or "")
    if own or _mobile_source is None:
        return own
    return str(_mobile_source(user) or "")


_mobile = mobile_for


@dataclass(frozen=True)
class Channels:
    mail_enabled: bool = True
    sms_enabled: bool = False


DEFAULT_CHANNELS = Channels()


def preferences_for(user) -> Channels:
    """The user's choice of outside channels (the defaults when they never chose). One query."""
    row = NotificationPreference.objects.filter(user_id=user.pk).values("mail_enabled", "sms_enabled").first()
    return Channels(**row) if row else DEFAULT_CHANNELS


@transaction.atomic
def set_preferences(*, user, mail_enabled: bool | None = None, sms_enabled: bool | None = None) -> Channels:
    """A user chooses how to be told, for themselves only. Email needs an email address on the account,
    SMS a mobile number; asking for a channel without its address is refused, naming the field."""
    current = preferences_for(user)
    mail = current.mail_enabled if mail_enabled is None else bool(mail_enabled)
    text = current.sms_enabled if sms_enabled is None else bool(sms_enabled)
    errors = {}
    if mail and mail_enabled and not user.email:
        errors["mail_enabled"] = ["账号未登记邮箱，不能开启邮件通知"]
    if text and sms_enabled and not _mobile(user):
        errors["sms_enabled"] = ["账号未登记手机号，不能开启短信通知"]
    if errors:
        raise DomainError(
            "通知方式未保存：" + "；".join(m for ms in errors.values() for m in ms), fields=errors
        )
    NotificationPreference.objects.update_or_create(
        user_id=user.pk, defaults={"mail_enabled": mail, "sms_enabled": text}
    )
    return Channels(mail_enabled=mail, sms_enabled=text)


# -------------------------------------------------------------------------------------------- delivery


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


def deliver_sms(notification_id: int) -> bool:
    """Send the SMS for one notification once, through settings.SMS_BACKEND (idempotent like the email:
    the row is locked, sent, stamped and committed)."""
    with transaction.atomic():
        note = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        number = _mobile(note.recipient) if note is not None else ""
        if note is None or note.smsed_at is not None or not number:
            return False
        sms.send_sms(number, sms_text(note))
        note.smsed_at = timezone.now()
        note.save(update_fields=["smsed_at"])
        return True


def sms_text(note: Notification) -> str:
    """The title, then as much of the body as fits one message."""
    text = f"【民情流水线】{note.title}"
    if note.body and len(text) < SMS_MAX_CHARS - 10:
        text = f"{text}：{note.body}"
    return text if len(text) <= SMS_MAX_CHARS else text[: SMS_MAX_CHARS - 1] + "…"


# ------------------------------------------------------------------------------------------- the inbox


def mark_read(*, user, ids=None) -> int:
    """Mark the user's own unread notifications read (those of `ids`, or all). Returns how many."""
    user.__dict__.pop(_UNREAD, None)
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def request_unread_count(user) -> int:
    """unread_count, counted once per user object: for `request.user` (a new object each request), so the
    bell and a home page's notices read the same number with one query. mark_read forgets it."""
    if user is None or not user.is_authenticated:
        return 0
    if _UNREAD not in user.__dict__:
        user.__dict__[_UNREAD] = unread_count(user)
    return user.__dict__[_UNREAD]


_UNREAD = "_unread_notification_count"
