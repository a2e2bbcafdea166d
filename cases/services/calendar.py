"""The town's working-day table (节假日/调休). Moving to `members` (issue 14): kept apart so it goes whole."""

import datetime as dt

from django.db import transaction

from core.errors import PermissionDenied
from core.models import WorkdayOverride
from members.models import Town, User
from members.roles import scope_for


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
