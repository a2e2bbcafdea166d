"""Places, organisations, people, roles, registration (报到登记), information officers, responsibility zones,
roster imports and the working-day calendar's hand-entered days.

This is the core app: it imports none of the other domain apps. One module per sub-domain; import from the
package (`from members.models import Person`), which is still the app's `models` module, so every model
keeps its app label, table and migrations.
"""

from ..roles import Role  # the role names, for callers that import them with the models
from .calendar import WorkdayOverride, WorkdayOverrideQuerySet
from .officers import (
    MEMBER_SOURCES,
    PENALTY_LADDER,
    InformationOfficer,
    OfficerEndReason,
    OfficerQuerySet,
    OfficerRecord,
    OfficerRecordKind,
    OfficerRecordQuerySet,
    OfficerSource,
    OfficerStatus,
)
from .people import (
    Gender,
    MemberCategory,
    PartyMembership,
    PartyMembershipQuerySet,
    Person,
    PersonQuerySet,
    User,
)
from .places import (
    Building,
    Community,
    CommunityQuerySet,
    Compound,
    Employer,
    EmployerQuerySet,
    PlaceQuerySet,
    Town,
    TownQuerySet,
)
from .registration import (
    ACTIVE_REGISTRATION_STATUSES,
    Registration,
    RegistrationChannel,
    RegistrationEvent,
    RegistrationQuerySet,
    RegistrationStatus,
)
from .role_assignments import RoleAssignment, RoleAssignmentQuerySet
from .roster import ImportStatus, RosterImport, RosterImportQuerySet
from .scoping import ScopedQuerySet
from .zones import ResponsibilityZone, ZoneAssignment, ZoneQuerySet, ZoneSource

__all__ = [
    "Role",
    "ACTIVE_REGISTRATION_STATUSES",
    "Building",
    "Community",
    "CommunityQuerySet",
    "Compound",
    "Employer",
    "EmployerQuerySet",
    "Gender",
    "ImportStatus",
    "InformationOfficer",
    "MEMBER_SOURCES",
    "MemberCategory",
    "OfficerEndReason",
    "OfficerQuerySet",
    "OfficerRecord",
    "OfficerRecordKind",
    "OfficerRecordQuerySet",
    "OfficerSource",
    "OfficerStatus",
    "PENALTY_LADDER",
    "PartyMembership",
    "PartyMembershipQuerySet",
    "Person",
    "PersonQuerySet",
    "PlaceQuerySet",
    "Registration",
    "RegistrationChannel",
    "RegistrationEvent",
    "RegistrationQuerySet",
    "RegistrationStatus",
    "ResponsibilityZone",
    "RoleAssignment",
    "RoleAssignmentQuerySet",
    "RosterImport",
    "RosterImportQuerySet",
    "ScopedQuerySet",
    "Town",
    "TownQuerySet",
    "User",
    "WorkdayOverride",
    "WorkdayOverrideQuerySet",
    "ZoneAssignment",
    "ZoneQuerySet",
    "ZoneSource",
]
