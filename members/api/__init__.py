"""REST API of the members app (/api/v1/…). Every view starts from `visible_to(user)`; writes call services.

One module per sub-domain, serializers beside their views: `places`, `people`, `registration`, `officers`,
`zones`, `roster`, `calendar` (the working-day table), `accounts` (who am I); `_common` holds who may
create and the employer liaison's shapes.
`members.api_urls` registers the viewsets re-exported here.
"""

from ._common import (
    BY_ROLE_NOTE,
    EmployerFeedbackSchema,
    EmployerFeedbackSerializer,
    FeedbackSheetOrderingFilter,
    OfficeCreates,
    OfficeOrSelfCreates,
    ReadsByRole,
)
from .accounts import MeSerializer, MeView
from .calendar import WorkdayOverrideSerializer, WorkdayOverrideViewSet
from .officers import (
    OfficerAppointSerializer,
    OfficerEndSerializer,
    OfficerRecordCreateSerializer,
    OfficerRecordSerializer,
    OfficerSerializer,
    OfficerStrengthSerializer,
    OfficerViewSet,
)
from .people import (
    PERSON_BY_ROLE,
    MembershipSerializer,
    PersonFilter,
    PersonForEmployerSerializer,
    PersonRevealedSerializer,
    PersonSearchFilter,
    PersonSerializer,
    PersonViewSet,
    RevealSerializer,
)
from .places import (
    BuildingSerializer,
    BuildingViewSet,
    CommunitySerializer,
    CommunityViewSet,
    CompoundSerializer,
    CompoundViewSet,
    EmployerSerializer,
    EmployerViewSet,
    TownSerializer,
    TownViewSet,
)
from .registration import (
    REGISTRATION_BY_ROLE,
    RegistrationEventSerializer,
    RegistrationFilter,
    RegistrationForEmployerSerializer,
    RegistrationReturnSerializer,
    RegistrationSerializer,
    RegistrationSubmitSerializer,
    RegistrationTransferSerializer,
    RegistrationViewSet,
)
from .roster import RosterExportView, RosterImportSerializer, RosterImportViewSet, RosterUploadSerializer
from .zones import ZoneAssignmentSerializer, ZoneAssignSerializer, ZoneSerializer, ZoneViewSet

__all__ = [
    "BY_ROLE_NOTE",
    "BuildingSerializer",
    "BuildingViewSet",
    "CommunitySerializer",
    "CommunityViewSet",
    "CompoundSerializer",
    "CompoundViewSet",
    "EmployerFeedbackSchema",
    "EmployerFeedbackSerializer",
    "EmployerSerializer",
    "EmployerViewSet",
    "FeedbackSheetOrderingFilter",
    "MeSerializer",
    "MeView",
    "MembershipSerializer",
    "OfficeCreates",
    "OfficeOrSelfCreates",
    "OfficerAppointSerializer",
    "OfficerEndSerializer",
    "OfficerRecordCreateSerializer",
    "OfficerRecordSerializer",
    "OfficerSerializer",
    "OfficerStrengthSerializer",
    "OfficerViewSet",
    "PERSON_BY_ROLE",
    "PersonFilter",
    "PersonForEmployerSerializer",
    "PersonRevealedSerializer",
    "PersonSearchFilter",
    "PersonSerializer",
    "PersonViewSet",
    "REGISTRATION_BY_ROLE",
    "ReadsByRole",
    "RegistrationEventSerializer",
    "RegistrationFilter",
    "RegistrationForEmployerSerializer",
    "RegistrationReturnSerializer",
    "RegistrationSerializer",
    "RegistrationSubmitSerializer",
    "RegistrationTransferSerializer",
    "RegistrationViewSet",
    "RevealSerializer",
    "RosterExportView",
    "RosterImportSerializer",
    "RosterImportViewSet",
    "RosterUploadSerializer",
    "TownSerializer",
    "TownViewSet",
    "WorkdayOverrideSerializer",
    "WorkdayOverrideViewSet",
    "ZoneAssignSerializer",
    "ZoneAssignmentSerializer",
    "ZoneSerializer",
    "ZoneViewSet",
]
