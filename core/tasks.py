from celery import shared_task

from . import audit, notifications, outbox, retention


@shared_task(acks_late=True)
def send_notification_email(notification_id: int) -> bool:
    return notifications.deliver_email(notification_id)


@shared_task(acks_late=True)
def send_notification_sms(notification_id: int) -> bool:
    return notifications.deliver_sms(notification_id)


@shared_task(acks_late=True)
def relay_outbox() -> dict:
    """Publish the outbox's undelivered messages (those a broker outage held back); idempotent: a message
    is taken under a row lock and stamped when published."""
    return outbox.relay()


@shared_task(acks_late=True)
def purge_expired_audit_rows() -> dict:
    """Audit and access-log rows older than AUDIT_RETENTION_DAYS (never fewer than 180); idempotent."""
    with audit.acting_as(label="celery:purge_expired_audit_rows"):
        return audit.purge_expired()


@shared_task(acks_late=True)
def purge_expired_personal_data() -> dict:
    """Roster upload rows, read notifications, expired sessions, axes logs and the domain apps' purges
    (settings.RETENTION_PURGES) past their period; idempotent."""
    with audit.acting_as(label="celery:purge_expired_personal_data"):
        return retention.purge_all()
