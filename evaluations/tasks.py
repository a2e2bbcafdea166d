"""Thin Celery wrappers: take ids or nothing, call a service, stay idempotent."""

from celery import shared_task

from core import audit

from .services import sheets


# employer
@shared_task(acks_late=True)
def generate_feedback_sheets(batch_id: int) -> int:
    """One community's sheets of a year; a redelivery after a crash resumes and writes no sheet twice
    (the unique (batch, member) key)."""
    with audit.acting_as(label="celery:generate_feedback_sheets"):
        return sheets.sheet_batch_run(batch_id=batch_id)


@shared_task(acks_late=True)
def remind_unacknowledged_sheets() -> int:
    """Daily: liaisons whose employer has not acknowledged sheets within 10 working days (once each)."""
    with audit.acting_as(label="celery:remind_unacknowledged_sheets"):
        return sheets.acknowledgement_reminders_send()
