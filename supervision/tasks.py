"""Thin Celery wrappers around supervision services (scheduled in config/celery.py); idempotent per day."""

import datetime as dt

from celery import shared_task

from core import audit

from . import services


def _day(day: str | None) -> dt.date | None:
    return dt.date.fromisoformat(day) if day else None


@shared_task(acks_late=True)
def supervision_sweep(day: str | None = None) -> dict:
    """督办: close, escalate, issue and notify — each step its own transaction, each idempotent per day, so
    a redelivered task (a worker killed mid-run) or a catch-up run after downtime issues nothing twice."""
    with audit.acting_as(label="celery:supervision_sweep"):
        return services.daily_sweep(today=_day(day))


@shared_task(acks_late=True)
def due_soon_reminders(day: str | None = None) -> int:
    """The working day before a deadline, assignees are reminded (one notice per assignee and day)."""
    with audit.acting_as(label="celery:due_soon_reminders"):
        return services.due_soon_reminders(today=_day(day))
