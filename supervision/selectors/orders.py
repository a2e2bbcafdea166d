"""Reads of 督办单: the lists (one query per page, whatever its length) and the town's counts."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from ..models import OrderLevel, OrderState, SupervisionOrder


def order_rows(
    user, *, mine: bool = False, town_levels: bool = False, state: str = "", overdue_on: dt.date | None = None
):
    """The orders a user sees, newest first, joined with what a row shows (no query per row)."""
    qs = SupervisionOrder.objects.visible_to(user).select_related("case", "community", "addressee")
    if mine:
        qs = qs.filter(addressee_id=user.pk)
    if town_levels:
        qs = qs.filter(level__gt=OrderLevel.COMMUNITY)
    if state:
        qs = qs.filter(state=state)
    if overdue_on is not None:
        qs = qs.filter(state=OrderState.ISSUED, due_on__lt=overdue_on)
    return qs.order_by("-issued_on", "-pk")


def town_summary(user, *, today: dt.date) -> dict:
    """Counts for the town office's page: open orders per level, overdue ones, escalations."""
    qs = SupervisionOrder.objects.visible_to(user)
    return qs.aggregate(
        open_community=Count("pk", filter=Q(level=OrderLevel.COMMUNITY, state__in=["issued", "answered"])),
        open_town=Count("pk", filter=Q(level__gt=OrderLevel.COMMUNITY, state__in=["issued", "answered"])),
        overdue=Count("pk", filter=Q(state=OrderState.ISSUED, due_on__lt=today)),
        escalated=Count("pk", filter=Q(state=OrderState.ESCALATED)),
    )
