"""Thin Celery wrappers around cases services (scheduled in config/celery.py)."""

import datetime as dt

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def daily_supervision_alerts(day: str | None = None) -> dict:
    """Overdue cases and unopened mailboxes → the secretaries; idempotent by dedupe keys."""
    return services.daily_supervision_alerts(today=dt.date.fromisoformat(day) if day else None)
