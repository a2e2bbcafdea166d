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
