"""Every write of the members app: one function per business action, keyword-only, atomic.

Permission checks here are about *which* community the actor may act in; the API and pages only ever
hand in objects they obtained through `visible_to`, so a foreign object never reaches a service.

One module per sub-domain (people, registration, officers, zones, accounts, places, calendar); the 花名册
import is `members.roster`. Import from the package (`from members import services`).
"""

from core.errors import PermissionDenied

from ..models import MEMBER_SOURCES
from ..permissions import require_manager, require_town_supervisor
from .accounts import town_set_second_factor, user_create_for_person
from .calendar import workday_override_delete, workday_override_save
from .officers import (
    community_set_officer_quota,
    next_appointment_no,
    next_penalty,
    officer_appoint,
    officer_end,
    officer_record,
    officer_vacancy_alerts,
)
from .people import membership_save, person_save
from .places import building_create
from .registration import (
    _ACTION_LABELS,
    REGISTRATION_TRANSITIONS,
    registration_confirm,
    registration_return,
    registration_submit,
    registration_transfer,
    registration_withdraw,
)
from .zones import zone_assign, zone_save, zone_unassign

__all__ = [
    "MEMBER_SOURCES",
    "PermissionDenied",
    "REGISTRATION_TRANSITIONS",
    "_ACTION_LABELS",
    "building_create",
    "community_set_officer_quota",
    "membership_save",
    "next_appointment_no",
    "next_penalty",
    "officer_appoint",
    "officer_end",
    "officer_record",
    "officer_vacancy_alerts",
    "person_save",
    "registration_confirm",
    "registration_return",
    "registration_submit",
    "registration_transfer",
    "registration_withdraw",
    "require_manager",
    "require_town_supervisor",
    "town_set_second_factor",
    "user_create_for_person",
    "workday_override_delete",
    "workday_override_save",
    "zone_assign",
    "zone_save",
    "zone_unassign",
]
