"""Overdue cases on real calendar dates (Asia/Shanghai), built through the cases services."""

import datetime as dt
import zoneinfo

import time_machine

from cases import services as case_services
from cases.models import HandlingType
from tests.cases.factories import make_case

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
D = dt.date


def at(day: dt.date, hour: int = 8) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=SH)


def promised_case(community, *, registered: dt.date, days: int, by, worker):
    """A 承诺件 registered on `registered`, promised in `days` working days, assigned to `worker`."""
    with time_machine.travel(at(registered, 10), tick=False):
        case = make_case(community, by=by)
        case_services.case_classify(
            case=case, by=by, handling_type=HandlingType.PROMISED, time_limit_days=days
        )
        case_services.case_assign(case=case, by=by, assignee=worker)
    case.refresh_from_db()
    return case
