"""Thin Celery wrappers around cases services (scheduled in config/celery.py)."""

import datetime as dt

from celery import shared_task

from core import audit

from . import retention, services


@shared_task(acks_late=True)
def daily_supervision_alerts(day: str | None = None) -> dict:
    """Overdue cases and unopened mailboxes → the secretaries; idempotent by dedupe keys."""
    return services.daily_supervision_alerts(today=dt.date.fromisoformat(day) if day else None)


@shared_task(acks_late=True)
def anonymise_closed_cases(day: str | None = None) -> int:
    """Residents' personal data on cases closed longer than the community's period; idempotent
    (`Case.anonymised_at`), so a redelivered or repeated run changes nothing more."""
    with audit.acting_as(label="celery:anonymise_closed_cases"):
        return retention.anonymise_closed_cases(today=dt.date.fromisoformat(day) if day else None)
