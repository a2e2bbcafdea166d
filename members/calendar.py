"""The town-editable working-day table (节假日/调休): the source `core.workdays` reads. Every deadline goes
through `core.workdays`; this module only registers the rows a person enters. Their writes are services
(`members.services.calendar`), re-exported here for callers of this module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models.signals import post_delete, post_save

from core import workdays

from .models import WorkdayOverride
from .services.calendar import workday_override_delete, workday_override_save


def override_rows(year: int) -> Iterable[tuple[int | None, dt.date, bool]]:
    """The source `core.workdays` reads (registered in MembersConfig.ready)."""
    return WorkdayOverride.objects.filter(date__year=year).values_list("town_id", "date", "is_working_day")


def connect() -> None:
    """Register the table with the calendar and tell it of every save or delete (admin included): this
    process forgets its copy at once, every web and worker process on its next request or task once the
    change commits (`core.workdays.override_changed`)."""
    workdays.set_override_source(override_rows)
    post_save.connect(workdays.override_changed, sender=WorkdayOverride, dispatch_uid="workdays-clear-save")
    post_delete.connect(
        workdays.override_changed, sender=WorkdayOverride, dispatch_uid="workdays-clear-delete"
    )


__all__ = ["connect", "override_rows", "workday_override_delete", "workday_override_save"]
