"""The town-editable working-day table (节假日/调休): a town supervisor writes their town's rows; nationwide
rows (town left empty, e.g. next year's State Council notice) only an administrator. `core.workdays` reads
the table through the source `members.calendar` registers."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from core.errors import PermissionDenied

from ..models import Town, User, WorkdayOverride
from ..roles import scope_for


@transaction.atomic
def workday_override_save(
    *,
    by: User,
    date: dt.date,
    is_working_day: bool,
    name: str = "",
    town: Town | None = None,
) -> WorkdayOverride:
    """The town's table of holidays and make-up days; nationwide rows (town=None) only by an administrator."""
    scope = scope_for(by)
    if town is None and not scope.is_superuser:
        raise PermissionDenied("全国统一的节假日安排只能由系统管理员录入")
    if town is not None and not scope.supervises_town(town.pk):
        raise PermissionDenied("只有本镇的管理人员可以调整工作日")
    row, _ = WorkdayOverride.objects.update_or_create(
        date=date, town=town, defaults={"is_working_day": is_working_day, "name": (name or "").strip()[:50]}
    )
    return row


@transaction.atomic
def workday_override_delete(*, by: User, override: WorkdayOverride) -> None:
    scope = scope_for(by)
    if not (scope.is_superuser or (override.town_id is not None and scope.supervises_town(override.town_id))):
        raise PermissionDenied("只有本镇的管理人员可以调整工作日")
    override.delete()
