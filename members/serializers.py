"""The members API's serializers, by their old name: each lives beside its views in `members.api.<area>`.
They shape and validate input; the writes happen in services."""

from .api._common import (
    EmployerFeedbackSchema,
    EmployerFeedbackSerializer,
)
from .api.accounts import (
    MeSerializer,
)
from .api.officers import (
    OfficerAppointSerializer,
    OfficerEndSerializer,
    OfficerRecordCreateSerializer,
    OfficerRecordSerializer,
    OfficerSerializer,
    OfficerStrengthSerializer,
)
from .api.people import (
    MembershipSerializer,
    PersonForEmployerSerializer,
    PersonRevealedSerializer,
    PersonSerializer,
    RevealSerializer,
)
from .api.places import (
    BuildingSerializer,
    CommunitySerializer,
    CompoundSerializer,
    EmployerSerializer,
    TownSerializer,
)
from .api.registration import (
    RegistrationEventSerializer,
    RegistrationForEmployerSerializer,
    RegistrationReturnSerializer,
    RegistrationSerializer,
    RegistrationSubmitSerializer,
    RegistrationTransferSerializer,
)
from .api.roster import (
    RosterImportSerializer,
    RosterUploadSerializer,
)
from .api.zones import (
    ZoneAssignmentSerializer,
    ZoneAssignSerializer,
    ZoneSerializer,
)

__all__ = [
    "BuildingSerializer",
    "CommunitySerializer",
    "CompoundSerializer",
    "EmployerFeedbackSchema",
    "EmployerFeedbackSerializer",
    "EmployerSerializer",
    "MeSerializer",
    "MembershipSerializer",
    "OfficerAppointSerializer",
    "OfficerEndSerializer",
    "OfficerRecordCreateSerializer",
    "OfficerRecordSerializer",
    "OfficerSerializer",
    "OfficerStrengthSerializer",
    "PersonForEmployerSerializer",
    "PersonRevealedSerializer",
    "PersonSerializer",
    "RegistrationEventSerializer",
    "RegistrationForEmployerSerializer",
    "RegistrationReturnSerializer",
    "RegistrationSerializer",
    "RegistrationSubmitSerializer",
    "RegistrationTransferSerializer",
    "RevealSerializer",
    "RosterImportSerializer",
    "RosterUploadSerializer",
    "TownSerializer",
    "ZoneAssignSerializer",
    "ZoneAssignmentSerializer",
    "ZoneSerializer",
]
