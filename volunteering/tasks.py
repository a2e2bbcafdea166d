"""Thin Celery wrappers: take ids or nothing, call a service, stay idempotent (dedupe keys on notify)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def remind_members_behind_requirement() -> int:
    """Last quarter only: one reminder per member behind the yearly requirement per quarter."""
    return services.requirement_reminders_send()
