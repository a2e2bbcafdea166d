"""Reads of the staff-complaint side: the ladder's next rung for a staff member, and their history."""

from __future__ import annotations

from ..models import LADDER, Measure, StaffSanction


def suggested_measure(staff_id: int) -> Measure:
    """The next rung after the heaviest measure this staff member has had (诫勉教育 for a first one)."""
    had = set(StaffSanction.objects.filter(staff_id=staff_id).values_list("measure", flat=True))
    if not had:
        return LADDER[0]
    heaviest = max(LADDER.index(Measure(m)) for m in had)
    return LADDER[min(heaviest + 1, len(LADDER) - 1)]


def staff_history(staff_id: int):
    return StaffSanction.objects.filter(staff_id=staff_id).select_related("complaint").order_by("-at", "-pk")
