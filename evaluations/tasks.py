"""Thin Celery wrappers around evaluations services (scheduled in config/celery.py)."""

import datetime as dt

from celery import shared_task

from core import audit

from . import services


# appraisal
@shared_task(acks_late=True)
def close_past_due_appraisals(day: str | None = None) -> int:
    """Open evaluations past their closing date are closed (an event row each); idempotent: a closed one is
    left alone, so a redelivered run closes nothing twice."""
    with audit.acting_as(label="celery:close_past_due_appraisals"):
        return services.close_past_due(today=dt.date.fromisoformat(day) if day else None)


# employer
@shared_task(acks_late=True)
def generate_feedback_sheets(batch_id: int) -> int:
    """One community's sheets of a year; a redelivery after a crash resumes and writes no sheet twice
    (the unique (batch, member) key)."""
    with audit.acting_as(label="celery:generate_feedback_sheets"):
        return services.sheet_batch_run(batch_id=batch_id)


@shared_task(acks_late=True)
def remind_unacknowledged_sheets() -> int:
    """Daily: liaisons whose employer has not acknowledged sheets within 10 working days (once each)."""
    with audit.acting_as(label="celery:remind_unacknowledged_sheets"):
        return services.acknowledgement_reminders_send()
