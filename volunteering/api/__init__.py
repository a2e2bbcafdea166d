"""REST API of volunteering (/api/v1/volunteering/…). Every view starts from `visible_to(user)` (an object
outside the user's scope is a 404); every write calls a service. One module per area; `api_urls` registers
the viewsets re-exported here. Serializers live beside the views that use them and are shapes only:
rules live in `services`, reads in `selectors`."""

from ._common import (
    COMMUNITY_PARAM,
    XLSX,
    YEAR_PARAM,
    HasOffice,
    ReadsCommunities,
    default_community,
)
from .hours import (
    RecordFilter,
    RecordViewSet,
)
from .items import (
    ItemFilter,
    ItemViewSet,
    SignUpViewSet,
)
from .ledger import (
    ConductNoteViewSet,
    LedgerViewSet,
    RequirementViewSet,
)
from .posts import (
    ClaimViewSet,
    PolicyViewSet,
    PostFilter,
    PostViewSet,
    TeamViewSet,
)
from .programmes import (
    GoodViewSet,
    HandoutViewSet,
    PairingViewSet,
    ProgrammeViewSet,
    SkillViewSet,
)

__all__ = [
    "COMMUNITY_PARAM",
    "ClaimViewSet",
    "ConductNoteViewSet",
    "GoodViewSet",
    "HandoutViewSet",
    "HasOffice",
    "ItemFilter",
    "ItemViewSet",
    "LedgerViewSet",
    "PairingViewSet",
    "PolicyViewSet",
    "PostFilter",
    "PostViewSet",
    "ProgrammeViewSet",
    "ReadsCommunities",
    "RecordFilter",
    "RecordViewSet",
    "RequirementViewSet",
    "SignUpViewSet",
    "SkillViewSet",
    "TeamViewSet",
    "XLSX",
    "YEAR_PARAM",
    "default_community",
]
