"""Volunteering (先锋惠民服务制度): the ten service posts, service items, hours, the yearly requirement,
featured programmes (特色载体) and the data behind each member's activity ledger (活动台账).

Builds on `members`; imports no app above it. Every write goes through `volunteering.services`; every
read starts from a queryset's `visible_to(user)` (see `volunteering.access` for who sees what).

One module per sub-domain; import from the package (`from volunteering.models import ServiceItem`):
- `querysets`: the three scopes every model builds on (community-wide, personal, office only);
- `posts`: service posts, claims and the volunteer team;
- `items`: service items, sign-ups with the waitlist, attendance;
- `hours`: the yearly requirement and the service records counted against it;
- `programmes`: featured programmes, pairings, the love supermarket, the skills directory;
- `events`: conduct notes and the append-only event history.
"""

# `volunteering.models.models` stays Django's, as it was when this package was one module.
from django.db import models  # noqa: F401

from .events import ConductKind, ConductNote, VolunteerEvent
from .hours import (
    UNVERIFIED_SOURCES,
    Evaluation,
    RecordSource,
    RecordStatus,
    RequirementPolicy,
    ServiceRecord,
    ServiceRecordQuerySet,
)
from .items import (
    CheckInMethod,
    ItemStatus,
    ServiceItem,
    SignUp,
    SignUpQuerySet,
    SignUpStatus,
    new_checkin_key,
)
from .posts import (
    ACTIVE_CLAIM_STATUSES,
    MAX_POSTS_PER_COMMUNITY,
    ClaimStatus,
    PostClaim,
    PostClaimQuerySet,
    ServicePost,
    TeamMember,
)
from .programmes import (
    DonatedGood,
    DonatedGoodQuerySet,
    GoodCategory,
    GoodHandout,
    HandoutQuerySet,
    Pairing,
    PairingQuerySet,
    PairingStatus,
    Programme,
    ProgrammeKind,
    SkillListing,
    SkillListingQuerySet,
)
from .querysets import CommunityWideQuerySet, OfficeOnlyQuerySet, PersonalQuerySet

__all__ = [
    "ACTIVE_CLAIM_STATUSES",
    "MAX_POSTS_PER_COMMUNITY",
    "UNVERIFIED_SOURCES",
    "CheckInMethod",
    "ClaimStatus",
    "CommunityWideQuerySet",
    "ConductKind",
    "ConductNote",
    "DonatedGood",
    "DonatedGoodQuerySet",
    "Evaluation",
    "GoodCategory",
    "GoodHandout",
    "HandoutQuerySet",
    "ItemStatus",
    "OfficeOnlyQuerySet",
    "Pairing",
    "PairingQuerySet",
    "PairingStatus",
    "PersonalQuerySet",
    "PostClaim",
    "PostClaimQuerySet",
    "Programme",
    "ProgrammeKind",
    "RecordSource",
    "RecordStatus",
    "RequirementPolicy",
    "ServiceItem",
    "ServicePost",
    "ServiceRecord",
    "ServiceRecordQuerySet",
    "SignUp",
    "SignUpQuerySet",
    "SignUpStatus",
    "SkillListing",
    "SkillListingQuerySet",
    "TeamMember",
    "VolunteerEvent",
    "new_checkin_key",
]
