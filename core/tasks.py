from celery import shared_task

from . import notifications


@shared_task(acks_late=True)
def send_notification_email(notification_id: int) -> bool:
    return notifications.deliver_email(notification_id)
